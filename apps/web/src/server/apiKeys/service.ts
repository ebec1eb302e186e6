// API keys of a company: the full key is returned once at creation; only its hash is stored.
import type { PrismaClient } from "@zapflow/db";
import { NotFoundError } from "@zapflow/queue/services/errors";
import { audit } from "../audit";
import { generateApiKey } from "../auth/api-key";
import type { ApiScope } from "../auth/scopes";

export const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  createdAt: true,
} as const;

export function listApiKeys(prisma: PrismaClient, companyId: string) {
  return prisma.apiKey.findMany({
    where: { companyId },
    orderBy: { createdAt: "desc" },
    select: apiKeySelect,
  });
}

export async function createApiKey(
  prisma: PrismaClient,
  companyId: string,
  input: { name: string; scopes: ApiScope[]; expiresAt?: Date | null },
  userId: string | undefined,
) {
  const { key, prefix, hashedKey } = generateApiKey();
  const row = await prisma.apiKey.create({
    data: {
      companyId,
      name: input.name,
      prefix,
      hashedKey,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ?? null,
      createdById: userId ?? null,
    },
    select: apiKeySelect,
  });
  await audit(prisma, {
    companyId,
    category: "AUTH",
    type: "api_key.created",
    message: `API key "${input.name}" created`,
    data: { apiKeyId: row.id, userId: userId ?? null },
  });
  return { ...row, key };
}

export async function revokeApiKey(
  prisma: PrismaClient,
  companyId: string,
  id: string,
  userId: string | undefined,
) {
  const existing = await prisma.apiKey.findFirst({
    where: { id, companyId },
    select: { id: true, name: true, revokedAt: true },
  });
  if (!existing) throw new NotFoundError("API key", id);
  if (existing.revokedAt) return prisma.apiKey.findUniqueOrThrow({ where: { id }, select: apiKeySelect });
  const row = await prisma.apiKey.update({
    where: { id },
    data: { revokedAt: new Date() },
    select: apiKeySelect,
  });
  await audit(prisma, {
    companyId,
    category: "AUTH",
    type: "api_key.revoked",
    message: `API key "${existing.name}" revoked`,
    data: { apiKeyId: id, userId: userId ?? null },
  });
  return row;
}

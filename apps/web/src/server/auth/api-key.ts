// Integrator API keys: "zf_" + 32 random bytes (base64url). Stored as SHA-256 only; the prefix
// (first 12 characters) is kept in clear so people can tell their keys apart.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@zapflow/db";
import { hashApiKey } from "@zapflow/db/crypto";
import type { ApiKeyPrincipal } from "./principal";

export const API_KEY_MARKER = "zf_";
const PREFIX_LENGTH = 12;
/** lastUsedAt is written at most once per this interval per key (no write per request). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export function generateApiKey(): { key: string; prefix: string; hashedKey: string } {
  const key = `${API_KEY_MARKER}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, PREFIX_LENGTH), hashedKey: hashApiKey(key) };
}

export type ApiKeyResolution = { ok: true; principal: ApiKeyPrincipal } | { ok: false; reason: string };

/** Reads `Authorization: Bearer zf_...`; null when the header carries no API key at all. */
export function bearerApiKey(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match?.[1] ?? null;
}

export async function resolveApiKey(
  prisma: PrismaClient,
  key: string,
  now: Date = new Date(),
): Promise<ApiKeyResolution> {
  if (!key.startsWith(API_KEY_MARKER)) return { ok: false, reason: "Malformed API key" };
  const row = await prisma.apiKey.findUnique({ where: { hashedKey: hashApiKey(key) } });
  if (!row) return { ok: false, reason: "Unknown API key" };
  if (row.revokedAt) return { ok: false, reason: "API key revoked" };
  if (row.expiresAt && row.expiresAt <= now) return { ok: false, reason: "API key expired" };
  const staleBefore = new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS);
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
    // Conditional update: concurrent requests in the same minute write once.
    await prisma.apiKey.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
      data: { lastUsedAt: now },
    });
  }
  return {
    ok: true,
    principal: { kind: "apiKey", apiKeyId: row.id, companyId: row.companyId, scopes: row.scopes },
  };
}

// Per-file test world: a fresh database, a Redis prefix, two companies (A and B) with an owner
// each, a member of A, a platform admin, API keys, and callers acting as any of them.
import { MembershipRole, type PrismaClient } from "@zapflow/db";
import { hashApiKey } from "@zapflow/db/crypto";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { createTestPrefix, deleteRedisPrefix } from "@zapflow/queue/testing";
import type { Redis } from "ioredis";
import { generateApiKey } from "@/server/auth/api-key";
import type { Principal } from "@/server/auth/principal";
import { API_SCOPES } from "@/server/auth/scopes";
import { createInnerContext } from "@/server/context";
import type { ServerDeps } from "@/server/deps";
import { createCaller } from "@/server/root";

export interface CompanyFixture {
  companyId: string;
  ownerId: string;
  /** A key holding every scope. */
  apiKey: string;
  apiKeyId: string;
}

export interface TestWorld {
  db: TestDatabase;
  prisma: PrismaClient;
  redis: Redis;
  prefix: string;
  deps: ServerDeps;
  a: CompanyFixture;
  b: CompanyFixture;
  memberOfA: string;
  platformAdmin: string;
  caller(principal: Principal | null, authError?: string | null): ReturnType<typeof createCaller>;
  asUser(userId: string, activeCompanyId?: string | null): ReturnType<typeof createCaller>;
  asKey(company: CompanyFixture, scopes?: string[]): ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

async function makeCompany(prisma: PrismaClient, slug: string): Promise<CompanyFixture> {
  const company = await prisma.company.create({ data: { name: `Company ${slug}`, slug } });
  const owner = await prisma.user.create({ data: { email: `owner@${slug}.test`, passwordHash: "x" } });
  await prisma.membership.create({
    data: { userId: owner.id, companyId: company.id, role: MembershipRole.OWNER },
  });
  const { key, prefix, hashedKey } = generateApiKey();
  const row = await prisma.apiKey.create({
    data: { companyId: company.id, name: "all", prefix, hashedKey, scopes: [...API_SCOPES] },
  });
  return { companyId: company.id, ownerId: owner.id, apiKey: key, apiKeyId: row.id };
}

export async function createTestWorld(label: string): Promise<TestWorld> {
  const db = await createTestDatabase(label);
  const prefix = createTestPrefix(label);
  const redis = createRedisConnection(undefined, { name: `test-${label}` });
  const queues = new QueueRegistry({ connection: redis, prefix });
  const deps: ServerDeps = { prisma: db.prisma, redis, prefix, queues };
  const prisma = db.prisma;
  const a = await makeCompany(prisma, "alpha");
  const b = await makeCompany(prisma, "bravo");
  const member = await prisma.user.create({ data: { email: "member@alpha.test", passwordHash: "x" } });
  await prisma.membership.create({
    data: { userId: member.id, companyId: a.companyId, role: MembershipRole.MEMBER },
  });
  const admin = await prisma.user.create({
    data: { email: "admin@platform.test", passwordHash: "x", isPlatformAdmin: true },
  });

  const caller = (principal: Principal | null, authError: string | null = null) =>
    createCaller(createInnerContext(deps, principal, authError));
  const asUser = (userId: string, activeCompanyId: string | null = null) =>
    caller({ kind: "user", userId, isPlatformAdmin: userId === admin.id, activeCompanyId });
  return {
    db,
    prisma,
    redis,
    prefix,
    deps,
    a,
    b,
    memberOfA: member.id,
    platformAdmin: admin.id,
    caller,
    asUser,
    asKey: (company, scopes = [...API_SCOPES]) =>
      caller({ kind: "apiKey", apiKeyId: company.apiKeyId, companyId: company.companyId, scopes }),
    async close() {
      await queues.close();
      redis.disconnect();
      await deleteRedisPrefix(prefix);
      await db.drop();
    },
  };
}

/** Stores an API key row directly (revoked/expired/limited-scope variants for auth tests). */
export async function insertApiKey(
  prisma: PrismaClient,
  companyId: string,
  opts: { scopes: string[]; revokedAt?: Date; expiresAt?: Date },
): Promise<{ key: string; id: string }> {
  const { key, prefix } = generateApiKey();
  const row = await prisma.apiKey.create({
    data: { companyId, name: "test", prefix, hashedKey: hashApiKey(key), ...opts },
  });
  return { key, id: row.id };
}

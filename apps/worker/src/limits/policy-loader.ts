// Loads each company's effective rate-limit policy (env defaults + its RateLimitPolicy row) into the
// queue package's PolicyCache: short TTL plus pub/sub invalidation, so an admin's change applies on
// every worker within moments, without a restart.
import type { PrismaClient } from "@zapflow/db";
import {
  PolicyCache,
  policyDefaultsFromEnv,
  type RateLimitPolicy,
  type RateLimitPolicyOverrides,
  resolvePolicy,
} from "@zapflow/queue";
import type { Redis } from "ioredis";

export interface CompanyPolicy {
  policy: RateLimitPolicy;
  /** IANA zone of the company: quiet hours and daily windows follow its calendar. */
  timeZone: string;
}

export async function loadCompanyPolicy(
  prisma: PrismaClient,
  companyId: string,
  defaults: RateLimitPolicy,
): Promise<CompanyPolicy> {
  const company = await prisma.company.findUnique({
    where: { id: companyId },
    select: { timeZone: true, rateLimitPolicy: true },
  });
  return {
    policy: resolvePolicy((company?.rateLimitPolicy ?? null) as RateLimitPolicyOverrides | null, defaults),
    timeZone: company?.timeZone ?? "UTC",
  };
}

export function createCompanyPolicyCache(opts: {
  prisma: PrismaClient;
  connection: Redis;
  prefix: string;
  env?: NodeJS.ProcessEnv;
  ttlMs?: number;
}): PolicyCache<CompanyPolicy> {
  const defaults = policyDefaultsFromEnv(opts.env ?? process.env);
  return new PolicyCache<CompanyPolicy>({
    loader: (companyId) => loadCompanyPolicy(opts.prisma, companyId, defaults),
    connection: opts.connection,
    prefix: opts.prefix,
    ttlMs: opts.ttlMs,
  });
}

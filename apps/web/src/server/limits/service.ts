// Rate-limit policy: company admins read it (and live usage); platform admins change it. A change
// bumps `version` and is published so every worker's PolicyCache reloads within milliseconds.
import { CampaignStatus, type Prisma, type PrismaClient } from "@zapflow/db";
import {
  policyDefaultsFromEnv,
  publishPolicyChanged,
  RateLimiter,
  type RateLimitPolicyInput,
  resolvePolicy,
} from "@zapflow/queue";
import {
  CAMPAIGN_RATE_WINDOW_MS,
  campaignRateCap,
  releasedSince,
} from "@zapflow/queue/services/campaign-rate";
import { NotFoundError } from "@zapflow/queue/services/errors";
import type { Redis } from "ioredis";
import { audit } from "../audit";

export interface LimitsDeps {
  prisma: PrismaClient;
  redis: Redis;
  prefix: string;
}

const DAY_MS = 86_400_000;

export async function getPolicy(prisma: PrismaClient, companyId: string) {
  const company = await prisma.company.findUnique({
    where: { id: companyId },
    select: { id: true, name: true, timeZone: true, rateLimitPolicy: true },
  });
  if (!company) throw new NotFoundError("Company", companyId);
  const defaults = policyDefaultsFromEnv();
  const row = company.rateLimitPolicy;
  return {
    company: { id: company.id, name: company.name, timeZone: company.timeZone },
    defaults,
    overrides: row,
    effective: resolvePolicy(row, defaults),
    version: row?.version ?? 0,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** Current usage vs the effective limits, per company and per number. */
export async function getUsage(deps: LimitsDeps, companyId: string) {
  const { effective, company } = await getPolicy(deps.prisma, companyId);
  const sessions = await deps.prisma.whatsappSession.findMany({
    where: { companyId },
    select: { id: true, label: true, pairedAt: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  const now = Date.now();
  const numberAgeDays = Object.fromEntries(
    sessions.map((s) => [s.id, (now - (s.pairedAt ?? s.createdAt).getTime()) / DAY_MS]),
  );
  const usage = await new RateLimiter(deps.redis, { prefix: deps.prefix }).usage({
    companyId,
    sessionIds: sessions.map((s) => s.id),
    policy: effective,
    numberAgeDays,
    timeZone: company.timeZone,
    now,
  });
  return {
    policy: effective,
    usage,
    sessions: sessions.map((s) => ({ id: s.id, label: s.label })),
    campaigns: await campaignUsage(deps.prisma, companyId, effective.perCampaignPerMinute, now),
  };
}

/** Running campaigns: messages released in the last minute vs each one's cap (0 = none). */
async function campaignUsage(prisma: PrismaClient, companyId: string, policyCap: number, now: number) {
  const running = await prisma.campaign.findMany({
    where: { companyId, status: CampaignStatus.RUNNING },
    select: { id: true, name: true, maxPerMinute: true },
    orderBy: { id: "asc" },
    take: 50,
  });
  const used = await releasedSince(
    prisma,
    running.map((c) => c.id),
    new Date(now - CAMPAIGN_RATE_WINDOW_MS),
  );
  return running.map((c) => ({
    id: c.id,
    name: c.name,
    used: used.get(c.id) ?? 0,
    limit: campaignRateCap(policyCap, c.maxPerMinute),
  }));
}

/** Platform admin edit: `input` already validated by rateLimitPolicyInput (undefined = unchanged, null = default). */
export async function updatePolicy(
  deps: LimitsDeps,
  companyId: string,
  input: RateLimitPolicyInput,
  userId: string,
) {
  const exists = await deps.prisma.company.count({ where: { id: companyId } });
  if (!exists) throw new NotFoundError("Company", companyId);
  const data = input as Prisma.RateLimitPolicyUncheckedUpdateInput;
  const row = await deps.prisma.$transaction(async (tx) => {
    const saved = await tx.rateLimitPolicy.upsert({
      where: { companyId },
      create: {
        ...(input as Omit<Prisma.RateLimitPolicyUncheckedCreateInput, "companyId">),
        companyId,
        updatedById: userId,
      },
      update: { ...data, updatedById: userId, version: { increment: 1 } },
    });
    await audit(tx, {
      companyId,
      category: "LIMIT",
      type: "limits.policy_updated",
      message: `Rate-limit policy updated (version ${saved.version})`,
      data: { userId, changes: input as Prisma.InputJsonObject, version: saved.version },
    });
    return saved;
  });
  // After the commit: workers reload from the DB, so they must see the new row.
  await publishPolicyChanged(deps.redis, deps.prefix, companyId);
  return row;
}

// Per-campaign release cap: how many messages one campaign may release to the send queues per
// minute. Two caps apply and the stricter wins: the company policy's (RateLimitPolicy
// .perCampaignPerMinute, env default LIMIT_PER_CAMPAIGN_PER_MINUTE, 0 = none) and the campaign's
// own maxPerMinute (null = none). The worker's dispatcher enforces it when it writes message rows;
// the web app validates it and shows the usage. (It lives apart from ../limits, which holds the
// per-message limits of the send path.)
import type { Prisma } from "@zapflow/db";
import { z } from "zod";

export const CAMPAIGN_RATE_ENV = "LIMIT_PER_CAMPAIGN_PER_MINUTE";
/** Off unless an operator or a platform admin sets it: existing campaigns keep their pace. */
export const DEFAULT_PER_CAMPAIGN_PER_MINUTE = 0;
export const CAMPAIGN_RATE_WINDOW_MS = 60_000;

const perMinute = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .max(100_000, "at most 100000 per minute");

/** Company policy field (platform admins): 0 = no per-campaign limit, null = the env default. */
export const policyPerCampaignInput = perMinute.min(0, "must be 0 (no limit) or more").nullable().optional();

/** A campaign's own cap: null = none (only the company's applies). */
export const campaignMaxPerMinuteInput = perMinute
  .min(1, "must be at least 1 (leave it empty for no campaign limit)")
  .nullable()
  .optional();

/** The env default; throws a readable error naming the variable when it is not a whole number ≥ 0. */
export function perCampaignDefaultFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env[CAMPAIGN_RATE_ENV]?.trim();
  if (!raw) return DEFAULT_PER_CAMPAIGN_PER_MINUTE;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Invalid rate-limit environment: ${CAMPAIGN_RATE_ENV} must be a whole number ≥ 0`);
  }
  return value;
}

/** Effective cap per minute (0 = none): the stricter of the company's and the campaign's. */
export function campaignRateCap(
  policyCap: number | null | undefined,
  campaignCap: number | null | undefined,
  envDefault: number,
): number {
  const caps = [policyCap ?? envDefault, campaignCap ?? 0].filter((cap) => cap > 0);
  return caps.length ? Math.min(...caps) : 0;
}

/** Messages each campaign released since `since` (by row creation time). */
export async function releasedSince(
  db: Prisma.TransactionClient,
  campaignIds: string[],
  since: Date,
): Promise<Map<string, number>> {
  if (!campaignIds.length) return new Map();
  const groups = await db.message.groupBy({
    by: ["campaignId"],
    where: { campaignId: { in: campaignIds }, createdAt: { gt: since } },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.campaignId ?? "", g._count._all]));
}

// Per-campaign release cap: how many messages one campaign may release to the send queues per
// minute. Two caps apply and the stricter wins: the company's effective policy's
// perCampaignPerMinute (../limits/policy: row override or env LIMIT_PER_CAMPAIGN_PER_MINUTE, 0 = none)
// and the campaign's own maxPerMinute (null = none). The worker's dispatcher enforces it when it
// writes message rows; the web app validates it and shows the usage.
import type { Prisma } from "@zapflow/db";
import { campaignPerMinuteCap } from "../limits/policy";

export const CAMPAIGN_RATE_WINDOW_MS = 60_000;

/** A campaign's own cap: null = none (only the company's applies). */
export const campaignMaxPerMinuteInput = campaignPerMinuteCap
  .min(1, "must be at least 1 (leave it empty for no campaign limit)")
  .nullable()
  .optional();

/** Effective cap per minute (0 = none): the stricter of the company policy's and the campaign's. */
export function campaignRateCap(policyCap: number, campaignCap: number | null | undefined): number {
  const caps = [policyCap, campaignCap ?? 0].filter((cap) => cap > 0);
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

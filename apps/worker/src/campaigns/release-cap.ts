// Per-campaign cap on messages released per minute (policy vs campaign: campaignRateCap), enforced
// where the dispatcher writes a batch. It is counted from Postgres — the campaign's message rows
// created in the window — inside the batch transaction that holds the campaign row lock (FOR UPDATE).
// Two workers dispatching one campaign are serialised by that lock and the second one's count sees
// the first one's committed rows, so counting and inserting are one atomic step. A Redis counter
// could not be: its reservation is made outside the transaction (a rollback or a crash leaves it
// wrong) and a Redis restart forgets the window.
import type { Prisma } from "@zapflow/db";
import { CAMPAIGN_RATE_WINDOW_MS, releasedSince } from "@zapflow/queue/services/campaign-rate";

export interface ReleaseWindow {
  /** Messages per window; 0 = no cap. */
  cap: number;
  windowMs?: number;
  now: Date;
}

export interface Allowance {
  /** Messages that may be released now (Infinity without a cap). */
  allowed: number;
  /** When nothing may be released: ms until the oldest release leaves the window. */
  retryInMs: number;
}

export async function releaseAllowance(
  tx: Prisma.TransactionClient,
  campaignId: string,
  { cap, windowMs = CAMPAIGN_RATE_WINDOW_MS, now }: ReleaseWindow,
): Promise<Allowance> {
  if (cap <= 0) return { allowed: Number.POSITIVE_INFINITY, retryInMs: 0 };
  const since = new Date(now.getTime() - windowMs);
  const used = (await releasedSince(tx, [campaignId], since)).get(campaignId) ?? 0;
  if (used < cap) return { allowed: cap - used, retryInMs: 0 };
  const oldest = await tx.message.findFirst({
    where: { campaignId, createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  const freedAt = (oldest?.createdAt.getTime() ?? now.getTime()) + windowMs;
  return { allowed: 0, retryInMs: Math.max(1, freedAt - now.getTime()) };
}

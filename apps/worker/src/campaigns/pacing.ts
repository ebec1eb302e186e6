// Pacing of campaign traffic: the stricter of the campaign's settings and the company's rate-limit
// policy wins (longer delays, the per-number rate, both sets of quiet hours).
import type { Campaign, RateLimitPolicy } from "@zapflow/db";
import { nextAllowedTime, type QuietHours, quietHoursOf } from "@zapflow/db/domain";

export interface QuietWindow {
  zone: string;
  hours: QuietHours;
}

export interface Pacing {
  minDelayMs: number;
  maxDelayMs: number;
  batchSize: number;
  batchPauseMs: number;
  quiet: QuietWindow[];
}

type PolicyPacing = Pick<
  RateLimitPolicy,
  "minDelayMs" | "maxDelayMs" | "perNumberPerMinute" | "quietHoursStart" | "quietHoursEnd"
>;

export function effectivePacing(
  campaign: Pick<
    Campaign,
    | "minDelayMs"
    | "maxDelayMs"
    | "batchSize"
    | "batchPauseSec"
    | "quietHoursStart"
    | "quietHoursEnd"
    | "timeZone"
  >,
  policy: PolicyPacing | null,
  companyTimeZone: string,
): Pacing {
  // A per-number cap of N/min means at least 60 s / N between two messages of a number.
  const rateGap = policy?.perNumberPerMinute ? Math.ceil(60_000 / policy.perNumberPerMinute) : 0;
  const minDelayMs = Math.max(campaign.minDelayMs, policy?.minDelayMs ?? 0, rateGap);
  const maxDelayMs = Math.max(minDelayMs, campaign.maxDelayMs, policy?.maxDelayMs ?? 0);
  const quiet: QuietWindow[] = [];
  const own = quietHoursOf(campaign.quietHoursStart, campaign.quietHoursEnd);
  if (own) quiet.push({ zone: campaign.timeZone, hours: own });
  const company = quietHoursOf(policy?.quietHoursStart, policy?.quietHoursEnd);
  if (company) quiet.push({ zone: companyTimeZone, hours: company });
  return {
    minDelayMs,
    maxDelayMs,
    batchSize: Math.max(1, campaign.batchSize),
    batchPauseMs: Math.max(0, campaign.batchPauseSec) * 1000,
    quiet,
  };
}

/** The first moment at or after `at` outside every quiet window (windows may be in different zones). */
export function nextSendTime(at: Date, quiet: QuietWindow[]): Date {
  let current = at;
  for (let hop = 0; hop < 8; hop++) {
    let moved = current;
    for (const window of quiet) moved = nextAllowedTime(moved, window.zone, [window.hours]);
    if (moved.getTime() === current.getTime()) return current;
    current = moved;
  }
  return current;
}

/**
 * Delay (ms from now) of each message: per sending number, the first goes at once and each next one
 * a random [min, max] delay after the previous one of the same number. Numbers send in parallel.
 */
export function planDelays(
  sessionIds: string[],
  pacing: Pick<Pacing, "minDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number[] {
  const nextAt = new Map<string, number>();
  return sessionIds.map((sessionId) => {
    const at = nextAt.get(sessionId) ?? 0;
    const gap = pacing.minDelayMs + Math.round(random() * (pacing.maxDelayMs - pacing.minDelayMs));
    nextAt.set(sessionId, at + gap);
    return at;
  });
}

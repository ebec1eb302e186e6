// Per-company rate-limit policy: env defaults, database overrides (Prisma RateLimitPolicy), validation.
import { z } from "zod";

/** Resolved policy. A count limit of 0 means "no limit" for that window. */
export interface RateLimitPolicy {
  perNumberPerMinute: number;
  perNumberPerDay: number;
  perCompanyPerMinute: number;
  perCompanyPerDay: number;
  /** Campaign messages one campaign releases per minute (0 = off); a campaign's own cap may be stricter. */
  perCampaignPerMinute: number;
  /** Minimum seconds between two outbound messages to the same contact (0 = off). */
  minContactIntervalSec: number;
  warmupEnabled: boolean;
  warmupInitialDailyCap: number;
  warmupDailyGrowthPct: number;
  warmupDays: number;
  /** "HH:MM" in the company's time zone; both null = no quiet hours. */
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  /** Random human-like pause between two messages of a number. */
  minDelayMs: number;
  maxDelayMs: number;
  typingPresence: boolean;
}

/** The database row's override columns: null = inherit the env default. */
export type RateLimitPolicyOverrides = { [K in keyof RateLimitPolicy]?: RateLimitPolicy[K] | null };

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hhmm = z.string().regex(HHMM, "must be HH:MM (00:00–23:59)");
const count = (max: number) => z.number().int().min(0).max(max);

/** A per-minute release cap of campaigns; the policy's allows 0 (off), a campaign's own starts at 1. */
export const campaignPerMinuteCap = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .max(100_000, "at most 100000 per minute");

const fields = {
  perNumberPerMinute: count(10_000),
  perNumberPerDay: count(1_000_000),
  perCompanyPerMinute: count(100_000),
  perCompanyPerDay: count(10_000_000),
  perCampaignPerMinute: campaignPerMinuteCap.min(0, "must be 0 (no limit) or more"),
  minContactIntervalSec: count(7 * 24 * 3600),
  warmupEnabled: z.boolean(),
  warmupInitialDailyCap: z.number().int().min(1).max(1_000_000),
  warmupDailyGrowthPct: z.number().int().min(0).max(1_000),
  warmupDays: z.number().int().min(0).max(365),
  quietHoursStart: hhmm,
  quietHoursEnd: hhmm,
  minDelayMs: count(600_000),
  maxDelayMs: count(600_000),
  typingPresence: z.boolean(),
};

/** Admin update of a company's policy: every field optional, null = back to the default. */
export const rateLimitPolicyInput = z
  .object(
    Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, s.nullable().optional()])) as {
      [K in keyof typeof fields]: z.ZodOptional<z.ZodNullable<(typeof fields)[K]>>;
    },
  )
  .strict()
  .superRefine((v, ctx) => {
    if (v.minDelayMs != null && v.maxDelayMs != null && v.minDelayMs > v.maxDelayMs) {
      ctx.addIssue({ code: "custom", path: ["maxDelayMs"], message: "must be ≥ minDelayMs" });
    }
    // Quiet hours are a pair: set both, or clear both.
    const start = v.quietHoursStart;
    const end = v.quietHoursEnd;
    if (start !== undefined || end !== undefined) {
      if (start == null && end != null) {
        ctx.addIssue({ code: "custom", path: ["quietHoursStart"], message: "required with quietHoursEnd" });
      }
      if (end == null && start != null) {
        ctx.addIssue({ code: "custom", path: ["quietHoursEnd"], message: "required with quietHoursStart" });
      }
    }
    if (start != null && start === end) {
      ctx.addIssue({ code: "custom", path: ["quietHoursEnd"], message: "must differ from quietHoursStart" });
    }
  });
export type RateLimitPolicyInput = z.infer<typeof rateLimitPolicyInput>;

const WHOLE = "must be a whole number ≥ 0";
const envInt = (fallback: number) =>
  z.coerce.number({ error: WHOLE }).int(WHOLE).min(0, WHOLE).default(fallback);
const envBool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
const envHhmm = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : null))
  .refine((v) => v === null || HHMM.test(v), "must be HH:MM");

const envSchema = z.object({
  LIMIT_PER_NUMBER_PER_MINUTE: envInt(20),
  LIMIT_PER_NUMBER_PER_DAY: envInt(1000),
  LIMIT_PER_COMPANY_PER_MINUTE: envInt(120),
  LIMIT_PER_COMPANY_PER_DAY: envInt(20000),
  // Off unless an operator or a platform admin sets it: existing campaigns keep their pace.
  LIMIT_PER_CAMPAIGN_PER_MINUTE: envInt(0),
  LIMIT_MIN_CONTACT_INTERVAL_SEC: envInt(0),
  WARMUP_ENABLED: envBool(true),
  WARMUP_INITIAL_DAILY_CAP: envInt(50),
  WARMUP_DAILY_GROWTH_PCT: envInt(30),
  WARMUP_DAYS: envInt(14),
  QUIET_HOURS_START: envHhmm,
  QUIET_HOURS_END: envHhmm,
  SEND_MIN_DELAY_MS: envInt(500),
  SEND_MAX_DELAY_MS: envInt(2000),
  TYPING_PRESENCE: envBool(true),
});

/** Env defaults of every company's policy; throws a readable error naming the bad variable. */
export function policyDefaultsFromEnv(
  env: Record<string, string | undefined> = process.env,
): RateLimitPolicy {
  const blankToUndefined = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k]?.trim() ? env[k]?.trim().toLowerCase() : undefined]),
  );
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid rate-limit environment: ${detail}`);
  }
  const e = parsed.data;
  return resolvePolicy(null, {
    perNumberPerMinute: e.LIMIT_PER_NUMBER_PER_MINUTE,
    perNumberPerDay: e.LIMIT_PER_NUMBER_PER_DAY,
    perCompanyPerMinute: e.LIMIT_PER_COMPANY_PER_MINUTE,
    perCompanyPerDay: e.LIMIT_PER_COMPANY_PER_DAY,
    perCampaignPerMinute: e.LIMIT_PER_CAMPAIGN_PER_MINUTE,
    minContactIntervalSec: e.LIMIT_MIN_CONTACT_INTERVAL_SEC,
    warmupEnabled: e.WARMUP_ENABLED,
    warmupInitialDailyCap: Math.max(1, e.WARMUP_INITIAL_DAILY_CAP),
    warmupDailyGrowthPct: e.WARMUP_DAILY_GROWTH_PCT,
    warmupDays: e.WARMUP_DAYS,
    quietHoursStart: e.QUIET_HOURS_START && e.QUIET_HOURS_END ? e.QUIET_HOURS_START : null,
    quietHoursEnd: e.QUIET_HOURS_START && e.QUIET_HOURS_END ? e.QUIET_HOURS_END : null,
    minDelayMs: Math.min(e.SEND_MIN_DELAY_MS, e.SEND_MAX_DELAY_MS),
    maxDelayMs: Math.max(e.SEND_MIN_DELAY_MS, e.SEND_MAX_DELAY_MS),
    typingPresence: e.TYPING_PRESENCE,
  });
}

/** Database overrides on top of the env defaults (null / missing field = default). */
export function resolvePolicy(
  overrides: RateLimitPolicyOverrides | null | undefined,
  defaults: RateLimitPolicy,
): RateLimitPolicy {
  const pick = <K extends keyof RateLimitPolicy>(k: K): RateLimitPolicy[K] => {
    const v = overrides?.[k];
    return v === null || v === undefined ? defaults[k] : (v as RateLimitPolicy[K]);
  };
  const policy = Object.fromEntries(
    (Object.keys(defaults) as (keyof RateLimitPolicy)[]).map((k) => [k, pick(k)]),
  ) as unknown as RateLimitPolicy;
  // Quiet hours are a pair: half an override falls back to the default pair.
  if ((policy.quietHoursStart === null) !== (policy.quietHoursEnd === null)) {
    policy.quietHoursStart = defaults.quietHoursStart;
    policy.quietHoursEnd = defaults.quietHoursEnd;
  }
  if (policy.minDelayMs > policy.maxDelayMs) policy.maxDelayMs = policy.minDelayMs;
  return policy;
}

/** Daily cap of a number while it warms up; null once warm (or warm-up off). */
export function warmupCap(policy: RateLimitPolicy, numberAgeDays: number): number | null {
  if (!policy.warmupEnabled) return null;
  const age = Math.max(0, Math.floor(numberAgeDays));
  if (age >= policy.warmupDays) return null;
  return Math.floor(policy.warmupInitialDailyCap * (1 + policy.warmupDailyGrowthPct / 100) ** age);
}

/** Effective per-number daily limit (0 = none) and whether warm-up is what sets it. */
export function numberDailyLimit(
  policy: RateLimitPolicy,
  numberAgeDays: number,
): { limit: number; warmup: boolean } {
  const cap = warmupCap(policy, numberAgeDays);
  const base = policy.perNumberPerDay;
  if (cap === null) return { limit: base, warmup: false };
  if (base === 0 || cap < base) return { limit: cap, warmup: true };
  return { limit: base, warmup: false };
}

/** Random human-like delay before the next message of a number. */
export function humanDelayMs(policy: RateLimitPolicy, random: () => number = Math.random): number {
  return Math.round(policy.minDelayMs + random() * (policy.maxDelayMs - policy.minDelayMs));
}

import { describe, expect, it } from "vitest";
import {
  humanDelayMs,
  numberDailyLimit,
  policyDefaultsFromEnv,
  quietHoursRemainingMs,
  rateLimitPolicyInput,
  resolvePolicy,
  warmupCap,
} from "../src/index";
import { campaignMaxPerMinuteInput, campaignRateCap } from "../src/services/campaign-rate";

describe("policyDefaultsFromEnv", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(policyDefaultsFromEnv({})).toEqual({
      perNumberPerMinute: 20,
      perNumberPerDay: 1000,
      perCompanyPerMinute: 120,
      perCompanyPerDay: 20000,
      perCampaignPerMinute: 0,
      minContactIntervalSec: 0,
      warmupEnabled: true,
      warmupInitialDailyCap: 50,
      warmupDailyGrowthPct: 30,
      warmupDays: 14,
      quietHoursStart: null,
      quietHoursEnd: null,
      minDelayMs: 500,
      maxDelayMs: 2000,
      typingPresence: true,
    });
  });

  it("reads every variable", () => {
    const p = policyDefaultsFromEnv({
      LIMIT_PER_NUMBER_PER_MINUTE: "7",
      LIMIT_PER_COMPANY_PER_DAY: "99",
      LIMIT_PER_CAMPAIGN_PER_MINUTE: "30",
      LIMIT_MIN_CONTACT_INTERVAL_SEC: "60",
      WARMUP_ENABLED: "false",
      QUIET_HOURS_START: "21:30",
      QUIET_HOURS_END: "08:00",
      SEND_MIN_DELAY_MS: "100",
      SEND_MAX_DELAY_MS: "200",
      TYPING_PRESENCE: "0",
    });
    expect(p).toMatchObject({
      perNumberPerMinute: 7,
      perCompanyPerDay: 99,
      perCampaignPerMinute: 30,
      minContactIntervalSec: 60,
      warmupEnabled: false,
      quietHoursStart: "21:30",
      quietHoursEnd: "08:00",
      minDelayMs: 100,
      maxDelayMs: 200,
      typingPresence: false,
    });
  });

  it("names the bad variable", () => {
    expect(() => policyDefaultsFromEnv({ LIMIT_PER_NUMBER_PER_DAY: "lots" })).toThrow(
      /LIMIT_PER_NUMBER_PER_DAY/,
    );
    expect(() => policyDefaultsFromEnv({ QUIET_HOURS_START: "25:00", QUIET_HOURS_END: "07:00" })).toThrow(
      /QUIET_HOURS_START/,
    );
    for (const bad of ["lots", "-1", "1.5"]) {
      expect(() => policyDefaultsFromEnv({ LIMIT_PER_CAMPAIGN_PER_MINUTE: bad })).toThrow(
        "Invalid rate-limit environment: LIMIT_PER_CAMPAIGN_PER_MINUTE: must be a whole number ≥ 0",
      );
    }
  });
});

describe("per-campaign cap", () => {
  const defaults = policyDefaultsFromEnv({ LIMIT_PER_CAMPAIGN_PER_MINUTE: "8" });

  it("a company's row overrides the env default; null inherits it, 0 turns it off", () => {
    expect(resolvePolicy(null, defaults).perCampaignPerMinute).toBe(8);
    expect(resolvePolicy({ perCampaignPerMinute: null }, defaults).perCampaignPerMinute).toBe(8);
    expect(resolvePolicy({ perCampaignPerMinute: 20 }, defaults).perCampaignPerMinute).toBe(20);
    expect(resolvePolicy({ perCampaignPerMinute: 0 }, defaults).perCampaignPerMinute).toBe(0);
  });

  it("the stricter of the company's and the campaign's cap wins; 0 and null mean none", () => {
    expect(campaignRateCap(3, 10)).toBe(3);
    expect(campaignRateCap(10, 2)).toBe(2);
    expect(campaignRateCap(8, null)).toBe(8);
    expect(campaignRateCap(0, 7)).toBe(7);
    expect(campaignRateCap(0, null)).toBe(0);
  });

  it("admins set the company's cap to 0 (off) or more; a campaign's own starts at 1", () => {
    expect(rateLimitPolicyInput.parse({ perCampaignPerMinute: 0 }).perCampaignPerMinute).toBe(0);
    expect(rateLimitPolicyInput.parse({ perCampaignPerMinute: null }).perCampaignPerMinute).toBeNull();
    const messages = (v: unknown) =>
      rateLimitPolicyInput.safeParse({ perCampaignPerMinute: v }).error?.issues.map((i) => i.message);
    expect(messages(-1)).toEqual(["must be 0 (no limit) or more"]);
    expect(messages(1.5)).toEqual(["must be a whole number"]);
    expect(messages(100_001)).toEqual(["at most 100000 per minute"]);
    expect(campaignMaxPerMinuteInput.safeParse(0).error?.issues[0]?.message).toMatch(/at least 1/);
    expect(campaignMaxPerMinuteInput.parse(null)).toBeNull();
  });
});

describe("resolvePolicy", () => {
  const defaults = policyDefaultsFromEnv({});

  it("takes the row's non-null fields over the defaults", () => {
    const p = resolvePolicy(
      { companyId: "c", perNumberPerMinute: 5, perNumberPerDay: null, warmupEnabled: false } as never,
      defaults,
    );
    expect(p.perNumberPerMinute).toBe(5);
    expect(p.perNumberPerDay).toBe(1000);
    expect(p.warmupEnabled).toBe(false);
    expect(Object.keys(p).sort()).toEqual(Object.keys(defaults).sort());
    expect(resolvePolicy(null, defaults)).toEqual(defaults);
  });

  it("treats quiet hours as a pair", () => {
    expect(resolvePolicy({ quietHoursStart: "22:00" }, defaults)).toMatchObject({
      quietHoursStart: null,
      quietHoursEnd: null,
    });
  });
});

describe("rateLimitPolicyInput", () => {
  it("accepts a full valid update and null resets", () => {
    const v = rateLimitPolicyInput.parse({
      perNumberPerMinute: 10,
      perCompanyPerDay: null,
      quietHoursStart: "22:00",
      quietHoursEnd: "07:00",
      minDelayMs: 1000,
      maxDelayMs: 3000,
    });
    expect(v.perCompanyPerDay).toBeNull();
  });

  it("gives field-level errors", () => {
    const r = rateLimitPolicyInput.safeParse({
      perNumberPerMinute: -1,
      minDelayMs: 5000,
      maxDelayMs: 1000,
      quietHoursStart: "7pm",
      quietHoursEnd: "07:00",
      bogus: 1,
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join(".") || i.code) ?? [];
    expect(paths).toEqual(expect.arrayContaining(["perNumberPerMinute", "quietHoursStart"]));
    expect(r.error?.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);

    const order = rateLimitPolicyInput.safeParse({ minDelayMs: 5000, maxDelayMs: 1000 });
    expect(order.error?.issues[0]).toMatchObject({ path: ["maxDelayMs"], message: "must be ≥ minDelayMs" });
    const half = rateLimitPolicyInput.safeParse({ quietHoursStart: "22:00" });
    expect(half.error?.issues[0]?.path).toEqual(["quietHoursEnd"]);
    const same = rateLimitPolicyInput.safeParse({ quietHoursStart: "22:00", quietHoursEnd: "22:00" });
    expect(same.success).toBe(false);
  });
});

describe("warm-up and pacing helpers", () => {
  const p = policyDefaultsFromEnv({});

  it("grows the daily cap by 30 % a day from 50 until day 14", () => {
    expect(warmupCap(p, 0)).toBe(50);
    expect(warmupCap(p, 1)).toBe(65);
    expect(warmupCap(p, 5)).toBe(Math.floor(50 * 1.3 ** 5));
    expect(warmupCap(p, 14)).toBeNull();
    expect(warmupCap({ ...p, warmupEnabled: false }, 0)).toBeNull();
    // Day 13: 50 × 1.3^13 ≈ 1515 > 1000 → the per-number limit wins.
    expect(numberDailyLimit(p, 13)).toEqual({ limit: 1000, warmup: false });
    expect(numberDailyLimit(p, 3)).toEqual({ limit: Math.floor(50 * 1.3 ** 3), warmup: true });
  });

  it("draws the human delay between min and max", () => {
    expect(humanDelayMs(p, () => 0)).toBe(500);
    expect(humanDelayMs(p, () => 0.999999)).toBe(2000);
  });

  it("computes quiet hours inside one day too", () => {
    const noonUtc = Date.parse("2026-03-10T12:00:00Z");
    expect(quietHoursRemainingMs("11:00", "13:00", noonUtc, "UTC")).toBe(3_600_000);
    expect(quietHoursRemainingMs("13:00", "14:00", noonUtc, "UTC")).toBe(0);
    expect(quietHoursRemainingMs(null, null, noonUtc, "UTC")).toBe(0);
  });
});

import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRedisConnection,
  policyDefaultsFromEnv,
  RateLimiter,
  type RateLimitPolicy,
  resolvePolicy,
} from "../src/index";
import { createTestPrefix, deleteRedisPrefix } from "../src/testing";

const prefix = createTestPrefix("limiter");
let a: Redis;
let b: Redis;
let limiterA: RateLimiter;
let limiterB: RateLimiter;

/** Everything off except what a test turns on. */
function policy(overrides: Partial<RateLimitPolicy>): RateLimitPolicy {
  return resolvePolicy(
    {
      perNumberPerMinute: 0,
      perNumberPerDay: 0,
      perCompanyPerMinute: 0,
      perCompanyPerDay: 0,
      minContactIntervalSec: 0,
      warmupEnabled: false,
      ...overrides,
    },
    policyDefaultsFromEnv({}),
  );
}

let companySeq = 0;
const company = () => `co${++companySeq}`;
const T0 = Date.parse("2026-03-10T15:00:00Z");

beforeAll(() => {
  a = createRedisConnection(undefined, { forWorker: true, name: "limiter-a" });
  b = createRedisConnection(undefined, { forWorker: true, name: "limiter-b" });
  limiterA = new RateLimiter(a, { prefix });
  limiterB = new RateLimiter(b, { prefix });
});
afterAll(async () => {
  a.disconnect();
  b.disconnect();
  await deleteRedisPrefix(prefix);
});

describe("atomic windows", () => {
  it("lets exactly N through per minute under 200 concurrent calls from two connections", async () => {
    const companyId = company();
    const p = policy({ perNumberPerMinute: 20 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? limiterA : limiterB).tryAcquire({
          companyId,
          sessionId: "n1",
          numberAgeDays: 100,
          policy: p,
        }),
      ),
    );
    const allowed = results.filter((r) => r.allowed);
    expect(allowed).toHaveLength(20);
    for (const r of results) {
      if (r.allowed) continue;
      expect(r.limit).toBe("per_number_minute");
      expect(r.retryAfterMs).toBeGreaterThan(55_000);
      expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it("a company limit holds across its numbers and both connections", async () => {
    const companyId = company();
    const p = policy({ perNumberPerMinute: 50, perCompanyPerMinute: 30 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? limiterA : limiterB).tryAcquire({
          companyId,
          sessionId: `n${i % 4}`,
          numberAgeDays: 100,
          policy: p,
        }),
      ),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(30);
    expect(results.find((r) => !r.allowed)).toMatchObject({ limit: "per_company_minute" });
  });

  it("consumes from no window when one refuses (all or nothing)", async () => {
    const companyId = company();
    const p = policy({ perNumberPerMinute: 5, perCompanyPerMinute: 8, perCompanyPerDay: 100 });
    const req = (sessionId: string, now: number) =>
      limiterA.tryAcquire({ companyId, sessionId, numberAgeDays: 100, policy: p, now });
    for (let i = 0; i < 5; i++) expect((await req("A", T0 + i)).allowed).toBe(true);
    expect(await req("A", T0 + 10)).toMatchObject({ allowed: false, limit: "per_number_minute" });
    for (let i = 0; i < 3; i++) expect((await req("B", T0 + 20 + i)).allowed).toBe(true);
    expect(await req("B", T0 + 30)).toMatchObject({ allowed: false, limit: "per_company_minute" });

    const usage = await limiterA.usage({ companyId, sessionIds: ["A", "B"], policy: p, now: T0 + 40 });
    expect(usage.company.perMinute).toEqual({ used: 8, limit: 8 });
    expect(usage.company.perDay).toEqual({ used: 8, limit: 100 });
    expect(usage.numbers.A?.perMinute).toEqual({ used: 5, limit: 5 });
    expect(usage.numbers.B?.perMinute).toEqual({ used: 3, limit: 5 });
    expect(usage.numbers.B?.perDay).toMatchObject({ used: 3, limit: 0, warmup: false });
  });

  it("retryAfterMs points at the moment the oldest send leaves the window", async () => {
    const companyId = company();
    const p = policy({ perNumberPerMinute: 2 });
    const req = (now: number) =>
      limiterA.tryAcquire({ companyId, sessionId: "n", numberAgeDays: 100, policy: p, now });
    expect((await req(T0)).allowed).toBe(true);
    expect((await req(T0 + 10_000)).allowed).toBe(true);
    expect(await req(T0 + 15_000)).toEqual({
      allowed: false,
      retryAfterMs: 45_000,
      limit: "per_number_minute",
    });
    expect((await req(T0 + 60_000)).allowed).toBe(true);
    // Sliding: T0+10s and T0+60s are still inside the window at T0+65s.
    expect(await req(T0 + 65_000)).toEqual({
      allowed: false,
      retryAfterMs: 5_000,
      limit: "per_number_minute",
    });
  });

  it("daily windows follow the company's calendar and tell how long until local midnight", async () => {
    const companyId = company();
    const p = policy({ perNumberPerDay: 2 });
    const timeZone = "America/Sao_Paulo";
    // 20:00 in São Paulo (23:00 UTC).
    const evening = Date.parse("2026-03-10T23:00:00Z");
    const req = (now: number) =>
      limiterA.tryAcquire({ companyId, sessionId: "n", numberAgeDays: 100, policy: p, timeZone, now });
    expect((await req(evening)).allowed).toBe(true);
    expect((await req(evening + 1)).allowed).toBe(true);
    expect(await req(evening + 2)).toEqual({
      allowed: false,
      retryAfterMs: 4 * 3_600_000 - 2,
      limit: "per_number_day",
    });
    // 00:00:01 local on the next day (03:00:01 UTC): a fresh day.
    expect((await req(Date.parse("2026-03-11T03:00:01Z"))).allowed).toBe(true);
  });

  it("every key it writes expires by itself", async () => {
    const companyId = company();
    const p = policy({
      perNumberPerMinute: 5,
      perCompanyPerMinute: 5,
      perNumberPerDay: 5,
      minContactIntervalSec: 10,
    });
    await limiterA.tryAcquire({
      companyId,
      sessionId: "n",
      contactKey: "5511999",
      numberAgeDays: 100,
      policy: p,
    });
    const keys = await a.keys(`${prefix}:rl:{${companyId}}:*`);
    expect(keys.length).toBe(5);
    for (const key of keys) expect(await a.pttl(key)).toBeGreaterThan(0);
  });
});

describe("no limit set", () => {
  it("allows without the script and counts the day for the usage display in batches", async () => {
    const companyId = company();
    const p = policy({});
    for (let i = 0; i < 30; i++) {
      const sessionId = i % 2 ? "n1" : "n2";
      expect(await limiterA.tryAcquire({ companyId, sessionId, numberAgeDays: 100, policy: p })).toEqual({
        allowed: true,
      });
    }
    // The script would have counted each send at once; the fast path counts on the next flush.
    const usage = () => limiterA.usage({ companyId, sessionIds: ["n1", "n2"], policy: p });
    expect((await usage()).company.perDay.used).toBe(0);
    await limiterA.flushCounts();
    expect((await usage()).company.perDay.used).toBe(30);
    expect((await usage()).numbers.n1?.perDay.used).toBe(15);
    // A limit set later counts what was sent before it (same counters).
    const limited = policy({ perCompanyPerDay: 31 });
    const req = () =>
      limiterA.tryAcquire({ companyId, sessionId: "n1", numberAgeDays: 100, policy: limited });
    expect((await req()).allowed).toBe(true);
    expect((await req()).allowed).toBe(false);
    const keys = await a.keys(`${prefix}:rl:{${companyId}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(await a.pttl(key)).toBeGreaterThan(0);
  });
});

describe("contact interval", () => {
  it("keeps a minimum gap between two messages to the same contact, company-wide", async () => {
    const companyId = company();
    const p = policy({ minContactIntervalSec: 30 });
    const req = (sessionId: string, contactKey: string, now: number) =>
      limiterA.tryAcquire({ companyId, sessionId, contactKey, numberAgeDays: 100, policy: p, now });
    expect((await req("n1", "+5511999990001", T0)).allowed).toBe(true);
    expect(await req("n2", "+5511999990001", T0 + 10_000)).toEqual({
      allowed: false,
      retryAfterMs: 20_000,
      limit: "contact_interval",
    });
    expect((await req("n1", "+5511999990002", T0 + 10_000)).allowed).toBe(true);
    expect((await req("n1", "+5511999990001", T0 + 30_000)).allowed).toBe(true);
  });
});

describe("warm-up", () => {
  it("caps a new number's day at initial × (1 + growth)^age and lifts it when warm", async () => {
    const companyId = company();
    const p = policy({
      perNumberPerDay: 1000,
      warmupEnabled: true,
      warmupInitialDailyCap: 3,
      warmupDailyGrowthPct: 100,
      warmupDays: 14,
    });
    const req = (sessionId: string, numberAgeDays: number) =>
      limiterA.tryAcquire({ companyId, sessionId, numberAgeDays, policy: p, now: T0 });
    for (let i = 0; i < 3; i++) expect((await req("new", 0)).allowed).toBe(true);
    const held = await req("new", 0);
    expect(held).toMatchObject({ allowed: false, limit: "warmup" });
    // UTC day: 15:00 → 9 h to midnight.
    expect(held.allowed ? 0 : held.retryAfterMs).toBe(9 * 3_600_000);

    // Day 2 of another number: 3 × 2² = 12.
    let allowed = 0;
    for (let i = 0; i < 20; i++) if ((await req("day2", 2)).allowed) allowed += 1;
    expect(allowed).toBe(12);

    // Warm (age ≥ warmupDays): only perNumberPerDay applies.
    for (let i = 0; i < 20; i++) expect((await req("old", 14)).allowed).toBe(true);

    const usage = await limiterA.usage({
      companyId,
      sessionIds: ["new", "old"],
      policy: p,
      numberAgeDays: { new: 0, old: 14 },
      now: T0,
    });
    expect(usage.numbers.new?.perDay).toEqual({ used: 3, limit: 3, warmup: true });
    expect(usage.numbers.old?.perDay).toEqual({ used: 20, limit: 1000, warmup: false });
  });
});

describe("quiet hours", () => {
  const timeZone = "America/Sao_Paulo"; // UTC−3
  const p = policy({ quietHoursStart: "22:00", quietHoursEnd: "07:00" });
  const at = (iso: string) =>
    limiterA.tryAcquire({
      companyId: "quiet",
      sessionId: "n",
      numberAgeDays: 100,
      policy: p,
      timeZone,
      now: Date.parse(iso),
    });

  it("holds sends from 22:00 to 07:00 local, across midnight", async () => {
    // 22:30 local → 8 h 30 min left.
    expect(await at("2026-03-11T01:30:00Z")).toEqual({
      allowed: false,
      retryAfterMs: 8.5 * 3_600_000,
      limit: "quiet_hours",
    });
    // 22:00:00 local exactly: quiet.
    expect(await at("2026-03-11T01:00:00Z")).toMatchObject({ allowed: false, limit: "quiet_hours" });
    // 06:30 local (after midnight) → 30 min left.
    expect(await at("2026-03-11T09:30:00Z")).toEqual({
      allowed: false,
      retryAfterMs: 30 * 60_000,
      limit: "quiet_hours",
    });
    // 07:00 and 21:59 local: open.
    expect((await at("2026-03-11T10:00:00Z")).allowed).toBe(true);
    expect((await at("2026-03-11T00:59:00Z")).allowed).toBe(true);
  });

  it("uses the company's zone, not UTC (23:00 UTC is 20:00 in São Paulo)", async () => {
    expect((await at("2026-03-10T23:00:00Z")).allowed).toBe(true);
    const utc = await limiterA.tryAcquire({
      companyId: "quiet",
      sessionId: "n",
      numberAgeDays: 100,
      policy: p,
      timeZone: "UTC",
      now: Date.parse("2026-03-10T23:00:00Z"),
    });
    expect(utc).toMatchObject({ allowed: false, limit: "quiet_hours", retryAfterMs: 8 * 3_600_000 });
  });
});

describe("usage from a web (producer) connection", () => {
  it("waits for the first connect instead of failing", async () => {
    const web = createRedisConnection(undefined, { name: "limiter-web" });
    try {
      const p = policy({ perCompanyPerMinute: 9 });
      const usage = await new RateLimiter(web, { prefix }).usage({
        companyId: "fresh",
        sessionIds: [],
        policy: p,
      });
      expect(usage.company.perMinute).toEqual({ used: 0, limit: 9 });
      expect(usage.quietHours).toEqual({ active: false, remainingMs: 0 });
    } finally {
      web.disconnect();
    }
  });
});

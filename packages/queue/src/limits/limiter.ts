// Per-company rate limits enforced atomically in Redis: every window checked, and consumed only when
// all allow, in one Lua call shared by every worker process.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { keyPrefix, waitForRedis } from "../connection";
import { numberDailyLimit, type RateLimitPolicy } from "./policy";
import { localTime, msUntilLocalMidnight, quietHoursRemainingMs } from "./time";

export const RateLimitKind = {
  perNumberMinute: "per_number_minute",
  perNumberDay: "per_number_day",
  perCompanyMinute: "per_company_minute",
  perCompanyDay: "per_company_day",
  contactInterval: "contact_interval",
  quietHours: "quiet_hours",
  warmup: "warmup",
} as const;
export type RateLimitKind = (typeof RateLimitKind)[keyof typeof RateLimitKind];

export type AcquireResult =
  | { allowed: true }
  | { allowed: false; retryAfterMs: number; limit: RateLimitKind };

export interface AcquireRequest {
  companyId: string;
  /** The WhatsApp number (session) that sends. */
  sessionId: string;
  /** Recipient identity (E.164 or JID) for the minimum contact interval; omit to skip that check. */
  contactKey?: string;
  /** Days since the number was paired (warm-up). */
  numberAgeDays: number;
  policy: RateLimitPolicy;
  /** IANA zone of the company: quiet hours and daily windows follow its calendar. Default UTC. */
  timeZone?: string;
  /** Test/simulation clock. Default: the sliding windows use Redis' clock, one clock for every
   *  worker (client clocks skew, and concurrent calls arrive out of order). */
  now?: number;
}

const MINUTE_MS = 60_000;
/** Daily counters outlive their day by a day (then expire on their own). */
const DAY_KEY_TTL_MS = 2 * 24 * 60 * MINUTE_MS;

/** Lua result codes → limit kinds (index = code). */
const CODES = [
  null,
  RateLimitKind.perNumberMinute,
  RateLimitKind.perNumberDay,
  RateLimitKind.perCompanyMinute,
  RateLimitKind.perCompanyDay,
  RateLimitKind.contactInterval,
] as const;

/*
 * KEYS: 1 number-minute zset, 2 number-day counter, 3 company-minute zset, 4 company-day counter,
 *       5 contact last-send
 * ARGV: 1 now ("" = Redis TIME), 2 unique member, 3 number/minute, 4 number/day, 5 company/minute, 6 company/day
 *       (0 = no limit), 7 contact interval ms, 8 ms until local midnight, 9 day key ttl, 10 window ms
 * Minute windows are sliding logs (never more than N in any 60 s); day windows are counters per local
 * calendar day. Returns {0, 0} or {code, retryAfterMs} of the limit that frees up last.
 */
const ACQUIRE_LUA = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[10])
local code, wait = 0, 0
local function fail(c, w)
  if w < 1 then w = 1 end
  if code == 0 or w > wait then code = c; wait = w end
end
local function minute(key, limit, c)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if limit <= 0 then return end
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local entry = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    fail(c, tonumber(entry[2]) + window - now)
  end
end
local function day(key, limit, c)
  if limit <= 0 then return end
  if tonumber(redis.call('GET', key) or '0') >= limit then fail(c, tonumber(ARGV[8])) end
end
minute(KEYS[1], tonumber(ARGV[3]), 1)
day(KEYS[2], tonumber(ARGV[4]), 2)
minute(KEYS[3], tonumber(ARGV[5]), 3)
day(KEYS[4], tonumber(ARGV[6]), 4)
local interval = tonumber(ARGV[7])
if interval > 0 then
  local last = redis.call('GET', KEYS[5])
  if last then
    local w = tonumber(last) + interval - now
    if w > 0 then fail(5, w) end
  end
end
if code ~= 0 then return {code, math.ceil(wait)} end
-- Minute logs only where a limit exists (an unlimited window would log every message for nothing).
for i, key in ipairs({KEYS[1], KEYS[3]}) do
  if tonumber(ARGV[1 + i * 2]) > 0 then
    redis.call('ZADD', key, now, ARGV[2])
    redis.call('PEXPIRE', key, window)
  end
end
for _, key in ipairs({KEYS[2], KEYS[4]}) do
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, tonumber(ARGV[9]))
end
if interval > 0 then redis.call('SET', KEYS[5], now, 'PX', interval) end
return {0, 0}
`;

export interface WindowUsage {
  /** Sends in the window. Minute windows are only logged while limited, so an unlimited one reads 0. */
  used: number;
  /** 0 = no limit. */
  limit: number;
}

export interface RateLimitUsage {
  company: { perMinute: WindowUsage; perDay: WindowUsage };
  numbers: Record<string, { perMinute: WindowUsage; perDay: WindowUsage & { warmup: boolean } }>;
  quietHours: { active: boolean; remainingMs: number };
}

/** How often day counters of unlimited sends are written (usage display lags by at most this). */
const COUNT_FLUSH_MS = 250;

export class RateLimiter {
  private readonly prefix: string;
  private sha: string | undefined;
  /** Day-counter increments of sends that no limit could refuse, written in one pipeline per flush. */
  private readonly uncounted = new Map<string, number>();
  private countTimer: NodeJS.Timeout | undefined;

  /** `connection`: a worker-kind connection (commands wait out a Redis restart). */
  constructor(
    private readonly connection: Redis,
    opts: { prefix?: string } = {},
  ) {
    this.prefix = opts.prefix ?? keyPrefix();
  }

  /** Keys share the `{companyId}` hash tag: one slot per company, so the script also runs on Cluster. */
  keys(companyId: string, sessionId: string, day: string, contactKey = "") {
    const base = `${this.prefix}:rl:{${companyId}}`;
    return {
      numberMinute: `${base}:n:${sessionId}:m`,
      numberDay: `${base}:n:${sessionId}:d:${day}`,
      companyMinute: `${base}:c:m`,
      companyDay: `${base}:c:d:${day}`,
      contact: `${base}:ct:${contactKey}`,
    };
  }

  async tryAcquire(req: AcquireRequest): Promise<AcquireResult> {
    const now = req.now ?? Date.now();
    const timeZone = req.timeZone ?? "UTC";
    const { policy } = req;
    const quiet = quietHoursRemainingMs(policy.quietHoursStart, policy.quietHoursEnd, now, timeZone);
    if (quiet > 0) return { allowed: false, retryAfterMs: quiet, limit: RateLimitKind.quietHours };

    const numberDay = numberDailyLimit(policy, req.numberAgeDays);
    const k = this.keys(req.companyId, req.sessionId, localTime(now, timeZone).day, req.contactKey);
    const intervalMs = req.contactKey ? policy.minContactIntervalSec * 1000 : 0;
    const unlimited =
      !policy.perNumberPerMinute &&
      !numberDay.limit &&
      !policy.perCompanyPerMinute &&
      !policy.perCompanyPerDay &&
      !intervalMs;
    // Nothing can refuse this send: skip the script, only count it for the usage display.
    if (unlimited) {
      this.count(k.numberDay);
      this.count(k.companyDay);
      return { allowed: true };
    }
    const [code, wait] = (await this.run(
      [k.numberMinute, k.numberDay, k.companyMinute, k.companyDay, k.contact],
      [
        req.now ?? "",
        randomUUID(),
        policy.perNumberPerMinute,
        numberDay.limit,
        policy.perCompanyPerMinute,
        policy.perCompanyPerDay,
        intervalMs,
        msUntilLocalMidnight(now, timeZone),
        DAY_KEY_TTL_MS,
        MINUTE_MS,
      ],
    )) as [number, number];
    if (code === 0) return { allowed: true };
    const kind = CODES[code];
    if (!kind) throw new Error(`rate limiter script returned unknown code ${code}`);
    const limit = kind === RateLimitKind.perNumberDay && numberDay.warmup ? RateLimitKind.warmup : kind;
    return { allowed: false, retryAfterMs: wait, limit };
  }

  /** Current usage vs limit of a company and its numbers (dashboard). Read-only. */
  async usage(req: {
    companyId: string;
    sessionIds: string[];
    policy: RateLimitPolicy;
    /** Per session; missing = warm (no warm-up cap). */
    numberAgeDays?: Record<string, number>;
    timeZone?: string;
    now?: number;
  }): Promise<RateLimitUsage> {
    const now = req.now ?? Date.now();
    const timeZone = req.timeZone ?? "UTC";
    const day = localTime(now, timeZone).day;
    const since = `(${now - MINUTE_MS}`;
    const company = this.keys(req.companyId, "", day);
    await waitForRedis(this.connection);
    const pipe = this.connection.pipeline();
    pipe.zcount(company.companyMinute, since, "+inf");
    pipe.get(company.companyDay);
    for (const id of req.sessionIds) {
      const k = this.keys(req.companyId, id, day);
      pipe.zcount(k.numberMinute, since, "+inf");
      pipe.get(k.numberDay);
    }
    const results = (await pipe.exec()) ?? [];
    const value = (i: number): number => {
      const [err, v] = results[i] ?? [null, 0];
      if (err) throw err;
      return Number(v ?? 0);
    };
    const numbers: RateLimitUsage["numbers"] = {};
    req.sessionIds.forEach((id, i) => {
      const daily = numberDailyLimit(req.policy, req.numberAgeDays?.[id] ?? Number.POSITIVE_INFINITY);
      numbers[id] = {
        perMinute: { used: value(2 + i * 2), limit: req.policy.perNumberPerMinute },
        perDay: { used: value(3 + i * 2), limit: daily.limit, warmup: daily.warmup },
      };
    });
    const quiet = quietHoursRemainingMs(req.policy.quietHoursStart, req.policy.quietHoursEnd, now, timeZone);
    return {
      company: {
        perMinute: { used: value(0), limit: req.policy.perCompanyPerMinute },
        perDay: { used: value(1), limit: req.policy.perCompanyPerDay },
      },
      numbers,
      quietHours: { active: quiet > 0, remainingMs: quiet },
    };
  }

  private count(key: string): void {
    this.uncounted.set(key, (this.uncounted.get(key) ?? 0) + 1);
    this.countTimer ??= setTimeout(() => void this.flushCounts(), COUNT_FLUSH_MS);
  }

  /** Writes pending day-counter increments (also call on shutdown). */
  async flushCounts(): Promise<void> {
    clearTimeout(this.countTimer);
    this.countTimer = undefined;
    if (!this.uncounted.size) return;
    const pipe = this.connection.pipeline();
    for (const [key, n] of this.uncounted) pipe.incrby(key, n).pexpire(key, DAY_KEY_TTL_MS);
    this.uncounted.clear();
    // Display counters only: a failed write (Redis down) is not worth holding a send for.
    await pipe.exec().catch(() => undefined);
  }

  private async run(keys: string[], args: (string | number)[]): Promise<unknown> {
    await waitForRedis(this.connection);
    if (this.sha) {
      try {
        return await this.connection.evalsha(this.sha, keys.length, ...keys, ...args);
      } catch (err) {
        // Script cache flushed (Redis restarted): load it again below.
        if (!(err instanceof Error && err.message.includes("NOSCRIPT"))) throw err;
      }
    }
    this.sha = (await this.connection.script("LOAD", ACQUIRE_LUA)) as string;
    return this.connection.evalsha(this.sha, keys.length, ...keys, ...args);
  }
}

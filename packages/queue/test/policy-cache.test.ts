import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createRedisConnection,
  PolicyCache,
  policyDefaultsFromEnv,
  publishPolicyChanged,
  type RateLimitPolicy,
  resolvePolicy,
} from "../src/index";
import { createTestPrefix, deleteRedisPrefix } from "../src/testing";

const prefix = createTestPrefix("policycache");
const defaults = policyDefaultsFromEnv({});
/** Stands in for the policy table: the loader reads it like the worker reads Postgres. */
const rows = new Map<string, Partial<RateLimitPolicy>>();
let loads = 0;
const loader = async (companyId: string) => {
  loads += 1;
  return resolvePolicy(rows.get(companyId) ?? null, defaults);
};

let publisher: Redis;
let worker: Redis;
const caches: PolicyCache[] = [];

beforeAll(() => {
  publisher = createRedisConnection(undefined, { name: "web" });
  worker = createRedisConnection(undefined, { forWorker: true, name: "worker" });
});
afterAll(async () => {
  await Promise.all(caches.map((c) => c.close()));
  publisher.disconnect();
  worker.disconnect();
  await deleteRedisPrefix(prefix);
});

describe("PolicyCache", () => {
  it("serves from cache within the TTL and reloads after it", async () => {
    const cache = new PolicyCache({ loader, ttlMs: 200 });
    caches.push(cache);
    loads = 0;
    const [x, y] = await Promise.all([cache.get("ttl"), cache.get("ttl")]);
    expect(x).toEqual(y);
    await cache.get("ttl");
    expect(loads).toBe(1);
    rows.set("ttl", { perNumberPerMinute: 3 });
    expect((await cache.get("ttl")).perNumberPerMinute).toBe(20);
    await new Promise((r) => setTimeout(r, 250));
    expect((await cache.get("ttl")).perNumberPerMinute).toBe(3);
    expect(loads).toBe(2);
  });

  it("a published change reaches every worker's cache in well under a second", async () => {
    // Two workers, long TTL: only the pub/sub message can make them see the change.
    const one = new PolicyCache({ loader, connection: worker, prefix, ttlMs: 60_000 });
    const two = new PolicyCache({ loader, connection: worker, prefix, ttlMs: 60_000 });
    caches.push(one, two);
    await Promise.all([one.start(), two.start()]);
    rows.set("live", { perCompanyPerMinute: 120 });
    expect((await one.get("live")).perCompanyPerMinute).toBe(120);
    expect((await two.get("live")).perCompanyPerMinute).toBe(120);

    rows.set("live", { perCompanyPerMinute: 7 });
    const started = Date.now();
    await publishPolicyChanged(publisher, prefix, "live");
    await vi.waitFor(
      async () => {
        expect((await one.get("live")).perCompanyPerMinute).toBe(7);
        expect((await two.get("live")).perCompanyPerMinute).toBe(7);
      },
      { timeout: 1000, interval: 10 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a change for one company leaves others cached; '*' clears all", async () => {
    const cache = new PolicyCache({ loader, connection: worker, prefix, ttlMs: 60_000 });
    caches.push(cache);
    await cache.start();
    await cache.get("k1");
    await cache.get("k2");
    loads = 0;
    await publishPolicyChanged(publisher, prefix, "k1");
    await vi.waitFor(
      async () => {
        await cache.get("k1");
        expect(loads).toBe(1);
      },
      { timeout: 1000, interval: 10 },
    );
    await cache.get("k2");
    expect(loads).toBe(1);
    await publishPolicyChanged(publisher, prefix);
    await vi.waitFor(
      async () => {
        await cache.get("k2");
        expect(loads).toBe(2);
      },
      { timeout: 1000, interval: 10 },
    );
  });

  it("a load in flight during an invalidation is not cached (no stale value kept)", async () => {
    let release: (() => void) | undefined;
    let version = 1;
    const slow = new PolicyCache<number>({
      loader: async () => {
        const seen = version;
        await new Promise<void>((r) => {
          release = r;
        });
        return seen;
      },
      ttlMs: 60_000,
    });
    const first = slow.get("c");
    version = 2;
    slow.invalidate("c");
    release?.();
    expect(await first).toBe(1);
    const second = slow.get("c");
    release?.();
    expect(await second).toBe(2);
  });
});

// Per-company policy cache: short TTL plus pub/sub invalidation, so an admin's change applies within
// milliseconds on every worker (and within the TTL even if a message is missed).
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { keyPrefix, waitForRedis } from "../connection";
import type { RateLimitPolicy } from "./policy";

export function limitsChangedChannel(prefix: string): string {
  return `${prefix}:limits-changed`;
}

/** Message meaning "every company" (env defaults changed, bulk update). */
export const ALL_COMPANIES = "*";

/** Tells every PolicyCache that `companyId`'s policy changed (call after the DB write commits). */
export async function publishPolicyChanged(
  connection: Redis,
  prefix: string,
  companyId: string = ALL_COMPANIES,
): Promise<void> {
  await waitForRedis(connection);
  await connection.publish(limitsChangedChannel(prefix), companyId);
}

export interface PolicyCacheOptions<T> {
  /** Loads the resolved policy (the worker reads the DB row + env defaults). */
  loader: (companyId: string) => Promise<T>;
  /** Any connection: the cache duplicates it for its subscription and closes the duplicate on close(). */
  connection?: Redis;
  prefix?: string;
  ttlMs?: number;
  max?: number;
}

export class PolicyCache<T = RateLimitPolicy> {
  private readonly cache: LRUCache<string, { value: T }>;
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly loader: (companyId: string) => Promise<T>;
  private readonly channel: string;
  private subscriber: Redis | undefined;
  /** Bumped on every invalidation: a load that started before it is not cached. */
  private generation = 0;

  constructor(private readonly opts: PolicyCacheOptions<T>) {
    this.loader = opts.loader;
    this.channel = limitsChangedChannel(opts.prefix ?? keyPrefix());
    this.cache = new LRUCache({ max: opts.max ?? 10_000, ttl: opts.ttlMs ?? 2_000 });
  }

  /** Subscribes to invalidations; resolves once subscribed. */
  async start(): Promise<void> {
    if (!this.opts.connection || this.subscriber) return;
    const sub = this.opts.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.subscriber = sub;
    sub.on("error", () => undefined); // reconnects by itself; ioredis re-subscribes on reconnect
    sub.on("message", (channel: string, companyId: string) => {
      if (channel === this.channel) this.invalidate(companyId);
    });
    // After a reconnect, messages sent while down were lost: drop everything once.
    sub.on("ready", () => this.invalidate(ALL_COMPANIES));
    await sub.subscribe(this.channel);
  }

  async get(companyId: string): Promise<T> {
    const hit = this.cache.get(companyId);
    if (hit) return hit.value;
    const pending = this.inflight.get(companyId);
    if (pending) return pending;
    const generation = this.generation;
    const load = this.loader(companyId)
      .then((value) => {
        if (generation === this.generation) this.cache.set(companyId, { value });
        return value;
      })
      .finally(() => {
        if (this.inflight.get(companyId) === load) this.inflight.delete(companyId);
      });
    this.inflight.set(companyId, load);
    return load;
  }

  invalidate(companyId: string = ALL_COMPANIES): void {
    this.generation += 1;
    if (companyId === ALL_COMPANIES) {
      this.cache.clear();
      this.inflight.clear();
    } else {
      this.cache.delete(companyId);
      this.inflight.delete(companyId);
    }
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.cache.clear();
    this.inflight.clear();
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

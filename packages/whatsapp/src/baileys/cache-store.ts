// Baileys' CacheStore backed by lru-cache: a hard size cap plus a TTL, and no purge timer
// (expired entries are dropped lazily), so an idle session costs no timers.
import type { CacheStore } from "@whiskeysockets/baileys";
import { LRUCache } from "lru-cache";

export function boundedCacheStore(max: number, ttlMs: number): CacheStore {
  // biome-ignore lint/suspicious/noExplicitAny: Baileys stores heterogeneous values here.
  const cache = new LRUCache<string, any>({ max, ttl: ttlMs });
  return {
    get: <T>(key: string) => cache.get(key) as T | undefined,
    set: <T>(key: string, value: T) => {
      cache.set(key, value);
    },
    del: (key: string) => {
      cache.delete(key);
    },
    flushAll: () => cache.clear(),
  };
}

// Turns our AuthStore (Postgres in the worker, memory in tests) into Baileys' AuthenticationState.
// Reads go through a small LRU+TTL cache; each Baileys `keys.set()` call (one Signal transaction
// commit) becomes exactly one `writeKeys` batch. Pre-keys are written through but never cached:
// Baileys creates 800+ of them per session and reads each at most once.
import {
  type AuthenticationCreds,
  type AuthenticationState,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from "@whiskeysockets/baileys";
import { LRUCache } from "lru-cache";
import type { AuthStore } from "../engine";

export { decodeAuthValue, encodeAuthValue } from "../auth/codec";
export { InMemoryAuthStore } from "../auth/memory-store";

export interface AuthStateOptions {
  /** Max cached key entries per session (default 1000). */
  cacheMax?: number;
  /** Cache TTL (default 5 minutes). */
  cacheTtlMs?: number;
}

export interface BaileysAuthState {
  state: AuthenticationState;
  /** Persists `state.creds`; call on every `creds.update`. */
  saveCreds(): Promise<void>;
  /** Wipes the store and the cache (logout / 401). */
  clear(): Promise<void>;
  /** Entries currently cached (for tests and memory accounting). */
  cachedEntries(): number;
}

/** Cached marker for "the store has no value for this id" so misses are not re-read each time. */
const MISSING = Symbol("missing");
type Cached = unknown | typeof MISSING;
const UNCACHED_TYPES = new Set(["pre-key"]);

export async function createAuthState(
  store: AuthStore,
  options: AuthStateOptions = {},
): Promise<BaileysAuthState> {
  const stored = await store.readCreds();
  const creds: AuthenticationCreds = isBaileysCreds(stored) ? stored : initAuthCreds();
  const cache = new LRUCache<string, { value: Cached }>({
    max: options.cacheMax ?? 1000,
    ttl: options.cacheTtlMs ?? 5 * 60_000,
  });
  const cacheKey = (type: string, id: string) => `${type}\u0000${id}`;

  const keys: AuthenticationState["keys"] = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      const missing: string[] = [];
      for (const id of ids) {
        const hit = cache.get(cacheKey(type, id));
        if (!hit) missing.push(id);
        else if (hit.value !== MISSING) result[id] = hit.value as SignalDataTypeMap[T];
      }
      if (missing.length === 0) return result;
      const fetched = await store.readKeys(type, missing);
      for (const id of missing) {
        const raw = fetched[id];
        const value = raw === undefined || raw === null ? MISSING : hydrate(type, raw);
        if (!UNCACHED_TYPES.has(type)) cache.set(cacheKey(type, id), { value });
        if (value !== MISSING) result[id] = value as SignalDataTypeMap[T];
      }
      return result;
    },
    set: async (data: SignalDataSet) => {
      const batch: Record<string, Record<string, unknown | null>> = {};
      for (const [type, values] of Object.entries(data)) {
        if (values && Object.keys(values).length > 0) batch[type] = values;
      }
      if (Object.keys(batch).length === 0) return;
      try {
        await store.writeKeys(batch);
      } finally {
        // Written (or maybe not): the cache must not disagree with the store.
        for (const [type, values] of Object.entries(batch)) {
          for (const [id, value] of Object.entries(values)) {
            if (UNCACHED_TYPES.has(type) || value === undefined) cache.delete(cacheKey(type, id));
            else cache.set(cacheKey(type, id), { value: value === null ? MISSING : value });
          }
        }
      }
    },
    clear: async () => {
      cache.clear();
      await store.clear();
    },
  };

  return {
    state: { creds, keys },
    saveCreds: () => store.writeCreds(creds),
    clear: async () => {
      cache.clear();
      await store.clear();
    },
    cachedEntries: () => cache.size,
  };
}

/** The store hands back plain objects; app-state keys must become protobuf messages again. */
function hydrate(type: string, value: unknown): unknown {
  if (type === "app-state-sync-key") {
    return proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
  }
  return value;
}

/** Simulator creds (or garbage) in the store mean "never paired with real WhatsApp". */
function isBaileysCreds(value: unknown): value is AuthenticationCreds {
  const creds = value as Partial<AuthenticationCreds> | undefined;
  return !!creds?.noiseKey?.public && !!creds.signedIdentityKey && typeof creds.registrationId === "number";
}

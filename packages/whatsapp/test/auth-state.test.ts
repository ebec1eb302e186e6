// The Baileys auth-state adapter over a real AuthStore (the in-memory one, which stores values
// encoded exactly as the Postgres store does).
import { addTransactionCapability, proto, type SignalDataSet } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import { createAuthState } from "../src/baileys/auth-state";
import { silentLogger } from "../src/session-events";

/** Counts reads so the tests can tell cache hits from store reads. */
class CountingStore extends InMemoryAuthStore {
  reads = 0;
  override async readKeys(type: string, ids: string[]) {
    this.reads += ids.length;
    return super.readKeys(type, ids);
  }
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) % 256);

function everyKeyType(): SignalDataSet {
  return {
    "pre-key": { "1": { public: Buffer.from(bytes(33)), private: bytes(32, 2) } },
    session: { "5511999999999.0": bytes(120, 3) },
    "sender-key": { "group@g.us::5511999999999::0": Buffer.from(bytes(60, 4)) },
    "sender-key-memory": { "group@g.us": { "5511999999999:1@s.whatsapp.net": true } },
    "app-state-sync-key": {
      AAAAAQ: proto.Message.AppStateSyncKeyData.fromObject({
        keyData: bytes(32, 5),
        fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
        timestamp: 1_700_000_000,
      }),
    },
    "app-state-sync-version": {
      regular: {
        version: 12,
        hash: Buffer.from(bytes(128, 6)),
        indexValueMap: { bWFj: { valueMac: bytes(32, 7) } },
      },
    },
    "lid-mapping": { "5511999999999": "123456789012345", "123456789012345_reverse": "5511999999999" },
    "device-list": { "5511999999999": ["0", "1", "23"] },
    tctoken: {
      "5511999999999@s.whatsapp.net": { token: Buffer.from(bytes(20, 8)), timestamp: "1700000000" },
    },
    "identity-key": { "5511999999999.0": bytes(33, 9) },
  };
}

/** Compares with Buffers and Uint8Arrays treated alike (BufferJSON revives both as Buffer). */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("hex") };
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}

describe("Baileys auth state over an AuthStore", () => {
  it("round-trips creds and every v7 key type through a fresh cache", async () => {
    const store = new InMemoryAuthStore();
    const first = await createAuthState(store);
    const data = everyKeyType();
    await first.state.keys.set(data);
    await first.saveCreds();

    const second = await createAuthState(store); // empty cache: everything comes from the store
    expect(
      Buffer.from(second.state.creds.noiseKey.public).equals(Buffer.from(first.state.creds.noiseKey.public)),
    ).toBe(true);
    expect(second.state.creds.registrationId).toBe(first.state.creds.registrationId);
    expect(Buffer.isBuffer(second.state.creds.signedPreKey.signature)).toBe(true);
    for (const [type, values] of Object.entries(data)) {
      const ids = Object.keys(values!);
      const read = await second.state.keys.get(type as never, ids);
      expect(normalise(read), type).toEqual(normalise(values));
    }
    const appKey = (await second.state.keys.get("app-state-sync-key", ["AAAAAQ"])).AAAAAQ;
    expect(appKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(appKey!.fingerprint?.deviceIndexes).toEqual([0, 1]);
    expect(
      Buffer.isBuffer((await second.state.keys.get("session", ["5511999999999.0"]))["5511999999999.0"]),
    ).toBe(true);
  });

  it("starts from fresh Baileys creds when the store holds none or simulator creds", async () => {
    const store = new InMemoryAuthStore();
    await store.writeCreds({
      me: { id: "1@s.whatsapp.net" },
      platform: "simulator",
      deviceToken: "x",
      registered: true,
    });
    const { state } = await createAuthState(store);
    expect(state.creds.noiseKey.public).toHaveLength(32);
    expect(state.creds.registered).toBe(false);
  });

  it("writes one batch per set() — and one per Baileys transaction", async () => {
    const store = new InMemoryAuthStore();
    const { state } = await createAuthState(store);
    await state.keys.set(everyKeyType());
    expect(store.writeBatches).toBe(1);
    const keys = addTransactionCapability(state.keys, silentLogger, {
      maxCommitRetries: 1,
      delayBetweenTriesMs: 1,
    });
    await keys.transaction(async () => {
      await keys.set({ session: { a: bytes(10) } });
      await keys.set({ "sender-key": { b: bytes(10) }, "pre-key": { "2": null } });
      await keys.set({ "identity-key": { c: bytes(33) } });
    }, "test");
    expect(store.writeBatches).toBe(2);
    expect(store.keyCount("session")).toBe(2);
    expect(store.keyCount("pre-key")).toBe(1);
  });

  it("null deletes in the store and in the cache", async () => {
    const store = new CountingStore();
    const { state } = await createAuthState(store);
    await state.keys.set({ session: { gone: bytes(5) } });
    expect(Object.keys(await state.keys.get("session", ["gone"]))).toEqual(["gone"]);
    await state.keys.set({ session: { gone: null } });
    expect(await state.keys.get("session", ["gone"])).toEqual({});
    expect(await store.readKeys("session", ["gone"])).toEqual({});
  });

  it("keeps the cache bounded: pre-keys are never cached, other keys evict at max and expire", async () => {
    const store = new CountingStore();
    const auth = await createAuthState(store, { cacheMax: 10, cacheTtlMs: 40 });
    const preKeys = Object.fromEntries(
      Array.from({ length: 812 }, (_, i) => [String(i + 1), { public: bytes(33, i), private: bytes(32, i) }]),
    );
    await auth.state.keys.set({ "pre-key": preKeys });
    expect(auth.cachedEntries()).toBe(0);
    expect(Object.keys(await auth.state.keys.get("pre-key", ["1", "2"]))).toEqual(["1", "2"]);
    expect(auth.cachedEntries()).toBe(0);

    const sessions = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`s${i}`, bytes(8, i)]));
    await auth.state.keys.set({ session: sessions });
    expect(auth.cachedEntries()).toBe(10);
    store.reads = 0;
    await auth.state.keys.get("session", ["s49"]); // most recent: cached
    expect(store.reads).toBe(0);
    await auth.state.keys.get("session", ["s0"]); // evicted: read from the store
    expect(store.reads).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    await auth.state.keys.get("session", ["s49"]); // expired
    expect(store.reads).toBe(2);
    expect(auth.cachedEntries()).toBeLessThanOrEqual(10);
  });

  it("caches misses so absent keys are not re-read, until they are written", async () => {
    const store = new CountingStore();
    const { state } = await createAuthState(store);
    await state.keys.get("session", ["nobody"]);
    await state.keys.get("session", ["nobody"]);
    expect(store.reads).toBe(1);
    await state.keys.set({ session: { nobody: bytes(3) } });
    expect(Object.keys(await state.keys.get("session", ["nobody"]))).toEqual(["nobody"]);
    expect(store.reads).toBe(1);
  });

  it("clear() wipes creds, keys and cache", async () => {
    const store = new InMemoryAuthStore();
    const auth = await createAuthState(store);
    await auth.saveCreds();
    await auth.state.keys.set({ session: { x: bytes(2) } });
    await auth.clear();
    expect(await store.readCreds()).toBeUndefined();
    expect(store.keyCount()).toBe(0);
    expect(auth.cachedEntries()).toBe(0);
  });
});

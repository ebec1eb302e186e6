// PostgresAuthStore: every key type round-trips (Buffers, Uint8Arrays, nested objects), values
// are encrypted at rest, a tampered row is rejected, batches are one transaction, clear() wipes.
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthStateCorruptError, PostgresAuthStore } from "../src/sessions/auth-store";

let db: TestDatabase;
let sessionId: string;

beforeAll(async () => {
  db = await createTestDatabase("sessauth");
  const company = await db.prisma.company.create({ data: { name: "Auth", slug: "auth" } });
  sessionId = (await db.prisma.whatsappSession.create({ data: { companyId: company.id, label: "a" } })).id;
});

afterAll(async () => {
  await db?.drop();
});

const SECRET = "very-secret-noise-key-material";

const creds = {
  noiseKey: { private: Buffer.from(SECRET), public: new Uint8Array([1, 2, 3, 250]) },
  signedIdentityKey: { private: Buffer.alloc(32, 7), public: Buffer.alloc(33, 5) },
  signedPreKey: {
    keyId: 1,
    keyPair: { private: Buffer.alloc(32, 1), public: Buffer.alloc(32, 2) },
    signature: Buffer.alloc(64, 3),
  },
  registrationId: 4242,
  advSecretKey: "c2VjcmV0",
  me: { id: "5511999990000:1@s.whatsapp.net", lid: "123:1@lid", name: "Loja" },
  account: { details: new Uint8Array([9, 8, 7]), accountSignature: Buffer.from("sig") },
  registered: true,
  nested: [{ deep: { bytes: Buffer.from([0, 255]) } }],
};

// Every key type Baileys 7 hands the store, with realistic value shapes.
const keyBatch = {
  "pre-key": Object.fromEntries(
    Array.from({ length: 812 }, (_, i) => [
      String(i + 1),
      { private: Buffer.alloc(32, i % 256), public: Buffer.alloc(32, 9) },
    ]),
  ),
  session: { "5511888887777.0": Buffer.from("libsignal-session-record") },
  "sender-key": { "group@g.us::5511::0": new Uint8Array([4, 4, 4]) },
  "sender-key-memory": { "group@g.us": { "5511@s.whatsapp.net": true } },
  "app-state-sync-key": {
    AAAAAQ: {
      keyData: Buffer.alloc(32, 6),
      fingerprint: { rawId: 1, currentIndex: 2, deviceIndexes: [0, 1] },
      timestamp: "1700000000",
    },
  },
  "app-state-sync-version": {
    regular: {
      version: 3,
      hash: Buffer.alloc(128, 1),
      indexValueMap: { abc: { valueMac: Buffer.alloc(32, 2) } },
    },
  },
  "lid-mapping": { "5511888887777": "99988877766655", "99988877766655_reverse": "5511888887777" },
  "device-list": { "5511888887777": ["0", "1", "23"] },
  tctoken: { "5511888887777@s.whatsapp.net": { token: Buffer.from("tc"), timestamp: "1700000001" } },
  "identity-key": { "5511888887777.0": Buffer.alloc(33, 5) },
};

describe("PostgresAuthStore", () => {
  it("round-trips creds and every key type", async () => {
    const store = new PostgresAuthStore(db.prisma, sessionId);
    expect(await store.readCreds()).toBeUndefined();
    await store.writeCreds(creds);
    await store.writeKeys(keyBatch);

    // A fresh store (no cache) reads everything back from Postgres.
    const fresh = new PostgresAuthStore(db.prisma, sessionId, { cacheMax: 0 });
    const readCreds = (await fresh.readCreds()) as typeof creds;
    expect(Buffer.from(readCreds.noiseKey.private).toString()).toBe(SECRET);
    expect([...readCreds.noiseKey.public]).toEqual([1, 2, 3, 250]);
    expect(readCreds).toEqual({
      ...creds,
      noiseKey: { private: Buffer.from(SECRET), public: Buffer.from([1, 2, 3, 250]) },
      account: { details: Buffer.from([9, 8, 7]), accountSignature: Buffer.from("sig") },
    });
    for (const [type, entries] of Object.entries(keyBatch)) {
      const ids = Object.keys(entries);
      const got = await fresh.readKeys(type, [...ids, "missing-id"]);
      expect(Object.keys(got).sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const expected = (entries as Record<string, unknown>)[id];
        const normalised = expected instanceof Uint8Array ? Buffer.from(expected) : expected;
        expect(got[id]).toEqual(normalised);
      }
    }
    expect(await db.prisma.authKey.count({ where: { sessionId } })).toBe(812 + 10);
  });

  it("stores values encrypted: no plaintext in the table", async () => {
    const rows = await db.prisma.$queryRaw<{ value: Uint8Array }[]>`
      SELECT value FROM "AuthCredential" WHERE "sessionId" = ${sessionId}
      UNION ALL SELECT value FROM "AuthKey" WHERE "sessionId" = ${sessionId}`;
    expect(rows.length).toBe(1 + 812 + 10);
    for (const { value } of rows) {
      const raw = Buffer.from(value);
      expect(raw.includes(Buffer.from(SECRET))).toBe(false);
      expect(raw.includes(Buffer.from("libsignal-session-record"))).toBe(false);
      expect(raw.includes(Buffer.from("5511"))).toBe(false);
      expect(raw.includes(Buffer.from('"type"'))).toBe(false);
      expect(raw[0]).toBe(1); // the crypto helper's format version byte
    }
  });

  it("null deletes a key; a batch is all-or-nothing", async () => {
    const store = new PostgresAuthStore(db.prisma, sessionId);
    await store.writeKeys({ "pre-key": { "1": null, "2": null }, session: { "new.0": Buffer.from("x") } });
    expect(Object.keys(await store.readKeys("pre-key", ["1", "2", "3"]))).toEqual(["3"]);
    const fresh = new PostgresAuthStore(db.prisma, sessionId, { cacheMax: 0 });
    expect(Object.keys(await fresh.readKeys("pre-key", ["1", "2", "3"]))).toEqual(["3"]);

    // A batch that fails part-way (a value JSON cannot encode) leaves nothing half-written.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      store.writeKeys({ session: { "a.0": Buffer.from("a") }, "sender-key": { b: cyclic } }),
    ).rejects.toThrow();
    expect(await fresh.readKeys("session", ["a.0"])).toEqual({});
  });

  it("rejects a tampered row with a clear error", async () => {
    const row = await db.prisma.authKey.findFirstOrThrow({
      where: { sessionId, type: "session", keyId: "5511888887777.0" },
    });
    const tampered = Buffer.from(row.value);
    tampered[tampered.length - 1]! ^= 0x01;
    await db.prisma.authKey.update({
      where: { sessionId_type_keyId: { sessionId, type: "session", keyId: "5511888887777.0" } },
      data: { value: tampered },
    });
    const fresh = new PostgresAuthStore(db.prisma, sessionId, { cacheMax: 0 });
    const error = await fresh.readKeys("session", ["5511888887777.0"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthStateCorruptError);
    expect((error as Error).message).toMatch(/session\/5511888887777\.0/);
    expect(((error as Error).cause as Error).name).toBe("TamperedDataError");

    const credRow = await db.prisma.authCredential.findUniqueOrThrow({ where: { sessionId } });
    const badCreds = Buffer.from(credRow.value);
    badCreds[20]! ^= 0xff;
    await db.prisma.authCredential.update({ where: { sessionId }, data: { value: badCreds } });
    await expect(fresh.readCreds()).rejects.toBeInstanceOf(AuthStateCorruptError);
  });

  it("clear() removes creds and every key", async () => {
    const store = new PostgresAuthStore(db.prisma, sessionId);
    await store.clear();
    expect(await db.prisma.authKey.count({ where: { sessionId } })).toBe(0);
    expect(await db.prisma.authCredential.count({ where: { sessionId } })).toBe(0);
    expect(await store.readCreds()).toBeUndefined();
    expect(await store.readKeys("pre-key", ["3"])).toEqual({});
  });
});

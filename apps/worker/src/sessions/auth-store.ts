// Baileys auth state in Postgres: creds as one encrypted row, every signal key as its own
// encrypted row. A batch of key writes is one transaction (delete + createMany per type), so the
// ~800 pre-keys uploaded at pairing cost two statements, not 800 round trips. Reads go through a
// small per-session LRU so hot keys (sessions, sender keys) do not hit the database each message.
import type { PrismaClient } from "@zapflow/db";
import { decryptSecret, encryptSecret } from "@zapflow/db/crypto";
import { type AuthStore, decodeAuthValue, encodeAuthValue } from "@zapflow/whatsapp";
import { LRUCache } from "lru-cache";

/** A stored auth value could not be decrypted (modified row or another key): never used silently. */
export class AuthStateCorruptError extends Error {
  constructor(
    readonly sessionId: string,
    readonly location: string,
    cause: unknown,
  ) {
    super(
      `Auth state of session ${sessionId} is unreadable (${location}): ${cause instanceof Error ? cause.message : cause}`,
      { cause },
    );
    this.name = "AuthStateCorruptError";
  }
}

export interface PostgresAuthStoreOptions {
  /** Entries kept decrypted in memory (0 disables the cache). */
  cacheMax?: number;
  cacheTtlMs?: number;
}

/** Marks a key known to be absent, so repeated misses do not query again. */
const ABSENT = Symbol("absent");
type Cached = { value: unknown } | typeof ABSENT;

export class PostgresAuthStore implements AuthStore {
  private readonly cache?: LRUCache<string, Cached>;

  constructor(
    private readonly prisma: PrismaClient,
    readonly sessionId: string,
    options: PostgresAuthStoreOptions = {},
  ) {
    const max = options.cacheMax ?? 128;
    if (max > 0) this.cache = new LRUCache({ max, ttl: options.cacheTtlMs ?? 10 * 60_000 });
  }

  async readCreds(): Promise<unknown | undefined> {
    const row = await this.prisma.authCredential.findUnique({ where: { sessionId: this.sessionId } });
    return row ? this.decode(row.value, "creds") : undefined;
  }

  async writeCreds(creds: unknown): Promise<void> {
    const value = seal(creds);
    await this.prisma.authCredential.upsert({
      where: { sessionId: this.sessionId },
      create: { sessionId: this.sessionId, value },
      update: { value },
    });
  }

  async readKeys(type: string, ids: string[]): Promise<Record<string, unknown>> {
    const result: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache?.get(cacheKey(type, id));
      if (hit === undefined) missing.push(id);
      else if (hit !== ABSENT) result[id] = hit.value;
    }
    if (missing.length === 0) return result;
    const rows = await this.prisma.authKey.findMany({
      where: { sessionId: this.sessionId, type, keyId: { in: missing } },
      select: { keyId: true, value: true },
    });
    const found = new Set<string>();
    for (const row of rows) {
      const value = this.decode(row.value, `${type}/${row.keyId}`);
      result[row.keyId] = value;
      found.add(row.keyId);
      this.cache?.set(cacheKey(type, row.keyId), { value });
    }
    for (const id of missing) if (!found.has(id)) this.cache?.set(cacheKey(type, id), ABSENT);
    return result;
  }

  async writeKeys(batch: Record<string, Record<string, unknown | null>>): Promise<void> {
    const rows: { sessionId: string; type: string; keyId: string; value: Uint8Array<ArrayBuffer> }[] = [];
    const touched: { type: string; ids: string[] }[] = [];
    for (const [type, entries] of Object.entries(batch)) {
      const ids = Object.keys(entries);
      if (ids.length === 0) continue;
      touched.push({ type, ids });
      for (const [keyId, value] of Object.entries(entries)) {
        if (value !== null && value !== undefined) {
          rows.push({ sessionId: this.sessionId, type, keyId, value: seal(value) });
        }
      }
    }
    if (touched.length === 0) return;
    // Replace semantics: delete every touched id, then insert the non-null ones — atomically.
    await this.prisma.$transaction([
      ...touched.map(({ type, ids }) =>
        this.prisma.authKey.deleteMany({ where: { sessionId: this.sessionId, type, keyId: { in: ids } } }),
      ),
      ...(rows.length ? [this.prisma.authKey.createMany({ data: rows })] : []),
    ]);
    for (const { type, ids } of touched) {
      for (const id of ids) {
        const value = batch[type]?.[id];
        this.cache?.set(cacheKey(type, id), value === null || value === undefined ? ABSENT : { value });
      }
    }
  }

  async clear(): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.authKey.deleteMany({ where: { sessionId: this.sessionId } }),
      this.prisma.authCredential.deleteMany({ where: { sessionId: this.sessionId } }),
    ]);
    this.cache?.clear();
  }

  private decode(blob: Uint8Array, location: string): unknown {
    try {
      return decodeAuthValue(decryptSecret(blob).toString("utf8"));
    } catch (error) {
      throw new AuthStateCorruptError(this.sessionId, location, error);
    }
  }
}

/** Encode (Baileys' BufferJSON, via the engine package) + encrypt. encryptSecret returns a fresh Buffer over a plain ArrayBuffer. */
function seal(value: unknown): Uint8Array<ArrayBuffer> {
  return encryptSecret(encodeAuthValue(value)) as Buffer<ArrayBuffer>;
}

function cacheKey(type: string, id: string): string {
  return `${type}\u0000${id}`;
}

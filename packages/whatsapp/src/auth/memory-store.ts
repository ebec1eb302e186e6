// A real AuthStore kept in process memory, for the simulator engine, tests and the bench. Values
// are stored encoded (as the Postgres store does) so callers never share mutable objects with it.
import type { AuthStore } from "../engine";
import { decodeAuthValue, encodeAuthValue } from "./codec";

export class InMemoryAuthStore implements AuthStore {
  private creds?: string;
  private readonly keys = new Map<string, string>();
  /** Number of writeKeys batches seen (each is one transaction in the Postgres store). */
  writeBatches = 0;

  async readCreds(): Promise<unknown | undefined> {
    return this.creds === undefined ? undefined : decodeAuthValue(this.creds);
  }

  async writeCreds(creds: unknown): Promise<void> {
    this.creds = encodeAuthValue(creds);
  }

  async readKeys(type: string, ids: string[]): Promise<Record<string, unknown>> {
    const found: Record<string, unknown> = {};
    for (const id of ids) {
      const encoded = this.keys.get(keyOf(type, id));
      if (encoded !== undefined) found[id] = decodeAuthValue(encoded);
    }
    return found;
  }

  async writeKeys(batch: Record<string, Record<string, unknown | null>>): Promise<void> {
    this.writeBatches++;
    for (const [type, values] of Object.entries(batch)) {
      for (const [id, value] of Object.entries(values)) {
        if (value === null || value === undefined) this.keys.delete(keyOf(type, id));
        else this.keys.set(keyOf(type, id), encodeAuthValue(value));
      }
    }
  }

  async clear(): Promise<void> {
    this.creds = undefined;
    this.keys.clear();
  }

  /** Number of stored keys, optionally of one type. */
  keyCount(type?: string): number {
    if (!type) return this.keys.size;
    let count = 0;
    for (const key of this.keys.keys()) if (key.startsWith(`${type}\u0000`)) count++;
    return count;
  }
}

function keyOf(type: string, id: string): string {
  return `${type}\u0000${id}`;
}

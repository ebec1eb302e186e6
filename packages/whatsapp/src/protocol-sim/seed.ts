import { hkdf, keyPairFromSeed, type RawKeyPair } from "./crypto";

/**
 * Deterministic randomness: every value is derived from the seed and a label that names what it is for,
 * so the same seed gives the same keys, ids and numbers whatever order things happen in.
 */
export class SeededSource {
  private readonly root: Buffer;
  private readonly counters = new Map<string, number>();

  constructor(seed: string | number) {
    this.root = Buffer.from(`zapflow-protocol-sim:${seed}`);
  }

  bytes(label: string, length = 32): Buffer {
    return hkdf(this.root, Buffer.alloc(0), label, length);
  }

  keyPair(label: string): RawKeyPair {
    return keyPairFromSeed(this.bytes(`key:${label}`));
  }

  /** Integer in [0, max) derived from the label. */
  int(label: string, max: number): number {
    return this.bytes(`int:${label}`, 6).readUIntBE(0, 6) % max;
  }

  /** The next value of a named counter (1, 2, 3 …): labels for things created one after another. */
  next(counter: string): number {
    const value = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, value);
    return value;
  }

  /** A fresh label under `counter`, e.g. "msg#3", so sequences are reproducible too. */
  nextLabel(counter: string): string {
    return `${counter}#${this.next(counter)}`;
  }

  reset(): void {
    this.counters.clear();
  }
}

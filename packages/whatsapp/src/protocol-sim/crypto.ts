import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
} from "node:crypto";

/** A Curve25519 key pair with raw 32-byte keys (Baileys' `Curve` format). */
export interface RawKeyPair {
  public: Buffer;
  private: Buffer;
}

const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export const sha256 = (data: Buffer): Buffer => createHash("sha256").update(data).digest();

export const hmacSha256 = (key: Buffer, data: Buffer): Buffer =>
  createHmac("sha256", key).update(data).digest();

export const hkdf = (ikm: Buffer, salt: Buffer, info: string | Buffer, length: number): Buffer =>
  Buffer.from(hkdfSync("sha256", ikm, salt, info, length));

export function aesGcmEncrypt(key: Buffer, iv: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function aesGcmDecrypt(key: Buffer, iv: Buffer, aad: Buffer, data: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

export function aesCtr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv("aes-256-ctr", key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Big-endian unsigned integer of `length` bytes, as WhatsApp key nodes carry ids and registration ids. */
export function uintBE(value: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  out.writeUIntBE(value, 0, length);
  return out;
}

/** X25519 key pair whose private key is exactly `seed` (clamped), so keys follow from the simulator seed. */
export function keyPairFromSeed(seed: Buffer): RawKeyPair {
  const priv = Buffer.from(seed.subarray(0, 32));
  priv[0] = (priv[0] ?? 0) & 248;
  priv[31] = ((priv[31] ?? 0) & 127) | 64;
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_X25519_PREFIX, priv]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return { public: Buffer.from(spki.subarray(spki.length - 32)), private: priv };
}

/** WhatsApp's message padding: 1–16 bytes, each equal to the pad length. */
export function padMessage(plain: Buffer, padLength: number): Buffer {
  const n = (padLength % 16) + 1;
  return Buffer.concat([plain, Buffer.alloc(n, n)]);
}

export function unpadMessage(padded: Buffer): Buffer {
  const n = padded[padded.length - 1] ?? 0;
  return padded.subarray(0, padded.length - n);
}

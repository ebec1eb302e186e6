import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  decryptSecret,
  devKeyPath,
  EncryptionKeyError,
  encryptSecret,
  findRepoRoot,
  getEncryptionKey,
  hashApiKey,
  parseEncryptionKey,
  TamperedDataError,
} from "../src/crypto";

const key = randomBytes(32);
const tempDir = mkdtempSync(join(tmpdir(), "zapflow-crypto-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function flipByte(blob: Buffer, index: number): Buffer {
  const copy = Buffer.from(blob);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe("encryptSecret / decryptSecret", () => {
  it.each([
    ["a Buffer", randomBytes(100)],
    ["an empty Buffer", Buffer.alloc(0)],
    ["1 MB", randomBytes(1024 * 1024)],
  ])("round-trips %s", (_, plain) => {
    const blob = encryptSecret(plain, key);
    expect(blob.length).toBe(1 + 12 + 16 + plain.length);
    expect(decryptSecret(blob, key).equals(plain)).toBe(true);
  });

  it("round-trips a UTF-8 string and does not store it in the clear", () => {
    const secret = "whsec_condomínio-ção-🔑";
    const blob = encryptSecret(secret, key);
    expect(blob.includes(Buffer.from(secret))).toBe(false);
    expect(decryptSecret(blob, key).toString("utf8")).toBe(secret);
  });

  it("accepts the Uint8Array Prisma returns for Bytes columns", () => {
    const blob = encryptSecret("hello", key);
    const view = new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
    expect(decryptSecret(view, key).toString()).toBe("hello");
  });

  it("writes the version byte first and a fresh IV every time", () => {
    const blobs = Array.from({ length: 50 }, () => encryptSecret("same text", key));
    expect(blobs.every((b) => b[0] === 1)).toBe(true);
    const ivs = new Set(blobs.map((b) => b.subarray(1, 13).toString("hex")));
    expect(ivs.size).toBe(50);
    expect(new Set(blobs.map((b) => b.toString("hex"))).size).toBe(50);
  });

  const blob = encryptSecret("the auth creds of a WhatsApp session", key);
  it.each([
    ["version", 0],
    ["iv", 5],
    ["tag", 20],
    ["ciphertext (first byte)", 29],
    ["ciphertext (last byte)", blob.length - 1],
  ])("rejects a tampered %s with TamperedDataError", (_, index) => {
    expect(() => decryptSecret(flipByte(blob, index), key)).toThrow(TamperedDataError);
  });

  it("rejects truncated and appended data", () => {
    expect(() => decryptSecret(blob.subarray(0, 20), key)).toThrow(TamperedDataError);
    expect(() => decryptSecret(blob.subarray(0, blob.length - 1), key)).toThrow(TamperedDataError);
    expect(() => decryptSecret(Buffer.concat([blob, Buffer.from([0])]), key)).toThrow(TamperedDataError);
  });

  it("rejects a blob encrypted with another key", () => {
    expect(() => decryptSecret(blob, randomBytes(32))).toThrow(TamperedDataError);
    expect(decryptSecret(blob, key).toString()).toBe("the auth creds of a WhatsApp session");
  });
});

describe("getEncryptionKey", () => {
  it("parses ENCRYPTION_KEY as base64 or hex", () => {
    expect(getEncryptionKey({ ENCRYPTION_KEY: key.toString("base64") }).equals(key)).toBe(true);
    expect(getEncryptionKey({ ENCRYPTION_KEY: key.toString("hex") }).equals(key)).toBe(true);
    expect(
      getEncryptionKey({ ENCRYPTION_KEY: key.toString("base64url"), NODE_ENV: "production" }).equals(key),
    ).toBe(true);
  });

  it("rejects a key of the wrong length with a clear error", () => {
    expect(() => parseEncryptionKey(randomBytes(16).toString("base64"))).toThrow(
      /decodes to 16 bytes, expected 32/,
    );
    expect(() => parseEncryptionKey("a".repeat(63))).toThrow(EncryptionKeyError);
    expect(() => parseEncryptionKey("not a key!")).toThrow(/base64 or 64 hex/);
  });

  it("refuses to start in production without a key", () => {
    expect(() => getEncryptionKey({ NODE_ENV: "production" })).toThrow(EncryptionKeyError);
    expect(() => getEncryptionKey({ NODE_ENV: "production" })).toThrow(
      /ENCRYPTION_KEY is required in production/,
    );
    // Never generates a key file in production, even when a path is given.
    const missing = join(tempDir, "prod-key");
    expect(() => getEncryptionKey({ NODE_ENV: "production", ENCRYPTION_KEY_FILE: missing })).toThrow(
      EncryptionKeyError,
    );
  });

  it("stores the development key under <repo root>/.data unless ENCRYPTION_KEY_FILE is set", () => {
    const root = findRepoRoot();
    expect(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")).toContain("packages");
    expect(devKeyPath({})).toBe(join(root, ".data", "dev-encryption-key"));
    expect(devKeyPath({ ENCRYPTION_KEY_FILE: "/x/y" })).toBe("/x/y");
  });

  it("generates the dev key once: separate processes started together agree on it", async () => {
    const file = join(tempDir, "nested", "dev-key");
    const script = `import { getEncryptionKey } from ${JSON.stringify(join(import.meta.dirname, "../src/crypto.ts"))};
      process.stdout.write(getEncryptionKey().toString("hex"));`;
    const runChild = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
          env: { ...process.env, ENCRYPTION_KEY: "", NODE_ENV: "development", ENCRYPTION_KEY_FILE: file },
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.on("error", reject);
        child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
      });
    const keys = await Promise.all([runChild(), runChild(), runChild()]);
    const restarted = await runChild();
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([...keys, restarted]).size).toBe(1);
    expect(parseEncryptionKey(readFileSync(file, "utf8")).toString("hex")).toBe(keys[0]);
  });
});

describe("hashApiKey", () => {
  it("is the SHA-256 hex of the key", () => {
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashApiKey("zf_live_1")).not.toBe(hashApiKey("zf_live_2"));
  });
});

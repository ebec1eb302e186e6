// Secrets at rest (Baileys auth state, webhook secrets): AES-256-GCM with a 32-byte key from
// ENCRYPTION_KEY. Blob layout: 1 version byte | 12-byte IV | 16-byte auth tag | ciphertext.
// The version byte is also authenticated (AAD), so no byte of a blob can change unnoticed.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** The blob was modified, truncated, or encrypted with another key. */
export class TamperedDataError extends Error {
  constructor(reason: string) {
    super(`Encrypted data rejected: ${reason}`);
    this.name = "TamperedDataError";
  }
}

/** ENCRYPTION_KEY is missing (in production) or malformed. */
export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EncryptionKeyError";
  }
}

const KEY_HINT = "generate one with `openssl rand -base64 32`";

/** Accepts 64 hex characters or base64 (standard or url-safe) of exactly 32 bytes. */
export function parseEncryptionKey(raw: string, source = "ENCRYPTION_KEY"): Buffer {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    throw new EncryptionKeyError(`${source} must be 32 bytes as base64 or 64 hex characters; ${KEY_HINT}`);
  }
  const key = Buffer.from(value, "base64");
  if (key.length !== KEY_BYTES) {
    throw new EncryptionKeyError(
      `${source} decodes to ${key.length} bytes, expected ${KEY_BYTES} (base64 or 64 hex characters); ${KEY_HINT}`,
    );
  }
  return key;
}

function walkUpToWorkspaceRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The monorepo root (the folder holding pnpm-workspace.yaml), searched from this file, then the cwd. */
export function findRepoRoot(): string {
  let moduleDir: string | undefined;
  try {
    moduleDir = dirname(fileURLToPath(import.meta.url));
  } catch {
    // Bundlers may rewrite import.meta.url to a non-file URL; the cwd still works.
  }
  const root = (moduleDir && walkUpToWorkspaceRoot(moduleDir)) || walkUpToWorkspaceRoot(process.cwd());
  if (!root) {
    throw new EncryptionKeyError(
      "Cannot locate the repository root (pnpm-workspace.yaml) to store the dev encryption key; set ENCRYPTION_KEY or ENCRYPTION_KEY_FILE",
    );
  }
  return root;
}

/** Where the development key lives: ENCRYPTION_KEY_FILE or <repo root>/.data/dev-encryption-key. */
export function devKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ENCRYPTION_KEY_FILE || join(findRepoRoot(), ".data", "dev-encryption-key");
}

/**
 * Creates the key file once. Written to a temp file and hard-linked into place, so two processes
 * starting together (web and worker) never see a half-written file and both end up with one key.
 */
function readOrCreateKeyFile(path: string): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    } finally {
      unlinkSync(tmp);
    }
  }
  return parseEncryptionKey(readFileSync(path, "utf8"), path);
}

let cached: { id: string; key: Buffer } | undefined;

/**
 * The AES-256 key. ENCRYPTION_KEY wins; in production it (or an existing ENCRYPTION_KEY_FILE) is
 * required — call this at startup to fail fast. Elsewhere a dev key is generated once and kept in
 * the key file so web and worker agree across restarts.
 */
export function getEncryptionKey(env: NodeJS.ProcessEnv = process.env): Buffer {
  const id = [env.NODE_ENV, env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_FILE].join("\0");
  if (cached?.id === id) return cached.key;
  let key: Buffer;
  if (env.ENCRYPTION_KEY) {
    key = parseEncryptionKey(env.ENCRYPTION_KEY);
  } else if (env.NODE_ENV === "production") {
    if (!env.ENCRYPTION_KEY_FILE || !existsSync(env.ENCRYPTION_KEY_FILE)) {
      throw new EncryptionKeyError(
        `ENCRYPTION_KEY is required in production (32 bytes, base64 or 64 hex characters); ${KEY_HINT}`,
      );
    }
    key = parseEncryptionKey(readFileSync(env.ENCRYPTION_KEY_FILE, "utf8"), env.ENCRYPTION_KEY_FILE);
  } else {
    key = readOrCreateKeyFile(devKeyPath(env));
  }
  cached = { id, key };
  return key;
}

function checkKey(key: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new EncryptionKeyError(`encryption key must be ${KEY_BYTES} bytes`);
  return key;
}

export function encryptSecret(plain: Buffer | string, key: Buffer = getEncryptionKey()): Buffer {
  const iv = randomBytes(IV_BYTES);
  const version = Buffer.from([FORMAT_VERSION]);
  const cipher = createCipheriv("aes-256-gcm", checkKey(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(version);
  const data = typeof plain === "string" ? Buffer.from(plain, "utf8") : plain;
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([version, iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws TamperedDataError if any byte changed or the key is not the one that encrypted it. */
export function decryptSecret(blob: Buffer | Uint8Array, key: Buffer = getEncryptionKey()): Buffer {
  const buf = Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < HEADER_BYTES) throw new TamperedDataError(`blob too short (${buf.length} bytes)`);
  if (buf[0] !== FORMAT_VERSION) throw new TamperedDataError(`unknown format version ${buf[0]}`);
  const iv = buf.subarray(1, 1 + IV_BYTES);
  const tag = buf.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", checkKey(key), iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(buf.subarray(0, 1));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(buf.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new TamperedDataError("authentication failed (modified data or wrong key)");
  }
}

/** API keys are stored as their SHA-256 (hex); the key itself is shown once. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

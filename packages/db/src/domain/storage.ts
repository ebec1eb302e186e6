// Local-disk location of uploaded files (CSV imports): the web app writes, the worker reads.
import { isAbsolute, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../../..");

export function storageDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.STORAGE_DIR?.trim();
  if (!dir) return join(repoRoot, ".data", "storage");
  return isAbsolute(dir) ? dir : resolve(repoRoot, dir);
}

/** Absolute path of a storage key; rejects keys that would escape the storage directory. */
export function storagePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  const clean = normalize(key);
  if (isAbsolute(clean) || clean.startsWith("..")) throw new Error(`invalid storage key "${key}"`);
  return join(storageDir(env), clean);
}

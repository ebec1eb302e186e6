// Local-disk locations of uploaded files (CSV imports; local media): the web app writes, the worker reads.
// Default <repo>/.data/storage, found from the working directory (web and worker start in
// different app folders; bundlers rewrite import.meta.url, so it cannot anchor the path).
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve } from "node:path";

function repoRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

/** A data directory both apps agree on: absolute, or relative to the repo; default <repo>/.data/<name>. */
export function dataDir(configured: string | undefined, name: string): string {
  const dir = configured?.trim();
  const root = repoRoot(process.cwd());
  if (!dir) return join(root, ".data", name);
  return isAbsolute(dir) ? dir : resolve(root, dir);
}

export function storageDir(env: NodeJS.ProcessEnv = process.env): string {
  return dataDir(env.STORAGE_DIR, "storage");
}

/** Absolute path of a storage key; rejects keys that would escape the storage directory. */
export function storagePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  const clean = normalize(key);
  if (isAbsolute(clean) || clean.startsWith("..")) throw new Error(`invalid storage key "${key}"`);
  return join(storageDir(env), clean);
}

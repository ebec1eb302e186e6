// Local-disk location of uploaded files (CSV imports): the web app writes, the worker reads.
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

export function storageDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.STORAGE_DIR?.trim();
  const root = repoRoot(process.cwd());
  if (!dir) return join(root, ".data", "storage");
  return isAbsolute(dir) ? dir : resolve(root, dir);
}

/** Absolute path of a storage key; rejects keys that would escape the storage directory. */
export function storagePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  const clean = normalize(key);
  if (isAbsolute(clean) || clean.startsWith("..")) throw new Error(`invalid storage key "${key}"`);
  return join(storageDir(env), clean);
}

// Local-disk media storage (default): files under MEDIA_DIR, written atomically (temp + rename).
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertSafeKey, type MediaStorage } from "./storage";

export class LocalDiskStorage implements MediaStorage {
  readonly kind = "local";

  constructor(private readonly root: string) {}

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, key);
  }

  async write(key: string, data: Uint8Array): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, data);
    await rename(temp, target);
  }

  async read(key: string): Promise<Uint8Array> {
    return readFile(this.path(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch {
      return false;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

export function createMediaStorage(env: NodeJS.ProcessEnv = process.env): MediaStorage {
  const kind = env.MEDIA_STORAGE ?? "local";
  if (kind !== "local") throw new Error(`MEDIA_STORAGE=${kind} is not supported (only "local")`);
  return new LocalDiskStorage(env.MEDIA_DIR ?? join(process.cwd(), "data", "media"));
}

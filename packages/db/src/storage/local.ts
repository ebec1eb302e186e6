// Local-disk media storage (default): files under MEDIA_DIR, written atomically (temp + rename).
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { assertSafeKey, MediaNotFoundError, type MediaStorage } from "./storage";

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
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new MediaNotFoundError(key, this.root);
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    const path = this.path(key); // an unsafe key throws, as in every other method
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

// Test isolation in Redis: every test file uses its own key prefix and deletes its keys after.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}

export function createTestPrefix(label = "t"): string {
  return `zft-${label.replace(/[^a-z0-9]/gi, "").slice(0, 20)}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under `prefix` (BullMQ keys are `${prefix}:${queue}:...`). */
export async function deleteRedisPrefix(prefix: string, url = testRedisUrl()): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

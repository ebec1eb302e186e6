// Process-wide server dependencies: one Prisma client, one producer Redis connection and one
// QueueRegistry per web process (kept on globalThis so dev hot reloads do not open new pools).
import { getPrisma, type PrismaClient } from "@zapflow/db";
import { createRedisConnection, keyPrefix, QueueRegistry } from "@zapflow/queue";
import type { Redis } from "ioredis";

export interface ServerDeps {
  prisma: PrismaClient;
  /** Producer connection (fails fast while Redis is down; requests answer 503). */
  redis: Redis;
  queues: QueueRegistry;
  /** Redis key prefix of this deployment (BullMQ prefix, pub/sub channel prefix). */
  prefix: string;
}

const holder = globalThis as unknown as { __zapflowDeps?: ServerDeps };

export function getServerDeps(): ServerDeps {
  if (!holder.__zapflowDeps) {
    const redis = createRedisConnection(process.env.REDIS_URL, { name: "web" });
    // ioredis emits "error" on every failed reconnect; health checks report it, not the logs.
    redis.on("error", () => undefined);
    const prefix = keyPrefix();
    holder.__zapflowDeps = {
      prisma: getPrisma(),
      redis,
      prefix,
      queues: new QueueRegistry({ connection: redis, prefix }),
    };
  }
  return holder.__zapflowDeps;
}

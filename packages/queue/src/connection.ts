// The one Redis connection factory: workers wait out outages, producers (web requests) fail fast.
import { Redis, type RedisOptions } from "ioredis";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
export const DEFAULT_REDIS_PREFIX = "zapflow";

export interface RedisConnectionOptions {
  /** Worker connections: BullMQ requires maxRetriesPerRequest null (blocking commands wait out outages). */
  forWorker?: boolean;
  /** CLIENT SETNAME, visible in `CLIENT LIST` (e.g. "web", "worker-3"). */
  name?: string;
  /** Upper bound of the reconnect delay. */
  maxReconnectDelayMs?: number;
}

/** Reconnect delay: 100 ms doubling per attempt, capped, with ±20 % jitter so a fleet of
 *  processes does not reconnect in lockstep after a Redis restart. Never gives up. */
export function reconnectDelay(attempt: number, capMs = 5_000): number {
  const base = Math.min(capMs, 100 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function redisConnectionOptions(opts: RedisConnectionOptions = {}): RedisOptions {
  const forWorker = opts.forWorker ?? false;
  const cap = opts.maxReconnectDelayMs ?? 5_000;
  return {
    connectionName: opts.name,
    connectTimeout: 5_000,
    retryStrategy: (times) => reconnectDelay(times, cap),
    // Worker: BullMQ needs null; commands queue while reconnecting and run once Redis is back.
    // Producer: a command issued while Redis is down fails at once instead of holding a web request.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
    // A failover leaves the old primary read-only: reconnect to reach the new one.
    reconnectOnError: (err) => err.message.startsWith("READONLY"),
  };
}

export function createRedisConnection(
  url: string = process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
  opts: RedisConnectionOptions = {},
): Redis {
  return new Redis(url, redisConnectionOptions(opts));
}

/** Key prefix of this deployment (BullMQ's `prefix` option; never ioredis keyPrefix, which BullMQ rejects). */
export function keyPrefix(): string {
  return process.env.REDIS_PREFIX?.trim() || DEFAULT_REDIS_PREFIX;
}

/** Thrown by producers when Redis cannot take the job: web maps it to 503. */
export class QueueUnavailableError extends Error {
  readonly code = "QUEUE_UNAVAILABLE";
  constructor(cause: unknown) {
    super(`Queue backend (Redis) unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "QueueUnavailableError";
  }
}

/**
 * Resolves once a command can be sent. Worker connections queue commands while connecting, so they
 * pass at once; producer connections reject commands before "ready": wait for the first connect, but
 * fail fast while reconnecting (Redis known to be down).
 */
export async function waitForRedis(connection: Redis, timeoutMs = 5_000): Promise<void> {
  if (connection.status === "ready" || connection.options.enableOfflineQueue) return;
  if (connection.status === "wait") await connection.connect().catch(() => undefined);
  if (connection.status === "end" || connection.status === "close") {
    throw new QueueUnavailableError(new Error("connection closed"));
  }
  if (connection.status === "reconnecting") throw new QueueUnavailableError(new Error("reconnecting"));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new QueueUnavailableError(new Error(`not ready after ${timeoutMs} ms`)));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new QueueUnavailableError(new Error("connection closed")));
    };
    const cleanup = () => {
      clearTimeout(timer);
      connection.off("ready", onReady);
      connection.off("end", onEnd);
    };
    connection.on("ready", onReady);
    connection.on("end", onEnd);
    if (connection.status === "ready") onReady();
  });
}

// Readiness of the web process: Postgres and Redis both answer within a short bound.
import { waitForRedis } from "@zapflow/queue";
import type { ServerDeps } from "./deps";

const CHECK_TIMEOUT_MS = 2_000;

async function timed(check: () => Promise<unknown>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      ms: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(deps: Pick<ServerDeps, "prisma" | "redis">) {
  const [postgres, redis] = await Promise.all([
    timed(() => deps.prisma.$queryRaw`SELECT 1`),
    timed(async () => {
      // A producer connection does not queue commands: wait for its first connect (the very first
      // request after start found it still "connecting" and reported Redis down), fail fast while
      // it is reconnecting.
      await waitForRedis(deps.redis, CHECK_TIMEOUT_MS);
      await deps.redis.ping();
    }),
  ]);
  return { ok: postgres.ok && redis.ok, checks: { postgres, redis } };
}

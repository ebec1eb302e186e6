// /health: Redis and Postgres answer within a second, and every module reports healthy.
import type { PrismaClient } from "@zapflow/db";
import type { createRedisConnection } from "@zapflow/queue";
import type { WorkerModule } from "../module";
import type { PoolStats } from "../sessions/pool";

type RedisClient = ReturnType<typeof createRedisConnection>;

const CHECK_TIMEOUT_MS = 1_000;

export interface HealthDeps {
  redis: RedisClient;
  prisma: PrismaClient;
  modules: () => WorkerModule[];
  pool: () => PoolStats | undefined;
  workerId: string;
}

export interface HealthReport {
  ok: boolean;
  workerId: string;
  checks: { redis: boolean; postgres: boolean; sessions: boolean; modules: Record<string, boolean> };
  sessions?: PoolStats;
}

function within<T>(work: Promise<T>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  return Promise.race([
    work.then(
      () => true,
      () => false,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const [redis, postgres] = await Promise.all([
    // A worker connection queues commands while Redis is down: check the state first.
    deps.redis.status === "ready" ? within(deps.redis.ping()) : Promise.resolve(false),
    within(deps.prisma.$queryRaw`SELECT 1`),
  ]);
  const modules: Record<string, boolean> = {};
  for (const module of deps.modules()) {
    modules[module.name] = module.healthy
      ? await within(
          Promise.resolve(module.healthy()).then((ok) => {
            if (!ok) throw new Error("unhealthy");
          }),
        )
      : true;
  }
  const sessions = modules.sessions ?? false;
  const ok = redis && postgres && Object.values(modules).every(Boolean);
  return {
    ok,
    workerId: deps.workerId,
    checks: { redis, postgres, sessions, modules },
    sessions: deps.pool(),
  };
}

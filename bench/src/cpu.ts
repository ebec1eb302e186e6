// CPU time of the three processes an end-to-end figure depends on: this Node process, the Redis
// server (INFO cpu) and the Postgres backends serving this database (/proc of their pids), so a
// benchmark can say where the time per message goes, not only how long it took.
import { readFileSync } from "node:fs";
import type { PrismaClient } from "@zapflow/db";
import type { Redis } from "ioredis";

export interface CpuSample {
  nodeUs: number;
  redisUs: number;
  postgresUs: number;
}

const CLOCK_TICK_US = 10_000; // USER_HZ = 100 on Linux

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field("used_cpu_sys") + field("used_cpu_user")) * 1e6;
}

/** Backends of the current database only (other databases on the server are not ours). */
async function postgresCpuUs(prisma: PrismaClient): Promise<number> {
  const rows = await prisma.$queryRaw<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      // Fields after "(comm) ": utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A backend that exited between the query and the read.
    }
  }
  return ticks * CLOCK_TICK_US;
}

export async function sampleCpu(redis: Redis, prisma?: PrismaClient): Promise<CpuSample> {
  const { user, system } = process.cpuUsage();
  return {
    nodeUs: user + system,
    redisUs: await redisCpuUs(redis),
    postgresUs: prisma ? await postgresCpuUs(prisma) : 0,
  };
}

/** CPU microseconds per unit of work between two samples. */
export function cpuPerUnit(before: CpuSample, after: CpuSample, units: number) {
  const per = (a: number, b: number) => Math.round((b - a) / units);
  return {
    node: per(before.nodeUs, after.nodeUs),
    redis: per(before.redisUs, after.redisUs),
    postgres: per(before.postgresUs, after.postgresUs),
  };
}

import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { createPgPool, type PoolOptions } from "./sql/pool";

export type CreatePrismaOptions = PoolOptions;

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** A Prisma client on a pg Pool that the hot-path SQL (`pgPoolOf`) shares; $disconnect ends it. */
export function createPrisma(options: CreatePrismaOptions = {}): PrismaClient {
  const pool = createPgPool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/** The pg Pool under a client made by createPrisma (the same connections, limits and URL). */
export function pgPoolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("this PrismaClient was not made by createPrisma: it has no shared pg Pool");
  return pool;
}

let shared: PrismaClient | undefined;

/** The process-wide client (lazy, so importing this package never opens a connection). */
export function getPrisma(): PrismaClient {
  shared ??= createPrisma();
  return shared;
}

export async function disconnectPrisma(): Promise<void> {
  if (shared) await shared.$disconnect();
  shared = undefined;
}

export type { PrismaClient };

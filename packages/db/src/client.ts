import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import { createPgPool, type PoolOptions } from "./sql/pool";

export type CreatePrismaOptions = PoolOptions;

// Kept on the client and on globalThis under registry symbols, not in module variables: a bundler may
// load this module more than once (Next.js did, per route), and every copy must find the same pool
// and the same process-wide client.
const POOL = Symbol.for("zapflow.db.pgPool");
const SHARED = Symbol.for("zapflow.db.sharedPrisma");
type WithPool = PrismaClient & { [POOL]?: pg.Pool };
const holder = globalThis as { [SHARED]?: PrismaClient };

/** A Prisma client on a pg Pool that the hot-path SQL (`pgPoolOf`) shares; $disconnect ends it. */
export function createPrisma(options: CreatePrismaOptions = {}): PrismaClient {
  const pool = createPgPool(options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(prisma, POOL, { value: pool });
  return prisma;
}

/** The pg Pool under a client made by createPrisma (the same connections, limits and URL). */
export function pgPoolOf(prisma: PrismaClient): pg.Pool {
  const pool = (prisma as WithPool)[POOL];
  if (!pool) throw new Error("this PrismaClient was not made by createPrisma: it has no shared pg Pool");
  return pool;
}

/** The process-wide client (lazy, so importing this package never opens a connection). */
export function getPrisma(): PrismaClient {
  holder[SHARED] ??= createPrisma();
  return holder[SHARED];
}

export async function disconnectPrisma(): Promise<void> {
  const shared = holder[SHARED];
  holder[SHARED] = undefined;
  if (shared) await shared.$disconnect();
}

export type { PrismaClient };

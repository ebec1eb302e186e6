import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

export interface CreatePrismaOptions {
  url?: string;
  /** Pool size per process; DB_POOL_MAX or 10. */
  max?: number;
  /** Idle connections closed after this many ms; DB_POOL_IDLE_MS or 30 s. */
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
}

export function createPrisma(options: CreatePrismaOptions = {}): PrismaClient {
  const connectionString = options.url ?? process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/zapflow)");
  }
  const adapter = new PrismaPg({
    connectionString,
    max: options.max ?? Number(process.env.DB_POOL_MAX ?? 10),
    idleTimeoutMillis: options.idleTimeoutMillis ?? Number(process.env.DB_POOL_IDLE_MS ?? 30_000),
    connectionTimeoutMillis:
      options.connectionTimeoutMillis ?? Number(process.env.DB_CONNECT_TIMEOUT_MS ?? 10_000),
  });
  return new PrismaClient({ adapter });
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

// The pg Pool behind Prisma, shared with the hand-written hot statements (one set of connections,
// one DATABASE_URL / DB_POOL_* configuration).
import pg from "pg";

export interface PoolOptions {
  url?: string;
  /** Pool size per process; DB_POOL_MAX or 10. */
  max?: number;
  /** Idle connections closed after this many ms; DB_POOL_IDLE_MS or 30 s. */
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
}

export function createPgPool(options: PoolOptions = {}): pg.Pool {
  const connectionString = options.url ?? process.env.DATABASE_URL;
  if (!connectionString) {
    throw new Error("DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/zapflow)");
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? Number(process.env.DB_POOL_MAX ?? 10),
    idleTimeoutMillis: options.idleTimeoutMillis ?? Number(process.env.DB_POOL_IDLE_MS ?? 30_000),
    connectionTimeoutMillis:
      options.connectionTimeoutMillis ?? Number(process.env.DB_CONNECT_TIMEOUT_MS ?? 10_000),
  });
  // An idle connection dropped by the server (Postgres restarting) leaves the pool by itself; without
  // a listener that 'error' would crash the process before Prisma attaches its own.
  pool.on("error", () => undefined);
  return pool;
}

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

const TIMESTAMP_OID = 1114;
// Prisma stores DateTime as UTC in `timestamp(3)` columns; pg would read those as local time.
const utcTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID
      ? (v: string) => new Date(`${v.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/** Runs a parameterised statement, reading timestamp columns as UTC. */
export async function query<R extends pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const result = await db.query<R>({ text, values, types: utcTypes });
  return result.rows;
}

/** A Date as a parameter for `($n::timestamptz AT TIME ZONE 'UTC')`, i.e. a UTC timestamp(3). */
export function utc(at: Date): string {
  return at.toISOString();
}

/** BEGIN … COMMIT on one client of the pool (ROLLBACK and rethrow on error). */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    // A connection that cannot even roll back is dropped from the pool.
    await client.query("ROLLBACK").catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

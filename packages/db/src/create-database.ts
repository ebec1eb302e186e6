// `pnpm --filter @zapflow/db db:create`: creates the database named in DATABASE_URL if it is missing
// (connecting to the server's `postgres` database), so `pnpm start` works on a fresh server.
import { pathToFileURL } from "node:url";
import pg from "pg";

/** Returns true if the database was created, false if it existed. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL has no database name: ${url.origin}`);
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Another process created it between the check and the CREATE.
    if ((err as { code?: string }).code === "42P04") return false;
    throw err;
  } finally {
    await admin.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/zapflow";
  ensureDatabase(databaseUrl).then(
    (created) => {
      const name = new URL(databaseUrl).pathname.slice(1);
      console.log(created ? `Created database ${name}` : `Database ${name} exists`);
    },
    (err: unknown) => {
      console.error(`Could not create the database: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}

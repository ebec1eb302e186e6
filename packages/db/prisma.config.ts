// Prisma 6.19 CLI config that runs every command without native engines (nothing is downloaded):
// engine "js" + an adapter → migrate/db commands use the bundled WebAssembly schema engine.
// Only the Prisma CLI loads this file; the app uses src/client.ts.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PoolConfig } from "pg";
import { defineConfig } from "prisma/config";

// schema.prisma's env("DATABASE_URL") must resolve; .env is not auto-loaded once a config exists.
process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/zapflow";
const url = new URL(process.env.DATABASE_URL);

// Discrete fields (not connectionString) so the shadow database name below takes effect.
const pgConfig: PoolConfig = {
  host: url.hostname,
  port: Number(url.port || 5432),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
  database: url.pathname.slice(1),
  allowExitOnIdle: true,
};

// Patch the exact `pg` instance adapter-pg loads (pnpm may hold several copies).
const req = createRequire(import.meta.url);
const pg = createRequire(req.resolve("@prisma/adapter-pg"))("pg");

// The wasm engine reads catalog columns of type `name` (19) and `"char"` (18), which adapter-pg
// cannot map: report them as text (25).
const origAddFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function (fields: Array<{ dataTypeID: number }>) {
  for (const f of fields) if (f.dataTypeID === 18 || f.dataTypeID === 19) f.dataTypeID = 25;
  return origAddFields.call(this, fields);
};

// The wasm engine leaves 10–60 s timers behind; unref them so each command exits when done.
const origSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = function (this: unknown, ...args: Parameters<typeof setTimeout>) {
  const timer = origSetTimeout.apply(this, args);
  if (Number(args[1]) >= 1000 && new Error().stack?.includes("wasm://")) timer.unref?.();
  return timer;
} as typeof setTimeout;

async function adminSql(sql: string) {
  const c = new pg.Client(pgConfig);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// adapter-pg drops the shadow DB while its pool is still open; manage the shadow DB ourselves.
class PrismaPgForMigrate extends PrismaPg {
  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replace(/-/g, "")}`;
    await adminSql(`CREATE DATABASE "${name}"`);
    const adapter = await new PrismaPg({ ...pgConfig, database: name }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await adminSql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => new PrismaPgForMigrate(pgConfig),
});

// Test databases: every test file gets its own fresh database, cloned from a template that has
// all migrations applied. Cloning takes ~100 ms, so files can run in parallel and leave nothing.
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createPrisma, type PrismaClient } from "../client";

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

export function adminUrl(): string {
  return process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
}

/** URL of `database` on the test server. */
export function urlFor(database: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** Migration folder names, in the order they apply. */
export function migrationNames(): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function migrationSql(): { sql: string[]; hash: string } {
  const dirs = migrationNames();
  const sql = dirs.map((d) => readFileSync(join(migrationsDir, d, "migration.sql"), "utf8"));
  const hash = createHash("sha256").update(sql.join("\n--\n")).digest("hex").slice(0, 12);
  return { sql, hash };
}

/** Runs `fn` on a connection to the test server's admin database. */
export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (once per migration set) the migrated template database and returns its name. */
export async function ensureTemplateDatabase(): Promise<string> {
  const { sql, hash } = migrationSql();
  const template = `zapflow_tpl_${hash}`;
  await withAdmin(async (admin) => {
    // Serialise template creation across parallel test files and processes.
    await admin.query("SELECT pg_advisory_lock(424242)");
    try {
      const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
      if (exists.rowCount) return;
      const building = `${template}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      const db = new pg.Client({ connectionString: urlFor(building) });
      await db.connect();
      try {
        for (const statement of sql) await db.query(statement);
      } finally {
        await db.end();
      }
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock(424242)");
    }
  });
  return template;
}

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  /** Disconnects and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated, empty database for one test file. Call `drop()` in afterAll. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const slug = label
    .replace(/[^a-z0-9]/gi, "")
    .slice(0, 20)
    .toLowerCase();
  const name = `zft_${slug}_${randomUUID().slice(0, 8)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = urlFor(name);
  const prisma = createPrisma({ url, max: 5 });
  return {
    name,
    url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

// CI's drift check: `prisma migrate diff --exit-code` is 0 while schema.prisma and the migrations
// agree, and 2 as soon as the schema changes without a migration. And the deploy path itself:
// `prisma migrate deploy` (what `pnpm start` and docker compose run) applies every migration to an
// empty database — test databases are cloned from a template built by running the SQL directly,
// which would not notice a migration that only Prisma's script splitter chokes on.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { adminUrl, migrationNames, urlFor, withAdmin } from "../src/testing/index";

const packageDir = join(import.meta.dirname, "..");
const schemaPath = join(packageDir, "prisma", "schema.prisma");
const tempDir = mkdtempSync(join(tmpdir(), "zapflow-drift-"));

/** Runs the Prisma CLI of this package (prisma.config.ts reads DATABASE_URL). */
function prisma(args: string[], databaseUrl = adminUrl()) {
  const result = spawnSync(join(packageDir, "node_modules", ".bin", "prisma"), args, {
    cwd: packageDir,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: databaseUrl },
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The same command as `pnpm --filter @zapflow/db migrate:check`, against another schema file if given
 *  (the shadow database is created on the test server). */
function migrateDiff(schema: string) {
  return prisma([
    "migrate",
    "diff",
    "--from-migrations",
    "prisma/migrations",
    "--to-schema-datamodel",
    schema,
    "--exit-code",
  ]);
}

afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe("migration drift check", () => {
  it("exits 0 on the committed schema and migrations", () => {
    const { status, output } = migrateDiff("prisma/schema.prisma");
    expect(output).toContain("No difference detected");
    expect(status).toBe(0);
  });

  it("exits 2 when schema.prisma gains a field without a migration", () => {
    const original = readFileSync(schemaPath, "utf8");
    const anchor = /(model Company \{\n)/;
    expect(original).toMatch(anchor);
    const changed = join(tempDir, "schema.prisma");
    writeFileSync(changed, original.replace(anchor, "$1  driftProbe String?\n"));
    const { status, output } = migrateDiff(changed);
    expect(output).toContain("Added column `driftProbe`");
    expect(status).toBe(2);
  });
});

describe("migrate deploy", () => {
  it("applies every migration to an empty database", async () => {
    const name = `zft_deploy_${randomUUID().slice(0, 8)}`;
    const url = urlFor(name);
    await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
    try {
      const { status, output } = prisma(["migrate", "deploy"], url);
      expect(output, output).not.toMatch(/error/i);
      expect(status).toBe(0);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const applied = await client.query<{ migration_name: string }>(
          `SELECT migration_name FROM _prisma_migrations
           WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
        );
        expect(applied.rows.map((r) => r.migration_name)).toEqual(migrationNames());
      } finally {
        await client.end();
      }
    } finally {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  }, 120_000);
});

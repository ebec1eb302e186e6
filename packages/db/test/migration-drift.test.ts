// CI's drift check: `prisma migrate diff --exit-code` is 0 while schema.prisma and the migrations
// agree, and 2 as soon as the schema changes without a migration.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adminUrl } from "../src/testing/index";

const packageDir = join(import.meta.dirname, "..");
const schemaPath = join(packageDir, "prisma", "schema.prisma");
const tempDir = mkdtempSync(join(tmpdir(), "zapflow-drift-"));

/** Runs the same command as `pnpm --filter @zapflow/db migrate:check`, against another schema file if given. */
function migrateDiff(schema: string) {
  const result = spawnSync(
    join(packageDir, "node_modules", ".bin", "prisma"),
    [
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema-datamodel",
      schema,
      "--exit-code",
    ],
    // The shadow database is created on the test server (prisma.config.ts reads DATABASE_URL).
    {
      cwd: packageDir,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: adminUrl() },
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
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

import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDatabase } from "../src/create-database";
import { adminUrl } from "../src/testing/index";

const name = `zft_create_${randomUUID().slice(0, 8)}`;
const url = new URL(adminUrl());
url.pathname = `/${name}`;

async function adminQuery(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe("ensureDatabase (pnpm start on a fresh server)", () => {
  it("creates a missing database once, then leaves it alone", async () => {
    expect(await ensureDatabase(url.toString())).toBe(true);
    const found = await adminQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    expect(found.rowCount).toBe(1);
    expect(await ensureDatabase(url.toString())).toBe(false);
  });

  it("refuses a URL without a database name", async () => {
    const bare = new URL(adminUrl());
    bare.pathname = "/";
    await expect(ensureDatabase(bare.toString())).rejects.toThrow(/no database name/);
  });
});

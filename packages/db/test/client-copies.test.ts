// A bundler may load @zapflow/db more than once in one process (Next.js did, per route): a client made
// by one copy must still give its pg Pool to another copy's pgPoolOf, and getPrisma must be one client.
import { afterAll, describe, expect, it } from "vitest";
import * as first from "../src/client";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";

let db: TestDatabase | undefined;

afterAll(async () => {
  await db?.drop();
});

describe("client module loaded twice", () => {
  it("pgPoolOf of one copy finds the pool of a client made by the other", async () => {
    // A second instance of the same module, as a second bundle chunk would have.
    // @ts-expect-error a query string makes Vite load a second module instance; tsc cannot resolve it
    const second = (await import("../src/client?copy=2")) as typeof first;
    expect(second.createPrisma).not.toBe(first.createPrisma);
    db = await createTestDatabase("clientcopies");
    const prisma = first.createPrisma({ url: db.url, max: 2 });
    try {
      const { rows } = await second.pgPoolOf(prisma).query("SELECT 1 AS one");
      expect(rows).toEqual([{ one: 1 }]);
      expect(second.pgPoolOf(prisma)).toBe(first.pgPoolOf(prisma));
    } finally {
      await prisma.$disconnect();
    }
  });

  it("getPrisma answers the same client from every copy", async () => {
    // @ts-expect-error as above: another instance of the module
    const second = (await import("../src/client?copy=3")) as typeof first;
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/postgres";
    try {
      expect(second.getPrisma()).toBe(first.getPrisma());
    } finally {
      await first.disconnectPrisma();
      process.env.DATABASE_URL = saved;
    }
  });

  it("a client not made by createPrisma is refused with a readable error", async () => {
    expect(() => first.pgPoolOf({} as never)).toThrow(/not made by createPrisma/);
  });
});

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../src/passwords";
import { DEMO_PASSWORD, formatSeedResult, resolveSeedPassword, seed } from "../src/seed";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("seed");
});
afterAll(async () => {
  await db?.drop();
});

async function snapshot() {
  const p = db.prisma;
  return {
    companies: await p.company.findMany({ orderBy: { slug: "asc" } }),
    users: await p.user.findMany({ orderBy: { email: "asc" } }),
    memberships: await p.membership.findMany({ orderBy: { id: "asc" } }),
    policies: await p.rateLimitPolicy.findMany({ orderBy: { companyId: "asc" } }),
  };
}

describe("seed", () => {
  it("creates the demo tenants and users, and a second run changes nothing", async () => {
    const first = await seed(db.prisma, { env: {} });
    expect(first.password).toBe(DEMO_PASSWORD);
    expect(first.users.every((u) => u.created && u.passwordWorks)).toBe(true);
    const afterFirst = await snapshot();

    const second = await seed(db.prisma, { env: {} });
    expect(second.users.map((u) => u.created)).toEqual([false, false, false, false]);
    expect(second.users.every((u) => u.passwordWorks)).toBe(true);
    expect(await snapshot()).toEqual(afterFirst);

    const { companies, users, memberships, policies } = afterFirst;
    expect(companies.map((c) => [c.slug, c.name, c.timeZone])).toEqual([
      ["acme", "Acme Condomínios", "America/Sao_Paulo"],
      ["globex", "Globex", "America/Sao_Paulo"],
    ]);
    expect(users.map((u) => [u.email, u.isPlatformAdmin])).toEqual([
      ["admin@zapflow.test", true],
      ["member@acme.test", false],
      ["owner@acme.test", false],
      ["owner@globex.test", false],
    ]);
    const bySlug = Object.fromEntries(companies.map((c) => [c.id, c.slug]));
    const byUser = Object.fromEntries(users.map((u) => [u.id, u.email]));
    expect(memberships.map((m) => `${byUser[m.userId]} ${m.role} ${bySlug[m.companyId]}`).sort()).toEqual([
      "member@acme.test MEMBER acme",
      "owner@acme.test OWNER acme",
      "owner@globex.test OWNER globex",
    ]);
    // A default policy per company, every limit null = taken from the env defaults.
    expect(policies.map((p) => bySlug[p.companyId]).sort()).toEqual(["acme", "globex"]);
    expect(policies.every((p) => p.perNumberPerMinute === null && p.perCompanyPerDay === null)).toBe(true);
  });

  it("the seeded users sign in with the seed password and not with another", async () => {
    const users = await db.prisma.user.findMany();
    expect(users).toHaveLength(4);
    for (const u of users) {
      expect(await verifyPassword(DEMO_PASSWORD, u.passwordHash)).toBe(true);
      expect(await verifyPassword("wrong-password", u.passwordHash)).toBe(false);
      expect(u.passwordHash).not.toContain(DEMO_PASSWORD);
    }
  });

  it("a run with another password leaves existing passwords alone and says so", async () => {
    const other = await seed(db.prisma, { password: "another-password" });
    expect(other.users.every((u) => !u.created && !u.passwordWorks)).toBe(true);
    const owner = await db.prisma.user.findUniqueOrThrow({ where: { email: "owner@acme.test" } });
    expect(await verifyPassword(DEMO_PASSWORD, owner.passwordHash)).toBe(true);
    expect(formatSeedResult(other)).toContain("owner@acme.test");
    expect(formatSeedResult(other)).not.toContain("another-password");
  });

  it("takes SEED_PASSWORD, and requires it in production", () => {
    expect(resolveSeedPassword({ SEED_PASSWORD: "s3cret" })).toBe("s3cret");
    expect(resolveSeedPassword({ NODE_ENV: "production", SEED_PASSWORD: "s3cret" })).toBe("s3cret");
    expect(resolveSeedPassword({ NODE_ENV: "development" })).toBe(DEMO_PASSWORD);
    expect(() => resolveSeedPassword({ NODE_ENV: "production" })).toThrow(/SEED_PASSWORD is required/);
  });

  it("prints the password in development and hides it in production output", async () => {
    const result = await seed(db.prisma, { env: {} });
    expect(formatSeedResult(result)).toContain(`owner@acme.test     ${DEMO_PASSWORD}`);
    expect(formatSeedResult(result, false)).not.toContain(DEMO_PASSWORD);
  });

  it("runs as `pnpm --filter @zapflow/db seed` and fails clearly in production without SEED_PASSWORD", () => {
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/seed.ts"], {
        cwd: join(import.meta.dirname, ".."),
        env: { ...process.env, SEED_PASSWORD: "", ...env, DATABASE_URL: db.url },
        encoding: "utf8",
        timeout: 60_000,
      });
    const dev = run({ NODE_ENV: "development" });
    expect(dev.status).toBe(0);
    expect(dev.stdout).toMatch(/admin@zapflow\.test\s+zapflow-demo\s+— platform admin/);
    const prod = run({ NODE_ENV: "production" });
    expect(prod.status).toBe(1);
    expect(prod.stderr).toContain("SEED_PASSWORD is required");
  });
});

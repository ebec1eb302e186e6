// Platform-admin procedures: refused to everyone else (table over every admin.* procedure); a
// policy change bumps the version, writes an audit event and is published to the workers.
import { limitsChangedChannel } from "@zapflow/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestWorld, type TestWorld } from "./support/fixture";
import { allProcedurePaths, callPath } from "./support/procedures";

let w: TestWorld;

beforeAll(async () => {
  w = await createTestWorld("admin");
});
afterAll(async () => {
  await w?.close();
});

const adminPaths = () => allProcedurePaths().filter((p) => p.startsWith("admin."));

describe("platform-admin-only procedures", () => {
  const outsiders = [
    { name: "a company owner", caller: () => w.asUser(w.a.ownerId), code: "FORBIDDEN" },
    { name: "a company member", caller: () => w.asUser(w.memberOfA), code: "FORBIDDEN" },
    { name: "an API key with every scope", caller: () => w.asKey(w.a), code: "UNAUTHORIZED" },
    { name: "an anonymous caller", caller: () => w.caller(null), code: "UNAUTHORIZED" },
  ];
  for (const who of outsiders) {
    it(`refuse ${who.name}`, async () => {
      expect(adminPaths().length).toBeGreaterThanOrEqual(7);
      for (const path of adminPaths()) {
        await expect(
          callPath(who.caller(), path, { companyId: w.a.companyId, policy: {} }),
          path,
        ).rejects.toMatchObject({ code: who.code });
      }
      expect(await w.prisma.rateLimitPolicy.count()).toBe(0);
    });
  }

  it("answer the platform admin", async () => {
    const admin = w.asUser(w.platformAdmin);
    const companies = await admin.admin.companies();
    expect(companies.map((c) => c.slug).sort()).toEqual(["alpha", "bravo"]);
    const stats = await admin.admin.stats();
    expect(stats.companies).toBe(2);
  });

  it("a policy edit bumps the version, is audited and published to workers", async () => {
    const sub = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    const received: string[] = [];
    await sub.subscribe(limitsChangedChannel(w.prefix));
    sub.on("message", (_c, m) => received.push(m));
    try {
      const admin = w.asUser(w.platformAdmin);
      const v1 = await admin.admin.updateCompanyPolicy({
        companyId: w.a.companyId,
        policy: { perNumberPerMinute: 5 },
      });
      const v2 = await admin.admin.updateCompanyPolicy({
        companyId: w.a.companyId,
        policy: { perNumberPerMinute: null, perCompanyPerDay: 100 },
      });
      expect(v2.version).toBe(v1.version + 1);
      expect(v2.perNumberPerMinute).toBeNull();
      const view = await w.asUser(w.a.ownerId).limits.policy();
      expect(view.effective.perCompanyPerDay).toBe(100);
      expect(view.effective.perNumberPerMinute).toBe(view.defaults.perNumberPerMinute);
      const events = await w.prisma.event.count({
        where: { companyId: w.a.companyId, type: "limits.policy_updated" },
      });
      expect(events).toBe(2);
      await expect.poll(() => received.length).toBe(2);
      expect(received).toEqual([w.a.companyId, w.a.companyId]);
      // B's policy is untouched.
      expect(await w.prisma.rateLimitPolicy.findUnique({ where: { companyId: w.b.companyId } })).toBeNull();
    } finally {
      sub.disconnect();
    }
  });
});

describe("company roles", () => {
  it("a member cannot manage API keys or webhooks; the owner can", async () => {
    const member = w.asUser(w.memberOfA);
    await expect(member.apiKeys.create({ name: "x", scopes: ["messages:read"] })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(member.webhooks.create({ url: "https://x.example" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const created = await w.asUser(w.a.ownerId).apiKeys.create({ name: "x", scopes: ["messages:read"] });
    expect(created.key).toMatch(/^zf_/);
    const stored = await w.prisma.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.hashedKey).not.toContain(created.key);
  });
});

// next-auth callbacks: credentials sign-in (bcrypt), and the company switcher, which stores a
// company in the JWT only after checking the membership.
import { disconnectPrisma } from "@zapflow/db";
import { hashPassword } from "@zapflow/db/passwords";
import type { User } from "next-auth";
import type { JWT } from "next-auth/jwt";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authOptions } from "@/server/auth/options";
import { createTestWorld, type TestWorld } from "./support/fixture";

let w: TestWorld;
const previousUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  w = await createTestWorld("auth");
  // authOptions use the process-wide client (getPrisma): point it at this file's database.
  await disconnectPrisma();
  process.env.DATABASE_URL = w.db.url;
  await w.prisma.user.update({
    where: { id: w.a.ownerId },
    data: { passwordHash: await hashPassword("right-password", 4) },
  });
});
afterAll(async () => {
  await disconnectPrisma();
  process.env.DATABASE_URL = previousUrl;
  await w?.close();
});

const jwt = (params: Record<string, unknown>) =>
  authOptions.callbacks!.jwt!(
    params as unknown as Parameters<NonNullable<typeof authOptions.callbacks>["jwt"] & object>[0],
  );

function authorize(email: string, password: string) {
  const provider = authOptions.providers[0] as unknown as CredentialsConfig;
  return provider.options.authorize!({ email, password }, {} as never);
}

describe("credentials sign-in", () => {
  it("accepts the right password (email case-insensitive) and refuses a wrong one", async () => {
    const user = await authorize("OWNER@alpha.test", "right-password");
    expect(user?.id).toBe(w.a.ownerId);
    expect(await authorize("owner@alpha.test", "wrong")).toBeNull();
    expect(await authorize("nobody@alpha.test", "right-password")).toBeNull();
    expect(await authorize("not an email", "x")).toBeNull();
  });
});

describe("company switcher", () => {
  it("sign-in puts the user's first company in the token", async () => {
    const token = await jwt({ token: {}, user: { id: w.a.ownerId, isPlatformAdmin: false } as User });
    expect(token).toMatchObject({
      userId: w.a.ownerId,
      activeCompanyId: w.a.companyId,
      isPlatformAdmin: false,
    });
  });

  it("switches to a company the user belongs to and refuses one they do not", async () => {
    await w.prisma.membership.create({
      data: { userId: w.a.ownerId, companyId: w.b.companyId, role: "MEMBER" },
    });
    const start: JWT = { userId: w.a.ownerId, activeCompanyId: w.a.companyId };
    const switched = await jwt({
      token: { ...start },
      trigger: "update",
      session: { companyId: w.b.companyId },
    });
    expect(switched.activeCompanyId).toBe(w.b.companyId);
    await w.prisma.membership.deleteMany({ where: { userId: w.a.ownerId, companyId: w.b.companyId } });
    const refused = await jwt({
      token: { ...start },
      trigger: "update",
      session: { companyId: w.b.companyId },
    });
    expect(refused.activeCompanyId).toBe(w.a.companyId);
    // Even a stale token naming a company the user left gives no access: procedures re-check membership.
    await w.prisma.whatsappSession.create({ data: { companyId: w.b.companyId, label: "B only" } });
    const caller = w.asUser(w.a.ownerId, w.b.companyId);
    const sessions = await caller.sessions.list();
    expect(sessions.items.map((s) => s.label)).not.toContain("B only");
    const me = await caller.auth.me();
    expect(me.activeCompanyId).toBe(w.a.companyId);
  });
});

// Bad input → 400 with field-level messages and nothing written; duplicates → 409.
import { QueueName } from "@zapflow/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createTestWorld, type TestWorld } from "./support/fixture";
import { trpcMutation } from "./support/http";

let w: TestWorld;
let owner: Principal;
let sessionId: string;

beforeAll(async () => {
  w = await createTestWorld("validation");
  owner = { kind: "user", userId: w.a.ownerId, isPlatformAdmin: false, activeCompanyId: w.a.companyId };
  sessionId = (await w.prisma.whatsappSession.create({ data: { companyId: w.a.companyId, label: "main" } }))
    .id;
});
afterAll(async () => {
  await w?.close();
});

const countMessages = () => w.prisma.message.count();

describe("bad input is a 400 with field messages, and nothing is written", () => {
  it("sessions.create with an empty label", async () => {
    const before = await w.prisma.whatsappSession.count();
    const r = await trpcMutation(w.deps, owner, "sessions.create", { label: "   " });
    expect(r.status).toBe(400);
    expect(r.error?.data.code).toBe("BAD_REQUEST");
    expect(r.error?.data.fieldErrors?.label?.[0]).toMatch(/label is required/);
    expect(await w.prisma.whatsappSession.count()).toBe(before);
  });

  it("messages.send with a malformed phone and with no text", async () => {
    const badPhone = await trpcMutation(w.deps, owner, "messages.send", {
      sessionId,
      to: "not-a-phone",
      type: "text",
      text: "hi",
    });
    expect(badPhone.status).toBe(400);
    expect(Object.keys(badPhone.error?.data.fieldErrors ?? {})).toEqual(["to"]);
    const noText = await trpcMutation(w.deps, owner, "messages.send", {
      sessionId,
      to: "+5511987654321",
      type: "text",
    });
    expect(noText.status).toBe(400);
    expect(noText.error?.data.fieldErrors?.text?.[0]).toMatch(/text/);
    expect(await countMessages()).toBe(0);
  });

  it("messages.send with an unknown field is refused (strict body)", async () => {
    const r = await trpcMutation(w.deps, owner, "messages.send", {
      sessionId,
      to: "+5511987654321",
      type: "text",
      text: "x",
      companyId: w.b.companyId,
    });
    expect(r.status).toBe(400);
    expect(await countMessages()).toBe(0);
  });

  it("messages.sendBulk with one bad item writes none of them", async () => {
    const good = { sessionId, to: "+5511987654321", type: "text", text: "ok" };
    const r = await trpcMutation(w.deps, owner, "messages.sendBulk", {
      messages: [good, { ...good, to: "12" }, good],
    });
    expect(r.status).toBe(400);
    expect(Object.keys(r.error?.data.fieldErrors ?? {})).toEqual(["[1].to"]);
    expect(await countMessages()).toBe(0);
  });

  it("sessions.requestPairingCode with a short phone enqueues nothing", async () => {
    const r = await trpcMutation(w.deps, owner, "sessions.requestPairingCode", {
      id: sessionId,
      phone: "12",
    });
    expect(r.status).toBe(400);
    expect(r.error?.data.fieldErrors?.phone?.[0]).toMatch(/8–15 digits/);
    const counts = await w.deps.queues.get(QueueName.sessionLifecycle).getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    const row = await w.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row.pairingPhone).toBeNull();
  });

  it("apiKeys.create with no scope or an unknown scope", async () => {
    const none = await trpcMutation(w.deps, owner, "apiKeys.create", { name: "k", scopes: [] });
    expect(none.error?.data.fieldErrors?.scopes?.[0]).toMatch(/at least one scope/);
    const bogus = await trpcMutation(w.deps, owner, "apiKeys.create", { name: "k", scopes: ["root"] });
    expect(bogus.status).toBe(400);
    expect(Object.keys(bogus.error?.data.fieldErrors ?? {})).toEqual(["scopes.0"]);
    const past = await trpcMutation(w.deps, owner, "apiKeys.create", {
      name: "k",
      scopes: ["messages:read"],
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(past.error?.data.fieldErrors?.expiresAt?.[0]).toMatch(/future/);
    expect(await w.prisma.apiKey.count({ where: { companyId: w.a.companyId } })).toBe(1); // the fixture's key only
  });

  it("webhooks.create with a non-http URL", async () => {
    const r = await trpcMutation(w.deps, owner, "webhooks.create", { url: "ftp://example.com/x" });
    expect(r.status).toBe(400);
    expect(r.error?.data.fieldErrors?.url?.[0]).toMatch(/http/);
    expect(await w.prisma.webhookEndpoint.count()).toBe(0);
  });

  it("admin.updateCompanyPolicy with min delay above max delay", async () => {
    const admin: Principal = {
      kind: "user",
      userId: w.platformAdmin,
      isPlatformAdmin: true,
      activeCompanyId: null,
    };
    const r = await trpcMutation(w.deps, admin, "admin.updateCompanyPolicy", {
      companyId: w.a.companyId,
      policy: { minDelayMs: 5000, maxDelayMs: 100, quietHoursStart: "25:00" },
    });
    expect(r.status).toBe(400);
    expect(r.error?.data.fieldErrors).toMatchObject({
      "policy.maxDelayMs": [expect.stringMatching(/minDelayMs/)],
      "policy.quietHoursStart": [expect.stringMatching(/HH:MM/)],
    });
    expect(await w.prisma.rateLimitPolicy.count()).toBe(0);
  });

  it("a duplicate session label is a 409, not a 500", async () => {
    const r = await trpcMutation(w.deps, owner, "sessions.create", { label: "main" });
    expect(r.status).toBe(409);
    expect(r.error?.data.code).toBe("CONFLICT");
  });

  it("an unknown id is a 404", async () => {
    const r = await trpcMutation(w.deps, owner, "sessions.start", {
      id: "0197a000-0000-7000-8000-000000000000",
    });
    expect(r.status).toBe(404);
  });
});

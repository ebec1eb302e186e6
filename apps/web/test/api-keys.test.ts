// REST API authentication by API key: revoked / expired / unknown keys → 401, missing scope → 403,
// lastUsedAt written at most once a minute; plus a real send through POST /api/v1/messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestWorld, insertApiKey, type TestWorld } from "./support/fixture";
import { rest } from "./support/http";

let w: TestWorld;
let sessionId: string;

beforeAll(async () => {
  w = await createTestWorld("apikeys");
  sessionId = (
    await w.prisma.whatsappSession.create({
      data: { companyId: w.a.companyId, label: "main", status: "CONNECTED" },
    })
  ).id;
});
afterAll(async () => {
  await w?.close();
});

describe("API key authentication", () => {
  it("no key, a malformed key and an unknown key are 401", async () => {
    expect((await rest(w.deps, "GET", "/sessions")).status).toBe(401);
    expect((await rest(w.deps, "GET", "/sessions", { key: "not-a-key" })).status).toBe(401);
    expect((await rest(w.deps, "GET", "/sessions", { key: "zf_unknownunknownunknown" })).status).toBe(401);
  });

  it("a valid key lists only its own company's sessions", async () => {
    const r = await rest(w.deps, "GET", "/sessions", { key: w.a.apiKey });
    expect(r.status).toBe(200);
    expect((r.body.items as { id: string }[]).map((s) => s.id)).toEqual([sessionId]);
    const other = await rest(w.deps, "GET", "/sessions", { key: w.b.apiKey });
    expect(other.body.items).toEqual([]);
  });

  it("a revoked key is 401", async () => {
    const { key } = await insertApiKey(w.prisma, w.a.companyId, {
      scopes: ["sessions:read"],
      revokedAt: new Date(),
    });
    const r = await rest(w.deps, "GET", "/sessions", { key });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/revoked/);
  });

  it("an expired key is 401", async () => {
    const { key } = await insertApiKey(w.prisma, w.a.companyId, {
      scopes: ["sessions:read"],
      expiresAt: new Date(Date.now() - 1000),
    });
    const r = await rest(w.deps, "GET", "/sessions", { key });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/expired/);
  });

  it("a key without the procedure's scope is 403 and changes nothing", async () => {
    const { key } = await insertApiKey(w.prisma, w.a.companyId, { scopes: ["sessions:read"] });
    expect((await rest(w.deps, "GET", "/sessions", { key })).status).toBe(200);
    const start = await rest(w.deps, "POST", `/sessions/${sessionId}/start`, { key });
    expect(start.status).toBe(403);
    expect(start.body.message).toMatch(/sessions:write/);
    const send = await rest(w.deps, "POST", "/messages", {
      key,
      body: { sessionId, to: "+5511987654321", type: "text", text: "x" },
    });
    expect(send.status).toBe(403);
    expect(await w.prisma.message.count()).toBe(0);
    const row = await w.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row.desiredState).toBe("DISCONNECTED");
  });

  it("lastUsedAt is written on first use, then at most once a minute", async () => {
    const { key, id } = await insertApiKey(w.prisma, w.a.companyId, { scopes: ["sessions:read"] });
    await rest(w.deps, "GET", "/sessions", { key });
    const first = (await w.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    const recent = new Date(Date.now() - 30_000);
    await w.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: recent } });
    await rest(w.deps, "GET", "/sessions", { key });
    expect((await w.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(recent);
    const old = new Date(Date.now() - 61_000);
    await w.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: old } });
    await rest(w.deps, "GET", "/sessions", { key });
    expect(
      (await w.prisma.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt!.getTime(),
    ).toBeGreaterThan(old.getTime() + 60_000);
  });

  it("key management stays dashboard-only; webhooks need their own scope", async () => {
    const { createInnerContext } = await import("@/server/context");
    const { createCaller } = await import("@/server/root");
    const caller = createCaller(
      createInnerContext(w.deps, {
        kind: "apiKey",
        apiKeyId: w.a.apiKeyId,
        companyId: w.a.companyId,
        scopes: ["sessions:write", "messages:write"],
      }),
    );
    await expect(
      caller.apiKeys.create({ name: "escalate", scopes: ["messages:write"] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    // This key lacks webhooks:manage (webhooks-rest.test.ts covers keys that have it).
    await expect(caller.webhooks.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("REST send", () => {
  it("POST /messages persists a QUEUED row and enqueues it on the session's send queue; the same idempotency key returns the same message", async () => {
    const body = { sessionId, to: "+55 11 98765-4321", type: "text", text: "Olá", idempotencyKey: "order-1" };
    const first = await rest(w.deps, "POST", "/messages", { key: w.a.apiKey, body });
    expect(first.status).toBe(200);
    const message = first.body.message as { id: string; status: string; chatJid: string };
    expect(message.status).toBe("QUEUED");
    expect(message.chatJid).toBe("5511987654321@s.whatsapp.net");
    const again = await rest(w.deps, "POST", "/messages", { key: w.a.apiKey, body });
    expect((again.body.message as { id: string }).id).toBe(message.id);
    expect(again.body.duplicate).toBe(true);
    expect(await w.prisma.message.count({ where: { companyId: w.a.companyId } })).toBe(1);
    const counts = await w.deps.queues.send(sessionId).getJobCounts();
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);
    const got = await rest(w.deps, "GET", `/messages/${message.id}`, { key: w.a.apiKey });
    expect(got.status).toBe(200);
    expect((await rest(w.deps, "GET", `/messages/${message.id}`, { key: w.b.apiKey })).status).toBe(404);
  });

  it("POST /messages with a bad phone is a 400 naming the field", async () => {
    const r = await rest(w.deps, "POST", "/messages", {
      key: w.a.apiKey,
      body: { sessionId, to: "abc", type: "text", text: "x" },
    });
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toMatch(/to:/);
  });

  it("GET /messages lists with filters and a cursor", async () => {
    const r = await rest(w.deps, "GET", `/messages?sessionId=${sessionId}&limit=10`, { key: w.a.apiKey });
    expect(r.status).toBe(200);
    expect((r.body.items as unknown[]).length).toBe(1);
    const bad = await rest(w.deps, "GET", "/messages?limit=5000", { key: w.a.apiKey });
    expect(bad.status).toBe(400);
  });
});

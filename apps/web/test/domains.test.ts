// Webhook secrets (encrypted at rest, shown once), the DLQ through the router, the audit-log
// filters and live limit usage.
import { decryptSecret } from "@zapflow/db/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestWorld, type TestWorld } from "./support/fixture";

let w: TestWorld;
let sessionId: string;

beforeAll(async () => {
  w = await createTestWorld("domains");
  sessionId = (await w.prisma.whatsappSession.create({ data: { companyId: w.a.companyId, label: "main" } }))
    .id;
});
afterAll(async () => {
  await w?.close();
});

describe("webhooks", () => {
  it("returns the secret once, stores it encrypted, and never lists it", async () => {
    const owner = w.asUser(w.a.ownerId);
    const created = await owner.webhooks.create({
      url: "https://a.example/hook",
      events: ["message.sent", "message.sent"],
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.events).toEqual(["message.sent"]);
    const row = await w.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(Buffer.from(row.secretEncrypted).toString("utf8")).not.toContain(created.secret);
    expect(decryptSecret(Buffer.from(row.secretEncrypted)).toString("utf8")).toBe(created.secret);
    expect(JSON.stringify(await owner.webhooks.list())).not.toContain(created.secret);
    const rotated = await owner.webhooks.rotateSecret({ id: created.id });
    expect(rotated.secret).not.toBe(created.secret);
    const after = await w.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(decryptSecret(Buffer.from(after.secretEncrypted)).toString("utf8")).toBe(rotated.secret);
  });
});

describe("dead-letter queue", () => {
  it("lists, retries (back to QUEUED and on the send queue) and discards", async () => {
    const base = {
      companyId: w.a.companyId,
      sessionId,
      chatJid: "5511900000001@s.whatsapp.net",
      direction: "OUTBOUND" as const,
      type: "TEXT" as const,
      payload: { text: "x" },
      status: "DEAD_LETTERED" as const,
      attempts: 5,
      lastError: "timeout",
      failedAt: new Date(),
    };
    const [m1, m2] = await Promise.all([
      w.prisma.message.create({ data: { ...base, waMessageId: "3EB0DLQ000000000000001" } }),
      w.prisma.message.create({ data: { ...base, waMessageId: "3EB0DLQ000000000000002" } }),
    ]);
    const owner = w.asUser(w.a.ownerId);
    const listed = await owner.messages.dlq.list({ error: "TIMEOUT" });
    expect(listed.items.map((m) => m.id).sort()).toEqual([m1!.id, m2!.id].sort());
    expect(await owner.messages.dlq.retry({ ids: [m1!.id] })).toEqual({ retried: [m1!.id] });
    expect((await w.prisma.message.findUniqueOrThrow({ where: { id: m1!.id } })).status).toBe("QUEUED");
    const counts = await w.deps.queues.send(sessionId).getJobCounts();
    expect((counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);
    expect(await owner.messages.dlq.discard({ ids: [m2!.id, m1!.id] })).toEqual({ discarded: 1 });
    expect((await w.prisma.message.findUniqueOrThrow({ where: { id: m2!.id } })).status).toBe("CANCELLED");
    await expect(owner.messages.dlq.retry({ ids: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("events", () => {
  it("filters by category, severity and type prefix, newest first, with a cursor", async () => {
    await w.prisma.event.createMany({
      data: [
        {
          companyId: w.a.companyId,
          category: "SESSION",
          severity: "WARN",
          type: "session.reconnecting",
          message: "1",
        },
        {
          companyId: w.a.companyId,
          category: "MESSAGE",
          severity: "ERROR",
          type: "message.dead_lettered",
          message: "2",
        },
        {
          companyId: w.a.companyId,
          category: "SESSION",
          severity: "INFO",
          type: "session.connected",
          message: "3",
        },
      ],
    });
    const owner = w.asUser(w.a.ownerId);
    const sessions = await owner.events.list({ category: "SESSION", type: "session.", limit: 1 });
    expect(sessions.items.map((e) => e.message)).toEqual(["3"]);
    const next = await owner.events.list({
      category: "SESSION",
      type: "session.",
      limit: 1,
      cursor: sessions.nextCursor!,
    });
    expect(next.items.map((e) => e.message)).toEqual(["1"]);
    const errors = await owner.events.list({ severity: "ERROR", limit: 50 });
    expect(errors.items.map((e) => e.type)).toEqual(["message.dead_lettered"]);
  });
});

describe("limits", () => {
  it("shows usage against the effective policy for each number", async () => {
    await w
      .asUser(w.platformAdmin)
      .admin.updateCompanyPolicy({ companyId: w.a.companyId, policy: { perNumberPerMinute: 3 } });
    const usage = await w.asUser(w.memberOfA).limits.usage();
    expect(usage.policy.perNumberPerMinute).toBe(3);
    expect(usage.sessions.map((s) => s.id)).toEqual([sessionId]);
    expect(usage.usage.numbers[sessionId]?.perMinute).toEqual({ used: 0, limit: 3 });
  });
});

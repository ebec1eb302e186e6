// Messaging pipeline against real Postgres + Redis + the in-process WhatsApp simulator.
import { MessageStatus } from "@zapflow/db";
import { jobId, QueueName } from "@zapflow/queue";
import { listDeadLetters, retryDeadLetters } from "@zapflow/queue/services/dlq";
import {
  acceptOutboundMessage,
  acceptOutboundMessages,
  ValidationError,
} from "@zapflow/queue/services/messages";
import { resumeSessionOutbound } from "@zapflow/queue/services/outbound";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, waitFor } from "./support/messaging-harness";

let h: Harness;
let sessionA: string;
const deps = () => ({ prisma: h.db.prisma, queues: h.queues });
const SENT_OR_LATER: MessageStatus[] = [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ];

beforeAll(async () => {
  h = await createHarness("messages");
  sessionA = await h.connectSession("main", "5511900000001");
});
afterAll(async () => {
  await h?.close();
});

const statusOf = async (id: string) =>
  (await h.db.prisma.message.findUniqueOrThrow({ where: { id } })).status;

describe("accept", () => {
  it("rejects malformed sends with field-level errors and writes nothing", async () => {
    const bad = [
      { sessionId: sessionA, to: "not-a-phone", type: "text", text: "hi" },
      { sessionId: sessionA, to: "5511987654321", type: "text", text: "   " },
      { sessionId: sessionA, to: "5511987654321", type: "image" },
      { sessionId: sessionA, to: "5511987654321", type: "location", latitude: 200, longitude: 0 },
      { sessionId: sessionA, to: "5511987654321", type: "fax" },
    ];
    const paths: string[][] = [];
    for (const input of bad) {
      const err = await acceptOutboundMessage(deps(), h.companyId, input).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      paths.push((err as ValidationError).issues.map((i) => i.path));
    }
    expect(paths).toEqual([["to"], ["text"], ["url"], ["latitude"], ["type"]]);
    const bulk = await acceptOutboundMessages(deps(), h.companyId, [
      { sessionId: sessionA, to: "5511987654321", type: "text", text: "fine" },
      bad[0],
    ]).catch((e) => e);
    expect((bulk as ValidationError).issues.map((i) => i.path)).toEqual(["[1].to"]);
    expect(await h.db.prisma.message.count()).toBe(0);
    expect(await h.db.prisma.contact.count()).toBe(0);
  });

  it("refuses a session of another company", async () => {
    const other = await h.db.prisma.company.create({ data: { name: "Other", slug: `other-${h.prefix}` } });
    const err = await acceptOutboundMessage(deps(), other.id, {
      sessionId: sessionA,
      to: "5511987654321",
      type: "text",
      text: "x",
    }).catch((e) => e);
    expect(err.code).toBe("NOT_FOUND");
  });

  it("20 concurrent accepts with one idempotency key → one row, one job", async () => {
    const input = {
      sessionId: sessionA,
      to: "+55 11 98765-0000",
      type: "text",
      text: "once",
      idempotencyKey: "k-race",
    };
    await h.queues.send(sessionA).pause(); // keep the job in the queue so it can be counted
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => acceptOutboundMessage(deps(), h.companyId, input)),
      );
      const ids = new Set(results.map((r) => r.message.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await h.db.prisma.message.count({ where: { idempotencyKey: "k-race" } })).toBe(1);
      const [id] = [...ids] as [string];
      const jobs = await h.queues.send(sessionA).getJobs(["waiting", "prioritized", "active", "completed"]);
      expect(jobs.filter((j) => j.data.messageId === id).map((j) => j.id)).toEqual([jobId.messageSend(id)]);
    } finally {
      await h.queues.send(sessionA).resume();
    }
  });
});

describe("send", () => {
  it("sends every message once, in order per chat, and applies delivered/read receipts in batches", async () => {
    const chats = ["5511970000001", "5511970000002", "5511970000003"];
    const inputs = chats.flatMap((to) =>
      Array.from({ length: 30 }, (_, i) => ({ sessionId: sessionA, to, type: "text", text: `${to}#${i}` })),
    );
    // Accepted concurrently from several callers, like API requests.
    const result = await acceptOutboundMessages(deps(), h.companyId, inputs);
    expect(result.accepted).toBe(90);
    const ids = result.results.map((r) => r.messageId as string);
    await waitFor(
      async () => (await h.db.prisma.message.count({ where: { id: { in: ids }, status: "READ" } })) === 90,
    );
    const sent = h.sim.sentLog(sessionA).filter((s) => ids.length && s.content.type === "text");
    for (const to of chats) {
      const texts = sent
        .filter((s) => s.to === `${to}@s.whatsapp.net`)
        .map((s) => (s.content as { text: string }).text);
      expect(texts).toEqual(Array.from({ length: 30 }, (_, i) => `${to}#${i}`));
    }
    const rows = await h.db.prisma.message.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.sentAt && r.deliveredAt && r.readAt && r.attempts === 1)).toBe(true);
    const events = await h.db.prisma.event.count({ where: { type: "message.delivered" } });
    expect(events).toBeGreaterThanOrEqual(90);
    // 180 receipts (delivered + read) arrived as far fewer status jobs.
    const statusJobs = await h.queues.get(QueueName.messageStatus).getCompletedCount();
    expect(statusJobs).toBeLessThan(90);
  });

  it("permanent error fails at once with a readable reason", async () => {
    h.sim.markNotOnWhatsapp("5511960000000");
    const { message } = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511960000000",
      type: "text",
      text: "nobody",
    });
    await waitFor(async () => (await statusOf(message.id)) === MessageStatus.FAILED);
    const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/whatsapp|invalid|not/i);
  });

  it("a message waiting out its retry backoff is not overtaken by later messages to its chat", async () => {
    h.sim.failNextSends(sessionA, 1, "server_error");
    const to = "5511955550000";
    const texts = ["first", "second", "third"];
    const result = await acceptOutboundMessages(
      deps(),
      h.companyId,
      texts.map((text) => ({ sessionId: sessionA, to, type: "text", text })),
    );
    const ids = result.results.map((r) => r.messageId as string);
    await waitFor(async () => {
      const rows = await h.db.prisma.message.findMany({ where: { id: { in: ids } } });
      return rows.every((r) => SENT_OR_LATER.includes(r.status));
    }, 30_000);
    const sent = h.sim
      .sentLog(sessionA)
      .filter((s) => s.to === `${to}@s.whatsapp.net`)
      .map((s) => (s.content as { text: string }).text);
    expect(sent).toEqual(texts);
    const first = await h.db.prisma.message.findUniqueOrThrow({ where: { id: ids[0] } });
    expect(first.attempts).toBe(2);
    expect(first.attemptErrors as unknown[]).toHaveLength(1);
  }, 40_000);

  it("media outside the company's storage or missing fails at once, never retried", async () => {
    await h.queues.send(sessionA).pause();
    const send = (storageKey: string) =>
      acceptOutboundMessage(deps(), h.companyId, {
        sessionId: sessionA,
        to: "5511966660000",
        type: "image",
        storageKey,
      });
    const foreign = await send(`${h.companyId}/outbound/placeholder.png`);
    const missing = await send(`${h.companyId}/outbound/never-uploaded.png`);
    // A row written around the accept checks (e.g. by hand) pointing at another company's file.
    await h.db.prisma.message.update({
      where: { id: foreign.message.id },
      data: { payload: { storageKey: "another-company/inbound/m1" } },
    });
    await h.queues.send(sessionA).resume();
    for (const { message } of [foreign, missing]) {
      await waitFor(async () => (await statusOf(message.id)) === MessageStatus.FAILED);
      const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
      expect(row.attempts).toBe(1);
    }
    const reason = async (id: string) =>
      (await h.db.prisma.message.findUniqueOrThrow({ where: { id } })).lastError;
    expect(await reason(foreign.message.id)).toMatch(/storageKey .*your company/);
    expect(await reason(missing.message.id)).toMatch(/not found/i);
  });

  it("retryable errors → DEAD_LETTERED with every attempt's error → manual retry sends it", async () => {
    h.sim.failNextSends(sessionA, 5, "server_error");
    const { message } = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511950000000",
      type: "text",
      text: "flaky",
    });
    await waitFor(async () => (await statusOf(message.id)) === MessageStatus.DEAD_LETTERED, 60_000);
    const dead = await h.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(dead.attempts).toBe(5);
    expect(dead.attemptErrors as unknown[]).toHaveLength(5);
    const fragment = (dead.lastError ?? "").slice(0, 8).toUpperCase();
    const listed = await listDeadLetters(deps(), h.companyId, { error: fragment, sessionId: sessionA });
    expect(listed.items.map((m) => m.id)).toContain(message.id);
    expect(await retryDeadLetters(deps(), h.companyId, [message.id])).toEqual([message.id]);
    await waitFor(async () => SENT_OR_LATER.includes(await statusOf(message.id)));
    const after = await h.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(after.attempts).toBe(6);
    expect(h.sim.sentLog(sessionA).filter((s) => s.messageId === message.waMessageId)).toHaveLength(1);
  }, 90_000);

  it("skips expired messages (never sent late) and cancelled ones", async () => {
    await h.queues.send(sessionA).pause();
    const old = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511940000000",
      type: "text",
      text: "late",
    });
    const cancelled = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511940000000",
      type: "text",
      text: "no",
    });
    await h.db.prisma.message.update({
      where: { id: old.message.id },
      data: { queuedAt: new Date(Date.now() - 25 * 3_600_000) },
    });
    await h.db.prisma.message.update({ where: { id: cancelled.message.id }, data: { status: "CANCELLED" } });
    await h.queues.send(sessionA).resume();
    await waitFor(async () => (await statusOf(old.message.id)) === MessageStatus.EXPIRED);
    const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: old.message.id } });
    expect(row.lastError).toBe("Message expired");
    await new Promise((r) => setTimeout(r, 300));
    const waIds = [old.message.waMessageId, cancelled.message.waMessageId];
    expect(h.sim.sentLog(sessionA).filter((s) => waIds.includes(s.messageId))).toHaveLength(0);
    expect(await statusOf(cancelled.message.id)).toBe(MessageStatus.CANCELLED);
  });
});

describe("ban signals", () => {
  it("a WhatsApp rate-limit answer pauses the number until an operator resumes it", async () => {
    const sessionB = await h.connectSession("second", "5511900000002");
    h.sim.failNextSends(sessionB, 1, "rate_limited");
    const first = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionB,
      to: "5511910000000",
      type: "text",
      text: "one",
    });
    await waitFor(
      async () =>
        (await h.db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionB } })).outboundPausedAt,
    );
    expect(await h.queues.send(sessionB).isPaused()).toBe(true);
    expect(
      await h.db.prisma.event.count({ where: { sessionId: sessionB, type: "session.outbound_paused" } }),
    ).toBe(1);
    await new Promise((r) => setTimeout(r, 2_500)); // past the first retry's backoff: still nothing sent
    expect(h.sim.sentLog(sessionB)).toHaveLength(0);
    await resumeSessionOutbound(deps(), h.companyId, sessionB, "test");
    await waitFor(async () => SENT_OR_LATER.includes(await statusOf(first.message.id)), 20_000);
    const row = await h.db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionB } });
    expect(row.outboundPausedAt).toBeNull();
  }, 30_000);
});

describe("maintenance", () => {
  it("recovers stuck PROCESSING rows and expires stale QUEUED rows", async () => {
    await h.queues.send(sessionA).pause();
    const stuck = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511930000000",
      type: "text",
      text: "stuck",
    });
    const stale = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "5511930000000",
      type: "text",
      text: "stale",
    });
    // The owner "died" mid-send: row PROCESSING, its job gone.
    await h.queues.send(sessionA).remove(jobId.messageSend(stuck.message.id));
    await h.db.prisma.message.update({
      where: { id: stuck.message.id },
      data: { status: "PROCESSING", attempts: 1, processingAt: new Date(Date.now() - 3_600_000) },
    });
    await h.db.prisma.message.update({
      where: { id: stale.message.id },
      data: { queuedAt: new Date(Date.now() - 48 * 3_600_000) },
    });
    expect(await h.maintenance.run("expire-queued")).toBe(1);
    expect(await h.maintenance.run("recover-stuck")).toMatchObject({ recovered: 1 });
    await h.queues.send(sessionA).resume();
    await waitFor(async () => SENT_OR_LATER.includes(await statusOf(stuck.message.id)));
    expect(await statusOf(stale.message.id)).toBe(MessageStatus.EXPIRED);
  });
});

describe("receive", () => {
  it("persists inbound once, upserts the contact, honours opt-out keywords", async () => {
    const waId = h.sim.injectInbound(sessionA, { from: "5511920000000", text: "hello", pushName: "Ana" });
    await waitFor(() =>
      h.db.prisma.message.findFirst({ where: { waMessageId: waId, direction: "INBOUND" } }),
    );
    const contact = await h.db.prisma.contact.findFirstOrThrow({ where: { phone: "+5511920000000" } });
    expect(contact.name).toBe("Ana");
    // The same WhatsApp id again (a redelivery) is not stored twice.
    h.ctx.bus.emit("inbound", {
      sessionId: sessionA,
      companyId: h.companyId,
      messages: [
        {
          id: waId,
          from: "5511920000000@s.whatsapp.net",
          timestamp: new Date(),
          content: { type: "text", text: "hello" },
        },
      ],
    });
    h.sim.injectInbound(sessionA, { from: "5511920000000", text: "  sair " });
    await waitFor(
      async () => (await h.db.prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).optedOut,
    );
    expect(await h.db.prisma.message.count({ where: { waMessageId: waId } })).toBe(1);
    const err = await acceptOutboundMessage(deps(), h.companyId, {
      sessionId: sessionA,
      to: "+5511920000000",
      type: "text",
      text: "promo",
    }).catch((e) => e);
    expect(err.code).toBe("CONTACT_OPTED_OUT");
    expect(await h.db.prisma.event.count({ where: { type: "contact.opted_out" } })).toBe(1);
  });

  it("downloads inbound media into storage in the background", async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const waId = h.sim.injectInbound(sessionA, {
      from: "5511920000009",
      media: { type: "image", data: bytes, mimeType: "image/jpeg", caption: "pic" },
    });
    const row = await waitFor(() =>
      h.db.prisma.message.findFirst({ where: { waMessageId: waId, mediaStatus: "DOWNLOADED" } }),
    );
    expect(row.type).toBe("IMAGE");
    expect(row.mediaStorageKey).toBe(`${h.companyId}/inbound/${row.id}`);
    expect([...(await h.storage.read(row.mediaStorageKey as string))]).toEqual([...bytes]);
  });
});

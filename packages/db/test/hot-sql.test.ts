// The hand-written hot statements (src/sql) against a real database: the claim only takes open,
// unexpired rows of its session; SENT and receipts only move statuses forward; timestamps round-trip
// as UTC; the bulk insert skips a used idempotency key; Prisma reads what the SQL wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptSql,
  MessageSource,
  MessageStatus,
  MessageType,
  messageSql,
  type OutboundMessageRow,
  outboundSql,
  type PrismaClient,
  pgPoolOf,
  uuidv7,
} from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";

let db: TestDatabase;
let prisma: PrismaClient;
let companyId: string;
let sessionId: string;

function row(over: Partial<OutboundMessageRow> = {}): OutboundMessageRow {
  return {
    id: uuidv7(),
    companyId,
    sessionId,
    contactId: null,
    chatJid: "5511999990000@s.whatsapp.net",
    type: MessageType.TEXT,
    payload: { text: "hi" },
    source: MessageSource.API,
    waMessageId: `3EB0${uuidv7().replace(/-/g, "").slice(0, 18).toUpperCase()}`,
    idempotencyKey: null,
    priority: 5,
    ...over,
  };
}

async function insert(over: Partial<OutboundMessageRow> = {}): Promise<OutboundMessageRow> {
  const r = row(over);
  await messageSql.insertOutbound(pgPoolOf(prisma), [r], new Date());
  return r;
}

beforeAll(async () => {
  db = await createTestDatabase("hotsql");
  prisma = db.prisma;
  const company = await prisma.company.create({ data: { name: "Hot", slug: `hot-${Date.now()}` } });
  companyId = company.id;
  const session = await prisma.whatsappSession.create({
    data: { companyId, label: "n", engine: "SIMULATOR", status: "CONNECTED" },
  });
  sessionId = session.id;
});

afterAll(async () => {
  await db?.drop();
});

describe("hot SQL", () => {
  it("touches a contact's last outbound time at most once a minute", async () => {
    const contact = await prisma.contact.create({ data: { companyId, phone: "+5511999991234" } });
    const lastOutbound = async () =>
      (await prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).lastOutboundAt?.toISOString();
    const t0 = new Date("2026-03-01T10:00:00.000Z");
    await outboundSql.touchContacts(pgPoolOf(prisma), [contact.id], t0);
    expect(await lastOutbound()).toBe(t0.toISOString());
    await outboundSql.touchContacts(pgPoolOf(prisma), [contact.id], new Date(t0.getTime() + 59_000));
    expect(await lastOutbound()).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + 61_000);
    await outboundSql.touchContacts(pgPoolOf(prisma), [contact.id], later);
    expect(await lastOutbound()).toBe(later.toISOString());
  });

  it("bulk insert writes QUEUED rows Prisma reads back, and skips a used idempotency key", async () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    const first = row({ idempotencyKey: "k1" });
    const inserted = await messageSql.insertOutbound(
      pgPoolOf(prisma),
      [first, row({ idempotencyKey: "k1" })],
      at,
    );
    expect(inserted.map((r) => r.id)).toEqual([first.id]);
    const stored = await prisma.message.findUniqueOrThrow({ where: { id: first.id } });
    expect(stored.status).toBe(MessageStatus.QUEUED);
    expect(stored.direction).toBe("OUTBOUND");
    expect(stored.payload).toEqual({ text: "hi" });
    expect(stored.queuedAt.toISOString()).toBe(at.toISOString());
  });

  it("claims an open row once per call, never a cancelled, expired or foreign one", async () => {
    const pool = pgPoolOf(prisma);
    const open = await insert();
    const at = new Date();
    const claimed = (
      await messageSql.claim(pool, { messages: [{ id: open.id, sessionId }], queuedSince: new Date(0), at })
    )[0];
    expect(claimed?.status).toBe(MessageStatus.PROCESSING);
    expect(claimed?.attempts).toBe(1);
    expect(claimed?.processingAt?.toISOString()).toBe(at.toISOString());
    expect(claimed?.payload).toEqual({ text: "hi" });
    // Many at once: each row is claimed by its own session only.
    const [x, y] = [await insert(), await insert()];
    const both = await messageSql.claim(pool, {
      messages: [
        { id: x.id, sessionId },
        { id: y.id, sessionId: "other" },
      ],
      queuedSince: new Date(0),
      at,
    });
    expect(both.map((m) => m.id)).toEqual([x.id]);

    const cancelled = await insert();
    await prisma.message.update({ where: { id: cancelled.id }, data: { status: MessageStatus.CANCELLED } });
    expect(
      (
        await messageSql.claim(pool, {
          messages: [{ id: cancelled.id, sessionId }],
          queuedSince: new Date(0),
          at,
        })
      )[0],
    ).toBeUndefined();
    const old = await insert();
    expect(
      (
        await messageSql.claim(pool, {
          messages: [{ id: old.id, sessionId }],
          queuedSince: new Date(Date.now() + 60_000),
          at,
        })
      )[0],
    ).toBeUndefined();
    expect(
      (
        await messageSql.claim(pool, {
          messages: [{ id: open.id, sessionId: "other" }],
          queuedSince: new Date(0),
          at,
        })
      )[0],
    ).toBeUndefined();
    expect((await messageSql.find(pool, cancelled.id, sessionId))?.status).toBe(MessageStatus.CANCELLED);
  });

  it("SENT and receipts only move forward", async () => {
    const pool = pgPoolOf(prisma);
    const a = await insert();
    const b = await insert();
    for (const m of [a, b])
      (
        await messageSql.claim(pool, {
          messages: [{ id: m.id, sessionId }],
          queuedSince: new Date(0),
          at: new Date(),
        })
      )[0];
    // b's receipt arrives before its SENT write.
    const delivered = await messageSql.advance(pool, {
      receipts: [{ sessionId, waMessageId: b.waMessageId }],
      from: [MessageStatus.PROCESSING, MessageStatus.SENT],
      to: MessageStatus.DELIVERED,
      at: new Date(),
    });
    expect(delivered.map((m) => m.id)).toEqual([b.id]);
    const sentAt = new Date("2026-02-03T04:05:06.789Z");
    await messageSql.markSent(pool, [a.id, b.id], sentAt);
    const [ra, rb] = await Promise.all(
      [a, b].map((m) => prisma.message.findUniqueOrThrow({ where: { id: m.id } })),
    );
    expect(ra?.status).toBe(MessageStatus.SENT);
    expect(ra?.sentAt?.toISOString()).toBe(sentAt.toISOString());
    expect(rb?.status).toBe(MessageStatus.DELIVERED);
    expect(rb?.sentAt).not.toBeNull();
    // READ needs DELIVERED first; a second DELIVERED receipt moves nothing.
    const read = await messageSql.advance(pool, {
      receipts: [a, b].map((m) => ({ sessionId, waMessageId: m.waMessageId })),
      from: [MessageStatus.DELIVERED],
      to: MessageStatus.READ,
      at: new Date(),
    });
    expect(read.map((m) => m.id)).toEqual([b.id]);
    const again = await messageSql.advance(pool, {
      receipts: [{ sessionId, waMessageId: b.waMessageId }],
      from: [MessageStatus.PROCESSING, MessageStatus.SENT],
      to: MessageStatus.DELIVERED,
      at: new Date(),
    });
    expect(again).toEqual([]);
  });

  it("contacts are created once per phone and events are written in bulk", async () => {
    const pool = pgPoolOf(prisma);
    const at = new Date();
    const first = await acceptSql.ensureContactsByPhone(
      pool,
      companyId,
      ["+5511911110000", "+5511911110001"],
      at,
    );
    const second = await acceptSql.ensureContactsByPhone(pool, companyId, ["+5511911110000"], at);
    expect(first).toHaveLength(2);
    expect(second.map((c) => c.id)).toEqual(
      first.filter((c) => c.phone === "+5511911110000").map((c) => c.id),
    );
    await outboundSql.insertEvents(
      pool,
      [
        {
          companyId,
          sessionId,
          category: "MESSAGE",
          severity: "INFO",
          type: "message.sent",
          message: "x",
          data: { n: 1 },
        },
        {
          companyId,
          sessionId,
          category: "MESSAGE",
          severity: "INFO",
          type: "message.sent",
          message: "y",
          data: { n: 2 },
        },
      ],
      at,
    );
    const events = await prisma.event.findMany({
      where: { companyId, type: "message.sent" },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(events[0]?.createdAt.toISOString()).toBe(at.toISOString());
  });
});

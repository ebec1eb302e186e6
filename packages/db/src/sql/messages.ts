// The hot statements of the outbound pipeline, as plain parameterised SQL: each runs on every
// message (or batch), where Prisma's query compilation cost more CPU than Postgres did.
import type { Message, MessageSource, MessageType } from "../generated/prisma/client";
import { type Queryable, query, utc } from "./pool";

const UTC = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

/** Columns a receipt-moved row reports (events, campaign recipients). */
export interface MovedMessage {
  id: string;
  companyId: string;
  sessionId: string;
  campaignId: string | null;
  waMessageId: string;
  chatJid: string;
}

/** An outbound row to insert (the accept path builds these). */
export interface OutboundMessageRow {
  id: string;
  companyId: string;
  sessionId: string;
  contactId: string | null;
  chatJid: string;
  type: MessageType;
  payload: Record<string, unknown>;
  source: MessageSource;
  waMessageId: string;
  idempotencyKey: string | null;
  priority: number;
}

export const messageSql = {
  /**
   * Re-read and claim in one statement, for many messages at once: only an open (QUEUED/PROCESSING)
   * row of the given session queued at or after `queuedSince` becomes PROCESSING with one more
   * attempt. Returns the claimed rows; a message missing from them was not claimable.
   */
  async claim(
    db: Queryable,
    args: { messages: { id: string; sessionId: string }[]; queuedSince: Date; at: Date },
  ): Promise<Message[]> {
    if (!args.messages.length) return [];
    return query<Message>(
      db,
      `UPDATE "Message" m SET status = 'PROCESSING', attempts = m.attempts + 1,
         "processingAt" = ${UTC(4)}, "updatedAt" = ${UTC(4)}
       FROM unnest($1::text[], $2::text[]) AS c(id, session)
       WHERE m.id = c.id AND m."sessionId" = c.session AND m.status IN ('QUEUED', 'PROCESSING')
         AND m."queuedAt" >= ${UTC(3)}
       RETURNING m.*`,
      [
        args.messages.map((m) => m.id),
        args.messages.map((m) => m.sessionId),
        utc(args.queuedSince),
        utc(args.at),
      ],
    );
  },

  /** The row of this session, whatever its status (why a claim found nothing). */
  async find(db: Queryable, id: string, sessionId: string): Promise<Message | undefined> {
    const [row] = await query<Message>(db, `SELECT * FROM "Message" WHERE id = $1 AND "sessionId" = $2`, [
      id,
      sessionId,
    ]);
    return row;
  },

  /**
   * Batched SENT: PROCESSING rows become SENT with `at`; rows a receipt already moved past SENT keep
   * their status and only get a missing sentAt.
   */
  async markSent(db: Queryable, ids: string[], at: Date): Promise<void> {
    await query(
      db,
      `UPDATE "Message" SET
         status = CASE WHEN status = 'PROCESSING' THEN 'SENT'::"MessageStatus" ELSE status END,
         "sentAt" = CASE WHEN status = 'PROCESSING' THEN ${UTC(2)} ELSE COALESCE("sentAt", ${UTC(2)}) END,
         "updatedAt" = ${UTC(2)}
       WHERE id = ANY($1::text[]) AND (status = 'PROCESSING' OR "sentAt" IS NULL)`,
      [ids, utc(at)],
    );
  },

  /**
   * Receipts, forward only, for many sessions at once: each (sessionId, waMessageId) row in one of
   * `from` moves to `to` with `at` in its timestamp column (DELIVERED also fills a missing sentAt: a
   * receipt proves the send).
   */
  async advance(
    db: Queryable,
    args: {
      receipts: { sessionId: string; waMessageId: string }[];
      from: readonly string[];
      to: "DELIVERED" | "READ";
      at: Date;
    },
  ): Promise<MovedMessage[]> {
    if (!args.receipts.length) return [];
    const stamp =
      args.to === "DELIVERED"
        ? `"deliveredAt" = ${UTC(5)}, "sentAt" = COALESCE(m."sentAt", ${UTC(5)})`
        : `"readAt" = ${UTC(5)}`;
    return query<MovedMessage>(
      db,
      `UPDATE "Message" m SET status = $4::"MessageStatus", ${stamp}, "updatedAt" = ${UTC(5)}
       FROM unnest($1::text[], $2::text[]) AS r(session, wa)
       WHERE m."sessionId" = r.session AND m."waMessageId" = r.wa AND m.status = ANY($3::"MessageStatus"[])
       RETURNING m.id, m."companyId", m."sessionId", m."campaignId", m."waMessageId", m."chatJid"`,
      [
        args.receipts.map((r) => r.sessionId),
        args.receipts.map((r) => r.waMessageId),
        args.from,
        args.to,
        utc(args.at),
      ],
    );
  },

  /**
   * Error receipts: WhatsApp accepted the send, then refused the message (e.g. a restricted
   * number's ack 463). Moves PROCESSING/SENT rows to FAILED with the reason.
   */
  async reject(
    db: Queryable,
    args: { receipts: { sessionId: string; waMessageId: string }[]; reason: string; at: Date },
  ): Promise<MovedMessage[]> {
    if (!args.receipts.length) return [];
    return query<MovedMessage>(
      db,
      `UPDATE "Message" m SET status = 'FAILED'::"MessageStatus", "failedAt" = ${UTC(4)},
         "lastError" = $3, "updatedAt" = ${UTC(4)}
       FROM unnest($1::text[], $2::text[]) AS r(session, wa)
       WHERE m."sessionId" = r.session AND m."waMessageId" = r.wa
         AND m.status IN ('PROCESSING'::"MessageStatus", 'SENT'::"MessageStatus")
       RETURNING m.id, m."companyId", m."sessionId", m."campaignId", m."waMessageId", m."chatJid"`,
      [
        args.receipts.map((r) => r.sessionId),
        args.receipts.map((r) => r.waMessageId),
        args.reason,
        utc(args.at),
      ],
    );
  },

  /**
   * New outbound rows (QUEUED) in one statement; rows hitting a unique key (an idempotency key
   * already used) are skipped. Returns the inserted rows' ids.
   */
  async insertOutbound(
    db: Queryable,
    rows: OutboundMessageRow[],
    at: Date,
  ): Promise<{ id: string; waMessageId: string }[]> {
    if (!rows.length) return [];
    return query(db, insertOutboundText(`id, "waMessageId"`), [JSON.stringify(rows), utc(at)]);
  },

  /** One new outbound row, returned whole; undefined when its idempotency key is already used. */
  async insertOutboundOne(db: Queryable, row: OutboundMessageRow, at: Date): Promise<Message | undefined> {
    const [inserted] = await query<Message>(db, insertOutboundText("*"), [JSON.stringify([row]), utc(at)]);
    return inserted;
  },

  /** The company's message with this idempotency key (the key is unique per company). */
  async findByIdempotencyKey(db: Queryable, companyId: string, key: string): Promise<Message | undefined> {
    const [row] = await query<Message>(
      db,
      `SELECT * FROM "Message" WHERE "companyId" = $1 AND "idempotencyKey" = $2`,
      [companyId, key],
    );
    return row;
  },
};

function insertOutboundText(returning: string): string {
  return `INSERT INTO "Message" (id, "companyId", "sessionId", "contactId", "chatJid", direction, type, payload,
     status, source, "waMessageId", "idempotencyKey", priority, "queuedAt", "createdAt", "updatedAt")
   SELECT r.id, r."companyId", r."sessionId", r."contactId", r."chatJid", 'OUTBOUND', r.type::"MessageType",
     r.payload, 'QUEUED', r.source::"MessageSource", r."waMessageId", r."idempotencyKey", r.priority,
     ${UTC(2)}, ${UTC(2)}, ${UTC(2)}
   FROM jsonb_to_recordset($1::jsonb) AS r(id text, "companyId" text, "sessionId" text, "contactId" text,
     "chatJid" text, type text, payload jsonb, source text, "waMessageId" text, "idempotencyKey" text,
     priority int)
   ON CONFLICT DO NOTHING
   RETURNING ${returning}`;
}

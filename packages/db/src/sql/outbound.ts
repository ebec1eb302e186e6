// Batched side writes of the outbound pipeline: events, webhook deliveries, contacts' last outbound
// time and campaign recipients with their counters. Each takes many rows in one statement.
import { randomBytes } from "node:crypto";
import { type Queryable, query, utc } from "./pool";

const UTC = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

export interface EventRow {
  companyId: string | null;
  sessionId: string | null;
  category: string;
  severity: string;
  type: string;
  message: string;
  data: unknown;
}

export interface DeliveryRow {
  endpointId: string;
  companyId: string;
  eventType: string;
  payload: unknown;
}

/** A time-ordered UUID (version 7), as Prisma's `uuid(7)` default makes. */
export function uuidv7(now = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = ((b[6] as number) & 0x0f) | 0x70;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Resolution of Contact.lastOutboundAt (see touchContacts). */
export const CONTACT_ACTIVITY_RESOLUTION_MS = 60_000;

export const outboundSql = {
  async insertEvents(db: Queryable, rows: EventRow[], at: Date): Promise<void> {
    if (!rows.length) return;
    await query(
      db,
      `INSERT INTO "Event" ("companyId", "sessionId", category, severity, type, message, data, "createdAt")
       SELECT r."companyId", r."sessionId", r.category::"EventCategory", r.severity::"EventSeverity", r.type,
         r.message, r.data, ${UTC(2)}
       FROM jsonb_to_recordset($1::jsonb) AS r("companyId" text, "sessionId" text, category text,
         severity text, type text, message text, data jsonb)`,
      [JSON.stringify(rows), utc(at)],
    );
  },

  /** A company's enabled webhook endpoints and their event filters (empty = every event). */
  async enabledEndpoints(db: Queryable, companyId: string): Promise<{ id: string; events: string[] }[]> {
    return query<{ id: string; events: string[] }>(
      db,
      `SELECT id, events FROM "WebhookEndpoint" WHERE "companyId" = $1 AND enabled`,
      [companyId],
    );
  },

  async insertDeliveries(db: Queryable, rows: DeliveryRow[], at: Date): Promise<void> {
    if (!rows.length) return;
    await query(
      db,
      `INSERT INTO "WebhookDelivery" (id, "endpointId", "companyId", "eventType", payload, "nextAttemptAt", "createdAt")
       SELECT r.id, r."endpointId", r."companyId", r."eventType", r.payload, ${UTC(2)}, ${UTC(2)}
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, "endpointId" text, "companyId" text,
         "eventType" text, payload jsonb)`,
      [JSON.stringify(rows.map((r) => ({ id: uuidv7(at.getTime()), ...r }))), utc(at)],
    );
  },

  /**
   * Contacts' last outbound time, to the minute: a contact already touched less than
   * CONTACT_ACTIVITY_RESOLUTION_MS before `at` is left alone, so a burst of messages to one contact
   * writes its row once, not once per SENT batch.
   */
  async touchContacts(db: Queryable, contactIds: string[], at: Date): Promise<void> {
    if (!contactIds.length) return;
    await query(
      db,
      `UPDATE "Contact" SET "lastOutboundAt" = ${UTC(2)}, "updatedAt" = ${UTC(2)}
       WHERE id = ANY($1::text[])
         AND ("lastOutboundAt" IS NULL OR "lastOutboundAt" < ${UTC(2)} - $3 * interval '1 millisecond')`,
      [contactIds, utc(at), CONTACT_ACTIVITY_RESOLUTION_MS],
    );
  },

  /**
   * Moves the campaign recipients of `messageIds` that are still in one of `from` to `to` and adds to
   * `counter` of their campaigns, in one statement: the recipients that moved (`count: "moved"`) or
   * every given message of the campaign (`count: "messages"`, a send outcome counts once per message).
   * `error` is written when given (SENT clears it with null), left alone when undefined.
   */
  async moveRecipients(
    db: Queryable,
    args: {
      messageIds: string[];
      from: readonly string[];
      to: string;
      counter: "sentCount" | "failedCount" | "deliveredCount" | "readCount";
      count: "moved" | "messages";
      error?: string | null;
      at: Date;
    },
  ): Promise<void> {
    if (!args.messageIds.length) return;
    const counted =
      args.count === "moved"
        ? `SELECT "campaignId", count(*)::int AS n FROM moved GROUP BY "campaignId"`
        : `SELECT "campaignId", count(*)::int AS n FROM "Message"
           WHERE id = ANY($1::text[]) AND "campaignId" IS NOT NULL GROUP BY "campaignId"`;
    await query(
      db,
      `WITH moved AS (
         UPDATE "CampaignRecipient" SET status = $3::"RecipientStatus",
           error = CASE WHEN $6::boolean THEN $4 ELSE error END, "updatedAt" = ${UTC(5)}
         WHERE "messageId" = ANY($1::text[]) AND status = ANY($2::"RecipientStatus"[])
         RETURNING "campaignId"
       ), counts AS (${counted})
       UPDATE "Campaign" c SET "${args.counter}" = c."${args.counter}" + counts.n, "updatedAt" = ${UTC(5)}
       FROM counts WHERE c.id = counts."campaignId"`,
      [args.messageIds, args.from, args.to, args.error ?? null, utc(args.at), args.error !== undefined],
    );
  },
};

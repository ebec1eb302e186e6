// Receipts → message statuses, in batches: concurrent status jobs (one per worker and flush) share
// one transaction with one UPDATE per status over all their receipts (plain SQL: this runs for every
// message). Statuses only move forward (PROCESSING/SENT → DELIVERED → READ); campaign recipients and
// counters move in the same transaction as the messages they count; a job completes only once the
// transaction holding its receipts has committed.
import {
  EventCategory,
  EventSeverity,
  MessageStatus,
  type MovedMessage,
  messageSql,
  outboundSql,
  type PrismaClient,
  pgPoolOf,
  type Queryable,
  RecipientStatus,
  withTransaction,
} from "@zapflow/db";
import type { MessageStatusJob } from "@zapflow/queue";
import type { DomainEvent, EventOutbox } from "../events/outbox";
import { Coalescer } from "./coalescer";
import type { MessageMetrics } from "./metrics";

type Counts = { delivered: number; read: number };
type Receipt = { sessionId: string; waMessageId: string };

/** Why a message that got an `error` receipt failed (WhatsApp accepted, then refused it). */
export const ERROR_RECEIPT_REASON =
  "WhatsApp refused the message after accepting it (the number may be restricted)";

/** Called once per session that got error receipts, after the messages are marked FAILED. */
export type ErrorReceiptHandler = (sessionId: string, companyId: string, failed: number) => Promise<void>;

export class StatusWriter {
  private readonly batches: Coalescer<MessageStatusJob, Counts>;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      outbox: EventOutbox;
      metrics: MessageMetrics;
      onErrorReceipts?: ErrorReceiptHandler;
    },
  ) {
    this.batches = new Coalescer((jobs) => this.write(jobs));
  }

  process(job: MessageStatusJob): Promise<Counts> {
    return this.batches.add(job);
  }

  private async write(jobs: MessageStatusJob[]): Promise<Counts[]> {
    const delivered: Receipt[] = [];
    const read: Receipt[] = [];
    const rejected: Receipt[] = [];
    for (const { sessionId, receipts } of jobs.flatMap((job) => job.sessions)) {
      for (const r of receipts) {
        const receipt = { sessionId, waMessageId: r.messageId };
        if (r.status === "error") rejected.push(receipt);
        if (r.status === "delivered") delivered.push(receipt);
        if (r.status === "read" || r.status === "played") {
          read.push(receipt);
          delivered.push(receipt); // a read message was delivered, even if that receipt got lost
        }
      }
    }
    const at = new Date();
    if (rejected.length) await this.reject(rejected, at);
    const moved = delivered.length
      ? await withTransaction(pgPoolOf(this.deps.prisma), (tx) => this.apply(tx, delivered, read, at))
      : { toDelivered: [], toRead: [] };
    this.deps.metrics.outcome("outbound", MessageStatus.DELIVERED, moved.toDelivered.length);
    this.deps.metrics.outcome("outbound", MessageStatus.READ, moved.toRead.length);
    // Each job reports the rows its own receipts moved.
    const count = (rows: MovedMessage[], job: MessageStatusJob) => {
      const mine = new Set(
        job.sessions.flatMap((s) => s.receipts.map((r) => `${s.sessionId}/${r.messageId}`)),
      );
      return rows.filter((m) => mine.has(`${m.sessionId}/${m.waMessageId}`)).length;
    };
    return jobs.map((job) => ({ delivered: count(moved.toDelivered, job), read: count(moved.toRead, job) }));
  }

  private async reject(receipts: Receipt[], at: Date): Promise<void> {
    const failed = await withTransaction(pgPoolOf(this.deps.prisma), async (tx) => {
      const rows = await messageSql.reject(tx, { receipts, reason: ERROR_RECEIPT_REASON, at });
      await outboundSql.moveRecipients(tx, {
        messageIds: rows.flatMap((m) => (m.campaignId ? [m.id] : [])),
        from: [RecipientStatus.PENDING, RecipientStatus.QUEUED, RecipientStatus.SENT],
        to: RecipientStatus.FAILED,
        counter: "failedCount",
        count: "moved",
        at,
      });
      await this.deps.outbox.writeSql(
        tx,
        rows.map((m) => ({
          ...statusEvent(m, "message.failed"),
          severity: EventSeverity.WARN,
          message: ERROR_RECEIPT_REASON,
        })),
        at,
      );
      return rows;
    });
    this.deps.metrics.outcome("outbound", MessageStatus.FAILED, failed.length);
    const bySession = new Map<string, { companyId: string; count: number }>();
    for (const m of failed) {
      const entry = bySession.get(m.sessionId) ?? { companyId: m.companyId, count: 0 };
      entry.count += 1;
      bySession.set(m.sessionId, entry);
    }
    for (const [sessionId, { companyId, count }] of bySession) {
      await this.deps.onErrorReceipts?.(sessionId, companyId, count);
    }
  }

  private async apply(tx: Queryable, delivered: Receipt[], read: Receipt[], at: Date) {
    // A receipt proves the send: rows whose SENT write was lost (e.g. Postgres restarting) get sentAt.
    const toDelivered = await messageSql.advance(tx, {
      receipts: delivered,
      from: [MessageStatus.PROCESSING, MessageStatus.SENT],
      to: MessageStatus.DELIVERED,
      at,
    });
    const toRead = await messageSql.advance(tx, {
      receipts: read,
      from: [MessageStatus.DELIVERED],
      to: MessageStatus.READ,
      at,
    });
    await moveRecipients(tx, toDelivered, RecipientStatus.DELIVERED, "deliveredCount", at);
    await moveRecipients(tx, toRead, RecipientStatus.READ, "readCount", at);
    await this.deps.outbox.writeSql(
      tx,
      [
        ...toDelivered.map((m) => statusEvent(m, "message.delivered")),
        ...toRead.map((m) => statusEvent(m, "message.read")),
      ],
      at,
    );
    return { toDelivered, toRead };
  }
}

function statusEvent(m: MovedMessage, type: string): DomainEvent {
  return {
    companyId: m.companyId,
    sessionId: m.sessionId,
    category: EventCategory.MESSAGE,
    type,
    message: type === "message.read" ? "Message read" : "Message delivered",
    data: { messageId: m.id, waMessageId: m.waMessageId, chatJid: m.chatJid },
  };
}

function moveRecipients(
  tx: Queryable,
  moved: MovedMessage[],
  status: RecipientStatus,
  counter: "deliveredCount" | "readCount",
  at: Date,
): Promise<void> {
  const before =
    status === RecipientStatus.DELIVERED
      ? [RecipientStatus.PENDING, RecipientStatus.QUEUED, RecipientStatus.SENT]
      : [RecipientStatus.PENDING, RecipientStatus.QUEUED, RecipientStatus.SENT, RecipientStatus.DELIVERED];
  return outboundSql.moveRecipients(tx, {
    messageIds: moved.flatMap((m) => (m.campaignId ? [m.id] : [])),
    from: before,
    to: status,
    counter,
    count: "moved",
    at,
  });
}

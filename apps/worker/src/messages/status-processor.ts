// Receipts → message statuses, in batches: one UPDATE ... WHERE waMessageId = ANY(...) per status
// (plain SQL: this runs for every message), statuses only move forward (PROCESSING/SENT → DELIVERED
// → READ), campaign recipients and counters moved in the same transaction as the messages they count.
import {
  EventCategory,
  MessageStatus,
  type MovedMessage,
  messageSql,
  outboundSql,
  type PrismaClient,
  pgPoolOf,
  RecipientStatus,
  withTransaction,
} from "@zapflow/db";
import type { MessageStatusJob } from "@zapflow/queue";
import type { MessageMetrics } from "./metrics";
import type { DomainEvent, EventOutbox } from "./outbox";

export async function processStatuses(
  deps: { prisma: PrismaClient; outbox: EventOutbox; metrics: MessageMetrics },
  job: MessageStatusJob,
): Promise<{ delivered: number; read: number }> {
  const delivered = new Set<string>();
  const read = new Set<string>();
  for (const r of job.receipts) {
    if (r.status === "delivered") delivered.add(r.messageId);
    if (r.status === "read" || r.status === "played") {
      read.add(r.messageId);
      delivered.add(r.messageId); // a read message was delivered, even if that receipt got lost
    }
  }
  if (!delivered.size) return { delivered: 0, read: 0 };
  const at = new Date();
  const result = await withTransaction(pgPoolOf(deps.prisma), async (tx) => {
    // A receipt proves the send: rows whose SENT write was lost (e.g. Postgres restarting) get sentAt.
    const toDelivered = await messageSql.advance(tx, {
      sessionId: job.sessionId,
      waMessageIds: [...delivered],
      from: [MessageStatus.PROCESSING, MessageStatus.SENT],
      to: MessageStatus.DELIVERED,
      at,
    });
    const toRead = read.size
      ? await messageSql.advance(tx, {
          sessionId: job.sessionId,
          waMessageIds: [...read],
          from: [MessageStatus.DELIVERED],
          to: MessageStatus.READ,
          at,
        })
      : [];
    await moveRecipients(tx, toDelivered, RecipientStatus.DELIVERED, "deliveredCount", at);
    await moveRecipients(tx, toRead, RecipientStatus.READ, "readCount", at);
    await deps.outbox.writeSql(
      tx,
      [
        ...toDelivered.map((m) => statusEvent(job, m, "message.delivered")),
        ...toRead.map((m) => statusEvent(job, m, "message.read")),
      ],
      at,
    );
    return { delivered: toDelivered.length, read: toRead.length };
  });
  deps.metrics.outcome("outbound", MessageStatus.DELIVERED, result.delivered);
  deps.metrics.outcome("outbound", MessageStatus.READ, result.read);
  return result;
}

function statusEvent(job: MessageStatusJob, m: MovedMessage, type: string): DomainEvent {
  return {
    companyId: job.companyId,
    sessionId: job.sessionId,
    category: EventCategory.MESSAGE,
    type,
    message: type === "message.read" ? "Message read" : "Message delivered",
    data: { messageId: m.id, waMessageId: m.waMessageId, chatJid: m.chatJid },
  };
}

function moveRecipients(
  tx: Parameters<typeof outboundSql.moveRecipients>[0],
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

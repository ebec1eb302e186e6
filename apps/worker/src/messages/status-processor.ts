// Receipts → message statuses, in batches: one UPDATE ... WHERE waMessageId IN (...) per status,
// statuses only move forward (PROCESSING/SENT → DELIVERED → READ), campaign recipients and
// counters moved in the same transaction as the messages they count.
import { EventCategory, MessageStatus, type Prisma, type PrismaClient, RecipientStatus } from "@zapflow/db";
import type { MessageStatusJob } from "@zapflow/queue";
import type { MessageMetrics } from "./metrics";
import type { DomainEvent, EventOutbox } from "./outbox";

type Moved = { id: string; campaignId: string | null; waMessageId: string; chatJid: string };
const select = { id: true, campaignId: true, waMessageId: true, chatJid: true } as const;

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
  const now = new Date();
  const result = await deps.prisma.$transaction(async (tx) => {
    const toDelivered = await tx.message.updateManyAndReturn({
      where: {
        sessionId: job.sessionId,
        waMessageId: { in: [...delivered] },
        status: { in: [MessageStatus.PROCESSING, MessageStatus.SENT] },
      },
      data: { status: MessageStatus.DELIVERED, deliveredAt: now },
      select,
    });
    // A receipt proves the send: rows whose SENT write was lost (e.g. Postgres restarting) get sentAt.
    const unsent = toDelivered.map((m) => m.id);
    if (unsent.length) {
      await tx.message.updateMany({ where: { id: { in: unsent }, sentAt: null }, data: { sentAt: now } });
    }
    const toRead = read.size
      ? await tx.message.updateManyAndReturn({
          where: {
            sessionId: job.sessionId,
            waMessageId: { in: [...read] },
            status: MessageStatus.DELIVERED,
          },
          data: { status: MessageStatus.READ, readAt: now },
          select,
        })
      : [];
    await moveRecipients(tx, toDelivered, RecipientStatus.DELIVERED, "deliveredCount");
    await moveRecipients(tx, toRead, RecipientStatus.READ, "readCount");
    await deps.outbox.writeIn(tx, [
      ...toDelivered.map((m) => statusEvent(job, m, "message.delivered")),
      ...toRead.map((m) => statusEvent(job, m, "message.read")),
    ]);
    return { delivered: toDelivered.length, read: toRead.length };
  });
  deps.metrics.outcome("outbound", MessageStatus.DELIVERED, result.delivered);
  deps.metrics.outcome("outbound", MessageStatus.READ, result.read);
  return result;
}

function statusEvent(job: MessageStatusJob, m: Moved, type: string): DomainEvent {
  return {
    companyId: job.companyId,
    sessionId: job.sessionId,
    category: EventCategory.MESSAGE,
    type,
    message: type === "message.read" ? "Message read" : "Message delivered",
    data: { messageId: m.id, waMessageId: m.waMessageId, chatJid: m.chatJid },
  };
}

async function moveRecipients(
  tx: Prisma.TransactionClient,
  moved: Moved[],
  status: RecipientStatus,
  counter: "deliveredCount" | "readCount",
): Promise<void> {
  const byCampaign = new Map<string, string[]>();
  for (const m of moved)
    if (m.campaignId) byCampaign.set(m.campaignId, [...(byCampaign.get(m.campaignId) ?? []), m.id]);
  const before =
    status === RecipientStatus.DELIVERED
      ? [RecipientStatus.PENDING, RecipientStatus.QUEUED, RecipientStatus.SENT]
      : [RecipientStatus.PENDING, RecipientStatus.QUEUED, RecipientStatus.SENT, RecipientStatus.DELIVERED];
  for (const [campaignId, ids] of byCampaign) {
    const { count } = await tx.campaignRecipient.updateMany({
      where: { campaignId, messageId: { in: ids }, status: { in: before } },
      data: { status },
    });
    if (count)
      await tx.campaign.update({ where: { id: campaignId }, data: { [counter]: { increment: count } } });
  }
}

// Housekeeping of the messaging pipeline: stuck PROCESSING rows back to the queue, orphaned or
// stale QUEUED rows re-enqueued or expired, and retention of events, final messages and jobs.
import { EventCategory, MessageStatus, type PrismaClient } from "@zapflow/db";
import { enqueueMessageSendBulk, QueueName, type QueueRegistry, requeueMessageSend } from "@zapflow/queue";

export interface MaintenanceDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
  stuckProcessingMs: number;
  expiryMs: number;
  eventRetentionDays: number;
}

const BATCH = 500;
const DAY_MS = 86_400_000;
const FINAL: MessageStatus[] = [
  MessageStatus.SENT,
  MessageStatus.DELIVERED,
  MessageStatus.READ,
  MessageStatus.FAILED,
  MessageStatus.DEAD_LETTERED,
  MessageStatus.CANCELLED,
  MessageStatus.EXPIRED,
  MessageStatus.RECEIVED,
];

/** PROCESSING longer than the timeout (owner died mid-send) → QUEUED and re-enqueued; QUEUED rows
 *  older than the timeout are re-enqueued under their idempotent id (a no-op when the job exists),
 *  which heals a crash or Redis outage between the insert and the enqueue. */
export async function recoverStuck(d: MaintenanceDeps): Promise<{ recovered: number; reenqueued: number }> {
  const cutoff = new Date(Date.now() - d.stuckProcessingMs);
  const stuck = await d.prisma.message.updateManyAndReturn({
    where: { status: MessageStatus.PROCESSING, processingAt: { lt: cutoff } },
    data: { status: MessageStatus.QUEUED, lastError: "Recovered after being stuck in processing" },
    select: { id: true, companyId: true, sessionId: true, priority: true, attempts: true },
  });
  for (const m of stuck) {
    await requeueMessageSend(
      d.queues,
      { messageId: m.id, companyId: m.companyId, sessionId: m.sessionId },
      Math.max(1, m.attempts),
      {
        priority: m.priority,
      },
    );
  }
  const queued = await d.prisma.message.findMany({
    where: { status: MessageStatus.QUEUED, queuedAt: { lt: cutoff } },
    orderBy: { queuedAt: "asc" },
    take: BATCH * 10,
    select: { id: true, companyId: true, sessionId: true, priority: true },
  });
  if (queued.length) {
    await enqueueMessageSendBulk(
      d.queues,
      queued.map((m) => ({
        messageId: m.id,
        companyId: m.companyId,
        sessionId: m.sessionId,
        priority: m.priority,
      })),
    );
  }
  return { recovered: stuck.length, reenqueued: queued.length };
}

/** QUEUED older than the expiry → EXPIRED "Message expired": never sent late by surprise. */
export async function expireQueued(d: MaintenanceDeps): Promise<number> {
  const cutoff = new Date(Date.now() - d.expiryMs);
  const expired = await d.prisma.message.updateManyAndReturn({
    where: { status: MessageStatus.QUEUED, queuedAt: { lt: cutoff } },
    data: { status: MessageStatus.EXPIRED, lastError: "Message expired", failedAt: new Date() },
    select: { id: true, companyId: true, sessionId: true },
  });
  if (expired.length) {
    await d.prisma.event.createMany({
      data: expired.map((m) => ({
        companyId: m.companyId,
        sessionId: m.sessionId,
        category: EventCategory.MESSAGE,
        type: "message.expired",
        message: "Message expired",
        data: { messageId: m.id },
      })),
    });
  }
  return expired.length;
}

/** Trims old events, final-state messages past their company's retention, and finished jobs. */
export async function applyRetention(
  d: MaintenanceDeps,
): Promise<{ events: number; messages: number; jobs: number }> {
  const events = await d.prisma.event.deleteMany({
    where: { createdAt: { lt: new Date(Date.now() - d.eventRetentionDays * DAY_MS) } },
  });
  let messages = 0;
  const companies = await d.prisma.company.findMany({ select: { id: true, messageRetentionDays: true } });
  for (const c of companies) {
    const r = await d.prisma.message.deleteMany({
      where: {
        companyId: c.id,
        status: { in: FINAL },
        updatedAt: { lt: new Date(Date.now() - c.messageRetentionDays * DAY_MS) },
      },
    });
    messages += r.count;
  }
  // Job options already remove finished jobs by age/count; clean() catches anything left behind.
  let jobs = 0;
  const queues = [
    ...Object.values(QueueName).map((n) => d.queues.get(n)),
    ...(await d.queues.knownSendSessions()).map((id) => d.queues.send(id)),
  ];
  for (const q of queues) {
    jobs += (await q.clean(3_600_000, 10_000, "completed")).length;
    jobs += (await q.clean(7 * DAY_MS, 10_000, "failed")).length;
  }
  return { events: events.count, messages, jobs };
}

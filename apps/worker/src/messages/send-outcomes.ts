// The row transitions of an outbound message after a send attempt, each with its event (and webhook
// outbox rows) in the same transaction. Campaign messages also move their recipient and counters.
import {
  EventCategory,
  EventSeverity,
  type Message,
  MessageStatus,
  messageSql,
  outboundSql,
  type Prisma,
  type PrismaClient,
  pgPoolOf,
  RecipientStatus,
  withTransaction,
} from "@zapflow/db";
import type { DomainEvent, EventOutbox } from "../events/outbox";

export const EXPIRED_REASON = "Message expired";

export interface AttemptError {
  attempt: number;
  at: string;
  error: string;
  code?: string;
}

/** Statuses after which a send job has nothing left to do. */
export const FINAL_OUTBOUND: readonly MessageStatus[] = [
  MessageStatus.SENT,
  MessageStatus.DELIVERED,
  MessageStatus.READ,
  MessageStatus.FAILED,
  MessageStatus.DEAD_LETTERED,
  MessageStatus.CANCELLED,
  MessageStatus.EXPIRED,
];

const OPEN: MessageStatus[] = [MessageStatus.QUEUED, MessageStatus.PROCESSING];

function messageEvent(
  m: Message,
  type: string,
  text: string,
  extra: Prisma.InputJsonObject = {},
): DomainEvent {
  const failed = type === "message.failed" || type === "message.dead_lettered";
  return {
    companyId: m.companyId,
    sessionId: m.sessionId,
    category: EventCategory.MESSAGE,
    severity: failed ? EventSeverity.WARN : EventSeverity.INFO,
    type,
    message: text,
    data: {
      messageId: m.id,
      waMessageId: m.waMessageId,
      chatJid: m.chatJid,
      status: type.split(".")[1] ?? "",
      ...extra,
    },
  };
}

const SENT_BATCH_MS = 10;
const SENT_BATCH_MAX = 200;

export class SendOutcomes {
  private sentBatch: { m: Message; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private sentTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: EventOutbox,
  ) {}

  /** SENT, written in batches shared by every session of this worker: the job completes only once
   *  its batch has committed, so a crash never loses the write (the reserved id covers a re-send). */
  markSent(m: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.sentBatch.push({ m, resolve, reject });
      if (this.sentBatch.length >= SENT_BATCH_MAX) void this.flushSent();
      else this.sentTimer ??= setTimeout(() => void this.flushSent(), SENT_BATCH_MS);
    });
  }

  private async flushSent(): Promise<void> {
    clearTimeout(this.sentTimer);
    this.sentTimer = undefined;
    const batch = this.sentBatch.splice(0);
    if (!batch.length) return;
    const at = new Date();
    const ids = batch.map((b) => b.m.id);
    const contactIds = [...new Set(batch.flatMap((b) => (b.m.contactId ? [b.m.contactId] : [])))];
    const campaignMessageIds = batch.flatMap((b) => (b.m.campaignId ? [b.m.id] : []));
    try {
      // Plain SQL, a handful of statements per batch: this runs for every message sent.
      await withTransaction(pgPoolOf(this.prisma), async (tx) => {
        await messageSql.markSent(tx, ids, at);
        await outboundSql.touchContacts(tx, contactIds, at);
        await outboundSql.moveRecipients(tx, {
          messageIds: campaignMessageIds,
          from: [RecipientStatus.PENDING, RecipientStatus.QUEUED],
          to: RecipientStatus.SENT,
          counter: "sentCount",
          count: "messages",
          error: null,
          at,
        });
        await this.outbox.writeSql(
          tx,
          batch.map((b) => messageEvent(b.m, "message.sent", "Message sent")),
          at,
        );
      });
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  /** Permanent failure: FAILED at once with a readable reason. */
  markFailed(m: Message, errors: AttemptError[], reason: string): Promise<unknown> {
    return this.close(m, MessageStatus.FAILED, errors, reason, "message.failed", `Message failed: ${reason}`);
  }

  /** Attempts exhausted: DEAD_LETTERED with every attempt's error (the DLQ lists these). */
  markDeadLettered(m: Message, errors: AttemptError[], reason: string): Promise<unknown> {
    return this.close(
      m,
      MessageStatus.DEAD_LETTERED,
      errors,
      reason,
      "message.dead_lettered",
      `Message dead-lettered after ${errors.length} attempts: ${reason}`,
    );
  }

  markExpired(m: Message): Promise<unknown> {
    return this.close(m, MessageStatus.EXPIRED, null, EXPIRED_REASON, "message.expired", EXPIRED_REASON);
  }

  /** A retryable failure: back to QUEUED (BullMQ retries it after the backoff) with the error kept. */
  async markRetrying(m: Message, errors: AttemptError[], reason: string): Promise<void> {
    await this.prisma.message.updateMany({
      where: { id: m.id, status: MessageStatus.PROCESSING },
      data: {
        status: MessageStatus.QUEUED,
        lastError: reason,
        attemptErrors: errors as unknown as Prisma.InputJsonArray,
      },
    });
  }

  private async close(
    m: Message,
    status: MessageStatus,
    errors: AttemptError[] | null,
    reason: string,
    type: string,
    text: string,
  ): Promise<unknown> {
    const ops: Prisma.PrismaPromise<unknown>[] = [
      this.prisma.message.updateMany({
        where: { id: m.id, status: { in: OPEN } },
        data: {
          status,
          lastError: reason,
          failedAt: new Date(),
          ...(errors ? { attemptErrors: errors as unknown as Prisma.InputJsonArray } : {}),
        },
      }),
    ];
    if (m.campaignId) {
      ops.push(...this.campaignOps(m.campaignId, [m.id], RecipientStatus.FAILED, "failedCount", reason));
    }
    return this.outbox.commit(ops, [messageEvent(m, type, text, { reason })]);
  }

  private campaignOps(
    campaignId: string,
    messageIds: string[],
    recipientStatus: RecipientStatus,
    counter: "sentCount" | "failedCount",
    error?: string,
  ): Prisma.PrismaPromise<unknown>[] {
    return [
      this.prisma.campaignRecipient.updateMany({
        where: {
          messageId: { in: messageIds },
          status: { in: [RecipientStatus.PENDING, RecipientStatus.QUEUED] },
        },
        data: { status: recipientStatus, error: error ?? null },
      }),
      this.prisma.campaign.update({
        where: { id: campaignId },
        data: { [counter]: { increment: messageIds.length } },
      }),
    ];
  }

  /** Waits for pending SENT writes (shutdown). */
  async drain(): Promise<void> {
    await this.flushSent();
  }
}

export function withAttemptError(m: Message, err: AttemptError): AttemptError[] {
  const previous = Array.isArray(m.attemptErrors) ? (m.attemptErrors as unknown as AttemptError[]) : [];
  return [...previous, err];
}

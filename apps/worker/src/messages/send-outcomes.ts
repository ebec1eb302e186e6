// The row transitions of an outbound message after a send attempt, each with its event (and webhook
// outbox rows) in the same transaction. Campaign messages also move their recipient and counters.
import {
  EventCategory,
  EventSeverity,
  type Message,
  MessageStatus,
  type Prisma,
  type PrismaClient,
  RecipientStatus,
} from "@zapflow/db";
import type { DomainEvent, EventOutbox } from "./outbox";

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

export class SendOutcomes {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: EventOutbox,
  ) {}

  async markSent(m: Message, at: Date): Promise<void> {
    const ops: Prisma.PrismaPromise<unknown>[] = [
      this.prisma.message.updateMany({
        where: { id: m.id, status: MessageStatus.PROCESSING },
        data: { status: MessageStatus.SENT, sentAt: at },
      }),
    ];
    if (m.contactId) {
      ops.push(this.prisma.contact.updateMany({ where: { id: m.contactId }, data: { lastOutboundAt: at } }));
    }
    if (m.campaignId) ops.push(...this.campaignOps(m, RecipientStatus.SENT, { sentCount: { increment: 1 } }));
    const [moved] = (await this.outbox.commit(ops, [messageEvent(m, "message.sent", "Message sent")])) as [
      Prisma.BatchPayload,
    ];
    // A receipt overtook us (row already DELIVERED/READ): keep its status, still record sentAt.
    if (moved.count === 0) {
      await this.prisma.message.updateMany({ where: { id: m.id, sentAt: null }, data: { sentAt: at } });
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
    if (m.campaignId)
      ops.push(...this.campaignOps(m, RecipientStatus.FAILED, { failedCount: { increment: 1 } }, reason));
    return this.outbox.commit(ops, [messageEvent(m, type, text, { reason })]);
  }

  private campaignOps(
    m: Message,
    recipientStatus: RecipientStatus,
    counters: Prisma.CampaignUpdateInput,
    error?: string,
  ): Prisma.PrismaPromise<unknown>[] {
    const campaignId = m.campaignId as string;
    return [
      this.prisma.campaignRecipient.updateMany({
        where: { messageId: m.id, status: { in: [RecipientStatus.PENDING, RecipientStatus.QUEUED] } },
        data: { status: recipientStatus, error: error ?? null },
      }),
      this.prisma.campaign.update({ where: { id: campaignId }, data: counters }),
    ];
  }
}

export function withAttemptError(m: Message, err: AttemptError): AttemptError[] {
  const previous = Array.isArray(m.attemptErrors) ? (m.attemptErrors as unknown as AttemptError[]) : [];
  return [...previous, err];
}

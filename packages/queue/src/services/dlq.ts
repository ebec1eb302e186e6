// Dead-letter queue over the Message table: list, retry (same row back to QUEUED, attempts kept,
// slightly higher priority, a fresh job id) and discard. Every call is scoped by companyId.
import { EventCategory, type Message, MessageStatus, type Prisma, type PrismaClient } from "@zapflow/db";
import { z } from "zod";
import { MessagePriority } from "../options";
import { type QueueRegistry, requeueMessageSend } from "../queues";
import { ValidationError } from "./errors";

export interface DlqDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

export const dlqFilter = z.object({
  sessionId: z.string().min(1).optional(),
  /** Case-insensitive substring of the last error. */
  error: z.string().min(1).max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  /** Include permanently FAILED messages (not only dead-lettered). */
  includeFailed: z.boolean().default(false),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type DlqFilter = z.input<typeof dlqFilter>;

const ids = z
  .array(z.string().min(1))
  .min(1, "give at least one message id")
  .max(1_000, "at most 1000 ids at once");

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw ValidationError.fromZod(r.error);
  return r.data;
}

function where(companyId: string, f: z.infer<typeof dlqFilter>): Prisma.MessageWhereInput {
  return {
    companyId,
    status: {
      in: f.includeFailed
        ? [MessageStatus.DEAD_LETTERED, MessageStatus.FAILED]
        : [MessageStatus.DEAD_LETTERED],
    },
    ...(f.sessionId ? { sessionId: f.sessionId } : {}),
    ...(f.error ? { lastError: { contains: f.error, mode: "insensitive" as const } } : {}),
    ...(f.from || f.to
      ? { failedAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } }
      : {}),
  };
}

export async function listDeadLetters(
  deps: Pick<DlqDeps, "prisma">,
  companyId: string,
  filter: DlqFilter = {},
): Promise<{ items: Message[]; total: number; page: number; pageSize: number }> {
  const f = parse(dlqFilter, filter);
  const w = where(companyId, f);
  const [items, total] = await Promise.all([
    deps.prisma.message.findMany({
      where: w,
      orderBy: [{ failedAt: "desc" }, { id: "desc" }],
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
    }),
    deps.prisma.message.count({ where: w }),
  ]);
  return { items, total, page: f.page, pageSize: f.pageSize };
}

/** Re-queues dead-lettered/failed messages. Returns the ids actually re-queued (others were not in the DLQ). */
export async function retryDeadLetters(
  deps: DlqDeps,
  companyId: string,
  messageIds: string[],
): Promise<string[]> {
  const list = parse(ids, messageIds);
  const { prisma, queues } = deps;
  const rows = await prisma.$transaction(async (tx) => {
    const moved = await tx.message.updateManyAndReturn({
      where: {
        companyId,
        id: { in: list },
        status: { in: [MessageStatus.DEAD_LETTERED, MessageStatus.FAILED] },
      },
      // queuedAt restarts the expiry clock: a retried message must not expire at once.
      data: { status: MessageStatus.QUEUED, queuedAt: new Date(), failedAt: null },
      select: { id: true, companyId: true, sessionId: true, priority: true, attempts: true },
    });
    if (moved.length) {
      await tx.event.createMany({
        data: moved.map((m) => ({
          companyId,
          sessionId: m.sessionId,
          category: EventCategory.MESSAGE,
          type: "message.retried",
          message: "Message re-queued from the dead-letter queue",
          data: { messageId: m.id, attempts: m.attempts },
        })),
      });
    }
    return moved;
  });
  for (const m of rows) {
    // attempts only grows, so it numbers the re-queue uniquely (the old job id may still exist).
    await requeueMessageSend(
      queues,
      { messageId: m.id, companyId: m.companyId, sessionId: m.sessionId },
      Math.max(1, m.attempts),
      {
        priority: Math.min(m.priority, MessagePriority.retry),
      },
    );
  }
  return rows.map((m) => m.id);
}

/** Discards dead-lettered/failed messages (CANCELLED). Returns how many were discarded. */
export async function discardDeadLetters(
  deps: Pick<DlqDeps, "prisma">,
  companyId: string,
  messageIds: string[],
): Promise<number> {
  const list = parse(ids, messageIds);
  return deps.prisma.$transaction(async (tx) => {
    const moved = await tx.message.updateManyAndReturn({
      where: {
        companyId,
        id: { in: list },
        status: { in: [MessageStatus.DEAD_LETTERED, MessageStatus.FAILED] },
      },
      data: { status: MessageStatus.CANCELLED },
      select: { id: true, sessionId: true },
    });
    if (moved.length) {
      await tx.event.createMany({
        data: moved.map((m) => ({
          companyId,
          sessionId: m.sessionId,
          category: EventCategory.MESSAGE,
          type: "message.discarded",
          message: "Message discarded from the dead-letter queue",
          data: { messageId: m.id },
        })),
      });
    }
    return moved.length;
  });
}

// Message queries for the dashboard and API (writes go through @zapflow/queue services).
import type { Prisma, PrismaClient } from "@zapflow/db";
import { getQueueCounts, type QueueRegistry } from "@zapflow/queue";
import { NotFoundError } from "@zapflow/queue/services/errors";
import type { ListMessagesInput } from "./schemas";

export const messageSelect = {
  id: true,
  sessionId: true,
  contactId: true,
  campaignId: true,
  chatJid: true,
  direction: true,
  type: true,
  payload: true,
  status: true,
  source: true,
  waMessageId: true,
  idempotencyKey: true,
  priority: true,
  attempts: true,
  lastError: true,
  queuedAt: true,
  sentAt: true,
  deliveredAt: true,
  readAt: true,
  failedAt: true,
  createdAt: true,
} as const satisfies Prisma.MessageSelect;

type MessageRow = Prisma.MessageGetPayload<{ select: typeof messageSelect }>;

/** JSON payloads are objects by construction; typed as a record for the API schema. */
export function toMessageView(row: MessageRow) {
  return { ...row, payload: (row.payload ?? {}) as Record<string, unknown> };
}

export async function getMessage(prisma: PrismaClient, companyId: string, id: string) {
  const row = await prisma.message.findFirst({ where: { id, companyId }, select: messageSelect });
  if (!row) throw new NotFoundError("Message", id);
  return toMessageView(row);
}

/** Newest first, keyset-paginated by id (uuid v7 ids sort by creation time). */
export async function listMessages(prisma: PrismaClient, companyId: string, input: ListMessagesInput) {
  const where: Prisma.MessageWhereInput = {
    companyId,
    sessionId: input.sessionId,
    status: input.status,
    direction: input.messageDirection,
    chatJid: input.chatJid,
    campaignId: input.campaignId,
    ...(input.cursor ? { id: { lt: input.cursor } } : {}),
  };
  const rows = await prisma.message.findMany({
    where,
    orderBy: { id: "desc" },
    take: input.limit + 1,
    select: messageSelect,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toMessageView),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Chats of a session with their latest message, for the conversation view. */
export async function listChats(prisma: PrismaClient, companyId: string, sessionId: string, limit = 50) {
  const groups = await prisma.message.groupBy({
    by: ["chatJid"],
    where: { companyId, sessionId },
    _max: { createdAt: true },
    _count: { _all: true },
    orderBy: { _max: { createdAt: "desc" } },
    take: limit,
  });
  return groups.map((g) => ({ chatJid: g.chatJid, lastAt: g._max.createdAt, count: g._count._all }));
}

/** Messages per hour by status over the last `hours`, for the overview chart. */
export async function hourlyStats(prisma: PrismaClient, companyId: string, hours = 24) {
  const since = new Date(Date.now() - hours * 3600_000);
  const rows = await prisma.$queryRaw<{ hour: Date; status: string; count: bigint }[]>`
    SELECT date_trunc('hour', "createdAt") AS hour, status::text AS status, count(*) AS count
    FROM "Message" WHERE "companyId" = ${companyId} AND "createdAt" >= ${since}
    GROUP BY 1, 2 ORDER BY 1`;
  return rows.map((r) => ({ hour: r.hour, status: r.status, count: Number(r.count) }));
}

export async function statusCounts(prisma: PrismaClient, companyId: string) {
  const groups = await prisma.message.groupBy({
    by: ["status"],
    where: { companyId },
    _count: { _all: true },
  });
  return Object.fromEntries(groups.map((g) => [g.status, g._count._all])) as Record<string, number>;
}

/** Depth of each of the company's send queues (one per session). */
export async function sendQueueDepths(
  deps: { prisma: PrismaClient; queues: QueueRegistry },
  companyId: string,
) {
  const sessions = await deps.prisma.whatsappSession.findMany({
    where: { companyId },
    select: { id: true, label: true },
    orderBy: { createdAt: "asc" },
  });
  return Promise.all(
    sessions.map(async (s) => ({ ...s, ...(await getQueueCounts(deps.queues.send(s.id))) })),
  );
}

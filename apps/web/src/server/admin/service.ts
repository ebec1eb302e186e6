// Platform-admin views across companies.
import { type PrismaClient, SessionStatus } from "@zapflow/db";
import { getQueueMetrics, pauseAll, type QueueRegistry, resumeAll } from "@zapflow/queue";
import { audit } from "../audit";

export async function listCompanies(prisma: PrismaClient) {
  const companies = await prisma.company.findMany({
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      slug: true,
      timeZone: true,
      createdAt: true,
      rateLimitPolicy: { select: { version: true, updatedAt: true } },
      _count: { select: { memberships: true, sessions: true, contacts: true, campaigns: true } },
    },
  });
  const connected = await prisma.whatsappSession.groupBy({
    by: ["companyId"],
    where: { status: SessionStatus.CONNECTED },
    _count: { _all: true },
  });
  const connectedBy = new Map(connected.map((c) => [c.companyId, c._count._all]));
  return companies.map((c) => ({ ...c, connectedSessions: connectedBy.get(c.id) ?? 0 }));
}

export async function platformStats(prisma: PrismaClient) {
  const dayAgo = new Date(Date.now() - 86_400_000);
  const [companies, users, sessionsByStatus, messages24h, deadLettered] = await Promise.all([
    prisma.company.count(),
    prisma.user.count(),
    prisma.whatsappSession.groupBy({ by: ["status"], _count: { _all: true } }),
    prisma.message.groupBy({ by: ["status"], where: { createdAt: { gte: dayAgo } }, _count: { _all: true } }),
    prisma.message.count({ where: { status: "DEAD_LETTERED" } }),
  ]);
  return {
    companies,
    users,
    sessionsByStatus: Object.fromEntries(sessionsByStatus.map((s) => [s.status, s._count._all])),
    messages24h: Object.fromEntries(messages24h.map((s) => [s.status, s._count._all])),
    deadLettered,
  };
}

export function queueMetrics(queues: QueueRegistry) {
  return getQueueMetrics(queues);
}

/** Emergency stop / resume of every queue, recorded in the (platform-wide) audit log. */
export async function setAllQueuesPaused(
  prisma: PrismaClient,
  queues: QueueRegistry,
  paused: boolean,
  userId: string,
) {
  const count = paused ? await pauseAll(queues) : await resumeAll(queues);
  await audit(prisma, {
    companyId: null,
    category: "SYSTEM",
    severity: paused ? "WARN" : "INFO",
    type: paused ? "queues.paused" : "queues.resumed",
    message: `${count} queues ${paused ? "paused" : "resumed"} by a platform admin`,
    data: { userId, count },
  });
  return { count };
}

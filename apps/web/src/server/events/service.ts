// Audit log queries, newest first, keyset-paginated by the autoincrement id.
import type { EventCategory, EventSeverity, Prisma, PrismaClient } from "@zapflow/db";

export interface EventFilter {
  category?: EventCategory;
  severity?: EventSeverity;
  sessionId?: string;
  type?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

export async function listEvents(prisma: PrismaClient, companyId: string, f: EventFilter) {
  const where: Prisma.EventWhereInput = {
    companyId,
    category: f.category,
    severity: f.severity,
    sessionId: f.sessionId,
    type: f.type ? { startsWith: f.type } : undefined,
    createdAt: f.from || f.to ? { gte: f.from, lte: f.to } : undefined,
    ...(f.cursor ? { id: { lt: BigInt(f.cursor) } } : {}),
  };
  const rows = await prisma.event.findMany({ where, orderBy: { id: "desc" }, take: f.limit + 1 });
  const page = rows.slice(0, f.limit).map((e) => ({ ...e, id: e.id.toString() }));
  return { items: page, nextCursor: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null };
}

// Audit events written by dashboard/API actions (the worker writes its own).
import type { EventCategory, EventSeverity, Prisma, PrismaClient } from "@zapflow/db";

export interface AuditEntry {
  companyId: string | null;
  sessionId?: string | null;
  category: EventCategory;
  severity?: EventSeverity;
  type: string;
  message: string;
  data?: Prisma.InputJsonValue;
}

export function audit(prisma: PrismaClient | Prisma.TransactionClient, entry: AuditEntry) {
  return prisma.event.create({
    data: {
      companyId: entry.companyId,
      sessionId: entry.sessionId ?? null,
      category: entry.category,
      severity: entry.severity ?? "INFO",
      type: entry.type,
      message: entry.message,
      data: entry.data ?? {},
    },
  });
}

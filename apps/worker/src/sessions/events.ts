// Session audit events (Event rows, category SESSION).
import { EventCategory, EventSeverity, type Prisma, type PrismaClient } from "@zapflow/db";

export interface SessionEventInput {
  sessionId: string;
  companyId: string;
  type: string;
  message: string;
  severity?: EventSeverity;
  data?: Prisma.InputJsonValue;
}

export function sessionEventData(e: SessionEventInput): Prisma.EventCreateManyInput {
  return {
    sessionId: e.sessionId,
    companyId: e.companyId,
    category: EventCategory.SESSION,
    severity: e.severity ?? EventSeverity.INFO,
    type: e.type,
    message: e.message,
    data: e.data ?? {},
  };
}

export async function recordSessionEvent(prisma: PrismaClient, e: SessionEventInput): Promise<void> {
  await prisma.event.create({ data: sessionEventData(e) });
}

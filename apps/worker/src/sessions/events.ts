// Session events: an Event row (category SESSION) per status transition, and for the documented
// webhook types (docs/webhooks.md) their webhook deliveries through the shared EventOutbox, in the
// transaction of the status write. Internal states (connecting, reconnecting, awaiting_qr, breaker…)
// stay audit-only: an endpoint with an empty filter must not get a webhook on every reconnect.
import { EventCategory, EventSeverity, type Prisma, type PrismaClient, SessionStatus } from "@zapflow/db";
import type { DomainEvent, EventOutbox } from "../events/outbox";

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

/** Statuses whose change is reported to webhooks, as session.<status>. */
const REPORTED_STATUSES: ReadonlySet<SessionStatus> = new Set([
  SessionStatus.CONNECTED,
  SessionStatus.DISCONNECTED,
  SessionStatus.LOGGED_OUT,
  SessionStatus.RESTRICTED,
]);
const REPORTED_TYPES = [...REPORTED_STATUSES].map((s) => `session.${s.toLowerCase()}`);

export const OUTBOUND_PAUSED = "session.outbound_paused";

/** One status write's events, as StatusWriter hands them over. */
export interface SessionStateEvent {
  sessionId: string;
  companyId: string;
  status: SessionStatus;
  /** session.<status>, or an override such as session.breaker_opened (never a webhook). */
  type: string;
  message: string;
  severity?: EventSeverity;
  reason: string | null;
  /** Event-row-only details (worker id, breaker counters). */
  auditData: Prisma.InputJsonObject;
  /** A status transition (or an explicit event type): write its Event row. */
  transition: boolean;
  /** The write paused outbound traffic of a number that was not paused before. */
  pausedOutbound: boolean;
}

/** The last reported state of the session (from its Event rows), so a state is reported once per change. */
async function lastReportedType(
  tx: Prisma.TransactionClient,
  sessionId: string,
): Promise<string | undefined> {
  const row = await tx.event.findFirst({
    where: { sessionId, type: { in: REPORTED_TYPES } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { type: true },
  });
  return row?.type;
}

/** True when the row's outbound traffic is not paused yet (read before a write that pauses it). */
export async function outboundRunning(tx: Prisma.TransactionClient, sessionId: string): Promise<boolean> {
  const row = await tx.whatsappSession.findUnique({
    where: { id: sessionId },
    select: { outboundPausedAt: true },
  });
  return !!row && row.outboundPausedAt === null;
}

/**
 * Writes the Event row of a status write and, when the number's reported state changed (or its
 * outbound traffic got paused), the webhook deliveries. A reconnect that ends CONNECTED again, or a
 * hand-over to another worker, reports nothing new.
 */
export async function writeSessionEvents(
  tx: Prisma.TransactionClient,
  outbox: EventOutbox,
  e: SessionStateEvent,
): Promise<void> {
  const base = { companyId: e.companyId, sessionId: e.sessionId, category: EventCategory.SESSION };
  const reported =
    e.transition &&
    e.type === `session.${e.status.toLowerCase()}` &&
    REPORTED_STATUSES.has(e.status) &&
    (await lastReportedType(tx, e.sessionId)) !== e.type;
  const webhooks: DomainEvent[] = [];
  if (reported) {
    webhooks.push({
      ...base,
      severity: e.severity,
      type: e.type,
      message: e.message,
      data: { status: e.status, reason: e.reason },
      auditData: e.auditData,
    });
  } else if (e.transition) {
    await tx.event.create({ data: sessionEventData({ ...e, data: e.auditData }) });
  }
  if (e.pausedOutbound) {
    webhooks.push({
      ...base,
      // WARN: the status event of the same write (session.restricted) is the CRITICAL one.
      severity: EventSeverity.WARN,
      type: OUTBOUND_PAUSED,
      message: `Outbound messages paused: ${e.reason ?? e.status.toLowerCase()}`,
      data: { reason: e.reason ?? e.status.toLowerCase() },
    });
  }
  await outbox.writeIn(tx, webhooks);
}

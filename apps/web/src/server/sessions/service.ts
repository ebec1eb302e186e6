// Sessions: the web writes the desired state and enqueues lifecycle jobs; the worker owning the
// session does the rest (web never touches a WhatsApp socket). Every query is scoped by companyId.
import {
  BreakerState,
  type PrismaClient,
  SessionDesiredState,
  SessionStatus,
  WhatsappEngine,
  type WhatsappSession,
} from "@zapflow/db";
import { enqueueSessionLifecycle, type QueueRegistry } from "@zapflow/queue";
import { NotFoundError } from "@zapflow/queue/services/errors";
import { audit } from "../audit";

export interface SessionDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

/** Fields the dashboard and API show (auth material and internals stay out). */
export const sessionSelect = {
  id: true,
  label: true,
  phone: true,
  jid: true,
  engine: true,
  status: true,
  desiredState: true,
  qrCode: true,
  qrExpiresAt: true,
  pairingCode: true,
  pairingPhone: true,
  pairingCodeExpiresAt: true,
  ownerWorkerId: true,
  leaseExpiresAt: true,
  breakerState: true,
  consecutiveFailures: true,
  reconnectAttempts: true,
  lastFailureAt: true,
  lastFailureReason: true,
  lastDisconnectCode: true,
  breakerOpenedAt: true,
  outboundPausedAt: true,
  outboundPausedReason: true,
  pairedAt: true,
  connectedAt: true,
  lastSeenAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type SessionView = Pick<WhatsappSession, keyof typeof sessionSelect>;

export function defaultEngine(env: NodeJS.ProcessEnv = process.env): WhatsappEngine {
  return env.WA_ENGINE === "simulator" ? WhatsappEngine.SIMULATOR : WhatsappEngine.BAILEYS;
}

export function listSessions(prisma: PrismaClient, companyId: string): Promise<SessionView[]> {
  return prisma.whatsappSession.findMany({
    where: { companyId },
    orderBy: { createdAt: "asc" },
    select: sessionSelect,
  });
}

export async function getSession(prisma: PrismaClient, companyId: string, id: string): Promise<SessionView> {
  const row = await prisma.whatsappSession.findFirst({ where: { id, companyId }, select: sessionSelect });
  if (!row) throw new NotFoundError("Session", id);
  return row;
}

export async function createSession(
  prisma: PrismaClient,
  companyId: string,
  label: string,
): Promise<SessionView> {
  const row = await prisma.whatsappSession.create({
    data: { companyId, label, engine: defaultEngine() },
    select: sessionSelect,
  });
  await audit(prisma, {
    companyId,
    sessionId: row.id,
    category: "SESSION",
    type: "session.created",
    message: `Session "${label}" created`,
  });
  return row;
}

export async function renameSession(prisma: PrismaClient, companyId: string, id: string, label: string) {
  await getSession(prisma, companyId, id);
  return prisma.whatsappSession.update({ where: { id }, data: { label }, select: sessionSelect });
}

type LifecycleAction = "start" | "stop" | "logout" | "restart";

const desiredByAction: Record<LifecycleAction, SessionDesiredState> = {
  start: SessionDesiredState.CONNECTED,
  restart: SessionDesiredState.CONNECTED,
  stop: SessionDesiredState.DISCONNECTED,
  logout: SessionDesiredState.DISCONNECTED,
};

/** Persist the desired state first (the reconciler acts on it even if the enqueue is lost), then enqueue. */
export async function requestLifecycle(
  deps: SessionDeps,
  companyId: string,
  id: string,
  action: LifecycleAction,
): Promise<SessionView> {
  await getSession(deps.prisma, companyId, id);
  const row = await deps.prisma.whatsappSession.update({
    where: { id },
    data: { desiredState: desiredByAction[action] },
    select: sessionSelect,
  });
  await audit(deps.prisma, {
    companyId,
    sessionId: id,
    category: "SESSION",
    type: `session.${action}_requested`,
    message: `${action} requested`,
  });
  await enqueueSessionLifecycle(deps.queues, { action, sessionId: id, companyId });
  return row;
}

/** Phone: digits with the country code (a leading + and separators are accepted and stripped). */
export async function requestPairingCode(deps: SessionDeps, companyId: string, id: string, phone: string) {
  await getSession(deps.prisma, companyId, id);
  const row = await deps.prisma.whatsappSession.update({
    where: { id },
    data: { desiredState: SessionDesiredState.CONNECTED, pairingPhone: phone, pairingCode: null },
    select: sessionSelect,
  });
  await audit(deps.prisma, {
    companyId,
    sessionId: id,
    category: "SESSION",
    type: "session.pairing_code_requested",
    message: `Pairing code requested for +${phone}`,
  });
  await enqueueSessionLifecycle(deps.queues, { action: "pairing-code", sessionId: id, companyId, phone });
  return row;
}

export async function deleteSession(deps: SessionDeps, companyId: string, id: string): Promise<void> {
  const session = await getSession(deps.prisma, companyId, id);
  // The owner worker sees the stop, closes the socket without logging out; the row goes now.
  if (session.status !== SessionStatus.DISCONNECTED) {
    await enqueueSessionLifecycle(deps.queues, { action: "stop", sessionId: id, companyId }).catch(
      () => undefined,
    );
  }
  await deps.prisma.whatsappSession.delete({ where: { id } });
  await audit(deps.prisma, {
    companyId,
    category: "SESSION",
    type: "session.deleted",
    message: `Session "${session.label}" deleted`,
    data: { sessionId: id },
  });
  await deps.queues.removeSendQueue(id).catch(() => undefined);
}

export function breakerThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.BREAKER_THRESHOLD);
  return Number.isInteger(n) && n > 0 ? n : 5;
}

export async function breakerStats(prisma: PrismaClient, companyId: string, id: string) {
  const s = await getSession(prisma, companyId, id);
  return {
    state: s.breakerState,
    failures: s.consecutiveFailures,
    threshold: breakerThreshold(),
    openedAt: s.breakerOpenedAt,
    lastFailureAt: s.lastFailureAt,
    lastFailureReason: s.lastFailureReason,
    reconnectAttempts: s.reconnectAttempts,
  };
}

/** Operator reset: closes the breaker so the reconciler may try again at once. */
export async function resetBreaker(prisma: PrismaClient, companyId: string, id: string) {
  await getSession(prisma, companyId, id);
  const row = await prisma.whatsappSession.update({
    where: { id },
    data: {
      breakerState: BreakerState.CLOSED,
      consecutiveFailures: 0,
      breakerOpenedAt: null,
      reconnectAttempts: 0,
    },
    select: sessionSelect,
  });
  await audit(prisma, {
    companyId,
    sessionId: id,
    category: "SESSION",
    type: "session.breaker_reset",
    message: "Circuit breaker reset by an operator",
  });
  return row;
}

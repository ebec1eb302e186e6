// Persists session state: the row (status + fields), an Event row per status transition, and a
// message on `${prefix}:session-updates` for the web app's live view. Bursts of connection
// events (connecting/reconnecting flaps) are debounced; QR codes, pairing codes and terminal or
// connected transitions are written at once (they are what a user is waiting to see).
import { type EventSeverity, type Prisma, type PrismaClient, SessionStatus } from "@zapflow/db";
import type { createRedisConnection } from "@zapflow/queue";
import type { Logger } from "pino";
import type { EventOutbox } from "../events/outbox";
import { outboundRunning, writeSessionEvents } from "./events";
import { sessionKeys } from "./redis-keys";

type RedisClient = ReturnType<typeof createRedisConnection>;

/** Published on the updates channel (JSON). */
export interface SessionUpdate {
  sessionId: string;
  companyId: string;
  status: SessionStatus;
  qrCode?: string | null;
  qrExpiresAt?: string | null;
  pairingCode?: string | null;
  pairingCodeExpiresAt?: string | null;
  reason?: string;
  workerId: string;
  at: string;
}

export interface StatusChange {
  status: SessionStatus;
  /** Extra row fields written with the status. */
  patch?: Prisma.WhatsappSessionUpdateInput;
  reason?: string;
  severity?: EventSeverity;
  /** Event type override (default session.<status>). */
  eventType?: string;
  eventData?: Prisma.InputJsonObject;
  /** Write now instead of after the debounce window. */
  prompt?: boolean;
}

const PROMPT_STATUSES: ReadonlySet<SessionStatus> = new Set([
  SessionStatus.AWAITING_QR,
  SessionStatus.AWAITING_PAIRING_CODE,
  SessionStatus.CONNECTED,
  SessionStatus.LOGGED_OUT,
  SessionStatus.RESTRICTED,
  SessionStatus.FAILED,
  SessionStatus.DISCONNECTED,
]);

interface Pending {
  companyId: string;
  change: StatusChange;
  timer: NodeJS.Timeout;
}

export interface StatusWriterDeps {
  prisma: PrismaClient;
  /** Event rows and webhook deliveries of the documented session.* types. */
  outbox: EventOutbox;
  redis: RedisClient;
  prefix: string;
  workerId: string;
  debounceMs: number;
  logger: Logger;
}

export class StatusWriter {
  private readonly pending = new Map<string, Pending>();
  /** Last status written per owned session, to write an event only on transitions. */
  private readonly lastStatus = new Map<string, SessionStatus>();

  constructor(private readonly deps: StatusWriterDeps) {}

  async set(sessionId: string, companyId: string, change: StatusChange): Promise<void> {
    const previous = this.pending.get(sessionId);
    const merged: StatusChange = previous
      ? { ...change, patch: { ...previous.change.patch, ...change.patch } }
      : change;
    if (previous) clearTimeout(previous.timer);
    this.pending.delete(sessionId);
    if (change.prompt || PROMPT_STATUSES.has(change.status) || this.deps.debounceMs === 0) {
      await this.write(sessionId, companyId, merged);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(sessionId);
      this.write(sessionId, companyId, merged).catch((error) =>
        this.deps.logger.error({ err: error, sessionId }, "debounced status write failed"),
      );
    }, this.deps.debounceMs);
    timer.unref();
    this.pending.set(sessionId, { companyId, change: merged, timer });
  }

  /** Writes a pending debounced change now (before a hand-over or shutdown). */
  async flush(sessionId: string): Promise<void> {
    const p = this.pending.get(sessionId);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(sessionId);
    await this.write(sessionId, p.companyId, p.change);
  }

  /** Drops pending writes and memory for a session this worker no longer owns. */
  forget(sessionId: string): void {
    const p = this.pending.get(sessionId);
    if (p) clearTimeout(p.timer);
    this.pending.delete(sessionId);
    this.lastStatus.delete(sessionId);
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
  }

  pendingCount(): number {
    return this.pending.size;
  }

  private async write(sessionId: string, companyId: string, change: StatusChange): Promise<void> {
    const { prisma, outbox, workerId } = this.deps;
    const transition = this.lastStatus.get(sessionId) !== change.status || !!change.eventType;
    this.lastStatus.set(sessionId, change.status);
    const pausing = !!change.patch?.outboundPausedAt;
    const status = change.status.toLowerCase();
    // Row, Event row and webhook deliveries commit together (or not at all).
    await prisma.$transaction(async (tx) => {
      const pausedOutbound = pausing && (await outboundRunning(tx, sessionId));
      await tx.whatsappSession.update({
        where: { id: sessionId },
        data: { ...change.patch, status: change.status, lastSeenAt: new Date() },
      });
      if (!transition && !pausedOutbound) return;
      await writeSessionEvents(tx, outbox, {
        sessionId,
        companyId,
        status: change.status,
        type: change.eventType ?? `session.${status}`,
        message: change.reason ?? `Session ${status.replace(/_/g, " ")}`,
        severity: change.severity,
        reason: change.reason ?? null,
        auditData: { ...change.eventData, workerId },
        transition,
        pausedOutbound,
      });
    });
    await this.publish(sessionId, companyId, change);
  }

  private async publish(sessionId: string, companyId: string, change: StatusChange): Promise<void> {
    const p = change.patch ?? {};
    const update: SessionUpdate = {
      sessionId,
      companyId,
      status: change.status,
      ...("qrCode" in p ? { qrCode: p.qrCode as string | null } : {}),
      ...("qrExpiresAt" in p ? { qrExpiresAt: isoOrNull(p.qrExpiresAt) } : {}),
      ...("pairingCode" in p ? { pairingCode: p.pairingCode as string | null } : {}),
      ...("pairingCodeExpiresAt" in p ? { pairingCodeExpiresAt: isoOrNull(p.pairingCodeExpiresAt) } : {}),
      ...(change.reason ? { reason: change.reason } : {}),
      workerId: this.deps.workerId,
      at: new Date().toISOString(),
    };
    try {
      await this.deps.redis.publish(sessionKeys.updatesChannel(this.deps.prefix), JSON.stringify(update));
    } catch (error) {
      // Live updates are best effort: the row already holds the truth and the UI can poll it.
      this.deps.logger.warn({ err: error, sessionId }, "session update publish failed");
    }
  }
}

function isoOrNull(value: unknown): string | null {
  return value instanceof Date ? value.toISOString() : null;
}

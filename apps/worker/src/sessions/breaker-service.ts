// Operator controls and stats of a session's reconnect circuit breaker (for the web/admin UI).
// Changes are written to the row; the owning worker reads the row before its next connect attempt
// (enqueue a `restart` lifecycle job to apply a reset at once).
import { BreakerState, EventSeverity, type PrismaClient } from "@zapflow/db";
import { recordSessionEvent } from "./events";

export interface BreakerStats {
  state: BreakerState;
  consecutiveFailures: number;
  threshold: number;
  openMs: number;
  openedAt: Date | null;
  /** When an OPEN breaker lets the next probe through. */
  probeAt: Date | null;
  lastFailureAt: Date | null;
  lastFailureReason: string | null;
  reconnectAttempts: number;
}

export class SessionBreakerService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly settings: { threshold: number; openMs: number },
  ) {}

  async stats(companyId: string, sessionId: string): Promise<BreakerStats | null> {
    const row = await this.prisma.whatsappSession.findFirst({
      where: { id: sessionId, companyId },
      select: {
        breakerState: true,
        consecutiveFailures: true,
        breakerOpenedAt: true,
        lastFailureAt: true,
        lastFailureReason: true,
        reconnectAttempts: true,
      },
    });
    if (!row) return null;
    const probeAt =
      row.breakerState === BreakerState.OPEN && row.breakerOpenedAt
        ? new Date(row.breakerOpenedAt.getTime() + this.settings.openMs)
        : null;
    return {
      state: row.breakerState,
      consecutiveFailures: row.consecutiveFailures,
      threshold: this.settings.threshold,
      openMs: this.settings.openMs,
      openedAt: row.breakerOpenedAt,
      probeAt,
      lastFailureAt: row.lastFailureAt,
      lastFailureReason: row.lastFailureReason,
      reconnectAttempts: row.reconnectAttempts,
    };
  }

  /** CLOSED with the failure count cleared. */
  reset(companyId: string, sessionId: string, actor?: string): Promise<boolean> {
    return this.apply(companyId, sessionId, BreakerState.CLOSED, "session.breaker_reset", actor);
  }

  /** Force OPEN: no reconnect attempts for BREAKER_OPEN_MS. */
  open(companyId: string, sessionId: string, actor?: string): Promise<boolean> {
    return this.apply(companyId, sessionId, BreakerState.OPEN, "session.breaker_forced_open", actor);
  }

  /** Force CLOSED (keeps the last failure for the record). */
  close(companyId: string, sessionId: string, actor?: string): Promise<boolean> {
    return this.apply(companyId, sessionId, BreakerState.CLOSED, "session.breaker_forced_closed", actor);
  }

  private async apply(
    companyId: string,
    sessionId: string,
    state: BreakerState,
    eventType: string,
    actor?: string,
  ): Promise<boolean> {
    const { count } = await this.prisma.whatsappSession.updateMany({
      where: { id: sessionId, companyId },
      data: {
        breakerState: state,
        consecutiveFailures: 0,
        breakerOpenedAt: state === BreakerState.OPEN ? new Date() : null,
        ...(eventType === "session.breaker_reset" ? { lastFailureReason: null, lastFailureAt: null } : {}),
      },
    });
    if (count === 0) return false;
    await recordSessionEvent(this.prisma, {
      sessionId,
      companyId,
      type: eventType,
      message: `Circuit breaker set to ${state.toLowerCase()} by an operator`,
      severity: EventSeverity.WARN,
      data: actor ? { actor } : {},
    });
    return true;
  }
}

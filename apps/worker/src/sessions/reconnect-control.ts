// A runner's reconnect timing: the circuit breaker (mirrored on the row), the attempt counter,
// the backoff timer and the "stable connection" timer. Both timers are owned here and cleared
// by cancel().
import { BreakerState, type Prisma, type PrismaClient } from "@zapflow/db";
import { type BreakerDecision, type BreakerSnapshot, CircuitBreaker } from "./breaker";
import { reconnectDelayMs } from "./disconnect-policy";

export interface ReconnectSettings {
  breakerThreshold: number;
  breakerOpenMs: number;
  /** A connection counts as a breaker success only after staying open this long (storm guard). */
  stableConnectionMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** A new socket must show progress (QR, pairing code, open or close) within this time. */
  connectTimeoutMs: number;
}

export class ReconnectControl {
  private readonly breaker: CircuitBreaker;
  private retryTimer?: NodeJS.Timeout;
  private stableTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  attempts = 0;

  constructor(
    private readonly settings: ReconnectSettings,
    initial: BreakerSnapshot,
  ) {
    this.breaker = new CircuitBreaker(
      { threshold: settings.breakerThreshold, openMs: settings.breakerOpenMs },
      initial,
    );
  }

  /** An operator may have reset/opened/closed the breaker on the row since we last looked. */
  async reload(prisma: PrismaClient, sessionId: string): Promise<void> {
    const row = await prisma.whatsappSession.findUnique({
      where: { id: sessionId },
      select: { breakerState: true, consecutiveFailures: true, breakerOpenedAt: true },
    });
    if (!row) return;
    if (row.breakerState !== this.breaker.state || row.consecutiveFailures !== this.breaker.failures) {
      this.breaker.load({
        state: row.breakerState,
        consecutiveFailures: row.consecutiveFailures,
        openedAt: row.breakerOpenedAt,
      });
    }
  }

  tryAttempt(): BreakerDecision {
    return this.breaker.tryAttempt();
  }

  /** Counts a failure; `opened` when it tripped the breaker. `patch` mirrors it on the row. */
  recordFailure(reason: string, code: number | null) {
    this.attempts++;
    const opened = this.breaker.recordFailure();
    const patch = {
      breakerState: this.breaker.state,
      consecutiveFailures: this.breaker.failures,
      breakerOpenedAt: this.breaker.openedAt,
      lastFailureAt: new Date(),
      lastFailureReason: reason,
      lastDisconnectCode: code,
      reconnectAttempts: this.attempts,
    } satisfies Prisma.WhatsappSessionUpdateInput;
    return { opened, failures: this.breaker.failures, patch };
  }

  /** Connected: the breaker closes only if the connection then stays up (`onStable`). */
  connected(onStable: () => void): void {
    this.attempts = 0;
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(onStable, this.settings.stableConnectionMs);
    this.stableTimer.unref();
  }

  /** Returns true when the breaker had failures to clear (the row needs the update). */
  recordStable(): boolean {
    const hadFailures = this.breaker.state !== BreakerState.CLOSED || this.breaker.failures > 0;
    this.breaker.recordSuccess();
    return hadFailures;
  }

  /** Next attempt after an exponential, jittered delay. */
  backoff(fire: () => void): void {
    const { reconnectBaseMs, reconnectMaxMs } = this.settings;
    this.retryIn(reconnectDelayMs(this.attempts, reconnectBaseMs, reconnectMaxMs), fire);
  }

  retryIn(ms: number, fire: () => void): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      fire();
    }, ms);
    this.retryTimer.unref();
  }

  /** Guards against an engine that never reports back on a new socket (a stalled handshake). */
  watchConnect(onStalled: () => void): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(onStalled, this.settings.connectTimeoutMs);
    this.watchdog.unref();
  }

  connectProgressed(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  cancel(): void {
    this.cancelRetry();
    this.connectProgressed();
    clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
  }
}

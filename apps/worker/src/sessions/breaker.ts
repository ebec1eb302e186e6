// Per-session reconnect circuit breaker: CLOSED → OPEN after `threshold` consecutive failures;
// OPEN refuses attempts for `openMs`; then HALF_OPEN lets exactly one probe through — success
// closes it, failure reopens it. The state lives on the session row (so it survives a move to
// another worker); this class is the pure decision logic.
import { BreakerState } from "@zapflow/db";

export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt: Date | null;
}

export interface BreakerSettings {
  threshold: number;
  openMs: number;
}

export type BreakerDecision = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number };

export class CircuitBreaker {
  private snapshot: BreakerSnapshot;
  private probeInFlight = false;

  constructor(
    private readonly settings: BreakerSettings,
    initial: BreakerSnapshot = { state: BreakerState.CLOSED, consecutiveFailures: 0, openedAt: null },
  ) {
    this.snapshot = { ...initial };
  }

  get state(): BreakerState {
    return this.snapshot.state;
  }

  get failures(): number {
    return this.snapshot.consecutiveFailures;
  }

  get openedAt(): Date | null {
    return this.snapshot.openedAt;
  }

  /** Replace the state (e.g. an operator reset it on the row). */
  load(snapshot: BreakerSnapshot): void {
    this.snapshot = { ...snapshot };
    this.probeInFlight = false;
  }

  /** May we try to connect now? Moves OPEN → HALF_OPEN once the open time has passed. */
  tryAttempt(now = Date.now()): BreakerDecision {
    const { state, openedAt } = this.snapshot;
    if (state === BreakerState.OPEN) {
      const retryInMs = (openedAt?.getTime() ?? now) + this.settings.openMs - now;
      if (retryInMs > 0) return { allowed: false, retryInMs };
      this.snapshot = { ...this.snapshot, state: BreakerState.HALF_OPEN };
    }
    if (this.snapshot.state === BreakerState.HALF_OPEN) {
      if (this.probeInFlight) return { allowed: false, retryInMs: this.settings.openMs };
      this.probeInFlight = true;
      return { allowed: true, probe: true };
    }
    return { allowed: true, probe: false };
  }

  recordSuccess(): void {
    this.probeInFlight = false;
    this.snapshot = { state: BreakerState.CLOSED, consecutiveFailures: 0, openedAt: null };
  }

  /** Returns true when this failure opened (or reopened) the breaker. */
  recordFailure(now = Date.now()): boolean {
    const failures = this.snapshot.consecutiveFailures + 1;
    const wasProbe = this.snapshot.state === BreakerState.HALF_OPEN;
    this.probeInFlight = false;
    if (wasProbe || failures >= this.settings.threshold) {
      this.snapshot = { state: BreakerState.OPEN, consecutiveFailures: failures, openedAt: new Date(now) };
      return true;
    }
    this.snapshot = { ...this.snapshot, consecutiveFailures: failures };
    return false;
  }
}

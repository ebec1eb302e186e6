// Session slots of one worker process. At MAX_SESSIONS the worker stops taking sessions: new
// starts wait in a FIFO (and stay without a lease, so another worker with room can take them).
export interface PoolStats {
  activeSessions: number;
  maxSessions: number;
  waitingQueue: number;
  utilizationRate: number;
}

export class SessionPool {
  private readonly active = new Set<string>();
  private readonly waiting = new Set<string>(); // insertion order = FIFO

  constructor(readonly maxSessions: number) {}

  hasRoom(): boolean {
    return this.active.size < this.maxSessions;
  }

  freeSlots(): number {
    return Math.max(0, this.maxSessions - this.active.size);
  }

  has(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  /** Takes a slot; false when full (the session joins the waiting queue). */
  tryAcquire(sessionId: string): boolean {
    if (this.active.has(sessionId)) return true;
    if (!this.hasRoom()) {
      this.waiting.add(sessionId);
      return false;
    }
    this.waiting.delete(sessionId);
    this.active.add(sessionId);
    return true;
  }

  /** Frees a slot and returns the next waiting session, if any (the caller tries to start it). */
  release(sessionId: string): string | undefined {
    this.waiting.delete(sessionId);
    if (!this.active.delete(sessionId)) return undefined;
    const next = this.waiting.values().next();
    if (next.done) return undefined;
    this.waiting.delete(next.value);
    return next.value;
  }

  dropWaiting(sessionId: string): void {
    this.waiting.delete(sessionId);
  }

  stats(): PoolStats {
    return {
      activeSessions: this.active.size,
      maxSessions: this.maxSessions,
      waitingQueue: this.waiting.size,
      utilizationRate: this.maxSessions === 0 ? 1 : this.active.size / this.maxSessions,
    };
  }
}

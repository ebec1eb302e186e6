// Ban signals pause a number's outbound traffic: WhatsApp's restricted / rate-limited answers, and
// a failure rate over a threshold in a sliding window. The pause lives on the session row and as a
// BullMQ pause of its send queue (in Redis, so every worker honours it) until an operator resumes.
import { EventCategory, EventSeverity, type PrismaClient } from "@zapflow/db";
import type { QueueRegistry } from "@zapflow/queue";
import { LRUCache } from "lru-cache";
import type { Logger } from "pino";
import type { EventOutbox } from "../events/outbox";
import type { SessionBus } from "../session-bus";

export interface FailureRateOptions {
  /** Failure share (0–1) that pauses the number once `minSamples` outcomes are in the window. */
  threshold: number;
  minSamples: number;
  windowMs: number;
}

export const defaultFailureRate: FailureRateOptions = {
  threshold: 0.5,
  minSamples: 10,
  windowMs: 5 * 60_000,
};

/** A session's recent send outcomes, oldest first, with a running failure count: recording one is
 *  O(1) amortised (expired entries leave from the head), not a copy of the whole window per send. */
class OutcomeWindow {
  private at: number[] = [];
  private failed: boolean[] = [];
  private head = 0;
  failures = 0;

  get size(): number {
    return this.at.length - this.head;
  }

  add(now: number, failed: boolean, windowMs: number, max: number): void {
    while (this.size > 0 && (now - (this.at[this.head] as number) >= windowMs || this.size >= max)) {
      if (this.failed[this.head]) this.failures--;
      this.head++;
    }
    if (this.head > 1_024) {
      this.at = this.at.slice(this.head);
      this.failed = this.failed.slice(this.head);
      this.head = 0;
    }
    this.at.push(now);
    this.failed.push(failed);
    if (failed) this.failures++;
  }
}

const MAX_OUTCOMES = 1_000;

export class BanSignals {
  /** Recent outcomes per session (bounded in time, count and sessions). */
  private readonly outcomes = new LRUCache<string, OutcomeWindow>({ max: 10_000 });

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      queues: QueueRegistry;
      outbox: EventOutbox;
      bus: SessionBus;
      logger: Logger;
      failureRate?: FailureRateOptions;
    },
  ) {}

  private get rate(): FailureRateOptions {
    return this.deps.failureRate ?? defaultFailureRate;
  }

  /** Records a send outcome; returns a reason when the failure rate crossed the threshold. */
  record(sessionId: string, failed: boolean, now = Date.now()): string | undefined {
    const { windowMs, minSamples, threshold } = this.rate;
    let window = this.outcomes.get(sessionId);
    if (!window) {
      window = new OutcomeWindow();
      this.outcomes.set(sessionId, window);
    }
    window.add(now, failed, windowMs, MAX_OUTCOMES);
    const { size, failures } = window;
    if (size < minSamples || failures / size <= threshold) return undefined;
    return `failure rate ${Math.round((failures / size) * 100)}% over the last ${size} sends`;
  }

  /** Re-pauses the send queue of a number whose row says paused (Redis may have lost the flag). */
  async reapply(sessionId: string): Promise<void> {
    await this.deps.queues.send(sessionId).pause();
  }

  /** Pauses the number (idempotent: the first signal wins, later ones only log). */
  async pause(sessionId: string, companyId: string, reason: string): Promise<void> {
    const { prisma, queues, outbox, bus, logger } = this.deps;
    this.outcomes.delete(sessionId);
    await queues.send(sessionId).pause();
    // Only the signal that actually pauses the number reports it (later ones would repeat the event).
    const firstSignal = await prisma.$transaction(async (tx) => {
      const paused = await tx.whatsappSession.updateMany({
        where: { id: sessionId, companyId, outboundPausedAt: null },
        data: { outboundPausedAt: new Date(), outboundPausedReason: reason },
      });
      if (paused.count === 0) return false;
      await outbox.writeIn(tx, [
        {
          companyId,
          sessionId,
          category: EventCategory.SESSION,
          severity: EventSeverity.CRITICAL,
          type: "session.outbound_paused",
          message: `Outbound messages paused: ${reason}`,
          data: { reason },
        },
      ]);
      return true;
    });
    logger.warn({ sessionId, companyId, reason, firstSignal }, "outbound traffic paused");
    bus.emit("restricted", { sessionId, companyId, reason });
  }
}

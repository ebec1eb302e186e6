// Outbox relay: claims due deliveries in Postgres (FOR UPDATE SKIP LOCKED, so several workers never
// claim the same row) and enqueues one webhook-delivery job per row. A claim is a lease: the row
// turns DELIVERING with nextAttemptAt = now + lease; if the job never finishes (Redis lost it, the
// worker died), the lease lapses and the row is claimed again. Rows therefore survive Redis outages.
import type { PrismaClient } from "@zapflow/db";
import { enqueueWebhookDelivery, type QueueRegistry } from "@zapflow/queue";
import type { Logger } from "pino";

export interface RelayDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
  logger: Logger;
  batch: number;
  leaseMs: number;
}

interface ClaimedRow {
  id: string;
  companyId: string;
}

/** Claims up to `batch` due rows: PENDING/FAILED whose time has come, DELIVERING whose lease lapsed. */
export function claimDueDeliveries(
  prisma: PrismaClient,
  batch: number,
  leaseMs: number,
): Promise<ClaimedRow[]> {
  return prisma.$queryRaw<ClaimedRow[]>`
    WITH due AS (
      SELECT id FROM "WebhookDelivery"
      WHERE status IN ('PENDING', 'FAILED', 'DELIVERING') AND "nextAttemptAt" <= now()
      ORDER BY "nextAttemptAt"
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE "WebhookDelivery" d
    SET status = 'DELIVERING', "nextAttemptAt" = now() + make_interval(secs => ${leaseMs / 1000})
    FROM due WHERE d.id = due.id
    RETURNING d.id, d."companyId"`;
}

/** One relay pass: claim, enqueue. Returns how many rows were handed to the queue. */
export async function relayOnce(deps: RelayDeps): Promise<number> {
  const rows = await claimDueDeliveries(deps.prisma, deps.batch, deps.leaseMs);
  if (!rows.length) return 0;
  const results = await Promise.allSettled(
    rows.map((r) => enqueueWebhookDelivery(deps.queues, { deliveryId: r.id, companyId: r.companyId })),
  );
  const unqueued = rows.filter((_, i) => results[i]?.status === "rejected").map((r) => r.id);
  if (unqueued.length) {
    // Redis unavailable: give the claims back so the next pass retries instead of waiting out the lease.
    deps.logger.warn({ count: unqueued.length }, "webhook relay could not enqueue; will retry");
    await deps.prisma.webhookDelivery
      .updateMany({
        where: { id: { in: unqueued }, status: "DELIVERING" },
        data: { nextAttemptAt: new Date() },
      })
      .catch(() => undefined);
  }
  return rows.length - unqueued.length;
}

/**
 * Runs relayOnce every `intervalMs` and whenever nudged; passes never overlap within a process,
 * and a nudge during a pass schedules one more pass right after it.
 */
export class RelayLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  lastSuccessAt = 0;

  constructor(
    private readonly deps: RelayDeps,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Claim due rows now (e.g. right after a commit that wrote outbox rows). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pass(), delayMs);
  }

  private pass(): void {
    this.timer = undefined;
    this.running = (async () => {
      try {
        // A full batch means more may be due: keep going without waiting for the interval.
        let relayed = this.deps.batch;
        while (!this.stopped && relayed >= this.deps.batch) relayed = await relayOnce(this.deps);
        this.lastSuccessAt = Date.now();
      } catch (err) {
        this.deps.logger.warn({ err }, "webhook relay pass failed");
      }
    })().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      const rerun = this.again;
      this.again = false;
      this.schedule(rerun ? 0 : this.intervalMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

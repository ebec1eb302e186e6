// Moves sessions nobody runs to a worker with room: every RECONCILE_INTERVAL_MS (±20 % jitter, so
// workers do not query in lockstep) it lists sessions that want to be connected whose mirrored
// lease has lapsed, confirms in Redis that no live lease exists, and starts them here (the start
// takes the lease first, so two reconcilers racing for one session start it once).
import { BreakerState, type PrismaClient, SessionDesiredState } from "@zapflow/db";
import type { Logger } from "pino";
import type { SessionManager } from "./manager";

const START_CONCURRENCY = 8;

export interface ReconcilerOptions {
  prisma: PrismaClient;
  manager: SessionManager;
  logger: Logger;
  intervalMs: number;
  breakerOpenMs: number;
}

export class Reconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;

  constructor(private readonly opts: ReconcilerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.running ?? Promise.resolve();
  }

  /** Run soon (leases were just released by a worker shutting down). */
  nudge(): void {
    if (!this.stopped) this.schedule(Math.random() * 200);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true; // a nudge during a pass: run once more right after it
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.reconcile().catch((error) =>
          this.opts.logger.warn({ err: error }, "session reconcile failed"),
        );
      } while (this.again && !this.stopped);
    })();
    await this.running;
    this.running = undefined;
    if (!this.stopped) this.schedule(this.opts.intervalMs * (0.8 + Math.random() * 0.4));
  }

  /** One pass; returns the sessions this worker started. */
  async reconcile(): Promise<string[]> {
    const { manager, prisma } = this.opts;
    const room = manager.pool.freeSlots();
    if (room === 0) return [];
    const now = new Date();
    const rows = await prisma.whatsappSession.findMany({
      where: {
        desiredState: SessionDesiredState.CONNECTED,
        OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }],
      },
      select: { id: true, breakerState: true, breakerOpenedAt: true },
      orderBy: { leaseExpiresAt: { sort: "asc", nulls: "first" } },
      take: room * 2 + 10,
    });
    const eligible = rows.filter(
      (row) =>
        !manager.isLocal(row.id) &&
        !manager.isBusy(row.id) &&
        !(
          row.breakerState === BreakerState.OPEN &&
          row.breakerOpenedAt &&
          row.breakerOpenedAt.getTime() + this.opts.breakerOpenMs > now.getTime()
        ),
    );
    const owners = await manager.leases.owners(eligible.map((row) => row.id));
    const orphans = eligible.filter((_, i) => owners[i] === null).map((row) => row.id);
    const started: string[] = [];
    for (let i = 0; i < orphans.length && manager.pool.hasRoom() && !this.stopped; i += START_CONCURRENCY) {
      const chunk = orphans.slice(i, i + START_CONCURRENCY);
      const outcomes = await Promise.all(chunk.map((id) => manager.startSession(id).catch(() => "failed")));
      chunk.forEach((id, k) => {
        if (outcomes[k] === "started") started.push(id);
      });
    }
    if (started.length)
      this.opts.logger.info({ count: started.length }, "reconciler took over orphaned sessions");
    return started;
  }
}

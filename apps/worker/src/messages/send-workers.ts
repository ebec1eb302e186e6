// Owner-only consumption of the per-session send queues: a BullMQ Worker on send-<sessionId>
// (concurrency 1: one message in flight per number, so per-chat order holds) starts when the
// session becomes ready on this worker and closes (in-flight job finishing) when it goes away.
import type { PrismaClient } from "@zapflow/db";
import { closeQueueWorker, createQueueWorker, sendQueueName } from "@zapflow/queue";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { OwnedSession, SessionBus } from "../session-bus";
import { processSend, type SendProcessorDeps } from "./send-processor";
import { SessionSender } from "./session-sender";

export interface SendWorkersOptions {
  prisma: PrismaClient;
  bus: SessionBus;
  connection: Redis;
  prefix: string;
  logger: Logger;
  processor: SendProcessorDeps;
  /** Lock of an active send; a crashed owner's job returns after about this long. */
  lockDurationMs?: number;
}

export class SendWorkers {
  private readonly senders = new Map<string, { sender: SessionSender; worker: Worker }>();
  private readonly pending = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly onReady = (s: OwnedSession) => void this.chain(s.sessionId, () => this.start(s));
  private readonly onUnavailable = (s: { sessionId: string }) =>
    void this.chain(s.sessionId, () => this.stop(s.sessionId));

  constructor(private readonly opts: SendWorkersOptions) {}

  listen(): void {
    this.opts.bus.on("ready", this.onReady);
    this.opts.bus.on("unavailable", this.onUnavailable);
    for (const id of this.opts.bus.liveSessionIds()) {
      const live = this.opts.bus.get(id);
      if (live) this.onReady(live);
    }
  }

  /** Session ids whose send queue this process consumes. */
  active(): string[] {
    return [...this.senders.keys()];
  }

  /** Start/stop of one session run one after the other (a flapping socket cannot interleave them). */
  private chain(sessionId: string, step: () => Promise<void>): Promise<void> {
    const next = (this.pending.get(sessionId) ?? Promise.resolve())
      .then(step)
      .catch((err) => this.opts.logger.error({ err, sessionId }, "send worker transition failed"));
    this.pending.set(sessionId, next);
    void next.finally(() => {
      if (this.pending.get(sessionId) === next) this.pending.delete(sessionId);
    });
    return next;
  }

  private async start(owned: OwnedSession): Promise<void> {
    if (this.stopped) return;
    const existing = this.senders.get(owned.sessionId);
    if (existing) {
      existing.sender.engine = owned.engine; // reconnected socket, same owner
      return;
    }
    const row = await this.opts.prisma.whatsappSession.findUnique({
      where: { id: owned.sessionId },
      select: { pairedAt: true, outboundPausedAt: true },
    });
    const sender = new SessionSender(owned.sessionId, owned.companyId, owned.engine, row?.pairedAt ?? null);
    const deps = this.opts.processor;
    const worker = createQueueWorker(
      sendQueueName(owned.sessionId),
      (data, job, token) => processSend(deps, sender, data, job, token),
      {
        connection: this.opts.connection,
        prefix: this.opts.prefix,
        concurrency: 1,
        lockDuration: this.opts.lockDurationMs,
        stalledInterval: this.opts.lockDurationMs,
        autorun: false,
      },
    );
    worker.on("error", (err) =>
      this.opts.logger.warn({ err, sessionId: owned.sessionId }, "send worker error"),
    );
    sender.attach(worker);
    this.senders.set(owned.sessionId, { sender, worker });
    // A pause decided by a ban signal survives a Redis restart through the session row.
    if (row?.outboundPausedAt) await deps.banSignals.reapply(owned.sessionId);
    void worker
      .run()
      .catch((err) => this.opts.logger.error({ err, sessionId: owned.sessionId }, "send worker stopped"));
    this.opts.logger.info({ sessionId: owned.sessionId }, "consuming send queue");
  }

  private async stop(sessionId: string): Promise<void> {
    const entry = this.senders.get(sessionId);
    if (!entry) return;
    this.senders.delete(sessionId);
    entry.sender.wake();
    await closeQueueWorker(entry.worker);
    this.opts.logger.info({ sessionId }, "stopped consuming send queue");
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.opts.bus.off("ready", this.onReady);
    this.opts.bus.off("unavailable", this.onUnavailable);
    await Promise.allSettled([...this.pending.values()]);
    await Promise.allSettled([...this.senders.keys()].map((id) => this.stop(id)));
  }
}

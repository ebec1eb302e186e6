// The webhooks domain in the worker: the outbox relay (poll every ~2 s, plus nudges: a Postgres
// NOTIFY from every transaction that wrote deliveries, and Redis messages from other writers),
// the webhook-delivery queue's processor (signed POSTs, retries recorded in Postgres) and the
// retention of finished deliveries.
import {
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  QueueName,
  QueueRegistry,
} from "@zapflow/queue";
import { webhookRelayChannel } from "@zapflow/queue/services/webhooks";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerContext } from "../context";
import type { WorkerModule } from "../module";
import { loadWebhookSettings, type WebhookSettings } from "./config";
import { WebhookMetrics } from "./metrics";
import { OutboxListener } from "./outbox-listener";
import { processWebhookDelivery } from "./processor";
import { RelayLoop } from "./relay";
import { purgeFinishedDeliveries } from "./retention";

const RETENTION_EVERY_MS = 30 * 60_000;

export interface WebhooksModuleOptions {
  /** Worker-kind Redis connection; created from REDIS_URL when absent (and then closed on stop). */
  connection?: Redis;
  queues?: QueueRegistry;
  /** Overrides of the WEBHOOK_* env settings. */
  settings?: Partial<WebhookSettings>;
}

export function createWebhooksModule(opts: WebhooksModuleOptions = {}): WorkerModule & {
  /** Claim due outbox rows now instead of at the next poll (in-process callers, after a commit). */
  nudge(): void;
} {
  const closers: (() => Promise<unknown>)[] = [];
  let relay: RelayLoop | undefined;
  let intervalMs = 0;
  let stopped = false;

  return {
    name: "webhooks",
    nudge: () => relay?.nudge(),

    async start(ctx: WorkerContext) {
      const { prisma, config } = ctx;
      const logger = ctx.logger.child({ module: "webhooks" });
      const env = { ...process.env, NODE_ENV: config.NODE_ENV };
      const settings = { ...loadWebhookSettings(env), ...opts.settings };
      const prefix = config.REDIS_PREFIX;
      const conn =
        opts.connection ?? createRedisConnection(config.REDIS_URL, { forWorker: true, name: ctx.workerId });
      if (!opts.connection) closers.push(async () => conn.quit().catch(() => conn.disconnect()));
      conn.on("error", () => undefined); // ioredis reconnects by itself; the relay retries
      const queues = opts.queues ?? new QueueRegistry({ connection: conn, prefix });
      if (!opts.queues) closers.unshift(() => queues.close());

      const metrics = new WebhookMetrics(ctx.metrics, prisma);
      const worker: Worker = createQueueWorker(
        QueueName.webhookDelivery,
        async (data) => {
          const end = metrics.duration.startTimer();
          const outcome = await processWebhookDelivery({ prisma, logger, settings }, data);
          end();
          metrics.attempts.inc({ outcome });
          return outcome;
        },
        { connection: conn, prefix, concurrency: settings.concurrency },
      );
      worker.on("error", (err) => logger.warn({ err }, "webhook worker error"));
      closers.unshift(() => closeQueueWorker(worker));

      const loop = new RelayLoop(
        { prisma, queues, logger, batch: settings.relayBatch, leaseMs: settings.claimLeaseMs },
        settings.relayIntervalMs,
      );
      relay = loop;
      intervalMs = settings.relayIntervalMs;
      loop.start();
      closers.unshift(() => loop.stop());

      const retention = setInterval(() => {
        purgeFinishedDeliveries(prisma, settings.retentionMs).catch((err) =>
          logger.warn({ err }, "webhook delivery retention failed"),
        );
      }, RETENTION_EVERY_MS);
      retention.unref();
      closers.unshift(async () => clearInterval(retention));

      // Claim new rows at once rather than in ≤ 2 s: the outbox's NOTIFY arrives on commit...
      const listener = new OutboxListener(config.DATABASE_URL, () => loop.nudge(), logger);
      await listener.start();
      closers.unshift(() => listener.stop());
      // ...and writers without a transaction of their own publish after it (nudgeWebhookRelay).
      const subscriber = conn.duplicate();
      subscriber.on("error", () => undefined);
      subscriber.on("message", () => loop.nudge());
      await subscriber.subscribe(webhookRelayChannel(prefix)).catch((err) => {
        logger.warn({ err }, "webhook nudge channel unavailable; polling only");
      });
      closers.unshift(async () => subscriber.quit().catch(() => subscriber.disconnect()));
      logger.info("webhooks module started");
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      relay = undefined;
      for (const close of closers.splice(0)) await close().catch(() => undefined);
    },

    /** Unhealthy when the relay has not completed a pass for several intervals (Postgres unreachable). */
    healthy() {
      if (!relay) return false;
      return relay.lastSuccessAt > 0 && Date.now() - relay.lastSuccessAt < Math.max(intervalMs * 5, 15_000);
    },
  };
}

// The messaging domain in the worker: per-session send workers (owner only), inbound messages,
// receipts, media downloads and their metrics.
import type { PrismaClient } from "@zapflow/db";
import { createMediaStorage, type MediaStorage } from "@zapflow/db/storage";
import {
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  enqueueMessageReceive,
  QueueName,
  QueueRegistry,
  RateLimiter,
} from "@zapflow/queue";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerContext } from "../context";
import { EventOutbox } from "../events/outbox";
import { createCompanyPolicyCache } from "../limits/policy-loader";
import type { WorkerModule } from "../module";
import { BanSignals, type FailureRateOptions } from "./ban-signals";
import { processMediaDownload } from "./media-processor";
import { MessageMetrics } from "./metrics";
import { ReceiptBuffer } from "./receipt-buffer";
import { processInbound } from "./receive-processor";
import { SendOutcomes } from "./send-outcomes";
import { createClaims } from "./send-processor";
import { SendWorkers } from "./send-workers";
import { StatusWriter } from "./status-processor";

export interface MessagesModuleOptions {
  /** Worker-kind Redis connection; created from REDIS_URL when absent (and then closed on stop). */
  connection?: Redis;
  queues?: QueueRegistry;
  storage?: MediaStorage;
  lockDurationMs?: number;
  failureRate?: FailureRateOptions;
  receiptFlushMs?: number;
  policyTtlMs?: number;
}

export function createMessagesModule(opts: MessagesModuleOptions = {}): WorkerModule & {
  /** Send queues this process consumes (tests, health details). */
  activeSenders(): string[];
} {
  const closers: (() => Promise<unknown>)[] = [];
  let sendWorkers: SendWorkers | undefined;
  let connection: Redis | undefined;
  let database: PrismaClient | undefined;
  let stopped = false;

  return {
    name: "messages",
    activeSenders: () => sendWorkers?.active() ?? [],

    async start(ctx: WorkerContext) {
      const { prisma, logger: rootLogger, bus, config } = ctx;
      database = prisma;
      const logger = rootLogger.child({ module: "messages" });
      const prefix = config.REDIS_PREFIX;
      const conn =
        opts.connection ?? createRedisConnection(config.REDIS_URL, { forWorker: true, name: ctx.workerId });
      connection = conn;
      if (!opts.connection) closers.push(async () => conn.quit().catch(() => conn.disconnect()));
      conn.on("error", () => undefined); // health reports it; ioredis reconnects by itself
      const queues = opts.queues ?? new QueueRegistry({ connection: conn, prefix });
      if (!opts.queues) closers.unshift(() => queues.close());
      const storage = opts.storage ?? createMediaStorage(config);
      const policies = createCompanyPolicyCache({
        prisma,
        connection: conn,
        prefix,
        ttlMs: opts.policyTtlMs,
      });
      await policies.start();
      closers.unshift(() => policies.close());
      const outbox = new EventOutbox(prisma);
      const metrics = new MessageMetrics(ctx.metrics, { queues, prisma });
      const outcomes = new SendOutcomes(prisma, outbox);
      closers.unshift(() => outcomes.drain());
      const banSignals = new BanSignals({
        prisma,
        queues,
        outbox,
        bus,
        logger,
        failureRate: opts.failureRate,
      });

      const limiter = new RateLimiter(conn, { prefix });
      closers.unshift(() => limiter.flushCounts()); // after the send workers stop (unshifted below)
      sendWorkers = new SendWorkers({
        prisma,
        bus,
        connection: conn,
        prefix,
        logger,
        lockDurationMs: opts.lockDurationMs,
        processor: {
          prisma,
          claims: createClaims(prisma, config.MESSAGE_EXPIRY_HOURS * 3_600_000),
          outcomes,
          policies,
          limiter,
          storage,
          banSignals,
          metrics,
          logger,
          sendTimeoutMs: config.SEND_TIMEOUT_MS,
        },
      });
      const senders = sendWorkers;
      closers.unshift(() => senders.close());

      const statuses = new StatusWriter({
        prisma,
        outbox,
        metrics,
        // An error receipt is WhatsApp refusing what it had accepted: a ban signal for the number.
        onErrorReceipts: (sessionId, companyId, failed) =>
          banSignals.pause(
            sessionId,
            companyId,
            `${failed} sent message(s) refused by WhatsApp (error receipt)`,
          ),
      });
      const shared: Worker[] = [
        createQueueWorker(
          QueueName.messageReceive,
          (data) => processInbound({ prisma, queues, outbox, metrics }, data),
          {
            connection: conn,
            prefix,
            concurrency: 10,
          },
        ),
        createQueueWorker(
          QueueName.messageStatus,
          (data) => statuses.process(data),
          // Concurrent jobs share one transaction (StatusWriter): more in flight, fewer statements.
          { connection: conn, prefix, concurrency: 50 },
        ),
        createQueueWorker(
          QueueName.mediaDownload,
          (data, job) => processMediaDownload({ prisma, bus, storage }, data, job),
          { connection: conn, prefix, concurrency: 3 },
        ),
      ];
      for (const w of shared)
        w.on("error", (err) => logger.warn({ err, queue: w.name }, "queue worker error"));
      closers.unshift(() => Promise.allSettled(shared.map((w) => closeQueueWorker(w))));

      const receipts = new ReceiptBuffer(queues, logger, opts.receiptFlushMs);
      closers.unshift(() => receipts.close());
      const onInbound: Parameters<typeof bus.on<"inbound">>[1] = ({ sessionId, companyId, messages }) => {
        for (const m of messages) {
          const message = { ...m, timestamp: m.timestamp.toISOString() } as never;
          enqueueMessageReceive(queues, { sessionId, companyId, message }).catch((err) =>
            logger.error({ err, sessionId, waMessageId: m.id }, "inbound message not queued"),
          );
        }
      };
      const onReceipts: Parameters<typeof bus.on<"receipts">>[1] = (e) =>
        receipts.add(e.sessionId, e.companyId, e.receipts);
      const onLid: Parameters<typeof bus.on<"lidMappings">>[1] = ({ companyId, mappings }) => {
        for (const { lid, phoneJid } of mappings) {
          const phone = `+${(phoneJid.split("@")[0] ?? "").split(":")[0]}`;
          prisma.contact
            .updateMany({
              where: { companyId, phone },
              data: { lid: `${(lid.split("@")[0] ?? "").split(":")[0]}@lid` },
            })
            .catch((err) => logger.warn({ err, companyId }, "lid mapping not stored"));
        }
      };
      bus.on("inbound", onInbound);
      bus.on("receipts", onReceipts);
      bus.on("lidMappings", onLid);
      closers.unshift(async () => {
        bus.off("inbound", onInbound);
        bus.off("receipts", onReceipts);
        bus.off("lidMappings", onLid);
      });
      sendWorkers.listen();
      logger.info("messages module started");
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      for (const close of closers.splice(0)) await close().catch(() => undefined);
    },

    /** Redis connected and Postgres answering within a second. */
    async healthy() {
      if (connection?.status !== "ready" || !database) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 1_000);
      });
      const ping = database.company.findFirst({ select: { id: true } }).then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([ping, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

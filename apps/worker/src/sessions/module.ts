// The sessions domain in the worker: owned engine sockets (manager + runners), leases, the
// reconciler and the `session-lifecycle` queue consumer.
import { closeQueueWorker, createQueueWorker, createRedisConnection, QueueName } from "@zapflow/queue";
import type { WhatsappEngine } from "@zapflow/whatsapp";
import type { WorkerContext } from "../context";
import type { WorkerModule } from "../module";
import { SessionBreakerService } from "./breaker-service";
import { SessionManager } from "./manager";
import { registerSessionMetrics } from "./metrics";
import { createLifecycleProcessor } from "./processor";
import { Reconciler } from "./reconciler";

type RedisClient = ReturnType<typeof createRedisConnection>;

export interface SessionsModuleOptions {
  engine: WhatsappEngine;
  /** Worker-kind Redis connection; created from REDIS_URL when absent (and closed on stop). */
  connection?: RedisClient;
  /** Lifecycle jobs processed at once by this worker. */
  concurrency?: number;
}

export interface SessionsModule extends WorkerModule {
  /** Available after start(). */
  readonly manager: SessionManager | undefined;
  readonly breakers: SessionBreakerService | undefined;
  readonly reconciler: Reconciler | undefined;
}

export function createSessionsModule(opts: SessionsModuleOptions): SessionsModule {
  let manager: SessionManager | undefined;
  let breakers: SessionBreakerService | undefined;
  let reconciler: Reconciler | undefined;
  let worker: ReturnType<typeof createQueueWorker<typeof QueueName.sessionLifecycle>> | undefined;
  let ownConnection: RedisClient | undefined;
  let stopping: Promise<void> | undefined;

  return {
    name: "sessions",
    get manager() {
      return manager;
    },
    get breakers() {
      return breakers;
    },
    get reconciler() {
      return reconciler;
    },

    async start(ctx: WorkerContext) {
      const { config, prisma, bus } = ctx;
      const logger = ctx.logger.child({ module: "sessions" });
      const connection =
        opts.connection ??
        createRedisConnection(config.REDIS_URL, { forWorker: true, name: `${ctx.workerId}-sessions` });
      if (!opts.connection) {
        ownConnection = connection;
        connection.on("error", () => undefined); // /health reports Redis; ioredis reconnects by itself
      }
      const metrics = registerSessionMetrics(ctx.metrics, () => manager);
      const settings = {
        maxSessions: config.MAX_SESSIONS,
        leaseMs: config.SESSION_LEASE_MS,
        statusDebounceMs: config.STATUS_DEBOUNCE_MS,
        breakerThreshold: config.BREAKER_THRESHOLD,
        breakerOpenMs: config.BREAKER_OPEN_MS,
        stableConnectionMs: config.BREAKER_STABLE_MS,
        reconnectBaseMs: config.RECONNECT_BASE_MS,
        reconnectMaxMs: config.RECONNECT_MAX_MS,
        connectTimeoutMs: config.CONNECT_TIMEOUT_MS,
      };
      manager = new SessionManager({
        engine: opts.engine,
        prisma,
        redis: connection,
        prefix: config.REDIS_PREFIX,
        workerId: ctx.workerId,
        logger,
        bus,
        settings,
        engineLogLevel: config.WA_LOG_LEVEL,
        hooks: { onReconnect: () => metrics.reconnects.inc(), onLeaseLost: () => metrics.leaseLost.inc() },
      });
      breakers = new SessionBreakerService(prisma, {
        threshold: settings.breakerThreshold,
        openMs: settings.breakerOpenMs,
      });
      reconciler = new Reconciler({
        prisma,
        manager,
        logger,
        intervalMs: config.RECONCILE_INTERVAL_MS,
        breakerOpenMs: config.BREAKER_OPEN_MS,
      });
      const rec = reconciler;
      manager.onReleased = () => rec.nudge();
      await manager.start();
      const processor = createLifecycleProcessor({ prisma, manager, logger });
      const lifecycle = createQueueWorker(QueueName.sessionLifecycle, (data, job) => processor(data, job), {
        connection,
        prefix: config.REDIS_PREFIX,
        concurrency: opts.concurrency ?? 3,
      });
      worker = lifecycle;
      lifecycle.on("error", (error) => logger.warn({ err: error }, "lifecycle worker error"));
      lifecycle.on("failed", (job, error) =>
        logger.warn({ err: error, jobId: job?.id, sessionId: job?.data.sessionId }, "lifecycle job failed"),
      );
      reconciler.start();
    },

    stop() {
      stopping ??= (async () => {
        // Order: take no new lifecycle jobs, stop reconciling, hand sockets over, release leases.
        if (worker) await closeQueueWorker(worker, 10_000);
        await reconciler?.stop();
        await manager?.shutdown();
        if (ownConnection) await ownConnection.quit().catch(() => ownConnection?.disconnect());
      })();
      return stopping;
    },

    healthy() {
      return !!manager && !stopping;
    },
  };
}

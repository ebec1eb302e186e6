// The worker process: builds the WorkerContext, starts every domain module and serves
// /health, /metrics (and the demo simulator controls) on WORKER_PORT.
// Start order: consumers of session events first (messages, contacts, campaigns, maintenance),
// sessions last — so no inbound event is emitted before its listener exists.
// Stop order (SIGTERM/SIGINT): the same consumers first (stop taking jobs, finish active sends
// while sockets are still open), then sessions (close sockets WITHOUT logging out, release
// leases so another worker takes over at once), then Redis and Postgres. A second signal exits now.
import { createPrisma } from "@zapflow/db";
import { getEncryptionKey } from "@zapflow/db/crypto";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createCampaignsModule } from "./campaigns/module";
import { loadConfig } from "./config";
import { createContactsModule } from "./contacts/module";
import type { WorkerContext } from "./context";
import { WorkerHttpServer } from "./http/server";
import { createLogger } from "./logger";
import { createMaintenanceModule } from "./maintenance/module";
import { createMessagesModule } from "./messages/module";
import type { WorkerModule } from "./module";
import { SessionBus } from "./session-bus";
import { selectEngine } from "./sessions/engine-factory";
import { createSessionsModule } from "./sessions/module";
import { createWebhooksModule } from "./webhooks/module";

const SHUTDOWN_TIMEOUT_MS = 45_000;
const DUPLICATE_SIGNAL_MS = 1_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, workerId: config.workerId });
  if (config.NODE_ENV === "production") getEncryptionKey(); // fail fast without ENCRYPTION_KEY
  const prisma = createPrisma({ url: config.DATABASE_URL });
  const connection = createRedisConnection(config.REDIS_URL, { forWorker: true, name: config.workerId });
  let lastRedisError = 0;
  connection.on("error", (error) => {
    if (Date.now() - lastRedisError > 10_000) logger.warn({ err: error }, "redis connection error");
    lastRedisError = Date.now();
  });
  const queues = new QueueRegistry({ connection, prefix: config.REDIS_PREFIX });
  const metrics = new Registry();
  metrics.setDefaultLabels({ workerId: config.workerId });
  collectDefaultMetrics({ register: metrics });
  const bus = new SessionBus();
  const selection = selectEngine(config);
  const ctx: WorkerContext = { config, workerId: config.workerId, prisma, logger, metrics, bus };

  const sessions = createSessionsModule({ engine: selection.engine, connection });
  const consumers: WorkerModule[] = [
    createMessagesModule({ connection, queues }),
    createContactsModule({ connection }),
    createCampaignsModule({ connection, queues }),
    createMaintenanceModule({ connection, queues }),
    createWebhooksModule(),
  ];
  const started: WorkerModule[] = [];
  const simulatorApi =
    config.ENABLE_SIMULATOR_API && config.NODE_ENV !== "production" ? selection.simulator : undefined;
  const http = new WorkerHttpServer({
    port: config.WORKER_PORT,
    metrics,
    simulator: simulatorApi,
    health: {
      redis: connection,
      prisma,
      workerId: config.workerId,
      modules: () => started,
      pool: () => sessions.manager?.poolStats(),
    },
  });

  let shuttingDown: Promise<void> | undefined;
  let firstSignalAt = 0;
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      // A launcher (tsx, a terminal's process group) may deliver the same signal twice at once:
      // only a signal sent well after the first one means "stop waiting".
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown timed out: exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    shuttingDown = (async () => {
      for (const module of started.filter((m) => m !== sessions).reverse()) {
        await module
          .stop()
          .catch((error) => logger.error({ err: error, module: module.name }, "module stop failed"));
      }
      if (started.includes(sessions)) await sessions.stop();
      selection.inProcess?.shutdown();
      await http.close();
      await queues.close();
      await connection.quit().catch(() => connection.disconnect());
      await prisma.$disconnect();
      logger.info("shutdown complete");
    })();
    shuttingDown.then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

  for (const module of [...consumers, sessions]) {
    if (shuttingDown) break;
    await module.start(ctx);
    started.push(module);
    logger.info({ module: module.name }, "module started");
  }
  const port = await http.listen();
  logger.info(
    { port, engine: selection.engine.name, maxSessions: config.MAX_SESSIONS, simulatorApi: !!simulatorApi },
    "worker ready",
  );
}

main().catch((error) => {
  process.stderr.write(
    `worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exit(1);
});

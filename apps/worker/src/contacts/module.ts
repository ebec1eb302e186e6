// Contacts worker module: consumes the contact-import queue.
import {
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  QueueName,
  type QueueWorkerOptions,
} from "@zapflow/queue";
import type { WorkerContext } from "../context";
import type { WorkerModule } from "../module";
import { processContactImport } from "./import-processor";

export interface ContactsModuleOptions {
  /** Worker-kind Redis connection; created from REDIS_URL when absent (and then closed on stop). */
  connection?: QueueWorkerOptions["connection"];
  /** Imports run at once per worker process (each streams one file). */
  concurrency?: number;
}

export function createContactsModule(opts: ContactsModuleOptions = {}): WorkerModule {
  let ownedConnection: QueueWorkerOptions["connection"] | undefined;
  let worker: ReturnType<typeof createQueueWorker<typeof QueueName.contactImport>> | undefined;
  return {
    name: "contacts",
    async start(ctx: WorkerContext) {
      const logger = ctx.logger.child({ module: "contacts" });
      let connection = opts.connection;
      if (!connection) {
        ownedConnection = createRedisConnection(ctx.config.REDIS_URL, { forWorker: true });
        connection = ownedConnection;
      }
      worker = createQueueWorker(
        QueueName.contactImport,
        async (data) => {
          const status = await processContactImport({ prisma: ctx.prisma, logger }, data);
          logger.info({ importId: data.importId, status }, "contact import finished");
          return status;
        },
        // Long jobs: a generous lock so a slow batch never looks like a crashed worker.
        {
          connection,
          prefix: ctx.config.REDIS_PREFIX,
          concurrency: opts.concurrency ?? 2,
          lockDuration: 120_000,
        },
      );
      worker.on("failed", (job, err) =>
        logger.error({ err, importId: job?.data.importId }, "contact import failed"),
      );
    },
    async stop() {
      const current = worker;
      worker = undefined;
      if (current) await closeQueueWorker(current);
      ownedConnection?.disconnect();
      ownedConnection = undefined;
    },
  };
}

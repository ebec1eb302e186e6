// Contacts worker module: consumes the contact-import queue.
import { closeQueueWorker, createQueueWorker, QueueName, type QueueWorkerOptions } from "@zapflow/queue";
import type { WorkerContext } from "../context";
import type { WorkerModule } from "../module";
import { processContactImport } from "./import-processor";

export interface ContactsModuleDeps {
  /** Worker-kind Redis connection (shared; the module never closes it). */
  connection: QueueWorkerOptions["connection"];
  prefix?: string;
  /** Imports run at once per worker process (each streams one file). */
  concurrency?: number;
}

export function createContactsModule(deps: ContactsModuleDeps): WorkerModule {
  let worker: ReturnType<typeof createQueueWorker<typeof QueueName.contactImport>> | undefined;
  return {
    name: "contacts",
    async start(ctx: WorkerContext) {
      const logger = ctx.logger.child({ module: "contacts" });
      worker = createQueueWorker(
        QueueName.contactImport,
        async (data) => {
          const status = await processContactImport({ prisma: ctx.prisma, logger }, data);
          logger.info({ importId: data.importId, status }, "contact import finished");
          return status;
        },
        // Long jobs: a generous lock so a slow batch never looks like a crashed worker.
        { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 2, lockDuration: 120_000 },
      );
      worker.on("failed", (job, err) => logger.error({ err, importId: job?.data.importId }, "contact import failed"));
    },
    async stop() {
      const current = worker;
      worker = undefined;
      if (current) await closeQueueWorker(current);
    },
  };
}

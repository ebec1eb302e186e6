// Repeatable housekeeping on the `maintenance` queue: recovery of stuck sends, expiry of old queued
// messages, retention. Only tasks with a handler are scheduled.
import {
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  type MaintenanceJob,
  maintenanceIntervals,
  QueueName,
  QueueRegistry,
} from "@zapflow/queue";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerContext } from "../context";
import type { WorkerModule } from "../module";
import { applyRetention, expireQueued, type MaintenanceDeps, recoverStuck } from "./tasks";

type Task = MaintenanceJob["task"];

export interface MaintenanceModuleOptions {
  connection?: Redis;
  queues?: QueueRegistry;
  /** Overrides of the default cadence (ms) per task. */
  intervals?: Partial<Record<Task, number>>;
  /** Extra task handlers from other domains. */
  handlers?: Partial<Record<Task, (ctx: WorkerContext) => Promise<unknown>>>;
  eventRetentionDays?: number;
}

export function createMaintenanceModule(opts: MaintenanceModuleOptions = {}): WorkerModule & {
  /** Runs one task now (tests, operators). */
  run(task: Task): Promise<unknown>;
} {
  const closers: (() => Promise<unknown>)[] = [];
  let runTask: ((task: Task) => Promise<unknown>) | undefined;

  return {
    name: "maintenance",
    run: (task) => {
      if (!runTask) throw new Error("maintenance module is not started");
      return runTask(task);
    },

    async start(ctx) {
      const { config, prisma, logger } = ctx;
      const connection = opts.connection ?? createRedisConnection(config.REDIS_URL, { forWorker: true });
      if (!opts.connection) closers.push(async () => connection.quit().catch(() => connection.disconnect()));
      connection.on("error", () => undefined);
      const queues = opts.queues ?? new QueueRegistry({ connection, prefix: config.REDIS_PREFIX });
      if (!opts.queues) closers.unshift(() => queues.close());
      const deps: MaintenanceDeps = {
        prisma,
        queues,
        stuckProcessingMs: config.STUCK_PROCESSING_MS,
        expiryMs: config.MESSAGE_EXPIRY_HOURS * 3_600_000,
        eventRetentionDays: opts.eventRetentionDays ?? Number(process.env.EVENT_RETENTION_DAYS ?? 30),
      };
      const handlers: Partial<Record<Task, () => Promise<unknown>>> = {
        "recover-stuck": () => recoverStuck(deps),
        "expire-queued": () => expireQueued(deps),
        retention: () => applyRetention(deps),
      };
      for (const [task, handler] of Object.entries(opts.handlers ?? {})) {
        if (handler) handlers[task as Task] = () => handler(ctx);
      }
      runTask = async (task) => {
        const handler = handlers[task];
        if (!handler) throw new Error(`no handler for maintenance task ${task}`);
        const result = await handler();
        logger.debug({ task, result }, "maintenance task done");
        return result;
      };
      const worker: Worker = createQueueWorker(
        QueueName.maintenance,
        (data) => runTask?.(data.task) ?? Promise.resolve(),
        {
          connection,
          prefix: config.REDIS_PREFIX,
          concurrency: 1,
        },
      );
      worker.on("error", (err) => logger.warn({ err }, "maintenance worker error"));
      closers.unshift(() => closeQueueWorker(worker));
      const queue = queues.get(QueueName.maintenance);
      for (const task of Object.keys(handlers) as Task[]) {
        const every = opts.intervals?.[task] ?? maintenanceIntervals[task];
        await queue.upsertJobScheduler(task, { every }, { name: task, data: { task } });
      }
    },

    async stop() {
      runTask = undefined;
      for (const close of closers.splice(0)) await close().catch(() => undefined);
    },
  };
}

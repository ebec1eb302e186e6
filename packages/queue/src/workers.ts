// Typed BullMQ worker wrapper: payloads parsed with their zod schema, custom backoff installed.
import { DelayedError, type Job, type RateLimiterOptions, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import { keyPrefix } from "./connection";
import {
  campaignJob,
  contactImportJob,
  JobPayloadError,
  maintenanceJob,
  mediaDownloadJob,
  messageReceiveJob,
  messageSendJob,
  messageStatusJob,
  parseJobPayload,
  sessionLifecycleJob,
  webhookDeliveryJob,
} from "./jobs";
import { isSendQueue, QueueName } from "./names";
import { backoffStrategy } from "./options";

/** The payload schema of every queue; send-<sessionId> queues carry messageSendJob. */
export const payloadSchemas = {
  [QueueName.sessionLifecycle]: sessionLifecycleJob,
  [QueueName.messageReceive]: messageReceiveJob,
  [QueueName.messageStatus]: messageStatusJob,
  [QueueName.mediaDownload]: mediaDownloadJob,
  [QueueName.webhookDelivery]: webhookDeliveryJob,
  [QueueName.contactImport]: contactImportJob,
  [QueueName.campaign]: campaignJob,
  [QueueName.maintenance]: maintenanceJob,
} satisfies Record<QueueName, z.ZodType>;

/** Payload type of a queue name: a shared queue's schema, else (send-<id>) a message send. */
export type PayloadOf<N extends string> = N extends QueueName
  ? z.infer<(typeof payloadSchemas)[N]>
  : z.infer<typeof messageSendJob>;

export type QueueProcessor<T> = (data: T, job: Job<T>, token?: string) => Promise<unknown>;

export interface QueueWorkerOptions {
  /** Worker-kind connection (createRedisConnection(url, { forWorker: true })); BullMQ duplicates it for blocking reads. */
  connection: Redis;
  prefix?: string;
  concurrency?: number;
  limiter?: RateLimiterOptions;
  /** false: call worker.run() yourself (e.g. after registering listeners). Default true. */
  autorun?: boolean;
  /** Lock duration of an active job; a crashed worker's job is retried after about this long. */
  lockDuration?: number;
  /** How often lapsed locks are looked for (BullMQ default 30 s); a crashed worker's job returns within ~2×. */
  stalledInterval?: number;
}

function schemaFor(name: string): z.ZodType {
  if (isSendQueue(name)) return messageSendJob;
  const schema = payloadSchemas[name as QueueName];
  if (!schema) throw new Error(`Unknown queue "${name}"`);
  return schema;
}

export function createQueueWorker<N extends string>(
  name: N,
  processor: QueueProcessor<PayloadOf<N>>,
  opts: QueueWorkerOptions,
): Worker<PayloadOf<N>> {
  const schema = schemaFor(name);
  const worker = new Worker<PayloadOf<N>>(
    name,
    async (job, token) => {
      let data: PayloadOf<N>;
      try {
        data = parseJobPayload(schema, job.data, name) as PayloadOf<N>;
      } catch (err) {
        // A malformed payload never becomes valid: fail now, no retry.
        if (err instanceof JobPayloadError) throw new UnrecoverableError(err.message);
        throw err;
      }
      return processor(data, job, token);
    },
    {
      connection: opts.connection,
      prefix: opts.prefix ?? keyPrefix(),
      concurrency: opts.concurrency ?? 1,
      autorun: opts.autorun ?? true,
      settings: { backoffStrategy },
      // BullMQ merges options over its defaults: an explicit undefined would erase a default.
      ...(opts.limiter ? { limiter: opts.limiter } : {}),
      ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
      ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
    },
  );
  return worker;
}

/**
 * Holds a job back for `ms` without spending an attempt (rate limits, quiet hours): moves it to
 * delayed and throws DelayedError, which the processor must let propagate.
 */
export async function holdBack(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
  throw new DelayedError();
}

/** Stops taking jobs and waits for active ones up to `timeoutMs`, then forces the close
 *  (forced jobs are retried elsewhere once their lock expires). */
export async function closeQueueWorker(worker: Worker, timeoutMs = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([worker.close().then(() => "closed" as const), timedOut]);
    if (result === "timeout") await worker.close(true);
  } finally {
    clearTimeout(timer);
  }
}

// Default job options per queue, priorities and the custom backoff schedule.
import type { BackoffStrategy, DefaultJobOptions } from "bullmq";
import { isSendQueue, QueueName } from "./names";

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/** Completed jobs: last hour, at most 1,000. Failed jobs: 7 days (the DLQ lives in Postgres). */
export const removeOnComplete = { age: HOUR_S, count: 1000 } as const;
export const removeOnFail = { age: 7 * DAY_S } as const;

/** Priorities of message sends (BullMQ: lower runs first; every send carries one so FIFO holds
 *  within a priority — jobs without a priority would jump ahead of all prioritised ones). */
export const MessagePriority = {
  /** Replies to an inbound message, OTP-like traffic. */
  reply: 1,
  /** Manual retry from the DLQ: slightly ahead of normal API traffic. */
  retry: 4,
  /** Sends through the API / dashboard. */
  api: 5,
  /** Campaign traffic: waits behind everything else. */
  campaign: 10,
} as const;
export type MessagePriority = (typeof MessagePriority)[keyof typeof MessagePriority];

/** Custom backoff type: exponential from `delay`, capped at WEBHOOK_BACKOFF_CAP_MS, ±10 % jitter. */
export const CAPPED_EXPONENTIAL = "capped-exponential";
export const WEBHOOK_BACKOFF_CAP_MS = HOUR_S * 1000;

/**
 * Webhook delivery: 15 attempts. Waits after each failure (before jitter):
 * 10 s, 20 s, 40 s, 80 s, 160 s, 320 s, 640 s (≈11 min), 1280 s (≈21 min), 2560 s (≈43 min),
 * then 1 h five times → last attempt ≈ 6.4 h after the first.
 */
export const WEBHOOK_ATTEMPTS = 15;

export function cappedExponentialDelay(attemptsMade: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(attemptsMade - 1, 0));
}

/** Installed on every worker by createQueueWorker (BullMQ resolves custom types on the worker side). */
export const backoffStrategy: BackoffStrategy = (attemptsMade, type, _err, job) => {
  if (type !== CAPPED_EXPONENTIAL) throw new Error(`Unknown backoff strategy ${type}`);
  const backoff = job?.opts.backoff;
  const base = typeof backoff === "object" && backoff.delay ? backoff.delay : 10_000;
  const delay = cappedExponentialDelay(attemptsMade, base, WEBHOOK_BACKOFF_CAP_MS);
  return Math.round(delay * (0.9 + Math.random() * 0.2));
};

const common = { removeOnComplete, removeOnFail } as const;

/** Default options per shared queue (the message send queues are per session, see sendJobOptions). */
export const defaultJobOptions: Record<QueueName, DefaultJobOptions> = {
  [QueueName.sessionLifecycle]: { ...common, attempts: 3, backoff: { type: "exponential", delay: 5_000 } },
  [QueueName.messageReceive]: { ...common, attempts: 3, backoff: { type: "exponential", delay: 1_000 } },
  [QueueName.messageStatus]: { ...common, attempts: 3, backoff: { type: "exponential", delay: 1_000 } },
  [QueueName.mediaDownload]: { ...common, attempts: 5, backoff: { type: "exponential", delay: 5_000 } },
  [QueueName.webhookDelivery]: {
    ...common,
    attempts: WEBHOOK_ATTEMPTS,
    backoff: { type: CAPPED_EXPONENTIAL, delay: 10_000 },
  },
  // A CSV import is resumable from its cursor; one retry covers a worker crash.
  [QueueName.contactImport]: { ...common, attempts: 2, backoff: { type: "fixed", delay: 10_000 } },
  [QueueName.campaign]: { ...common, attempts: 3, backoff: { type: "exponential", delay: 5_000 } },
  // Repeatable housekeeping: the next run is the retry.
  [QueueName.maintenance]: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 }, attempts: 1 },
};

/** Per-session send queues: 5 attempts, exponential from 2 s (2, 4, 8, 16 s). */
export const sendJobOptions: DefaultJobOptions = {
  ...common,
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  priority: MessagePriority.api,
};

export function jobOptionsFor(queueName: string): DefaultJobOptions {
  if (isSendQueue(queueName)) return sendJobOptions;
  const opts = defaultJobOptions[queueName as QueueName];
  if (!opts) throw new Error(`Unknown queue "${queueName}"`);
  return opts;
}

// QueueRegistry (one BullMQ Queue per name, shared connection) and the typed producers.
import { FlowProducer, type Job, type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { keyPrefix, QueueUnavailableError, waitForRedis } from "./connection";
import {
  type CampaignJob,
  type ContactImportJob,
  campaignJob,
  contactImportJob,
  jobId,
  type MaintenanceJob,
  type MediaDownloadJob,
  type MessageReceiveJob,
  type MessageSendJob,
  type MessageStatusJob,
  maintenanceJob,
  mediaDownloadJob,
  messageReceiveJob,
  messageSendJob,
  messageStatusJob,
  parseJobPayload,
  type SessionLifecycleJob,
  sessionLifecycleJob,
  type WebhookDeliveryJob,
  webhookDeliveryJob,
} from "./jobs";
import { QueueName, sendQueueName } from "./names";
import { jobOptionsFor, MessagePriority, sendJobOptions } from "./options";

export interface QueueRegistryOptions {
  /** Shared ioredis connection (producer or worker kind); the registry never closes it. */
  connection: Redis;
  /** BullMQ key prefix; defaults to REDIS_PREFIX / "zapflow". */
  prefix?: string;
  /** Send-queue handles kept open at once (older ones are closed and reopened on demand). */
  maxSendQueues?: number;
  /** Upper bound of one enqueue call (a Queue created while Redis is down would otherwise wait). */
  enqueueTimeoutMs?: number;
}

/** Redis set of every per-session send queue ever used, for metrics and emergency stop. */
export function knownSendQueuesKey(prefix: string): string {
  return `${prefix}:known-send-queues`;
}

/** Set by pauseAll: a send queue first used during an emergency stop starts paused. */
export function emergencyStopKey(prefix: string): string {
  return `${prefix}:emergency-stop`;
}

export class QueueRegistry {
  readonly connection: Redis;
  readonly prefix: string;
  readonly enqueueTimeoutMs: number;
  private readonly shared = new Map<QueueName, Queue>();
  private readonly sendQueues: LRUCache<string, Queue>;
  /** Session ids already recorded in the known-send-queues set by this process. */
  private readonly registered: LRUCache<string, true>;
  private flowProducer: FlowProducer | undefined;
  private closed = false;

  constructor(opts: QueueRegistryOptions) {
    this.connection = opts.connection;
    this.prefix = opts.prefix ?? keyPrefix();
    this.enqueueTimeoutMs = opts.enqueueTimeoutMs ?? 5_000;
    const max = opts.maxSendQueues ?? 2_000;
    this.sendQueues = new LRUCache<string, Queue>({
      max,
      dispose: (queue) => void queue.close().catch(() => undefined),
    });
    this.registered = new LRUCache<string, true>({ max: max * 5 });
  }

  get(name: QueueName): Queue {
    this.assertOpen();
    let queue = this.shared.get(name);
    if (!queue) {
      queue = this.open(name);
      this.shared.set(name, queue);
    }
    return queue;
  }

  /** The send queue of one session (`send-<sessionId>`), consumed only by the session's owner. */
  send(sessionId: string): Queue {
    this.assertOpen();
    let queue = this.sendQueues.get(sessionId);
    if (!queue) {
      queue = this.open(sendQueueName(sessionId));
      this.sendQueues.set(sessionId, queue);
    }
    return queue;
  }

  /** Adds jobs of many queues in one MULTI (BullMQ's FlowProducer; here without children). */
  flows(): FlowProducer {
    this.assertOpen();
    if (!this.flowProducer) {
      this.flowProducer = new FlowProducer({ connection: this.connection, prefix: this.prefix });
      this.flowProducer.on("error", () => undefined);
    }
    return this.flowProducer;
  }

  /** Records the session's send queue in the known set (once per process per session). */
  async registerSendQueue(sessionId: string): Promise<void> {
    if (this.registered.has(sessionId)) return;
    await waitForRedis(this.connection, this.enqueueTimeoutMs);
    const added = await this.connection.sadd(knownSendQueuesKey(this.prefix), sessionId);
    // pauseAll sets the flag, then lists the set; we add to the set, then read the flag: either way
    // a queue born during an emergency stop ends up paused.
    if (added === 1 && (await this.connection.exists(emergencyStopKey(this.prefix)))) {
      await this.send(sessionId).pause();
    }
    this.registered.set(sessionId, true);
  }

  /** Session ids of every send queue known in Redis. */
  async knownSendSessions(): Promise<string[]> {
    await waitForRedis(this.connection, this.enqueueTimeoutMs);
    return this.connection.smembers(knownSendQueuesKey(this.prefix));
  }

  /** Deletes a session's send queue and its jobs (session deleted). */
  async removeSendQueue(sessionId: string): Promise<void> {
    await this.send(sessionId).obliterate({ force: true });
    this.sendQueues.delete(sessionId);
    this.registered.delete(sessionId);
    await this.connection.srem(knownSendQueuesKey(this.prefix), sessionId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const queues = [...this.shared.values(), ...this.sendQueues.values()];
    this.shared.clear();
    this.sendQueues.clear(); // dispose closes them too; close() twice is harmless
    await Promise.allSettled([...queues.map((q) => q.close()), this.flowProducer?.close()]);
  }

  private open(name: string): Queue {
    const queue = new Queue(name, {
      connection: this.connection,
      prefix: this.prefix,
      defaultJobOptions: jobOptionsFor(name),
    });
    // Errors surface on the calls themselves; without a listener an 'error' event would crash.
    queue.on("error", () => undefined);
    return queue;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("QueueRegistry is closed");
  }
}

const CONNECTION_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|not ready after/i;

/** Runs a Redis call with a time bound; connection failures become QueueUnavailableError. */
async function guard<T>(reg: QueueRegistry, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new QueueUnavailableError(new Error(`enqueue timed out after ${reg.enqueueTimeoutMs} ms`))),
      reg.enqueueTimeoutMs,
    );
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (err) {
    if (err instanceof QueueUnavailableError) throw err;
    if (err instanceof Error && (CONNECTION_ERROR.test(err.message) || reg.connection.status !== "ready")) {
      throw new QueueUnavailableError(err);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/*
 * Idempotency: every producer uses a deterministic job id. BullMQ silently returns the existing job
 * when the id still exists in any state (waiting, active, delayed, completed-not-yet-removed, failed
 * kept 7 days), so enqueuing the same work twice yields one job. The flip side: re-running finished
 * work needs the old job gone or a new id. Commands that may legitimately repeat (session start →
 * stop → start, campaign start, webhook redelivery, media re-download) use addUnlessPending; message
 * sends use requeueMessageSend.
 */

/** Adds under `opts.jobId` unless that job is still pending (waiting, delayed, active): a finished
 *  predecessor kept for retention is removed first, so it cannot swallow the new request. */
export async function addUnlessPending(
  queue: Queue,
  name: string,
  data: unknown,
  opts: JobsOptions & { jobId: string },
): Promise<Job> {
  const existing = await queue.getJob(opts.jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === "completed" || state === "failed") await existing.remove().catch(() => undefined);
  }
  return queue.add(name, data, opts);
}

export async function enqueueSessionLifecycle(reg: QueueRegistry, job: SessionLifecycleJob): Promise<Job> {
  const data = parseJobPayload(sessionLifecycleJob, job, QueueName.sessionLifecycle);
  return guard(reg, () =>
    addUnlessPending(reg.get(QueueName.sessionLifecycle), data.action, data, {
      jobId: jobId.sessionLifecycle(data),
    }),
  );
}

export interface SendOptions {
  /** MessagePriority.*; defaults to api. */
  priority?: number;
  /** Milliseconds before the job becomes eligible (pacing, scheduling). */
  delay?: number;
}

/** Only set when given: BullMQ merges job options over defaults, an explicit undefined would erase one. */
function delayOpt(delay: number | undefined): { delay?: number } {
  return delay && delay > 0 ? { delay } : {};
}

function sendJobOpts(id: string, opts: SendOptions): JobsOptions {
  return { jobId: id, priority: opts.priority ?? MessagePriority.api, ...delayOpt(opts.delay) };
}

/** Enqueues a persisted message (row already `queued`) on its session's send queue. */
export async function enqueueMessageSend(
  reg: QueueRegistry,
  job: MessageSendJob,
  opts: SendOptions = {},
): Promise<Job> {
  const data = parseJobPayload(messageSendJob, job, "message-send");
  return guard(reg, async () => {
    await reg.registerSendQueue(data.sessionId);
    return reg.send(data.sessionId).add("send", data, sendJobOpts(jobId.messageSend(data.messageId), opts));
  });
}

/**
 * Re-queues the same message row (DLQ retry, stuck-processing recovery) under
 * `msg-send-<id>-r<retry>`: idempotent per retry number, never blocked by the old job still kept in
 * Redis. Defaults to MessagePriority.retry. The old failed job, if any, is removed to keep Redis small.
 */
export async function requeueMessageSend(
  reg: QueueRegistry,
  job: MessageSendJob,
  retry: number,
  opts: SendOptions = {},
): Promise<Job> {
  const data = parseJobPayload(messageSendJob, job, "message-send");
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError("retry must be a positive integer");
  return guard(reg, async () => {
    await reg.registerSendQueue(data.sessionId);
    const queue = reg.send(data.sessionId);
    const previous =
      retry === 1 ? jobId.messageSend(data.messageId) : jobId.messageSendRetry(data.messageId, retry - 1);
    const old = await queue.getJob(previous);
    if (old && (await old.isFailed())) await old.remove().catch(() => undefined);
    return queue.add(
      "send",
      data,
      sendJobOpts(jobId.messageSendRetry(data.messageId, retry), {
        priority: MessagePriority.retry,
        ...opts,
      }),
    );
  });
}

export type BulkSendItem = MessageSendJob & SendOptions;

/** Many sends at once (accept batches, campaign batches): every session's jobs in one MULTI, so a
 *  batch spread over many numbers costs one round trip instead of one per session queue. */
export async function enqueueMessageSendBulk(reg: QueueRegistry, items: BulkSendItem[]): Promise<Job[]> {
  const sessions = new Set<string>();
  const flows = items.map((item, index) => {
    const data = parseJobPayload(messageSendJob, item, `message-send[${index}]`);
    sessions.add(data.sessionId);
    const opts = { ...sendJobOptions, ...sendJobOpts(jobId.messageSend(data.messageId), item) };
    return { name: "send", queueName: sendQueueName(data.sessionId), data, opts };
  });
  if (!flows.length) return [];
  return guard(reg, async () => {
    await Promise.all([...sessions].map((sessionId) => reg.registerSendQueue(sessionId)));
    const nodes = await reg.flows().addBulk(flows);
    return nodes.map((node) => node.job);
  });
}

export async function enqueueMessageReceive(reg: QueueRegistry, job: MessageReceiveJob): Promise<Job> {
  const data = parseJobPayload(messageReceiveJob, job, QueueName.messageReceive);
  const id = jobId.messageReceive(data.sessionId, data.message.id);
  return guard(reg, () => reg.get(QueueName.messageReceive).add("receive", data, { jobId: id }));
}

/** Receipts: no natural id (a batch of receipts), BullMQ assigns one; applying a receipt twice is harmless. */
export async function enqueueMessageStatus(reg: QueueRegistry, job: MessageStatusJob): Promise<Job> {
  const data = parseJobPayload(messageStatusJob, job, QueueName.messageStatus);
  return guard(reg, () => reg.get(QueueName.messageStatus).add("status", data));
}

export async function enqueueMediaDownload(reg: QueueRegistry, job: MediaDownloadJob): Promise<Job> {
  const data = parseJobPayload(mediaDownloadJob, job, QueueName.mediaDownload);
  const id = jobId.mediaDownload(data.messageId);
  return guard(reg, () =>
    addUnlessPending(reg.get(QueueName.mediaDownload), "download", data, { jobId: id }),
  );
}

export async function enqueueWebhookDelivery(
  reg: QueueRegistry,
  job: WebhookDeliveryJob,
  opts: { delay?: number } = {},
): Promise<Job> {
  const data = parseJobPayload(webhookDeliveryJob, job, QueueName.webhookDelivery);
  const id = jobId.webhookDelivery(data.deliveryId);
  return guard(reg, () =>
    addUnlessPending(reg.get(QueueName.webhookDelivery), "deliver", data, {
      jobId: id,
      ...delayOpt(opts.delay),
    }),
  );
}

export async function enqueueContactImport(reg: QueueRegistry, job: ContactImportJob): Promise<Job> {
  const data = parseJobPayload(contactImportJob, job, QueueName.contactImport);
  const id = jobId.contactImport(data.importId);
  return guard(reg, () => reg.get(QueueName.contactImport).add("import", data, { jobId: id }));
}

/** Campaign jobs; `delay` for a scheduled start (ms until scheduledAt). */
export async function enqueueCampaign(
  reg: QueueRegistry,
  job: CampaignJob,
  opts: { delay?: number } = {},
): Promise<Job> {
  const data = parseJobPayload(campaignJob, job, QueueName.campaign);
  return guard(reg, () =>
    addUnlessPending(reg.get(QueueName.campaign), data.action, data, {
      jobId: jobId.campaign(data),
      ...delayOpt(opts.delay),
    }),
  );
}

/** Default maintenance cadence (ms). */
export const maintenanceIntervals: Record<MaintenanceJob["task"], number> = {
  "recover-stuck": 60_000,
  "expire-queued": 5 * 60_000,
  retention: 30 * 60_000,
};

/** Repeatable housekeeping jobs; idempotent (upsert by scheduler id = task name). */
export async function scheduleMaintenance(
  reg: QueueRegistry,
  intervals: Partial<Record<MaintenanceJob["task"], number>> = {},
): Promise<void> {
  const queue = reg.get(QueueName.maintenance);
  const all = { ...maintenanceIntervals, ...intervals };
  await guard(reg, async () => {
    for (const [task, every] of Object.entries(all)) {
      const data = parseJobPayload(maintenanceJob, { task }, QueueName.maintenance);
      await queue.upsertJobScheduler(task, { every }, { name: task, data });
    }
  });
}

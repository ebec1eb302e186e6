// Queue names: the contract between web and worker. BullMQ forbids ":" in names.

export const QueueName = {
  /** start / stop / logout / restart / pairing-code for a session; any worker may pick it up. */
  sessionLifecycle: "session-lifecycle",
  /** Inbound messages from engines, persisted idempotently. */
  messageReceive: "message-receive",
  /** Receipts (delivered/read) applied to message rows in batches. */
  messageStatus: "message-status",
  /** Background download of inbound media into storage. */
  mediaDownload: "media-download",
  /** Signed webhook deliveries from the outbox. */
  webhookDelivery: "webhook-delivery",
  /** CSV contact imports. */
  contactImport: "contact-import",
  /** Campaign expansion, batching ticks, completion checks. */
  campaign: "campaign",
  /** Repeatable housekeeping: recovery, expiry, retention. */
  maintenance: "maintenance",
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Prefix of the per-session send queues. Each is consumed only by the session's owner worker
 *  (concurrency 1: per-chat ordering for free; pacing via the queue's rate limit). */
export const SEND_QUEUE_PREFIX = "send-";

export function sendQueueName(sessionId: string): string {
  return `${SEND_QUEUE_PREFIX}${sessionId}`;
}

export function isSendQueue(name: string): boolean {
  return name.startsWith(SEND_QUEUE_PREFIX);
}

export const allSharedQueues: readonly QueueName[] = Object.values(QueueName);

// Job payload schemas (zod) for every queue, and their idempotent job ids.
import { z } from "zod";

const id = z.string().min(1);

export const sessionLifecycleJob = z.discriminatedUnion("action", [
  z.object({ action: z.literal("start"), sessionId: id, companyId: id }),
  z.object({ action: z.literal("stop"), sessionId: id, companyId: id }),
  z.object({ action: z.literal("logout"), sessionId: id, companyId: id }),
  z.object({ action: z.literal("restart"), sessionId: id, companyId: id }),
  z.object({
    action: z.literal("pairing-code"),
    sessionId: id,
    companyId: id,
    /** Digits with country code, no "+". */
    phone: z.string().regex(/^\d{8,15}$/, "phone must be 8–15 digits including the country code"),
  }),
]);
export type SessionLifecycleJob = z.infer<typeof sessionLifecycleJob>;

/** One queued outbound message; the row in Postgres is the source of truth. */
export const messageSendJob = z.object({
  messageId: id,
  companyId: id,
  sessionId: id,
  /** Failed tries of this job so far. Kept in the job (not BullMQ's attemptsMade): a retry holds the
   *  number's queue instead of going to BullMQ's delayed set, where later messages would overtake it. */
  retries: z.number().int().min(0).optional(),
});
export type MessageSendJob = z.infer<typeof messageSendJob>;

export const messageReceiveJob = z.object({
  sessionId: id,
  companyId: id,
  /** InboundMessage from @zapflow/whatsapp, JSON-serialised. */
  message: z.object({
    id,
    from: z.string(),
    fromPhoneJid: z.string().optional(),
    fromLid: z.string().optional(),
    pushName: z.string().optional(),
    timestamp: z.string(),
    content: z.record(z.string(), z.unknown()),
  }),
});
export type MessageReceiveJob = z.infer<typeof messageReceiveJob>;

export const sessionReceipts = z.object({
  sessionId: id,
  companyId: id,
  receipts: z
    .array(
      z.object({
        messageId: id,
        chat: z.string(),
        status: z.enum(["server_ack", "delivered", "read", "played", "error"]),
        timestamp: z.string(),
      }),
    )
    .min(1),
});
export type SessionReceipts = z.infer<typeof sessionReceipts>;

/** Receipts of every session of a worker gathered over one flush interval: one job (and one write)
 *  per interval, however many sessions the worker runs. */
export const messageStatusJob = z.object({ sessions: z.array(sessionReceipts).min(1) });
export type MessageStatusJob = z.infer<typeof messageStatusJob>;

export const mediaDownloadJob = z.object({ messageId: id, companyId: id, sessionId: id });
export type MediaDownloadJob = z.infer<typeof mediaDownloadJob>;

export const webhookDeliveryJob = z.object({ deliveryId: id, companyId: id });
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJob>;

export const contactImportJob = z.object({ importId: id, companyId: id });
export type ContactImportJob = z.infer<typeof contactImportJob>;

export const campaignJob = z.discriminatedUnion("action", [
  /** Expand the audience into recipients + message rows, in chunks, resumable from the cursor. */
  z.object({ action: z.literal("expand"), campaignId: id, companyId: id }),
  /** Start a scheduled campaign (delayed job at scheduledAt). */
  z.object({ action: z.literal("start"), campaignId: id, companyId: id }),
  /** The pacing loop of a running campaign: one long-lived job that sends batch after batch,
   *  holding itself back between them, until the campaign is paused, cancelled or done. */
  z.object({ action: z.literal("dispatch"), campaignId: id, companyId: id }),
  /** Check whether every recipient reached a final state. */
  z.object({ action: z.literal("check-completion"), campaignId: id, companyId: id }),
]);
export type CampaignJob = z.infer<typeof campaignJob>;

export const maintenanceJob = z.object({
  task: z.enum(["recover-stuck", "expire-queued", "retention"]),
});
export type MaintenanceJob = z.infer<typeof maintenanceJob>;

/** Idempotent job ids: the same logical work never becomes two jobs. BullMQ ids may not contain ":". */
export const jobId = {
  sessionLifecycle: (j: SessionLifecycleJob) => `session-${j.action}-${j.sessionId}`,
  messageSend: (messageId: string) => `msg-send-${messageId}`,
  /** A re-queue of the same message row (DLQ retry n, stuck recovery): BullMQ silently ignores an add
   *  whose id still exists (e.g. a failed job kept 7 days), so each re-queue gets its own id. */
  messageSendRetry: (messageId: string, retry: number) => `msg-send-${messageId}-r${retry}`,
  messageReceive: (sessionId: string, waMessageId: string) =>
    `msg-recv-${sessionId}-${waMessageId.replace(/:/g, "_")}`,
  mediaDownload: (messageId: string) => `media-${messageId}`,
  webhookDelivery: (deliveryId: string) => `webhook-${deliveryId}`,
  contactImport: (importId: string) => `import-${importId}`,
  campaign: (j: CampaignJob) => `campaign-${j.action}-${j.campaignId}`,
};

/** A job payload that does not match its schema: `issues` carry the field paths. */
export class JobPayloadError extends Error {
  readonly code = "INVALID_JOB_PAYLOAD";
  constructor(
    readonly queue: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(
      `Invalid ${queue} job: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
    this.name = "JobPayloadError";
  }
}

export function parseJobPayload<S extends z.ZodType>(schema: S, data: unknown, queue: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new JobPayloadError(queue, result.error.issues);
  return result.data;
}

import { MessageDirection, MessageSource, MessageStatus, MessageType } from "@zapflow/db";
import { z } from "zod";

const date = z.date().nullable();

export const messageOutput = z.object({
  id: z.string(),
  sessionId: z.string(),
  contactId: z.string().nullable(),
  campaignId: z.string().nullable(),
  chatJid: z.string(),
  direction: z.enum(MessageDirection),
  type: z.enum(MessageType),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(MessageStatus),
  source: z.enum(MessageSource),
  waMessageId: z.string(),
  idempotencyKey: z.string().nullable(),
  priority: z.number().int(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  queuedAt: z.date(),
  sentAt: date,
  deliveredAt: date,
  readAt: date,
  failedAt: date,
  createdAt: z.date(),
});

/** REST/tRPC send body. The shared service validates it field by field (sendMessageInput). */
export const sendBody = z
  .object({
    sessionId: z.string().describe("Session that sends the message"),
    to: z.string().describe("E.164 phone (+5511987654321), digits with country code, or a WhatsApp JID"),
    type: z.enum(["text", "image", "video", "audio", "document", "sticker", "location"]),
    text: z.string().optional(),
    url: z.string().optional().describe("Media by URL (https): fetched by the worker when it sends"),
    storageKey: z
      .string()
      .optional()
      .describe("Media by upload: the storageKey returned by POST /api/v1/media (your company's files only)"),
    mimeType: z.string().optional(),
    caption: z.string().optional(),
    fileName: z.string().optional(),
    latitude: z.number().optional(),
    longitude: z.number().optional(),
    name: z.string().optional(),
    address: z.string().optional(),
    idempotencyKey: z.string().optional().describe("Same key → same message, never a second one"),
    priority: z.enum(["high", "normal"]).optional(),
  })
  .strict();

export const acceptOutput = z.object({
  message: messageOutput,
  duplicate: z.boolean(),
  enqueued: z.boolean(),
});

export const listInput = z.object({
  sessionId: z.string().optional(),
  status: z.enum(MessageStatus).optional(),
  /** Not "direction": tRPC infinite queries put their own `direction` into the input. */
  messageDirection: z.enum(MessageDirection).optional(),
  chatJid: z.string().optional(),
  campaignId: z.string().optional(),
  /** Message id to continue after (newest first). */
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListMessagesInput = z.infer<typeof listInput>;

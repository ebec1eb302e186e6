// Input/output shapes of the campaigns API.
import { CampaignStatus } from "@zapflow/db";
import { audienceSchema, campaignMediaSchema, isValidHhmm, isValidTimeZone } from "@zapflow/db/domain";
import { campaignMaxPerMinuteInput } from "@zapflow/queue/services/campaign-rate";
import { z } from "zod";

const id = z.string().trim().min(1, "id is required");
const hhmm = z.string().refine(isValidHhmm, "use HH:MM (24 h)");

const settings = {
  name: z.string().trim().min(1, "name is required").max(200),
  variants: z
    .array(
      z.string().trim().min(1, "a variant cannot be empty").max(4096, "a variant is at most 4096 characters"),
    )
    .min(1, "write at least one message variant")
    .max(10, "at most 10 variants"),
  media: campaignMediaSchema.nullable().optional(),
  audience: audienceSchema,
  sessionIds: z.array(id).min(1, "choose at least one sending number").max(20),
  timeZone: z.string().refine(isValidTimeZone, "unknown time zone").optional(),
  quietHoursStart: hhmm.nullable().optional(),
  quietHoursEnd: hhmm.nullable().optional(),
  batchSize: z.number().int().min(1).max(1000).default(50),
  batchPauseSec: z.number().int().min(0).max(86_400).default(60),
  minDelayMs: z.number().int().min(0).max(600_000).default(3_000),
  maxDelayMs: z.number().int().min(0).max(600_000).default(8_000),
  /** Own cap on messages per minute; the company policy's per-campaign cap applies too (stricter wins). */
  maxPerMinute: campaignMaxPerMinuteInput,
};

const delaysInOrder = (v: { minDelayMs?: number; maxDelayMs?: number }) =>
  v.minDelayMs === undefined || v.maxDelayMs === undefined || v.maxDelayMs >= v.minDelayMs;
const quietBoth = (v: { quietHoursStart?: string | null; quietHoursEnd?: string | null }) =>
  (v.quietHoursStart == null) === (v.quietHoursEnd == null);

export const createCampaignInput = z
  .object(settings)
  .refine(delaysInOrder, { path: ["maxDelayMs"], message: "maxDelayMs must be ≥ minDelayMs" })
  .refine(quietBoth, { path: ["quietHoursEnd"], message: "set both quiet-hours start and end, or neither" });
export type CreateCampaignInput = z.infer<typeof createCampaignInput>;

export const updateCampaignInput = z
  .object({
    id,
    name: settings.name.optional(),
    variants: settings.variants.optional(),
    media: settings.media,
    audience: audienceSchema.optional(),
    sessionIds: settings.sessionIds.optional(),
    timeZone: settings.timeZone,
    quietHoursStart: settings.quietHoursStart,
    quietHoursEnd: settings.quietHoursEnd,
    batchSize: z.number().int().min(1).max(1000).optional(),
    batchPauseSec: z.number().int().min(0).max(86_400).optional(),
    minDelayMs: z.number().int().min(0).max(600_000).optional(),
    maxDelayMs: z.number().int().min(0).max(600_000).optional(),
    maxPerMinute: settings.maxPerMinute,
    /** Reschedules a SCHEDULED campaign (read like start's scheduledAt). */
    scheduledAt: z.string().trim().min(1, "scheduledAt cannot be empty").optional(),
  })
  .refine(delaysInOrder, { path: ["maxDelayMs"], message: "maxDelayMs must be ≥ minDelayMs" });
export type UpdateCampaignInput = z.infer<typeof updateCampaignInput>;

export const startCampaignInput = z.object({
  id,
  /** Omit to start now. A wall-clock time ("2026-12-01T09:30") is read in the campaign's time zone;
   *  an ISO time with an offset is taken as is. */
  scheduledAt: z.string().trim().min(1).optional(),
});

export const listCampaignsInput = z.object({
  status: z.enum(CampaignStatus).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).default(20),
});

export const previewInput = z.object({ id, contactId: id.optional() });
export const recipientsInput = z.object({
  id,
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const campaignOutput = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CampaignStatus),
  variants: z.array(z.string()),
  media: z.unknown().nullable(),
  audience: z.unknown(),
  sessionIds: z.array(z.string()),
  scheduledAt: z.date().nullable(),
  timeZone: z.string(),
  quietHoursStart: z.string().nullable(),
  quietHoursEnd: z.string().nullable(),
  batchSize: z.number(),
  batchPauseSec: z.number(),
  minDelayMs: z.number(),
  maxDelayMs: z.number(),
  maxPerMinute: z.number().nullable(),
  pausedReason: z.string().nullable(),
  totalRecipients: z.number(),
  sentCount: z.number(),
  deliveredCount: z.number(),
  readCount: z.number(),
  failedCount: z.number(),
  repliedCount: z.number(),
  excludedOptedOut: z.number(),
  excludedInvalid: z.number(),
  startedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  createdAt: z.date(),
});

export const progressOutput = z.object({
  status: z.enum(CampaignStatus),
  total: z.number(),
  pending: z.number(),
  byStatus: z.record(z.string(), z.number()),
  bySession: z.array(z.object({ sessionId: z.string(), counts: z.record(z.string(), z.number()) })),
  skipped: z.number(),
  cancelled: z.number(),
  replies: z.number(),
  ratePerMinute: z.number(),
  etaSeconds: z.number().nullable(),
  summary: z.object({
    sent: z.number(),
    delivered: z.number(),
    read: z.number(),
    failed: z.number(),
    replies: z.number(),
  }),
});

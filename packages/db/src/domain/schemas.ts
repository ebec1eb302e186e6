// Shapes shared by the web app (validation of input) and the worker (reading stored JSON).
import { z } from "zod";

/** Custom-field keys become template variables: keep them simple. */
export const customFieldKey = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}_-]+$/u, "use letters, digits, _ or - (no spaces)");

/** Which CSV column feeds which contact field (column names exactly as in the header). */
export const importMappingSchema = z.object({
  phone: z.string().min(1, "choose the phone column"),
  name: z.string().min(1).optional(),
  /** custom field key → CSV column */
  customFields: z.record(customFieldKey, z.string().min(1)).default({}),
  /** Tags added to every imported contact. */
  tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});
export type ImportMapping = z.infer<typeof importMappingSchema>;

export const audienceSchema = z
  .object({
    listIds: z.array(z.string().min(1)).max(50).default([]),
    tags: z.array(z.string().trim().min(1)).max(50).default([]),
    contactIds: z.array(z.string().min(1)).max(10_000).default([]),
  })
  .refine((a) => a.listIds.length + a.tags.length + a.contactIds.length > 0, {
    message: "choose at least one list, tag or contact",
  });
export type Audience = z.infer<typeof audienceSchema>;

export const campaignMediaSchema = z.object({
  type: z.enum(["image", "video", "audio", "document"]),
  url: z.url().optional(),
  storageKey: z.string().min(1).optional(),
  mimeType: z.string().optional(),
  fileName: z.string().optional(),
});
export type CampaignMedia = z.infer<typeof campaignMediaSchema>;

/** Stored per-line import errors (first MAX_IMPORT_ROW_ERRORS kept on the ContactImport row). */
export interface ImportRowError {
  line: number;
  reason: string;
  value?: string;
}
export const MAX_IMPORT_ROW_ERRORS = 1_000;

// Input/output shapes of the contacts API (zod; field-level messages reach the client).
import { customFieldKey, importMappingSchema } from "@zapflow/db/domain";
import { z } from "zod";

const id = z.string().trim().min(1, "id is required");
const tag = z.string().trim().min(1).max(40, "tags are at most 40 characters");
const customFields = z.record(
  customFieldKey,
  z.string().max(500, "custom field values are at most 500 characters"),
);
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, "defaultCountry must be an ISO country code such as BR")
  .default("BR");

export const listContactsInput = z.object({
  search: z.string().trim().max(100).optional(),
  tag: tag.optional(),
  listId: id.optional(),
  optedOut: z.boolean().optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListContactsInput = z.infer<typeof listContactsInput>;

export const createContactInput = z.object({
  phone: z.string().trim().min(1, "phone is required").max(40),
  name: z.string().trim().max(200).optional(),
  customFields: customFields.default({}),
  tags: z.array(tag).max(50).default([]),
  defaultCountry: country,
});

export const updateContactInput = z.object({
  id,
  name: z.string().trim().max(200).nullable().optional(),
  /** Merged into the existing fields; a null value removes the field. */
  customFields: z.record(customFieldKey, z.string().max(500).nullable()).optional(),
  tags: z.array(tag).max(50).optional(),
  optedOut: z.boolean().optional(),
});

export const contactOutput = z.object({
  id: z.string(),
  phone: z.string(),
  jid: z.string().nullable(),
  name: z.string().nullable(),
  customFields: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  optedOut: z.boolean(),
  optedOutAt: z.date().nullable(),
  /** Last message from the contact. */
  lastInboundAt: z.date().nullable(),
  /** Last message sent to the contact, to the minute. */
  lastOutboundAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const listInput = z.object({ name: z.string().trim().min(1, "name is required").max(100) });
export const listMembersInput = z.object({ listId: id, contactIds: z.array(id).min(1).max(1000) });

/** Upload as base64 (CSV exports of 100k rows are a few MB). */
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
export const importPreviewInput = z.object({
  fileName: z.string().trim().min(1).max(200),
  contentBase64: z.string().min(1, "the file is empty"),
});

export const importStartInput = z.object({
  storageKey: z.string().min(1),
  fileName: z.string().trim().min(1).max(200),
  mapping: importMappingSchema,
  defaultCountry: country,
  listId: id.optional(),
});

export const importOutput = z.object({
  id: z.string(),
  status: z.string(),
  fileName: z.string(),
  listId: z.string().nullable(),
  totalRows: z.number(),
  processedRows: z.number(),
  importedRows: z.number(),
  updatedRows: z.number(),
  duplicateRows: z.number(),
  invalidRows: z.number(),
  rowErrors: z.array(z.object({ line: z.number(), reason: z.string(), value: z.string().optional() })),
  error: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

// Writes one batch of parsed rows: upsert by (company, phone) with custom fields merged, list
// membership, and the import's progress counters — all in one transaction, so a crash either keeps
// the whole batch with its progress or none of it (the retry resumes from processedRows).
import type { PrismaClient } from "@zapflow/db";
import { type ImportRowError, MAX_IMPORT_ROW_ERRORS } from "@zapflow/db/domain";

export interface ParsedContactRow {
  line: number;
  phone: string;
  jid: string;
  name: string | null;
  customFields: Record<string, string>;
}

export interface ImportBatch {
  /** Data rows consumed from the file by this batch (valid, duplicate and invalid). */
  consumedRows: number;
  rows: ParsedContactRow[];
  errors: ImportRowError[];
}

export interface BatchOutcome {
  imported: number;
  updated: number;
  duplicates: number;
  invalid: number;
  /** false when the import was cancelled (or taken over) meanwhile: nothing was written. */
  applied: boolean;
}

class ImportNoLongerRunning extends Error {}

/** Duplicates inside one batch are merged first (later non-empty values win). */
export function mergeBatchDuplicates(rows: ParsedContactRow[]): {
  rows: ParsedContactRow[];
  duplicates: number;
} {
  const byPhone = new Map<string, ParsedContactRow>();
  for (const row of rows) {
    const seen = byPhone.get(row.phone);
    if (!seen) {
      byPhone.set(row.phone, { ...row, customFields: { ...row.customFields } });
      continue;
    }
    if (row.name) seen.name = row.name;
    Object.assign(seen.customFields, row.customFields);
  }
  return { rows: [...byPhone.values()], duplicates: rows.length - byPhone.size };
}

export async function writeImportBatch(
  prisma: PrismaClient,
  target: { importId: string; companyId: string; listId: string | null; tags: string[] },
  batch: ImportBatch,
): Promise<BatchOutcome> {
  const { rows, duplicates: inBatchDuplicates } = mergeBatchDuplicates(batch.rows);
  try {
    return await prisma.$transaction(
      async (tx) => {
        let imported = 0;
        let updated = 0;
        let duplicates = inBatchDuplicates;
        if (rows.length > 0) {
          const written = await tx.$queryRaw<{ id: string; inserted: boolean; createdByImport: boolean }[]>`
            WITH input AS (
              SELECT * FROM unnest(
                ${rows.map((r) => r.phone)}::text[], ${rows.map((r) => r.jid)}::text[],
                ${rows.map((r) => r.name)}::text[], ${rows.map((r) => JSON.stringify(r.customFields))}::text[]
              ) AS t(phone, jid, name, fields)
            )
            INSERT INTO "Contact" ("id", "companyId", "phone", "jid", "name", "customFields", "tags", "createdAt", "updatedAt")
            SELECT gen_random_uuid()::text, ${target.companyId}, phone, jid, name, fields::jsonb, ${target.tags}::text[],
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
            FROM input
            ON CONFLICT ("companyId", "phone") DO UPDATE SET
              "jid" = EXCLUDED."jid",
              "name" = COALESCE(EXCLUDED."name", "Contact"."name"),
              "customFields" = "Contact"."customFields" || EXCLUDED."customFields",
              "tags" = ARRAY(SELECT DISTINCT t FROM unnest("Contact"."tags" || EXCLUDED."tags") AS t),
              "updatedAt" = now() AT TIME ZONE 'UTC'
            RETURNING "id", (xmax = 0) AS inserted,
              "createdAt" >= (SELECT "startedAt" FROM "ContactImport" WHERE "id" = ${target.importId}) AS "createdByImport"`;
          for (const row of written) {
            if (row.inserted) imported++;
            else if (row.createdByImport) duplicates++;
            else updated++;
          }
          if (target.listId) {
            await tx.$executeRaw`
              INSERT INTO "ContactListMember" ("listId", "contactId", "addedAt")
              SELECT ${target.listId}, id, now() AT TIME ZONE 'UTC' FROM unnest(${written.map((w) => w.id)}::text[]) AS id
              ON CONFLICT DO NOTHING`;
          }
        }
        const invalid = batch.errors.length;
        const progressed = await tx.$executeRaw`
          UPDATE "ContactImport" SET
            "processedRows" = "processedRows" + ${batch.consumedRows},
            "importedRows" = "importedRows" + ${imported},
            "updatedRows" = "updatedRows" + ${updated},
            "duplicateRows" = "duplicateRows" + ${duplicates},
            "invalidRows" = "invalidRows" + ${invalid},
            "rowErrors" = CASE WHEN jsonb_array_length("rowErrors") >= ${MAX_IMPORT_ROW_ERRORS} THEN "rowErrors"
              ELSE (SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM (
                SELECT e FROM jsonb_array_elements("rowErrors" || ${JSON.stringify(batch.errors)}::jsonb) AS e
                LIMIT ${MAX_IMPORT_ROW_ERRORS}) AS kept) END
          WHERE "id" = ${target.importId} AND "status" = 'RUNNING'::"ImportStatus"`;
        // Cancelled while this batch was being written: roll the batch back.
        if (progressed === 0) throw new ImportNoLongerRunning();
        return { imported, updated, duplicates, invalid, applied: true };
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  } catch (err) {
    if (err instanceof ImportNoLongerRunning) {
      return { imported: 0, updated: 0, duplicates: 0, invalid: 0, applied: false };
    }
    throw err;
  }
}

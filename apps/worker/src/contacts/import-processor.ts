// contact-import job: streams the stored CSV, normalises phones, writes 1,000-row batches with
// progress, stops between batches when cancelled, resumes from processedRows after a crash.
import { rm } from "node:fs/promises";
import { type ImportStatus, type PrismaClient, ImportStatus as Status } from "@zapflow/db";
import {
  type ImportMapping,
  type ImportRowError,
  importMappingSchema,
  normalizePhone,
  storagePath,
} from "@zapflow/db/domain";
import type { ContactImportJob } from "@zapflow/queue";
import type { Logger } from "pino";
import { estimateRows, readCsvRows, sniffFile } from "./csv-stream";
import { type ImportBatch, type ParsedContactRow, writeImportBatch } from "./import-writer";

export const IMPORT_BATCH_SIZE = 1_000;

export interface ImportDeps {
  prisma: PrismaClient;
  logger: Logger;
  batchSize?: number;
  /** Storage env (STORAGE_DIR); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Final states: nothing more to do for this import. */
const FINISHED: ImportStatus[] = [Status.COMPLETED, Status.FAILED, Status.CANCELLED];

/** Thrown for a file the user must fix (no retry helps). */
export class ImportFileError extends Error {}

interface ColumnIndexes {
  phone: number;
  name: number | undefined;
  customFields: [key: string, index: number][];
}

function resolveColumns(header: string[], mapping: ImportMapping): ColumnIndexes {
  const trimmed = header.map((h) => h.trim());
  const find = (column: string, what: string) => {
    const index = trimmed.indexOf(column.trim());
    if (index === -1) throw new ImportFileError(`column "${column}" (${what}) is not in the file's header`);
    return index;
  };
  return {
    phone: find(mapping.phone, "phone"),
    name: mapping.name ? find(mapping.name, "name") : undefined,
    customFields: Object.entries(mapping.customFields).map(([key, column]) => [key, find(column, key)]),
  };
}

function parseRow(
  cells: string[],
  line: number,
  columns: ColumnIndexes,
  defaultCountry: string,
): ParsedContactRow | ImportRowError {
  const rawPhone = cells[columns.phone]?.trim() ?? "";
  const phone = normalizePhone(rawPhone, defaultCountry);
  if ("error" in phone) return { line, reason: phone.error, value: rawPhone };
  const customFields: Record<string, string> = {};
  for (const [key, index] of columns.customFields) {
    const value = cells[index]?.trim();
    if (value) customFields[key] = value;
  }
  const name = columns.name === undefined ? "" : (cells[columns.name]?.trim() ?? "");
  return { line, phone: phone.e164, jid: phone.jid, name: name || null, customFields };
}

export async function processContactImport(deps: ImportDeps, job: ContactImportJob): Promise<ImportStatus> {
  const { prisma, logger } = deps;
  const batchSize = deps.batchSize ?? IMPORT_BATCH_SIZE;
  const record = await prisma.contactImport.findFirst({
    where: { id: job.importId, companyId: job.companyId },
  });
  if (!record) {
    logger.warn({ importId: job.importId }, "contact import not found; nothing to do");
    return Status.FAILED;
  }
  if (FINISHED.includes(record.status)) return record.status;

  const fail = async (message: string) => {
    await prisma.contactImport.updateMany({
      where: { id: record.id, status: { in: [Status.QUEUED, Status.RUNNING] } },
      data: { status: Status.FAILED, error: message, finishedAt: new Date() },
    });
    return Status.FAILED;
  };

  const mapping = importMappingSchema.safeParse(record.mapping);
  if (!mapping.success) return fail(`invalid column mapping: ${mapping.error.issues[0]?.message}`);
  const path = storagePath(record.storageKey, deps.env);
  let sniff: Awaited<ReturnType<typeof sniffFile>>;
  try {
    sniff = await sniffFile(path);
  } catch (err) {
    return fail(`uploaded file cannot be read: ${(err as Error).message}`);
  }

  // QUEUED → RUNNING (or continue a RUNNING import after a crash); keep the first startedAt.
  const started = await prisma.contactImport.updateMany({
    where: { id: record.id, status: { in: [Status.QUEUED, Status.RUNNING] } },
    data: {
      status: Status.RUNNING,
      startedAt: record.startedAt ?? new Date(),
      totalRows: record.totalRows || (await estimateRows(path)),
    },
  });
  if (started.count === 0)
    return (await prisma.contactImport.findUniqueOrThrow({ where: { id: record.id } })).status;

  const target = {
    importId: record.id,
    companyId: record.companyId,
    listId: record.listId,
    tags: mapping.data.tags,
  };
  const skip = record.processedRows; // rows already committed before a crash
  let columns: ColumnIndexes | undefined;
  let dataRow = 0; // non-blank data rows: the unit of progress and of resuming
  let line = 0;
  let batch: ImportBatch = { consumedRows: 0, rows: [], errors: [] };

  const flush = async (): Promise<boolean> => {
    if (batch.consumedRows === 0) return true;
    const outcome = await writeImportBatch(prisma, target, batch);
    batch = { consumedRows: 0, rows: [], errors: [] };
    return outcome.applied;
  };

  try {
    for await (const cells of readCsvRows(path, sniff)) {
      if (!columns) {
        columns = resolveColumns(cells, mapping.data);
        continue;
      }
      line++;
      // Blank lines (";;;;" rows, the trailing newline) are neither data nor errors.
      if (cells.every((cell) => cell.trim() === "")) continue;
      dataRow++;
      if (dataRow <= skip) continue;
      batch.consumedRows++;
      // Line numbers as a spreadsheet shows them: the header is line 1.
      const parsed = parseRow(cells, line + 1, columns, record.defaultCountry);
      if ("reason" in parsed) batch.errors.push(parsed);
      else batch.rows.push(parsed);
      if (batch.consumedRows >= batchSize && !(await flush())) {
        logger.info({ importId: record.id }, "contact import stopped: no longer running (cancelled)");
        return Status.CANCELLED;
      }
    }
    if (!columns) return fail("the file is empty (no header line)");
    if (!(await flush())) return Status.CANCELLED;
  } catch (err) {
    if (err instanceof ImportFileError) return fail(err.message);
    throw err; // transient (DB down, ...): the job retries and resumes from processedRows
  }

  const done = await prisma.contactImport.updateMany({
    where: { id: record.id, status: Status.RUNNING },
    data: { status: Status.COMPLETED, totalRows: dataRow, finishedAt: new Date() },
  });
  if (!done.count) return Status.CANCELLED;
  // The upload has served its purpose; keep the storage dir from growing with every import.
  await rm(path, { force: true });
  return Status.COMPLETED;
}

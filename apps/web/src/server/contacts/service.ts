// Contacts: CRUD, search, lists, tags, CSV import (preview → mapping → background job).
// Every query is scoped by the caller's companyId.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ImportStatus, MessageDirection, MessageStatus, type Prisma, type PrismaClient } from "@zapflow/db";
import {
  decodeCsvBytes,
  type ImportRowError,
  normalizePhone,
  sniffCsv,
  storagePath,
} from "@zapflow/db/domain";
import { enqueueContactImport, type QueueRegistry } from "@zapflow/queue";
import { ConflictError, NotFoundError, ValidationError } from "@zapflow/queue/services/errors";
import Papa from "papaparse";
import type { z } from "zod";
import {
  type createContactInput,
  type importStartInput,
  type ListContactsInput,
  MAX_IMPORT_BYTES,
  type updateContactInput,
} from "./schemas";

interface Deps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

const contactSelect = {
  id: true,
  phone: true,
  jid: true,
  name: true,
  customFields: true,
  tags: true,
  optedOut: true,
  optedOutAt: true,
  lastInboundAt: true,
  lastOutboundAt: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.ContactSelect;

type ContactRow = Prisma.ContactGetPayload<{ select: typeof contactSelect }>;

const toView = (row: ContactRow) => ({
  ...row,
  customFields: (row.customFields ?? {}) as Record<string, unknown>,
});

export async function getContact(prisma: PrismaClient, companyId: string, id: string) {
  const row = await prisma.contact.findFirst({ where: { id, companyId }, select: contactSelect });
  if (!row) throw new NotFoundError("Contact", id);
  return toView(row);
}

/** Keyset pagination by id; search matches name (case-insensitive) or phone digits. */
export async function listContacts(prisma: PrismaClient, companyId: string, input: ListContactsInput) {
  const digits = input.search?.replace(/\D/g, "");
  const where: Prisma.ContactWhereInput = {
    companyId,
    optedOut: input.optedOut,
    ...(input.tag ? { tags: { has: input.tag } } : {}),
    ...(input.listId ? { listMemberships: { some: { listId: input.listId } } } : {}),
    ...(input.search
      ? {
          OR: [
            { name: { contains: input.search, mode: "insensitive" } },
            ...(digits ? [{ phone: { contains: digits } }] : []),
          ],
        }
      : {}),
    ...(input.cursor ? { id: { gt: input.cursor } } : {}),
  };
  const rows = await prisma.contact.findMany({
    where,
    orderBy: { id: "asc" },
    take: input.limit + 1,
    select: contactSelect,
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toView),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function createContact(
  prisma: PrismaClient,
  companyId: string,
  input: z.infer<typeof createContactInput>,
) {
  const phone = normalizePhone(input.phone, input.defaultCountry);
  if ("error" in phone) throw new ValidationError([{ path: "phone", message: phone.error }]);
  const exists = await prisma.contact.findUnique({
    where: { companyId_phone: { companyId, phone: phone.e164 } },
  });
  if (exists) throw new ConflictError("CONTACT_EXISTS", `A contact with phone ${phone.e164} already exists`);
  const row = await prisma.contact.create({
    data: {
      companyId,
      phone: phone.e164,
      jid: phone.jid,
      name: input.name || null,
      customFields: input.customFields,
      tags: [...new Set(input.tags)],
    },
    select: contactSelect,
  });
  return toView(row);
}

export async function updateContact(
  prisma: PrismaClient,
  companyId: string,
  input: z.infer<typeof updateContactInput>,
) {
  const current = await getContact(prisma, companyId, input.id);
  let customFields: Record<string, unknown> | undefined;
  if (input.customFields) {
    customFields = { ...current.customFields };
    for (const [key, value] of Object.entries(input.customFields)) {
      if (value === null) delete customFields[key];
      else customFields[key] = value;
    }
  }
  const optOutChanged = input.optedOut !== undefined && input.optedOut !== current.optedOut;
  if (optOutChanged && input.optedOut) {
    // Respected everywhere: what is still queued to this contact (campaign batches included) is not sent.
    await prisma.message.updateMany({
      where: {
        companyId,
        contactId: current.id,
        direction: MessageDirection.OUTBOUND,
        status: MessageStatus.QUEUED,
      },
      data: { status: MessageStatus.CANCELLED, lastError: "Contact opted out" },
    });
  }
  const row = await prisma.contact.update({
    where: { id: current.id },
    data: {
      name: input.name === undefined ? undefined : input.name || null,
      customFields: customFields as Prisma.InputJsonObject | undefined,
      tags: input.tags ? [...new Set(input.tags)] : undefined,
      ...(optOutChanged ? { optedOut: input.optedOut, optedOutAt: input.optedOut ? new Date() : null } : {}),
    },
    select: contactSelect,
  });
  return toView(row);
}

export async function deleteContact(prisma: PrismaClient, companyId: string, id: string) {
  const deleted = await prisma.contact.deleteMany({ where: { id, companyId } });
  if (deleted.count === 0) throw new NotFoundError("Contact", id);
  return { id };
}

export async function listTags(prisma: PrismaClient, companyId: string) {
  const rows = await prisma.$queryRaw<{ tag: string; count: bigint }[]>`
    SELECT t AS tag, count(*) AS count FROM "Contact", unnest("tags") AS t
    WHERE "companyId" = ${companyId} GROUP BY t ORDER BY t LIMIT 500`;
  return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
}

// ── lists ──

export async function listLists(prisma: PrismaClient, companyId: string) {
  const lists = await prisma.contactList.findMany({
    where: { companyId },
    orderBy: { name: "asc" },
    include: { _count: { select: { members: true } } },
  });
  return lists.map((l) => ({ id: l.id, name: l.name, createdAt: l.createdAt, members: l._count.members }));
}

export async function createList(prisma: PrismaClient, companyId: string, name: string) {
  const exists = await prisma.contactList.findUnique({ where: { companyId_name: { companyId, name } } });
  if (exists) throw new ConflictError("LIST_EXISTS", `A list named "${name}" already exists`);
  return prisma.contactList.create({
    data: { companyId, name },
    select: { id: true, name: true, createdAt: true },
  });
}

async function assertList(prisma: PrismaClient, companyId: string, listId: string) {
  const list = await prisma.contactList.findFirst({ where: { id: listId, companyId } });
  if (!list) throw new NotFoundError("ContactList", listId);
  return list;
}

export async function deleteList(prisma: PrismaClient, companyId: string, id: string) {
  await assertList(prisma, companyId, id);
  await prisma.contactList.delete({ where: { id } });
  return { id };
}

export async function addToList(
  prisma: PrismaClient,
  companyId: string,
  listId: string,
  contactIds: string[],
) {
  await assertList(prisma, companyId, listId);
  // Only this company's contacts can join its list.
  const owned = await prisma.contact.findMany({
    where: { companyId, id: { in: contactIds } },
    select: { id: true },
  });
  const added = await prisma.contactListMember.createMany({
    data: owned.map((c) => ({ listId, contactId: c.id })),
    skipDuplicates: true,
  });
  return { added: added.count, ignored: contactIds.length - owned.length };
}

export async function removeFromList(
  prisma: PrismaClient,
  companyId: string,
  listId: string,
  contactIds: string[],
) {
  await assertList(prisma, companyId, listId);
  const removed = await prisma.contactListMember.deleteMany({
    where: { listId, contactId: { in: contactIds } },
  });
  return { removed: removed.count };
}

// ── CSV import ──

const PREVIEW_ROWS = 10;
const importKeyPrefix = (companyId: string) => `imports/${companyId}/`;

/** Stores the upload and returns what the mapping screen needs: headers and the first rows. */
export async function previewImport(companyId: string, fileName: string, contentBase64: string) {
  const bytes = Buffer.from(contentBase64, "base64");
  if (bytes.length === 0)
    throw new ValidationError([{ path: "contentBase64", message: "the file is empty" }]);
  if (bytes.length > MAX_IMPORT_BYTES) {
    throw new ValidationError([{ path: "contentBase64", message: "the file is larger than 50 MB" }]);
  }
  const head = bytes.subarray(0, 64 * 1024);
  const sniff = sniffCsv(head, bytes.length > head.length);
  const text = decodeCsvBytes(head.subarray(sniff.bomLength), sniff.encoding);
  const parsed = Papa.parse<string[]>(text, {
    delimiter: sniff.delimiter,
    preview: PREVIEW_ROWS + 1,
    skipEmptyLines: true,
  });
  const [headers, ...rows] = parsed.data;
  if (!headers || headers.every((h) => !h.trim())) {
    throw new ValidationError([{ path: "contentBase64", message: "the file has no header line" }]);
  }
  const storageKey = `${importKeyPrefix(companyId)}${randomUUID()}.csv`;
  const path = storagePath(storageKey);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return {
    storageKey,
    fileName,
    encoding: sniff.encoding,
    delimiter: sniff.delimiter,
    headers: headers.map((h) => h.trim()),
    rows,
    estimatedRows: Math.max(0, text.split("\n").length - 1),
  };
}

export async function startImport(
  deps: Deps,
  companyId: string,
  userId: string | undefined,
  input: z.infer<typeof importStartInput>,
) {
  // A storage key is only usable by the company that uploaded it.
  if (!input.storageKey.startsWith(importKeyPrefix(companyId)) || input.storageKey.includes("..")) {
    throw new NotFoundError("Upload", input.storageKey);
  }
  if (input.listId) await assertList(deps.prisma, companyId, input.listId);
  const record = await deps.prisma.contactImport.create({
    data: {
      companyId,
      listId: input.listId,
      fileName: input.fileName,
      storageKey: input.storageKey,
      mapping: input.mapping,
      defaultCountry: input.defaultCountry,
      createdById: userId,
    },
  });
  await enqueueContactImport(deps.queues, { importId: record.id, companyId });
  return toImportView(record);
}

type ImportRow = Awaited<ReturnType<PrismaClient["contactImport"]["findFirstOrThrow"]>>;

const toImportView = (row: ImportRow) => ({
  id: row.id,
  status: row.status,
  fileName: row.fileName,
  listId: row.listId,
  totalRows: row.totalRows,
  processedRows: row.processedRows,
  importedRows: row.importedRows,
  updatedRows: row.updatedRows,
  duplicateRows: row.duplicateRows,
  invalidRows: row.invalidRows,
  rowErrors: (row.rowErrors ?? []) as unknown as ImportRowError[],
  error: row.error,
  createdAt: row.createdAt,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
});

export async function getImport(prisma: PrismaClient, companyId: string, id: string) {
  const row = await prisma.contactImport.findFirst({ where: { id, companyId } });
  if (!row) throw new NotFoundError("ContactImport", id);
  return toImportView(row);
}

export async function listImports(prisma: PrismaClient, companyId: string) {
  const rows = await prisma.contactImport.findMany({
    where: { companyId },
    orderBy: { createdAt: "desc" },
    take: 50,
  });
  return rows.map(toImportView);
}

/** The worker stops between batches once it sees CANCELLED. */
export async function cancelImport(prisma: PrismaClient, companyId: string, id: string) {
  const row = await getImport(prisma, companyId, id);
  const moved = await prisma.contactImport.updateMany({
    where: { id, companyId, status: { in: [ImportStatus.QUEUED, ImportStatus.RUNNING] } },
    data: { status: ImportStatus.CANCELLED, finishedAt: new Date() },
  });
  if (moved.count === 0)
    throw new ConflictError("IMPORT_FINISHED", `Import is already ${row.status.toLowerCase()}`);
  return getImport(prisma, companyId, id);
}

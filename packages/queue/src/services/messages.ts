// Accepting outbound messages: validate, persist the row (QUEUED, reserved WhatsApp id,
// idempotency key), THEN enqueue on the session's send queue. The row is the source of truth: a
// message whose enqueue failed (Redis down) stays QUEUED and the maintenance sweep enqueues it.
import { randomBytes } from "node:crypto";
import {
  acceptSql,
  type Message,
  MessageSource,
  MessageStatus,
  MessageType,
  messageSql,
  type OutboundMessageRow,
  type PrismaClient,
  pgPoolOf,
  uuidv7,
} from "@zapflow/db";
import { QueueUnavailableError } from "../connection";
import { MessagePriority } from "../options";
import { enqueueMessageSend, enqueueMessageSendBulk, type QueueRegistry } from "../queues";
import { ConflictError, NotFoundError, ValidationError } from "./errors";
import {
  messagePayload,
  type ParsedSendMessage,
  type ResolvedRecipient,
  resolveRecipient,
  sendMessageInputFor,
} from "./message-input";

export * from "./errors";
export * from "./message-input";

export interface MessageServiceDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

export interface AcceptOptions {
  source?: MessageSource;
}

export interface AcceptResult {
  message: Message;
  /** True when the idempotency key matched an existing message (nothing new was written). */
  duplicate: boolean;
  /** False when Redis refused the job: the row is kept and the maintenance sweep enqueues it. */
  enqueued: boolean;
}

/** A WhatsApp-Web-like message id ("3EB0" + 18 upper-case hex), reserved before the first attempt. */
export function reserveWaMessageId(): string {
  return `3EB0${randomBytes(9).toString("hex").toUpperCase()}`;
}

export function priorityOf(input: Pick<ParsedSendMessage, "priority">): number {
  return input.priority === "high" ? MessagePriority.reply : MessagePriority.api;
}

const typeByInput: Record<ParsedSendMessage["type"], MessageType> = {
  text: MessageType.TEXT,
  image: MessageType.IMAGE,
  video: MessageType.VIDEO,
  audio: MessageType.AUDIO,
  document: MessageType.DOCUMENT,
  sticker: MessageType.STICKER,
  location: MessageType.LOCATION,
};

export function parseSendMessage(companyId: string, input: unknown, pathPrefix = ""): ParsedSendMessage {
  const parsed = sendMessageInputFor(companyId).safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, pathPrefix);
  return parsed.data;
}

// Plain SQL (packages/db/src/sql): these run on every accept call, many rows at once.
async function assertSessionsOwned(
  prisma: PrismaClient,
  companyId: string,
  sessionIds: string[],
): Promise<void> {
  const unique = [...new Set(sessionIds)];
  const known = await acceptSql.ownedSessionIds(pgPoolOf(prisma), companyId, unique);
  const missing = unique.find((id) => !known.has(id));
  if (missing) throw new NotFoundError("Session", missing);
}

interface ContactRef {
  id: string;
  optedOut: boolean;
}

/** Upserts person contacts by phone and finds LID contacts; groups have none. */
async function resolveContacts(
  prisma: PrismaClient,
  companyId: string,
  recipients: ResolvedRecipient[],
): Promise<{ byPhone: Map<string, ContactRef>; byLid: Map<string, ContactRef> }> {
  const phones = [...new Set(recipients.flatMap((r) => (r.phone ? [r.phone] : [])))];
  const lids = [...new Set(recipients.flatMap((r) => (r.lid ? [r.lid] : [])))];
  const db = pgPoolOf(prisma);
  const byPhone = new Map<string, ContactRef>();
  const byLid = new Map<string, ContactRef>();
  for (const row of await acceptSql.ensureContactsByPhone(db, companyId, phones, new Date())) {
    byPhone.set(row.phone, row);
  }
  for (const row of await acceptSql.contactsByLid(db, companyId, lids)) if (row.lid) byLid.set(row.lid, row);
  return { byPhone, byLid };
}

function contactFor(
  contacts: Awaited<ReturnType<typeof resolveContacts>>,
  recipient: ResolvedRecipient,
): ContactRef | undefined {
  if (recipient.phone) return contacts.byPhone.get(recipient.phone);
  if (recipient.lid) return contacts.byLid.get(recipient.lid);
  return undefined;
}

function optedOutError(to: string): ConflictError {
  return new ConflictError("CONTACT_OPTED_OUT", `Contact ${to} opted out of messages; sending is refused`);
}

function messageRow(
  companyId: string,
  input: ParsedSendMessage,
  recipient: ResolvedRecipient,
  contact: ContactRef | undefined,
  source: MessageSource,
): OutboundMessageRow {
  return {
    id: uuidv7(),
    companyId,
    sessionId: input.sessionId,
    contactId: contact?.id ?? null,
    chatJid: recipient.chatJid,
    type: typeByInput[input.type],
    payload: messagePayload(input),
    source,
    waMessageId: reserveWaMessageId(),
    idempotencyKey: input.idempotencyKey ?? null,
    priority: priorityOf(input),
  };
}

async function enqueueOne(queues: QueueRegistry, message: Message): Promise<boolean> {
  if (message.status !== MessageStatus.QUEUED) return true;
  try {
    await enqueueMessageSend(
      queues,
      { messageId: message.id, companyId: message.companyId, sessionId: message.sessionId },
      { priority: message.priority },
    );
    return true;
  } catch (err) {
    if (err instanceof QueueUnavailableError) return false;
    throw err;
  }
}

/**
 * Accepts one outbound message for `companyId` (from the server-side session/API key, never from
 * the input). Same idempotency key → the existing message, re-enqueued under its idempotent job id
 * if still QUEUED (heals a crash between the insert and the enqueue).
 */
export async function acceptOutboundMessage(
  deps: MessageServiceDeps,
  companyId: string,
  rawInput: unknown,
  opts: AcceptOptions = {},
): Promise<AcceptResult> {
  const input = parseSendMessage(companyId, rawInput);
  const { prisma, queues } = deps;
  const replay = async (): Promise<AcceptResult | undefined> => {
    if (!input.idempotencyKey) return undefined;
    const existing = await messageSql.findByIdempotencyKey(pgPoolOf(prisma), companyId, input.idempotencyKey);
    if (!existing) return undefined;
    return { message: existing, duplicate: true, enqueued: await enqueueOne(queues, existing) };
  };
  const previous = await replay();
  if (previous) return previous;

  await assertSessionsOwned(prisma, companyId, [input.sessionId]);
  const recipient = resolveRecipient(input.to);
  const contact = contactFor(await resolveContacts(prisma, companyId, [recipient]), recipient);
  if (contact?.optedOut) throw optedOutError(input.to);

  // Plain SQL, not prisma.message.create: this runs once per API call and Prisma's query compilation
  // cost more than the rest of the accept together.
  const row = messageRow(companyId, input, recipient, contact, opts.source ?? MessageSource.API);
  const message = await messageSql.insertOutboundOne(pgPoolOf(prisma), row, new Date());
  if (message) return { message, duplicate: false, enqueued: await enqueueOne(queues, message) };
  // Skipped by ON CONFLICT: another call won the race for this idempotency key; its row is the answer.
  const winner = await replay();
  if (winner) return winner;
  throw new ConflictError("CONFLICT", "message could not be stored, retry");
}

export interface BulkItemResult {
  index: number;
  messageId?: string;
  waMessageId?: string;
  duplicate?: boolean;
  error?: { code: string; message: string };
}

export interface BulkAcceptResult {
  results: BulkItemResult[];
  accepted: number;
  refused: number;
  enqueued: boolean;
}

const INSERT_BATCH = 1_000;

/**
 * Many messages at once (API bulk endpoint, bench). Any malformed item rejects the whole call
 * before anything is written (issues carry "[index].field" paths); opted-out recipients are
 * refused per item; the rest are inserted in batches and enqueued in one Redis MULTI across sessions.
 */
export async function acceptOutboundMessages(
  deps: MessageServiceDeps,
  companyId: string,
  rawInputs: unknown[],
  opts: AcceptOptions = {},
): Promise<BulkAcceptResult> {
  const { prisma, queues } = deps;
  const issues = [];
  const inputs: ParsedSendMessage[] = [];
  const schema = sendMessageInputFor(companyId);
  for (const [index, raw] of rawInputs.entries()) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) inputs.push(parsed.data);
    else issues.push(...ValidationError.fromZod(parsed.error, `[${index}]`).issues);
  }
  if (issues.length) throw new ValidationError(issues);
  if (!inputs.length) return { results: [], accepted: 0, refused: 0, enqueued: true };

  await assertSessionsOwned(
    prisma,
    companyId,
    inputs.map((i) => i.sessionId),
  );
  const recipients = inputs.map((i) => resolveRecipient(i.to));
  const contacts = await resolveContacts(prisma, companyId, recipients);
  const source = opts.source ?? MessageSource.API;

  const results: BulkItemResult[] = [];
  const toInsert: { index: number; row: OutboundMessageRow }[] = [];
  for (const [index, input] of inputs.entries()) {
    const recipient = recipients[index] as ResolvedRecipient;
    const contact = contactFor(contacts, recipient);
    if (contact?.optedOut) {
      const err = optedOutError(input.to);
      results[index] = { index, error: { code: err.code, message: err.message } };
    } else {
      toInsert.push({ index, row: messageRow(companyId, input, recipient, contact, source) });
    }
  }

  const toEnqueue: Pick<Message, "id" | "companyId" | "sessionId" | "priority">[] = [];
  for (let start = 0; start < toInsert.length; start += INSERT_BATCH) {
    const batch = toInsert.slice(start, start + INSERT_BATCH);
    // One multi-row INSERT ... ON CONFLICT DO NOTHING: a used idempotency key skips the row.
    const inserted = await messageSql.insertOutbound(
      pgPoolOf(prisma),
      batch.map((b) => b.row),
      new Date(),
    );
    const insertedIds = new Set(inserted.map((m) => m.id));
    const createdByWaId = new Map(
      batch.flatMap((b) => (insertedIds.has(b.row.id) ? [[b.row.waMessageId, b.row]] : [])),
    );
    toEnqueue.push(...createdByWaId.values());
    // Items skipped by an existing idempotency key resolve to the existing row.
    const skippedKeys = batch.flatMap((b) =>
      !createdByWaId.has(b.row.waMessageId) && b.row.idempotencyKey ? [b.row.idempotencyKey] : [],
    );
    const existing = skippedKeys.length
      ? await prisma.message.findMany({ where: { companyId, idempotencyKey: { in: skippedKeys } } })
      : [];
    const existingByKey = new Map(existing.map((m) => [m.idempotencyKey, m]));
    for (const { index, row } of batch) {
      const mine = createdByWaId.get(row.waMessageId);
      const theirs = row.idempotencyKey ? existingByKey.get(row.idempotencyKey) : undefined;
      const message = mine ?? theirs;
      if (!message) {
        results[index] = {
          index,
          error: { code: "CONFLICT", message: "message could not be stored, retry" },
        };
        continue;
      }
      results[index] = { index, messageId: message.id, waMessageId: message.waMessageId, duplicate: !mine };
      if (!mine && theirs?.status === MessageStatus.QUEUED) toEnqueue.push(theirs);
    }
  }

  let enqueued = true;
  try {
    await enqueueMessageSendBulk(
      queues,
      toEnqueue.map((m) => ({
        messageId: m.id,
        companyId: m.companyId,
        sessionId: m.sessionId,
        priority: m.priority,
      })),
    );
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    enqueued = false;
  }
  const refused = results.filter((r) => r.error).length;
  return { results, accepted: results.length - refused, refused, enqueued };
}

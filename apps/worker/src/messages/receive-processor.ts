// Inbound messages: persisted once (unique sessionId + waMessageId), contact upserted by phone and
// LID, opt-out keywords honoured, campaign replies counted, media downloaded by a background job.
import {
  EventCategory,
  MediaStatus,
  MessageDirection,
  MessageSource,
  MessageStatus,
  MessageType,
  type Prisma,
  type PrismaClient,
  RecipientStatus,
} from "@zapflow/db";
import { enqueueMediaDownload, type MessageReceiveJob, type QueueRegistry } from "@zapflow/queue";
import { isUniqueViolation } from "@zapflow/queue/services/errors";
import type { DomainEvent, EventOutbox } from "../events/outbox";
import type { MessageMetrics } from "./metrics";

export interface ReceiveDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
  outbox: EventOutbox;
  metrics: MessageMetrics;
  /** A reply within this long of a campaign message counts as a campaign reply. */
  replyWindowMs?: number;
}

const DEFAULT_REPLY_WINDOW_MS = 7 * 86_400_000;
const typeByContent: Record<string, MessageType> = {
  text: MessageType.TEXT,
  image: MessageType.IMAGE,
  video: MessageType.VIDEO,
  audio: MessageType.AUDIO,
  document: MessageType.DOCUMENT,
  sticker: MessageType.STICKER,
  location: MessageType.LOCATION,
  reaction: MessageType.REACTION,
};
const MEDIA = new Set(["image", "video", "audio", "document", "sticker"]);

const bareUser = (jid: string) => (jid.split("@")[0] ?? "").split(":")[0] ?? "";

function identities(m: MessageReceiveJob["message"]): { phone?: string; lid?: string } {
  const phoneJid = m.fromPhoneJid ?? (m.from.endsWith("@s.whatsapp.net") ? m.from : undefined);
  const lidJid = m.fromLid ?? (m.from.endsWith("@lid") ? m.from : undefined);
  return {
    phone: phoneJid ? `+${bareUser(phoneJid)}` : undefined,
    lid: lidJid ? `${bareUser(lidJid)}@lid` : undefined,
  };
}

async function upsertContact(
  prisma: PrismaClient,
  companyId: string,
  m: MessageReceiveJob["message"],
  at: Date,
): Promise<{ id: string; optedOut: boolean } | null> {
  const { phone, lid } = identities(m);
  const select = { id: true, optedOut: true, name: true } as const;
  if (phone) {
    const contact = await prisma.contact.upsert({
      where: { companyId_phone: { companyId, phone } },
      create: {
        companyId,
        phone,
        jid: `${phone.slice(1)}@s.whatsapp.net`,
        lid,
        name: m.pushName,
        lastInboundAt: at,
      },
      update: { lastInboundAt: at, ...(lid ? { lid } : {}) },
      select,
    });
    if (!contact.name && m.pushName)
      await prisma.contact.update({ where: { id: contact.id }, data: { name: m.pushName } });
    return contact;
  }
  if (!lid) return null;
  const contact = await prisma.contact.findFirst({ where: { companyId, lid }, select });
  if (contact) await prisma.contact.update({ where: { id: contact.id }, data: { lastInboundAt: at } });
  return contact;
}

export async function processInbound(
  deps: ReceiveDeps,
  job: MessageReceiveJob,
): Promise<"stored" | "duplicate"> {
  const { prisma, outbox } = deps;
  const { sessionId, companyId, message: m } = job;
  const existing = await prisma.message.findUnique({
    where: { sessionId_waMessageId: { sessionId, waMessageId: m.id } },
    select: { id: true },
  });
  if (existing) return "duplicate";

  const at = new Date(m.timestamp);
  const contact = await upsertContact(prisma, companyId, m, at);
  const kind = String(m.content.type ?? "unknown");
  const hasMedia = MEDIA.has(kind);
  const text = typeof m.content.text === "string" ? m.content.text : undefined;
  const events: DomainEvent[] = [];
  const base = { companyId, sessionId, category: EventCategory.MESSAGE };

  const company = await prisma.company.findUnique({
    where: { id: companyId },
    select: { optOutKeywords: true },
  });
  const optOut =
    contact && !contact.optedOut && text !== undefined && isOptOut(text, company?.optOutKeywords ?? []);

  let messageId: string;
  try {
    const created = await prisma.$transaction(async (tx) => {
      const row = await tx.message.create({
        data: {
          companyId,
          sessionId,
          contactId: contact?.id ?? null,
          chatJid: m.from,
          direction: MessageDirection.INBOUND,
          type: typeByContent[kind] ?? MessageType.UNKNOWN,
          payload: { ...m.content, pushName: m.pushName ?? null } as Prisma.InputJsonObject,
          status: MessageStatus.RECEIVED,
          source: MessageSource.INBOUND,
          waMessageId: m.id,
          mediaStatus: hasMedia ? MediaStatus.PENDING : MediaStatus.NONE,
          createdAt: at,
        },
        select: { id: true },
      });
      events.push({
        ...base,
        type: "message.received",
        message: "Message received",
        data: { messageId: row.id, waMessageId: m.id, chatJid: m.from, type: kind, text: text ?? null },
      });
      if (optOut && contact) {
        await tx.contact.update({
          where: { id: contact.id },
          data: { optedOut: true, optedOutAt: new Date() },
        });
        events.push({
          ...base,
          category: EventCategory.CONTACT,
          type: "contact.opted_out",
          message: `Contact opted out with "${text?.trim()}"`,
          data: { contactId: contact.id, keyword: text?.trim() ?? "" },
        });
      }
      if (contact) await markCampaignReply(tx, contact.id, at, deps.replyWindowMs ?? DEFAULT_REPLY_WINDOW_MS);
      await outbox.writeIn(tx, events);
      return row;
    });
    messageId = created.id;
  } catch (err) {
    if (isUniqueViolation(err)) return "duplicate"; // a concurrent job stored it first
    throw err;
  }
  deps.metrics.outcome("inbound", MessageStatus.RECEIVED);
  if (hasMedia) await enqueueMediaDownload(deps.queues, { messageId, companyId, sessionId });
  return "stored";
}

/** Whole-message, case-insensitive match against the company's keywords (STOP, SAIR, PARAR…). */
export function isOptOut(text: string, keywords: string[]): boolean {
  const normalised = text.trim().toLocaleUpperCase();
  return normalised.length > 0 && keywords.some((k) => k.trim().toLocaleUpperCase() === normalised);
}

/** The contact's latest campaign message within the window gets its first reply recorded. */
async function markCampaignReply(
  tx: Prisma.TransactionClient,
  contactId: string,
  at: Date,
  windowMs: number,
) {
  const recipient = await tx.campaignRecipient.findFirst({
    where: {
      contactId,
      repliedAt: null,
      status: { in: [RecipientStatus.SENT, RecipientStatus.DELIVERED, RecipientStatus.READ] },
      updatedAt: { gte: new Date(at.getTime() - windowMs) },
    },
    orderBy: { updatedAt: "desc" },
    select: { id: true, campaignId: true },
  });
  if (!recipient) return;
  const { count } = await tx.campaignRecipient.updateMany({
    where: { id: recipient.id, repliedAt: null },
    data: { repliedAt: at },
  });
  if (count)
    await tx.campaign.update({
      where: { id: recipient.campaignId },
      data: { repliedCount: { increment: 1 } },
    });
}

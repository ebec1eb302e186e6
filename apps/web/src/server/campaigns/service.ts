// Campaign drafts, previews, progress and state changes (the state machine itself lives in
// @zapflow/queue/services/campaigns, shared with the worker). Every query is scoped by companyId.
import { type Campaign, CampaignStatus, Prisma, type PrismaClient } from "@zapflow/db";
import {
  type Audience,
  contactVariables,
  renderTemplate,
  templateVariables,
  zonedLocalToDate,
} from "@zapflow/db/domain";
import type { QueueRegistry } from "@zapflow/queue";
import * as control from "@zapflow/queue/services/campaigns";
import { ConflictError, NotFoundError, ValidationError } from "@zapflow/queue/services/errors";
import type { CreateCampaignInput, UpdateCampaignInput } from "./schemas";

interface Deps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

type CampaignWithSenders = Campaign & { senders: { sessionId: string }[] };

export function toCampaignView(c: CampaignWithSenders) {
  const { senders, companyId: _company, expansionCursor: _cursor, expandedAt: _expanded, ...rest } = c;
  return { ...rest, sessionIds: senders.map((s) => s.sessionId) };
}

async function load(prisma: PrismaClient, companyId: string, id: string): Promise<CampaignWithSenders> {
  const row = await prisma.campaign.findFirst({ where: { id, companyId }, include: { senders: true } });
  if (!row) throw new NotFoundError("Campaign", id);
  return row;
}

export async function getCampaign(prisma: PrismaClient, companyId: string, id: string) {
  return toCampaignView(await load(prisma, companyId, id));
}

export async function listCampaigns(
  prisma: PrismaClient,
  companyId: string,
  input: { status?: CampaignStatus; cursor?: string; limit: number },
) {
  const rows = await prisma.campaign.findMany({
    where: { companyId, status: input.status, ...(input.cursor ? { id: { lt: input.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
    include: { senders: true },
  });
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toCampaignView),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** Sending numbers and lists must be this company's: a clear 404 instead of an empty campaign. */
async function assertOwnership(
  prisma: PrismaClient,
  companyId: string,
  sessionIds?: string[],
  audience?: Audience,
) {
  if (sessionIds) {
    const found = await prisma.whatsappSession.count({ where: { companyId, id: { in: sessionIds } } });
    if (found !== new Set(sessionIds).size) {
      throw new ValidationError([{ path: "sessionIds", message: "unknown sending number" }]);
    }
  }
  if (audience?.listIds.length) {
    const found = await prisma.contactList.count({ where: { companyId, id: { in: audience.listIds } } });
    if (found !== new Set(audience.listIds).size) {
      throw new ValidationError([{ path: "audience.listIds", message: "unknown contact list" }]);
    }
  }
}

export async function createCampaign(
  prisma: PrismaClient,
  companyId: string,
  userId: string | undefined,
  input: CreateCampaignInput,
) {
  await assertOwnership(prisma, companyId, input.sessionIds, input.audience);
  const company = await prisma.company.findUniqueOrThrow({
    where: { id: companyId },
    select: { timeZone: true },
  });
  const { sessionIds, media, ...settings } = input;
  const row = await prisma.campaign.create({
    data: {
      ...settings,
      companyId,
      createdById: userId,
      timeZone: input.timeZone ?? company.timeZone,
      media: media ?? undefined,
      senders: { create: [...new Set(sessionIds)].map((sessionId) => ({ sessionId })) },
    },
    include: { senders: true },
  });
  return toCampaignView(row);
}

export async function updateCampaign(prisma: PrismaClient, companyId: string, input: UpdateCampaignInput) {
  const current = await load(prisma, companyId, input.id);
  if (current.status !== CampaignStatus.DRAFT) {
    throw new ConflictError("CAMPAIGN_STATE", "Only draft campaigns can be edited");
  }
  await assertOwnership(prisma, companyId, input.sessionIds, input.audience);
  const { id, sessionIds, media, ...settings } = input;
  const min = settings.minDelayMs ?? current.minDelayMs;
  const max = settings.maxDelayMs ?? current.maxDelayMs;
  if (max < min)
    throw new ValidationError([{ path: "maxDelayMs", message: "maxDelayMs must be ≥ minDelayMs" }]);
  await prisma.$transaction(async (tx) => {
    await tx.campaign.update({
      where: { id },
      data: { ...settings, media: media === null ? Prisma.DbNull : (media ?? undefined) },
    });
    if (sessionIds) {
      await tx.campaignSender.deleteMany({ where: { campaignId: id } });
      await tx.campaignSender.createMany({
        data: [...new Set(sessionIds)].map((sessionId) => ({ campaignId: id, sessionId })),
      });
    }
  });
  return getCampaign(prisma, companyId, id);
}

export async function deleteCampaign(prisma: PrismaClient, companyId: string, id: string) {
  const current = await load(prisma, companyId, id);
  if (
    current.status === CampaignStatus.RUNNING ||
    current.status === CampaignStatus.PAUSED ||
    current.status === CampaignStatus.SCHEDULED
  ) {
    throw new ConflictError("CAMPAIGN_STATE", "Cancel the campaign before deleting it");
  }
  await prisma.campaign.delete({ where: { id } });
  return { id };
}

/** Contacts of an audience (Prisma filter; the worker's expansion uses the same rules in SQL). */
export function audienceWhere(companyId: string, audience: Audience): Prisma.ContactWhereInput {
  return {
    companyId,
    OR: [
      ...(audience.tags.length ? [{ tags: { hasSome: audience.tags } }] : []),
      ...(audience.contactIds.length ? [{ id: { in: audience.contactIds } }] : []),
      ...(audience.listIds.length
        ? [{ listMemberships: { some: { listId: { in: audience.listIds } } } }]
        : []),
    ],
  };
}

const MISSING_SCAN = 5_000;

/** Who an audience reaches, and who it leaves out (opted out; no WhatsApp JID = invalid number). */
export async function countAudience(prisma: PrismaClient, companyId: string, audience: Audience) {
  const where = audienceWhere(companyId, audience);
  const [total, optedOut, invalid] = await Promise.all([
    prisma.contact.count({ where }),
    prisma.contact.count({ where: { AND: [where, { optedOut: true }] } }),
    prisma.contact.count({ where: { AND: [where, { optedOut: false, jid: null }] } }),
  ]);
  return { total, eligible: total - optedOut - invalid, optedOut, invalid };
}

/** Renders every variant for one real contact, counts the audience and flags missing variables. */
export async function previewCampaign(
  prisma: PrismaClient,
  companyId: string,
  id: string,
  contactId?: string,
) {
  const campaign = await load(prisma, companyId, id);
  const audience = campaign.audience as Audience;
  const where = audienceWhere(companyId, audience);
  const counts = await countAudience(prisma, companyId, audience);
  const eligibleWhere: Prisma.ContactWhereInput = { AND: [where, { optedOut: false, jid: { not: null } }] };
  const contact = contactId
    ? await prisma.contact.findFirst({ where: { id: contactId, companyId } })
    : await prisma.contact.findFirst({ where: eligibleWhere, orderBy: { id: "asc" } });
  if (contactId && !contact) throw new NotFoundError("Contact", contactId);

  // Contacts for which some variable has neither a value nor a default (scan bounded for huge audiences).
  const required = [
    ...new Set(
      campaign.variants.flatMap((v) =>
        templateVariables(v)
          .filter((x) => !x.hasDefault)
          .map((x) => x.name),
      ),
    ),
  ];
  const missing: { contactId: string; name: string | null; phone: string; variables: string[] }[] = [];
  let missingCount = 0;
  let scanned = 0;
  if (required.length) {
    const probe = required.map((name) => `{${name}}`).join(" ");
    let cursor: string | undefined;
    while (scanned < MISSING_SCAN) {
      const batch = await prisma.contact.findMany({
        where: { AND: [eligibleWhere, ...(cursor ? [{ id: { gt: cursor } }] : [])] },
        orderBy: { id: "asc" },
        take: 1_000,
        select: { id: true, name: true, phone: true, customFields: true },
      });
      if (batch.length === 0) break;
      for (const c of batch) {
        const gaps = renderTemplate(probe, contactVariables(c)).missing;
        if (gaps.length === 0) continue;
        missingCount++;
        if (missing.length < 20)
          missing.push({ contactId: c.id, name: c.name, phone: c.phone, variables: gaps });
      }
      scanned += batch.length;
      cursor = batch.at(-1)?.id;
    }
  }
  return {
    audience: counts,
    contact: contact ? { id: contact.id, name: contact.name, phone: contact.phone } : null,
    rendered: contact ? campaign.variants.map((v) => renderTemplate(v, contactVariables(contact))) : [],
    missingVariables: {
      contacts: missingCount,
      scanned,
      complete: scanned < MISSING_SCAN,
      examples: missing,
    },
  };
}

export async function startCampaign(deps: Deps, companyId: string, id: string, scheduledAt?: string) {
  const campaign = await load(deps.prisma, companyId, id);
  let at: Date | undefined;
  if (scheduledAt) {
    at = zonedLocalToDate(scheduledAt, campaign.timeZone) ?? undefined;
    if (!at) throw new ValidationError([{ path: "scheduledAt", message: "not a valid date/time" }]);
    if (at.getTime() < Date.now() - 60_000) {
      throw new ValidationError([{ path: "scheduledAt", message: "the time is in the past" }]);
    }
  }
  if (campaign.senders.length === 0)
    throw new ValidationError([{ path: "sessionIds", message: "choose at least one sending number" }]);
  if (campaign.variants.length === 0)
    throw new ValidationError([{ path: "variants", message: "write at least one message variant" }]);
  await control.startCampaign(deps, companyId, id, { at });
  return getCampaign(deps.prisma, companyId, id);
}

export async function changeState(
  deps: Deps,
  companyId: string,
  id: string,
  action: "pause" | "resume" | "cancel",
) {
  if (action === "pause") await control.pauseCampaign(deps, companyId, id);
  else if (action === "resume") await control.resumeCampaign(deps, companyId, id);
  else await control.cancelCampaign(deps, companyId, id);
  return getCampaign(deps.prisma, companyId, id);
}

export async function campaignProgress(prisma: PrismaClient, companyId: string, id: string) {
  const campaign = await load(prisma, companyId, id);
  const progress = await control.campaignProgress(prisma, id);
  const counters = control.summaryCounters(progress);
  return {
    status: campaign.status,
    ...progress,
    summary: {
      sent: counters.sentCount,
      delivered: counters.deliveredCount,
      read: counters.readCount,
      failed: counters.failedCount,
      replies: counters.repliedCount,
    },
  };
}

export async function listRecipients(
  prisma: PrismaClient,
  companyId: string,
  input: { id: string; cursor?: string; limit: number },
) {
  await load(prisma, companyId, input.id);
  const rows = await prisma.campaignRecipient.findMany({
    where: { campaignId: input.id, ...(input.cursor ? { id: { gt: input.cursor } } : {}) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    include: {
      contact: { select: { name: true, phone: true } },
      message: { select: { status: true, sentAt: true, deliveredAt: true, readAt: true, lastError: true } },
    },
  });
  const page = rows.slice(0, input.limit);
  return { items: page, nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}

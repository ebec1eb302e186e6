// Campaign drafts, previews, progress and state changes (the state machine itself lives in
// @zapflow/queue/services/campaigns, shared with the worker). Every query is scoped by companyId.
import { type Campaign, CampaignStatus, Prisma, type PrismaClient } from "@zapflow/db";
import {
  type Audience,
  type CampaignMedia,
  contactVariables,
  renderTemplate,
  templateVariables,
  zonedLocalToDate,
} from "@zapflow/db/domain";
import { companyKeyProblem } from "@zapflow/db/storage";
import type { QueueRegistry } from "@zapflow/queue";
import * as control from "@zapflow/queue/services/campaigns";
import {
  ConflictError,
  type FieldIssue,
  NotFoundError,
  ValidationError,
} from "@zapflow/queue/services/errors";
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

/** Sending numbers, lists and uploaded media must be this company's: a clear 400 instead of an
 *  empty campaign (or another tenant's file). */
async function assertOwnership(
  prisma: PrismaClient,
  companyId: string,
  sessionIds?: string[],
  audience?: Audience,
  media?: CampaignMedia | null,
) {
  const keyProblem = media?.storageKey ? companyKeyProblem(companyId, media.storageKey) : null;
  if (keyProblem) throw new ValidationError([{ path: "media.storageKey", message: keyProblem }]);
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
  await assertOwnership(prisma, companyId, input.sessionIds, input.audience, input.media);
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

const EDITABLE: CampaignStatus[] = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED];

/** Only drafts and scheduled campaigns (nothing sent yet) can be edited: a 400 saying why not. */
function assertEditable(status: CampaignStatus): void {
  if (EDITABLE.includes(status)) return;
  const why = control.FINAL_CAMPAIGN_STATES.includes(status)
    ? "it has finished"
    : "it has already started sending";
  throw new ValidationError([
    {
      path: "status",
      message: `the campaign is ${status.toLowerCase()} and ${why}; only draft and scheduled campaigns can be edited`,
    },
  ]);
}

/** A wall-clock time in `timeZone` (or an ISO time with an offset), or the field issue saying why not. */
function parseScheduledAt(value: string, timeZone: string): Date | FieldIssue {
  const at = zonedLocalToDate(value, timeZone);
  if (!at) return { path: "scheduledAt", message: "not a valid date/time" };
  if (at.getTime() < Date.now() - 60_000) return { path: "scheduledAt", message: "the time is in the past" };
  return at;
}

/** Edits a draft or a scheduled campaign; `scheduledAt` moves a scheduled one's start. */
export async function updateCampaign(deps: Deps, companyId: string, input: UpdateCampaignInput) {
  const { prisma } = deps;
  const current = await load(prisma, companyId, input.id);
  assertEditable(current.status);
  await assertOwnership(prisma, companyId, input.sessionIds, input.audience, input.media);
  const { id, sessionIds, media, scheduledAt, ...settings } = input;
  const issues: FieldIssue[] = [];
  const min = settings.minDelayMs ?? current.minDelayMs;
  const max = settings.maxDelayMs ?? current.maxDelayMs;
  if (max < min) issues.push({ path: "maxDelayMs", message: "maxDelayMs must be ≥ minDelayMs" });
  const quietStart =
    settings.quietHoursStart === undefined ? current.quietHoursStart : settings.quietHoursStart;
  const quietEnd = settings.quietHoursEnd === undefined ? current.quietHoursEnd : settings.quietHoursEnd;
  if ((quietStart == null) !== (quietEnd == null)) {
    issues.push({ path: "quietHoursEnd", message: "set both quiet-hours start and end, or neither" });
  }
  let at: Date | undefined;
  if (scheduledAt !== undefined) {
    const parsed = parseScheduledAt(scheduledAt, settings.timeZone ?? current.timeZone);
    if (current.status !== CampaignStatus.SCHEDULED) {
      issues.push({
        path: "scheduledAt",
        message: "only a scheduled campaign can be rescheduled; schedule a draft with start",
      });
    } else if (parsed instanceof Date && parsed.getTime() <= Date.now()) {
      issues.push({
        path: "scheduledAt",
        message: "the new time must be in the future (or start the campaign now)",
      });
    } else if (parsed instanceof Date) at = parsed;
    else issues.push(parsed);
  }
  if (issues.length) throw new ValidationError(issues);
  await prisma.$transaction(async (tx) => {
    // Conditional on the status: a start committed meanwhile makes this edit fail (and roll back);
    // a start that comes after waits for this row lock and then runs with the edited settings.
    const { count } = await tx.campaign.updateMany({
      where: { id, companyId, status: { in: EDITABLE } },
      data: { ...settings, media: media === null ? Prisma.DbNull : (media ?? undefined) },
    });
    if (count === 0) {
      assertEditable((await load(prisma, companyId, id)).status);
      throw new ConflictError("CAMPAIGN_STATE", "The campaign changed meanwhile; reload it and try again");
    }
    if (sessionIds) {
      await tx.campaignSender.deleteMany({ where: { campaignId: id } });
      await tx.campaignSender.createMany({
        data: [...new Set(sessionIds)].map((sessionId) => ({ campaignId: id, sessionId })),
      });
    }
  });
  if (at) await control.startCampaign(deps, companyId, id, { at });
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
    const parsed = parseScheduledAt(scheduledAt, campaign.timeZone);
    if (!(parsed instanceof Date)) throw new ValidationError([parsed]);
    at = parsed;
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

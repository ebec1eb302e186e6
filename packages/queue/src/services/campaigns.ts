// Campaign state changes shared by the web app (buttons, API) and the worker (auto-pause on a
// restricted number, scheduled starts). The campaign row is the source of truth; jobs follow it.
//
// Invariant that makes pause/cancel exact: a campaign Message row exists only for a recipient whose
// send job was enqueued (the dispatcher writes rows, then enqueues). Withdrawing a batch removes the
// jobs that have not started and deletes their still-QUEUED rows (the recipient returns to PENDING,
// or becomes CANCELLED); a job already running finishes — that message was in flight.
import {
  type Campaign,
  CampaignStatus,
  EventCategory,
  EventSeverity,
  MessageStatus,
  type Prisma,
  type PrismaClient,
  RecipientStatus,
} from "@zapflow/db";
import { type CampaignJob, jobId } from "../jobs";
import { QueueName } from "../names";
import { enqueueCampaign, type QueueRegistry } from "../queues";
import { ConflictError, NotFoundError } from "./errors";
import { type DomainEvent, domainEventRows, recordDomainEvents } from "./webhooks";

export interface CampaignControlDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
}

const { DRAFT, SCHEDULED, RUNNING, PAUSED, COMPLETED, CANCELLED } = CampaignStatus;

async function load(deps: CampaignControlDeps, companyId: string, campaignId: string): Promise<Campaign> {
  const campaign = await deps.prisma.campaign.findFirst({ where: { id: campaignId, companyId } });
  if (!campaign) throw new NotFoundError("Campaign", campaignId);
  return campaign;
}

/** Lifecycle events that also go out as webhooks (docs/webhooks.md); the others are only logged. */
export const CAMPAIGN_WEBHOOK_EVENTS: ReadonlySet<string> = new Set([
  "campaign.started",
  "campaign.paused",
  "campaign.completed",
]);

/** The event of a campaign state change; `data` is also the webhook payload (with type, sessionId). */
export function campaignEvent(
  campaign: Pick<Campaign, "id" | "companyId" | "name" | "status">,
  type: string,
  message: string,
  extra: Prisma.InputJsonObject = {},
  severity: EventSeverity = EventSeverity.INFO,
): DomainEvent {
  return {
    companyId: campaign.companyId,
    category: EventCategory.CAMPAIGN,
    severity,
    type,
    message,
    data: { campaignId: campaign.id, name: campaign.name, status: campaign.status, ...extra },
  };
}

/** Writes the Event row, and the webhook outbox rows of a lifecycle event, through `tx`. */
export async function recordCampaignEvent(tx: Prisma.TransactionClient, event: DomainEvent): Promise<void> {
  if (CAMPAIGN_WEBHOOK_EVENTS.has(event.type)) await recordDomainEvents(tx, [event]);
  else await tx.event.createMany({ data: domainEventRows([event], new Map()).eventRows });
}

type Announce = (moved: Campaign) => DomainEvent;

/**
 * Moves status `from` → `to` only if the row is still in one of `from` (concurrent clicks: one wins),
 * and records the change's event in the same transaction: no webhook for a change that did not happen.
 */
async function transition(
  deps: CampaignControlDeps,
  campaign: Campaign,
  from: CampaignStatus[],
  data: Partial<Pick<Campaign, "status" | "pausedReason" | "scheduledAt" | "startedAt" | "completedAt">>,
  announce: Announce,
): Promise<Campaign> {
  const moved = await deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.campaign.updateMany({
      where: { id: campaign.id, companyId: campaign.companyId, status: { in: from } },
      data,
    });
    if (count === 0) return null;
    const row = await tx.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    await recordCampaignEvent(tx, announce(row));
    return row;
  });
  if (!moved) {
    const current = await load(deps, campaign.companyId, campaign.id);
    throw new ConflictError(
      "CAMPAIGN_STATE",
      `Campaign is ${current.status.toLowerCase()}; cannot change it to ${String(data.status).toLowerCase()}`,
    );
  }
  return moved;
}

/**
 * Enqueues a campaign job, first removing a finished (completed/failed, still kept) job with the
 * same id, which would otherwise swallow the add. A waiting, delayed or active one is left alone.
 */
export async function ensureCampaignJob(queues: QueueRegistry, job: CampaignJob): Promise<void> {
  const existing = await queues.get(QueueName.campaign).getJob(jobId.campaign(job));
  if (existing && ((await existing.isCompleted()) || (await existing.isFailed()))) {
    await existing.remove().catch(() => undefined);
  }
  await enqueueCampaign(queues, job);
}

/** Starts now (DRAFT/SCHEDULED) or schedules for `at` (DRAFT → SCHEDULED). */
export async function startCampaign(
  deps: CampaignControlDeps,
  companyId: string,
  campaignId: string,
  opts: { at?: Date } = {},
): Promise<Campaign> {
  const campaign = await load(deps, companyId, campaignId);
  const job = { action: "start" as const, campaignId, companyId };
  if (opts.at && opts.at.getTime() > Date.now()) {
    const at = opts.at;
    const scheduled = await transition(
      deps,
      campaign,
      [DRAFT, SCHEDULED],
      { status: SCHEDULED, scheduledAt: at },
      (c) =>
        campaignEvent(c, "campaign.scheduled", `Campaign scheduled for ${at.toISOString()}`, {
          scheduledAt: at.toISOString(),
        }),
    );
    // A rescheduled campaign must not keep an older delayed start job.
    await deps.queues
      .get(QueueName.campaign)
      .remove(jobId.campaign(job))
      .catch(() => 0);
    await enqueueCampaign(deps.queues, job, { delay: at.getTime() - Date.now() });
    return scheduled;
  }
  const startedAt = new Date();
  const running = await transition(
    deps,
    campaign,
    [DRAFT, SCHEDULED],
    { status: RUNNING, startedAt, scheduledAt: campaign.scheduledAt ?? startedAt },
    (c) => campaignEvent(c, "campaign.started", "Campaign started", { startedAt: startedAt.toISOString() }),
  );
  await ensureCampaignJob(deps.queues, { action: "expand", campaignId, companyId });
  return running;
}

/**
 * Takes back queued-but-not-started messages of a campaign: their jobs are removed and the rows
 * deleted; recipients go to `recipientStatus`. Returns how many were withdrawn.
 */
export async function withdrawQueuedMessages(
  deps: CampaignControlDeps,
  campaignId: string,
  recipientStatus: RecipientStatus,
): Promise<number> {
  const queued = await deps.prisma.message.findMany({
    where: { campaignId, status: MessageStatus.QUEUED },
    select: { id: true, sessionId: true },
  });
  const removable: string[] = [];
  for (const message of queued) {
    const job = await deps.queues.send(message.sessionId).getJob(jobId.messageSend(message.id));
    try {
      if (job) await job.remove();
      removable.push(message.id);
    } catch {
      // Locked by a worker: in flight, it finishes.
    }
  }
  if (removable.length === 0) return 0;
  return deps.prisma.$transaction(async (tx) => {
    // Lock the rows still QUEUED (a send that claims one meanwhile waits, then finds it gone).
    // Recipients are detached before the delete: the FK would otherwise null messageId first.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Message" WHERE "id" = ANY(${removable}::text[]) AND "status" = 'QUEUED'::"MessageStatus"
      FOR UPDATE`;
    const ids = locked.map((m) => m.id);
    await tx.campaignRecipient.updateMany({
      where: { campaignId, messageId: { in: ids } },
      data: { status: recipientStatus, messageId: null },
    });
    await tx.message.deleteMany({ where: { id: { in: ids } } });
    return ids.length;
  });
}

export async function pauseCampaign(
  deps: CampaignControlDeps,
  companyId: string,
  campaignId: string,
  reason = "Paused by a user",
): Promise<Campaign> {
  const campaign = await load(deps, companyId, campaignId);
  const paused = await transition(
    deps,
    campaign,
    [RUNNING, SCHEDULED],
    { status: PAUSED, pausedReason: reason },
    (c) => campaignEvent(c, "campaign.paused", `Campaign paused: ${reason}`, { reason }, EventSeverity.WARN),
  );
  await withdrawQueuedMessages(deps, campaignId, RecipientStatus.PENDING);
  return paused;
}

export async function resumeCampaign(deps: CampaignControlDeps, companyId: string, campaignId: string) {
  const campaign = await load(deps, companyId, campaignId);
  const resumed = await transition(
    deps,
    campaign,
    [PAUSED],
    { status: RUNNING, pausedReason: null, startedAt: campaign.startedAt ?? new Date() },
    (c) => campaignEvent(c, "campaign.resumed", "Campaign resumed"),
  );
  // Not yet expanded (paused while scheduled or mid-expansion): expansion continues from its cursor.
  const action = resumed.expandedAt ? "dispatch" : "expand";
  await ensureCampaignJob(deps.queues, { action, campaignId, companyId });
  return resumed;
}

export async function cancelCampaign(deps: CampaignControlDeps, companyId: string, campaignId: string) {
  const campaign = await load(deps, companyId, campaignId);
  const cancelled = await transition(
    deps,
    campaign,
    [DRAFT, SCHEDULED, RUNNING, PAUSED],
    { status: CANCELLED, completedAt: new Date() },
    (c) => campaignEvent(c, "campaign.cancelled", "Campaign cancelled"),
  );
  await withdrawQueuedMessages(deps, campaignId, RecipientStatus.CANCELLED);
  await deps.prisma.campaignRecipient.updateMany({
    where: { campaignId, status: RecipientStatus.PENDING },
    data: { status: RecipientStatus.CANCELLED },
  });
  return cancelled;
}

/** Campaign states in which nothing will be sent any more. */
export const FINAL_CAMPAIGN_STATES: CampaignStatus[] = [COMPLETED, CANCELLED, CampaignStatus.FAILED];

export interface CampaignProgress {
  total: number;
  /** Recipients not yet turned into messages. */
  pending: number;
  byStatus: Record<string, number>;
  /** Per sending number: message counts by status. */
  bySession: { sessionId: string; counts: Record<string, number> }[];
  skipped: number;
  cancelled: number;
  replies: number;
  /** Messages sent per minute over the last 5 minutes. */
  ratePerMinute: number;
  /** Seconds until every pending/queued recipient is sent at the current rate; null if unknown. */
  etaSeconds: number | null;
}

const RATE_WINDOW_MS = 5 * 60_000;

/** Live progress from the message and recipient rows (never from counters that could drift). */
export async function campaignProgress(prisma: PrismaClient, campaignId: string): Promise<CampaignProgress> {
  const [messageGroups, recipientGroups, campaign, recentlySent] = await Promise.all([
    prisma.message.groupBy({ by: ["sessionId", "status"], where: { campaignId }, _count: { _all: true } }),
    prisma.campaignRecipient.groupBy({ by: ["status"], where: { campaignId }, _count: { _all: true } }),
    prisma.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { startedAt: true } }),
    prisma.message.count({ where: { campaignId, sentAt: { gte: new Date(Date.now() - RATE_WINDOW_MS) } } }),
  ]);
  const byStatus: Record<string, number> = {};
  const sessions = new Map<string, Record<string, number>>();
  for (const group of messageGroups) {
    byStatus[group.status] = (byStatus[group.status] ?? 0) + group._count._all;
    const counts = sessions.get(group.sessionId) ?? {};
    counts[group.status] = group._count._all;
    sessions.set(group.sessionId, counts);
  }
  const recipients = Object.fromEntries(recipientGroups.map((g) => [g.status, g._count._all]));
  const total = recipientGroups.reduce((sum, g) => sum + g._count._all, 0);
  const pending = recipients[RecipientStatus.PENDING] ?? 0;
  const replies = campaign.startedAt
    ? await prisma.campaignRecipient.count({
        where: {
          campaignId,
          messageId: { not: null },
          contact: { lastInboundAt: { gt: campaign.startedAt } },
        },
      })
    : 0;
  const ratePerMinute = recentlySent / (RATE_WINDOW_MS / 60_000);
  const remaining =
    pending + (byStatus[MessageStatus.QUEUED] ?? 0) + (byStatus[MessageStatus.PROCESSING] ?? 0);
  return {
    total,
    pending,
    byStatus,
    bySession: [...sessions].map(([sessionId, counts]) => ({ sessionId, counts })),
    skipped: recipients[RecipientStatus.SKIPPED] ?? 0,
    cancelled: recipients[RecipientStatus.CANCELLED] ?? 0,
    replies,
    ratePerMinute,
    etaSeconds: remaining === 0 ? 0 : ratePerMinute > 0 ? Math.round((remaining / ratePerMinute) * 60) : null,
  };
}

/** Summary counters of a campaign, as stored on its row. */
export function summaryCounters(progress: CampaignProgress) {
  const s = progress.byStatus;
  const delivered = (s[MessageStatus.DELIVERED] ?? 0) + (s[MessageStatus.READ] ?? 0);
  return {
    queuedCount: (s[MessageStatus.QUEUED] ?? 0) + (s[MessageStatus.PROCESSING] ?? 0),
    sentCount: (s[MessageStatus.SENT] ?? 0) + delivered,
    deliveredCount: delivered,
    readCount: s[MessageStatus.READ] ?? 0,
    failedCount:
      (s[MessageStatus.FAILED] ?? 0) +
      (s[MessageStatus.DEAD_LETTERED] ?? 0) +
      (s[MessageStatus.EXPIRED] ?? 0) +
      (s[MessageStatus.CANCELLED] ?? 0),
    repliedCount: progress.replies,
  };
}

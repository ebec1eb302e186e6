// The dispatch loop of a running campaign, one step per job run. A step either sends the next batch
// (rows written first, then jobs enqueued with paced delays on each number's send queue), or tells
// the caller how long to hold the job back: quiet hours, a batch still in flight, the pause between
// batches. Every decision is re-derived from Postgres, so a worker killed at any point and a job
// retried on another worker lead to the same messages, each sent once.
import {
  CampaignStatus,
  MessageDirection,
  MessageSource,
  MessageStatus,
  MessageType,
  type Prisma,
  type PrismaClient,
  RecipientStatus,
} from "@zapflow/db";
import {
  type CampaignMedia,
  campaignMediaSchema,
  contactVariables,
  renderTemplate,
} from "@zapflow/db/domain";
import {
  enqueueMessageSendBulk,
  MessagePriority,
  type QueueRegistry,
  type RateLimitPolicy,
  resolvePolicy,
} from "@zapflow/queue";
import { campaignRateCap } from "@zapflow/queue/services/campaign-rate";
import { reserveWaMessageId } from "@zapflow/queue/services/messages";
import type { EventOutbox } from "../events/outbox";
import { completeCampaignIfDone } from "./completion";
import { effectivePacing, nextSendTime, type Pacing, planDelays } from "./pacing";
import { releaseAllowance } from "./release-cap";

export interface CampaignDeps {
  prisma: PrismaClient;
  queues: QueueRegistry;
  outbox: EventOutbox;
  /** Env defaults of every company's policy (policyDefaultsFromEnv); a policy row overrides them. */
  policyDefaults: RateLimitPolicy;
  /** How often a step re-checks a batch in flight. */
  pollMs?: number;
  random?: () => number;
  /** Window of the per-campaign cap (a minute; tests shorten it). */
  rateWindowMs?: number;
  now?: () => number;
}

export const DEFAULT_POLL_MS = 2_000;

export type DispatchStep =
  | { kind: "stop"; reason: string }
  | { kind: "completed" }
  /** Hold the job back `ms`; `readyAt` is what the job should remember (null = forget). */
  | { kind: "wait"; ms: number; readyAt: number | null; reason: string };

const mediaTypes: Record<CampaignMedia["type"], MessageType> = {
  image: MessageType.IMAGE,
  video: MessageType.VIDEO,
  audio: MessageType.AUDIO,
  document: MessageType.DOCUMENT,
};

/** Idempotency key of a campaign message: one per recipient, ever. */
export function campaignMessageKey(campaignId: string, contactId: string): string {
  return `campaign-${campaignId}-${contactId}`;
}

interface Planned {
  messageId: string;
  sessionId: string;
}

async function enqueuePaced(deps: CampaignDeps, companyId: string, items: Planned[], pacing: Pacing) {
  if (items.length === 0) return 0;
  const delays = planDelays(
    items.map((i) => i.sessionId),
    pacing,
    deps.random,
  );
  await enqueueMessageSendBulk(
    deps.queues,
    items.map((item, index) => ({
      messageId: item.messageId,
      sessionId: item.sessionId,
      companyId,
      priority: MessagePriority.campaign,
      delay: delays[index],
    })),
  );
  return Math.max(...delays);
}

export async function dispatchStep(
  deps: CampaignDeps,
  job: { campaignId: string; companyId: string },
  state: { readyAt?: number | null },
): Promise<DispatchStep> {
  const { prisma } = deps;
  const pollMs = deps.pollMs ?? DEFAULT_POLL_MS;
  const campaign = await prisma.campaign.findFirst({
    where: { id: job.campaignId, companyId: job.companyId },
    include: { company: { select: { timeZone: true, rateLimitPolicy: true } } },
  });
  if (!campaign || campaign.status !== CampaignStatus.RUNNING) {
    return { kind: "stop", reason: `campaign ${campaign?.status ?? "missing"}` };
  }
  if (!campaign.expandedAt) return { kind: "stop", reason: "not expanded yet (expansion starts the loop)" };
  const pacing = effectivePacing(campaign, campaign.company.rateLimitPolicy, campaign.company.timeZone);

  const now = deps.now?.() ?? Date.now();
  const allowed = nextSendTime(new Date(now), pacing.quiet).getTime();
  if (allowed > now)
    return { kind: "wait", ms: allowed - now, readyAt: state.readyAt ?? null, reason: "quiet hours" };

  // A batch in flight: make sure its jobs exist (a crash between commit and enqueue), then wait.
  const inFlight = await prisma.message.findMany({
    where: { campaignId: campaign.id, status: { in: [MessageStatus.QUEUED, MessageStatus.PROCESSING] } },
    select: { id: true, sessionId: true, status: true },
  });
  if (inFlight.length > 0) {
    const queued = inFlight.filter((m) => m.status === MessageStatus.QUEUED);
    await enqueuePaced(
      deps,
      campaign.companyId,
      queued.map((m) => ({ messageId: m.id, sessionId: m.sessionId })),
      pacing,
    );
    return { kind: "wait", ms: pollMs, readyAt: null, reason: "batch in flight" };
  }

  if (await completeCampaignIfDone(deps, campaign.id)) return { kind: "completed" };

  // Pause between batches, counted from the moment the previous batch was seen finished.
  const dispatchedBefore = await prisma.campaignRecipient.findFirst({
    where: { campaignId: campaign.id, status: { not: RecipientStatus.PENDING } },
    select: { id: true },
  });
  if (dispatchedBefore && pacing.batchPauseMs > 0) {
    const readyAt = state.readyAt ?? now + pacing.batchPauseMs;
    if (readyAt > now) return { kind: "wait", ms: readyAt - now, readyAt, reason: "pause between batches" };
  }

  const { batch, retryInMs } = await writeBatch(deps, campaign.id, pacing.batchSize);
  if (retryInMs > 0) {
    // Keep readyAt: the pause between batches is already over, it must not start again.
    return { kind: "wait", ms: retryInMs, readyAt: state.readyAt ?? null, reason: "per-campaign rate limit" };
  }
  const spread = await enqueuePaced(deps, campaign.companyId, batch, pacing);
  return {
    kind: "wait",
    ms: spread + pollMs,
    readyAt: null,
    reason: `batch of ${batch.length} sent to the queues`,
  };
}

interface WrittenBatch {
  batch: Planned[];
  /** > 0: the per-campaign cap is used up; nothing was written, try again in this many ms. */
  retryInMs: number;
}

/**
 * Turns the next PENDING recipients into QUEUED message rows (one transaction, campaign locked),
 * no more than the per-campaign cap leaves for the current window.
 */
async function writeBatch(deps: CampaignDeps, campaignId: string, batchSize: number): Promise<WrittenBatch> {
  return deps.prisma.$transaction(
    async (tx): Promise<WrittenBatch> => {
      const [locked] = await tx.$queryRaw<{ status: CampaignStatus }[]>`
        SELECT "status" FROM "Campaign" WHERE "id" = ${campaignId} FOR UPDATE`;
      if (locked?.status !== CampaignStatus.RUNNING) return { batch: [], retryInMs: 0 };
      // Read after the lock: a worker that waited for it must not stamp its rows in the past.
      const now = new Date(deps.now?.() ?? Date.now());
      const campaign = await tx.campaign.findUniqueOrThrow({
        where: { id: campaignId },
        include: { company: { select: { rateLimitPolicy: { select: { perCampaignPerMinute: true } } } } },
      });
      const policy = resolvePolicy(campaign.company.rateLimitPolicy, deps.policyDefaults);
      const cap = campaignRateCap(policy.perCampaignPerMinute, campaign.maxPerMinute);
      const window = { cap, windowMs: deps.rateWindowMs, now };
      const { allowed, retryInMs } = await releaseAllowance(tx, campaignId, window);
      if (allowed === 0) return { batch: [], retryInMs };
      const recipients = await tx.campaignRecipient.findMany({
        where: { campaignId, status: RecipientStatus.PENDING },
        orderBy: { id: "asc" },
        take: Math.min(batchSize, allowed),
        include: {
          contact: { select: { name: true, phone: true, jid: true, customFields: true, optedOut: true } },
        },
      });
      // Opt-out is checked again at send time: it may have changed since expansion.
      const skipped = recipients.filter((r) => r.contact.optedOut || !r.contact.jid);
      if (skipped.length) {
        await tx.campaignRecipient.updateMany({
          where: { id: { in: skipped.map((r) => r.id) } },
          data: { status: RecipientStatus.SKIPPED, error: "Contact opted out or has no WhatsApp address" },
        });
      }
      const sendable = recipients.filter((r) => !r.contact.optedOut && r.contact.jid);
      if (sendable.length === 0) return { batch: [], retryInMs: 0 };
      const media = campaign.media ? campaignMediaSchema.parse(campaign.media) : undefined;
      const rows: Prisma.MessageCreateManyInput[] = sendable.map((r) => {
        const template = campaign.variants[r.variantIndex] ?? campaign.variants[0] ?? "";
        const { text } = renderTemplate(template, contactVariables(r.contact));
        const { type: mediaType, ...source } = media ?? { type: undefined };
        return {
          companyId: campaign.companyId,
          sessionId: r.sessionId!,
          contactId: r.contactId,
          campaignId,
          chatJid: r.contact.jid!,
          direction: MessageDirection.OUTBOUND,
          type: mediaType ? mediaTypes[mediaType] : MessageType.TEXT,
          payload: mediaType ? { ...source, caption: text } : { text },
          status: MessageStatus.QUEUED,
          source: MessageSource.CAMPAIGN,
          waMessageId: reserveWaMessageId(),
          idempotencyKey: campaignMessageKey(campaignId, r.contactId),
          priority: MessagePriority.campaign,
          // The release time the per-campaign cap counts (same clock as the count).
          createdAt: now,
        };
      });
      await tx.message.createMany({ data: rows, skipDuplicates: true });
      const messages = await tx.message.findMany({
        where: { companyId: campaign.companyId, idempotencyKey: { in: rows.map((r) => r.idempotencyKey!) } },
        select: { id: true, sessionId: true, idempotencyKey: true, status: true },
      });
      const byKey = new Map(messages.map((m) => [m.idempotencyKey, m]));
      const pairs = sendable.flatMap((r) => {
        const message = byKey.get(campaignMessageKey(campaignId, r.contactId));
        return message ? [{ recipientId: r.id, message }] : [];
      });
      await tx.$executeRaw`
        UPDATE "CampaignRecipient" r SET "status" = 'QUEUED'::"RecipientStatus", "messageId" = u.mid,
               "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM unnest(${pairs.map((p) => p.recipientId)}::text[], ${pairs.map((p) => p.message.id)}::text[]) AS u(rid, mid)
        WHERE r."id" = u.rid`;
      const batch = pairs
        .filter((p) => p.message.status === MessageStatus.QUEUED)
        .map((p) => ({ messageId: p.message.id, sessionId: p.message.sessionId }));
      return { batch, retryInMs: 0 };
    },
    { timeout: 30_000, maxWait: 15_000 },
  );
}

// Completion: no recipient left to dispatch and no campaign message queued or in flight.
import {
  CampaignStatus,
  EventCategory,
  EventSeverity,
  MessageStatus,
  type PrismaClient,
  RecipientStatus,
} from "@zapflow/db";
import { campaignEvent, campaignProgress, summaryCounters } from "@zapflow/queue/services/campaigns";
import type { EventOutbox } from "../events/outbox";

export interface CompletionDeps {
  prisma: PrismaClient;
  /** Writes the campaign.completed event and its webhook outbox rows. */
  outbox: EventOutbox;
}

export async function completeCampaignIfDone(
  { prisma, outbox }: CompletionDeps,
  campaignId: string,
): Promise<boolean> {
  const [pending, inFlight] = await Promise.all([
    prisma.campaignRecipient.findFirst({
      where: { campaignId, status: RecipientStatus.PENDING },
      select: { id: true },
    }),
    prisma.message.findFirst({
      where: { campaignId, status: { in: [MessageStatus.QUEUED, MessageStatus.PROCESSING] } },
      select: { id: true },
    }),
  ]);
  if (pending || inFlight) return false;
  await syncRecipientStatuses(prisma, campaignId);
  const counters = summaryCounters(await campaignProgress(prisma, campaignId));
  // The state change and its event (and webhook outbox rows) commit together, or not at all.
  await prisma.$transaction(async (tx) => {
    const done = await tx.campaign.updateMany({
      where: { id: campaignId, status: CampaignStatus.RUNNING },
      data: { ...counters, status: CampaignStatus.COMPLETED, completedAt: new Date() },
    });
    if (done.count === 0) return;
    const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const message = `Campaign completed: ${counters.sentCount} sent, ${counters.failedCount} failed`;
    await outbox.writeIn(tx, [
      campaignEvent(campaign, "campaign.completed", message, {
        ...counters,
        totalRecipients: campaign.totalRecipients,
        completedAt: campaign.completedAt?.toISOString() ?? null,
      }),
    ]);
  });
  return true;
}

/** Copies each message's final state onto its recipient row (for per-recipient reports). */
export async function syncRecipientStatuses(prisma: PrismaClient, campaignId: string): Promise<void> {
  await prisma.$executeRaw`
    UPDATE "CampaignRecipient" r SET
      "status" = (CASE m."status"
        WHEN 'SENT' THEN 'SENT' WHEN 'DELIVERED' THEN 'DELIVERED' WHEN 'READ' THEN 'READ'
        WHEN 'CANCELLED' THEN 'CANCELLED' ELSE 'FAILED' END)::"RecipientStatus",
      "error" = m."lastError",
      "updatedAt" = now() AT TIME ZONE 'UTC'
    FROM "Message" m
    WHERE r."campaignId" = ${campaignId} AND r."messageId" = m."id"
      AND m."status" NOT IN ('QUEUED', 'PROCESSING')`;
}

/** A campaign that cannot proceed (no sending number, expansion failing for good) → FAILED. */
export async function failCampaign(
  prisma: PrismaClient,
  campaignId: string,
  reason: string,
): Promise<boolean> {
  const failed = await prisma.campaign.updateMany({
    where: { id: campaignId, status: { in: [CampaignStatus.RUNNING, CampaignStatus.SCHEDULED] } },
    data: { status: CampaignStatus.FAILED, pausedReason: reason, completedAt: new Date() },
  });
  if (failed.count === 0) return false;
  const campaign = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  await prisma.campaignRecipient.updateMany({
    where: { campaignId, status: RecipientStatus.PENDING },
    data: { status: RecipientStatus.CANCELLED, error: reason },
  });
  await prisma.event.create({
    data: {
      companyId: campaign.companyId,
      category: EventCategory.CAMPAIGN,
      severity: EventSeverity.ERROR,
      type: "campaign.failed",
      message: `Campaign failed: ${reason}`,
      data: { campaignId },
    },
  });
  return true;
}

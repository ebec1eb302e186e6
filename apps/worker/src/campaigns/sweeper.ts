// Periodic safety net (every few seconds, on every worker): starts scheduled campaigns whose
// delayed start job was lost, and recreates the expand/dispatch job of running campaigns whose job
// died. Every action is idempotent (conditional updates, fixed job ids), so workers may overlap.
import { CampaignStatus, type PrismaClient } from "@zapflow/db";
import type { QueueRegistry } from "@zapflow/queue";
import { ensureCampaignJob, startCampaign } from "@zapflow/queue/services/campaigns";
import { ConflictError } from "@zapflow/queue/services/errors";

export async function sweepCampaigns(deps: { prisma: PrismaClient; queues: QueueRegistry }): Promise<void> {
  const due = await deps.prisma.campaign.findMany({
    where: { status: CampaignStatus.SCHEDULED, scheduledAt: { lte: new Date() } },
    select: { id: true, companyId: true },
    take: 100,
  });
  for (const campaign of due) {
    try {
      await startCampaign(deps, campaign.companyId, campaign.id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // another worker started it first
    }
  }
  const running = await deps.prisma.campaign.findMany({
    where: { status: CampaignStatus.RUNNING },
    select: { id: true, companyId: true, expandedAt: true },
  });
  for (const campaign of running) {
    await ensureCampaignJob(deps.queues, {
      action: campaign.expandedAt ? "dispatch" : "expand",
      campaignId: campaign.id,
      companyId: campaign.companyId,
    });
  }
}

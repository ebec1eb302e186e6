// Campaigns worker module: consumes the campaign queue (start, expand, dispatch loop, completion),
// runs the periodic sweep, and auto-pauses campaigns whose sending number gets restricted.

import { CampaignStatus } from "@zapflow/db";
import {
  type CampaignJob,
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  holdBack,
  policyDefaultsFromEnv,
  QueueName,
  type QueueProcessor,
  QueueRegistry,
  type QueueWorkerOptions,
} from "@zapflow/queue";
import { ensureCampaignJob, pauseCampaign, startCampaign } from "@zapflow/queue/services/campaigns";
import { ConflictError } from "@zapflow/queue/services/errors";
import type { Logger } from "pino";
import type { WorkerContext } from "../context";
import { EventOutbox } from "../events/outbox";
import type { WorkerModule } from "../module";
import type { SessionBusEvents } from "../session-bus";
import { completeCampaignIfDone, failCampaign } from "./completion";
import { type CampaignDeps, dispatchStep } from "./dispatcher";
import { expandCampaign } from "./expansion";
import { sweepCampaigns } from "./sweeper";

export interface CampaignsModuleOptions {
  /** Worker-kind Redis connection; created from REDIS_URL when absent (and then closed on stop). */
  connection?: QueueWorkerOptions["connection"];
  /** Producer registry; created on the connection when absent (and then closed on stop). */
  queues?: QueueRegistry;
  concurrency?: number;
  /** Safety-net sweep period (scheduled starts, lost jobs). */
  sweepMs?: number;
  pollMs?: number;
  /** Window of the per-campaign release cap (default a minute; tests shorten it). */
  rateWindowMs?: number;
}

/** Job data the dispatch loop keeps between its runs (beyond the validated payload). */
interface DispatchMemory {
  readyAt?: number | null;
}

type CampaignWorker = ReturnType<typeof createQueueWorker<typeof QueueName.campaign>>;

async function restrictedHandler(
  deps: CampaignDeps,
  logger: Logger,
  event: SessionBusEvents["restricted"][0],
) {
  const campaigns = await deps.prisma.campaign.findMany({
    where: {
      companyId: event.companyId,
      status: { in: [CampaignStatus.RUNNING, CampaignStatus.SCHEDULED] },
      senders: { some: { sessionId: event.sessionId } },
    },
    select: { id: true },
  });
  for (const { id } of campaigns) {
    try {
      await pauseCampaign(deps, event.companyId, id, `Sending number restricted: ${event.reason}`);
      logger.warn({ campaignId: id, sessionId: event.sessionId }, "campaign auto-paused: number restricted");
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

export function createCampaignsModule(opts: CampaignsModuleOptions = {}): WorkerModule {
  let worker: CampaignWorker | undefined;
  let ownedQueues: QueueRegistry | undefined;
  let ownedConnection: QueueWorkerOptions["connection"] | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopBus: (() => void) | undefined;

  return {
    name: "campaigns",
    async start(ctx: WorkerContext) {
      const logger = ctx.logger.child({ module: "campaigns" });
      const prefix = ctx.config.REDIS_PREFIX;
      let connection = opts.connection;
      if (!connection) {
        ownedConnection = createRedisConnection(ctx.config.REDIS_URL, { forWorker: true });
        connection = ownedConnection;
      }
      let queues = opts.queues;
      if (!queues) {
        ownedQueues = new QueueRegistry({ connection, prefix });
        queues = ownedQueues;
      }
      const campaignDeps: CampaignDeps = {
        prisma: ctx.prisma,
        queues,
        outbox: new EventOutbox(ctx.prisma),
        policyDefaults: policyDefaultsFromEnv(),
        pollMs: opts.pollMs,
        rateWindowMs: opts.rateWindowMs,
      };

      const process: QueueProcessor<CampaignJob> = async (data, job, token) => {
        const { campaignId, companyId } = data;
        switch (data.action) {
          case "start": {
            const campaign = await ctx.prisma.campaign.findFirst({ where: { id: campaignId, companyId } });
            // A rescheduled campaign's old job may fire early: only start what is due.
            if (
              campaign?.status !== CampaignStatus.SCHEDULED ||
              (campaign.scheduledAt?.getTime() ?? 0) > Date.now() + 1_000
            ) {
              return "not due";
            }
            await startCampaign(campaignDeps, companyId, campaignId).catch((err) => {
              if (!(err instanceof ConflictError)) throw err;
            });
            return "started";
          }
          case "expand": {
            const result = await expandCampaign(ctx.prisma, campaignId, companyId);
            if (result === "expanded")
              await ensureCampaignJob(campaignDeps.queues, { action: "dispatch", campaignId, companyId });
            if (result === "no-senders") await failCampaign(ctx.prisma, campaignId, "No sending number left");
            return result;
          }
          case "dispatch": {
            const memory = job.data as DispatchMemory;
            const step = await dispatchStep(campaignDeps, data, { readyAt: memory.readyAt });
            if (step.kind !== "wait") return step.kind;
            if ((memory.readyAt ?? null) !== step.readyAt)
              await job.updateData({ ...data, readyAt: step.readyAt } as CampaignJob & DispatchMemory);
            return holdBack(job, token, step.ms);
          }
          case "check-completion":
            return (await completeCampaignIfDone(campaignDeps, campaignId)) ? "completed" : "not done";
        }
      };

      worker = createQueueWorker(QueueName.campaign, process, {
        connection,
        prefix,
        concurrency: opts.concurrency ?? 5,
      });
      worker.on("failed", (job, err) => {
        logger.error(
          { err, campaignId: job?.data.campaignId, action: job?.data.action },
          "campaign job failed",
        );
        // Expansion out of attempts: the campaign cannot start. (A failed dispatch loop is recreated
        // by the sweep instead: a database outage must not end a campaign.)
        if (job?.data.action === "expand" && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          failCampaign(ctx.prisma, job.data.campaignId, `Audience expansion failed: ${err.message}`).catch(
            (e) => logger.error({ err: e }, "marking the campaign failed did not work"),
          );
        }
      });

      const handler = (event: SessionBusEvents["restricted"][0]) => {
        restrictedHandler(campaignDeps, logger, event).catch((err) =>
          logger.error({ err, sessionId: event.sessionId }, "auto-pause on restriction failed"),
        );
      };
      ctx.bus.on("restricted", handler);
      stopBus = () => ctx.bus.off("restricted", handler);

      let sweeping = false;
      sweepTimer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        sweepCampaigns(campaignDeps)
          .catch((err) => logger.error({ err }, "campaign sweep failed"))
          .finally(() => {
            sweeping = false;
          });
      }, opts.sweepMs ?? 5_000);
    },
    async stop() {
      if (sweepTimer) clearInterval(sweepTimer);
      sweepTimer = undefined;
      stopBus?.();
      stopBus = undefined;
      const current = worker;
      worker = undefined;
      if (current) await closeQueueWorker(current);
      await ownedQueues?.close();
      ownedQueues = undefined;
      ownedConnection?.disconnect();
      ownedConnection = undefined;
    },
  };
}

// The `session-lifecycle` queue processor. Any worker may take a job: it records the desired
// state on the row, then the manager runs the command here, forwards it to the owner, or (start)
// takes the lease — so repeated or concurrent jobs for one session converge on one socket.
import { type PrismaClient, SessionDesiredState } from "@zapflow/db";
import type { SessionLifecycleJob } from "@zapflow/queue";
import type { Logger } from "pino";
import type { CommandOutcome, SessionManager, StartOutcome } from "./manager";

export interface LifecycleProcessorDeps {
  prisma: PrismaClient;
  manager: SessionManager;
  logger: Logger;
}

export type LifecycleResult = { outcome: StartOutcome | CommandOutcome | "not-found" };

export function createLifecycleProcessor(deps: LifecycleProcessorDeps) {
  return async (job: SessionLifecycleJob, meta?: { id?: string }): Promise<LifecycleResult> => {
    const log = deps.logger.child({ sessionId: job.sessionId, companyId: job.companyId, jobId: meta?.id });
    const desiredState =
      job.action === "stop" || job.action === "logout"
        ? SessionDesiredState.DISCONNECTED
        : SessionDesiredState.CONNECTED;
    // Scoped by companyId: a job can only touch a session of the company that enqueued it.
    const { count } = await deps.prisma.whatsappSession.updateMany({
      where: { id: job.sessionId, companyId: job.companyId },
      data: {
        desiredState,
        ...(job.action === "pairing-code" ? { pairingPhone: job.phone, pairingCode: null } : {}),
      },
    });
    if (count === 0) {
      log.warn({ action: job.action }, "lifecycle job for an unknown session");
      return { outcome: "not-found" };
    }
    const outcome = await run(deps.manager, job);
    log.info({ action: job.action, outcome }, "session lifecycle job done");
    return { outcome };
  };
}

function run(manager: SessionManager, job: SessionLifecycleJob): Promise<StartOutcome | CommandOutcome> {
  switch (job.action) {
    case "start":
      return manager.startSession(job.sessionId);
    case "stop":
      return manager.stopSession(job.sessionId);
    case "logout":
      return manager.logoutSession(job.sessionId);
    case "restart":
      return manager.restartSession(job.sessionId);
    case "pairing-code":
      return manager.requestPairingCode(job.sessionId, job.phone);
  }
}

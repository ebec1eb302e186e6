// Delivers one claimed webhook row. Postgres is the single source of truth for retries: a failed
// HTTP attempt is recorded on the row (FAILED + nextAttemptAt from the capped exponential schedule,
// or DEAD after the last attempt) and the job completes; the relay re-claims the row when it is due.
// BullMQ's own retries only cover the processor failing to reach Postgres.
import { type PrismaClient, WebhookDeliveryStatus } from "@zapflow/db";
import { decryptSecret } from "@zapflow/db/crypto";
import { cappedExponentialDelay, type WebhookDeliveryJob } from "@zapflow/queue";
import type { Logger } from "pino";
import type { WebhookSettings } from "./config";
import { type PostResult, postWebhook, RESPONSE_LIMIT } from "./http-post";
import { type AttemptOutcome, recordAttempt } from "./outcomes";
import { deliveryHeaders, serializeDelivery } from "./signer";

export interface ProcessorDeps {
  prisma: PrismaClient;
  logger: Logger;
  settings: WebhookSettings;
}

export type DeliveryResult = "skipped" | AttemptOutcome["status"];

function isSuccess(r: PostResult): boolean {
  return r.statusCode >= 200 && r.statusCode < 300;
}

/** Wait before the next attempt after `failures` failed attempts (±10 % jitter). */
export function retryDelayMs(failures: number, s: WebhookSettings): number {
  const delay = cappedExponentialDelay(failures, s.backoffBaseMs, s.backoffCapMs);
  return Math.round(delay * (0.9 + Math.random() * 0.2));
}

export async function processWebhookDelivery(
  deps: ProcessorDeps,
  job: WebhookDeliveryJob,
): Promise<DeliveryResult> {
  const { prisma, settings } = deps;
  const row = await prisma.webhookDelivery.findFirst({
    where: { id: job.deliveryId, companyId: job.companyId },
    include: { endpoint: { select: { id: true, url: true, secretEncrypted: true, enabled: true } } },
  });
  // Not claimed (already delivered, dead, or re-queued by a stale relay pass): nothing to do.
  if (!row || row.status !== WebhookDeliveryStatus.DELIVERING) return "skipped";

  const attempt = row.attempts + 1;
  const base = {
    deliveryId: row.id,
    endpointId: row.endpointId,
    companyId: row.companyId,
    fencedAttempts: row.attempts,
  };
  if (!row.endpoint.enabled) {
    const outcome: AttemptOutcome = {
      status: WebhookDeliveryStatus.DEAD,
      error: "Endpoint disabled",
      counts: false,
    };
    await recordAttempt(prisma, settings, base, outcome);
    return outcome.status;
  }

  const body = serializeDelivery(row);
  let outcome: AttemptOutcome;
  try {
    const secret = decryptSecret(Buffer.from(row.endpoint.secretEncrypted));
    const result = await postWebhook(row.endpoint.url, deliveryHeaders(row, secret, body), body, settings);
    outcome = isSuccess(result)
      ? {
          status: WebhookDeliveryStatus.SUCCEEDED,
          statusCode: result.statusCode,
          response: result.body,
          counts: true,
        }
      : failure(attempt, settings, {
          statusCode: result.statusCode,
          response: result.body,
          error: `HTTP ${result.statusCode}`,
        });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outcome = failure(attempt, settings, { error: message.slice(0, RESPONSE_LIMIT) });
  }
  await recordAttempt(prisma, settings, base, outcome);
  deps.logger.debug(
    { deliveryId: row.id, attempt, status: outcome.status, code: outcome.statusCode },
    "webhook attempt",
  );
  return outcome.status;
}

function failure(
  attempt: number,
  settings: WebhookSettings,
  detail: { statusCode?: number; response?: string; error: string },
): AttemptOutcome {
  if (attempt >= settings.maxAttempts) return { status: WebhookDeliveryStatus.DEAD, counts: true, ...detail };
  return {
    status: WebhookDeliveryStatus.FAILED,
    counts: true,
    nextAttemptAt: new Date(Date.now() + retryDelayMs(attempt, settings)),
    ...detail,
  };
}

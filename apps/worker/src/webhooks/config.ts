// Webhook settings from env (WEBHOOK_*), overridable per module instance (tests).
import { WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_CAP_MS } from "@zapflow/queue";
import { webhookAllowPrivate } from "@zapflow/queue/services/webhook-url";
import { z } from "zod";

const ms = z.coerce.number().int().positive();

const schema = z.object({
  WEBHOOK_TIMEOUT_MS: ms.default(10_000),
  /** HTTP attempts per delivery before it becomes DEAD. */
  WEBHOOK_MAX_ATTEMPTS: ms.default(WEBHOOK_ATTEMPTS),
  /** Wait after the first failure; doubles per failure up to WEBHOOK_BACKOFF_CAP_MS (±10 % jitter). */
  WEBHOOK_BACKOFF_BASE_MS: ms.default(10_000),
  WEBHOOK_BACKOFF_CAP_MS: ms.default(WEBHOOK_BACKOFF_CAP_MS),
  /** Consecutive failed attempts after which an endpoint is disabled. */
  WEBHOOK_DISABLE_AFTER: ms.default(50),
  WEBHOOK_RELAY_INTERVAL_MS: ms.default(2_000),
  WEBHOOK_RELAY_BATCH: ms.default(200),
  /** A claimed row whose job has not finished within this time is claimed again (crashed worker). */
  WEBHOOK_CLAIM_LEASE_MS: ms.default(60_000),
  WEBHOOK_CONCURRENCY: ms.default(10),
  /** Days SUCCEEDED/DEAD deliveries stay visible in the delivery log. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().positive().default(14),
});

export interface WebhookSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  disableAfter: number;
  relayIntervalMs: number;
  relayBatch: number;
  claimLeaseMs: number;
  concurrency: number;
  retentionMs: number;
}

export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid webhook configuration: ${issues}`);
  }
  const e = parsed.data;
  return {
    // Shared with the web's endpoint validation (WEBHOOK_ALLOW_PRIVATE, NODE_ENV).
    allowPrivate: webhookAllowPrivate(env),
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
    backoffCapMs: e.WEBHOOK_BACKOFF_CAP_MS,
    disableAfter: e.WEBHOOK_DISABLE_AFTER,
    relayIntervalMs: e.WEBHOOK_RELAY_INTERVAL_MS,
    relayBatch: e.WEBHOOK_RELAY_BATCH,
    claimLeaseMs: e.WEBHOOK_CLAIM_LEASE_MS,
    concurrency: e.WEBHOOK_CONCURRENCY,
    retentionMs: e.WEBHOOK_RETENTION_DAYS * 86_400_000,
  };
}

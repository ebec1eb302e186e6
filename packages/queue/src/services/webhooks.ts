// Webhook outbox rows, written through the caller's transaction so a rolled-back state change
// never produces a webhook. The worker's relay picks the rows up (every ~2 s, or at once when nudged).
import type { Prisma } from "@zapflow/db";
import type { Redis } from "ioredis";

/** An endpoint with an empty filter receives every event type. */
export function endpointWantsEvent(filter: readonly string[], eventType: string): boolean {
  return filter.length === 0 || filter.includes(eventType);
}

/**
 * Inserts one PENDING WebhookDelivery per enabled endpoint of `companyId` subscribed to `eventType`.
 * Returns the number of rows written (0 when nobody listens).
 */
export async function recordWebhookEvent(
  tx: Prisma.TransactionClient,
  companyId: string,
  eventType: string,
  payload: Prisma.InputJsonObject,
): Promise<number> {
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { companyId, enabled: true },
    select: { id: true, events: true },
  });
  const data = endpoints
    .filter((e) => endpointWantsEvent(e.events, eventType))
    .map((e) => ({ endpointId: e.id, companyId, eventType, payload }));
  if (!data.length) return 0;
  const { count } = await tx.webhookDelivery.createMany({ data });
  return count;
}

/** Redis channel the worker's relay listens on (one per deployment prefix). */
export function webhookRelayChannel(prefix: string): string {
  return `${prefix}:webhooks:nudge`;
}

/**
 * Call AFTER the transaction that wrote outbox rows has committed: relays claim due rows at once
 * instead of at their next poll. Best effort — the poll delivers the rows anyway.
 */
export async function nudgeWebhookRelay(redis: Redis, prefix: string): Promise<void> {
  await redis.publish(webhookRelayChannel(prefix), "1").catch(() => undefined);
}

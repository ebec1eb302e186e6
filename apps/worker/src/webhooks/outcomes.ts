// Writes the result of one delivery attempt: the delivery row (fenced on its claim) and the
// endpoint's consecutive-failure counter, which disables the endpoint past a threshold.
import { EventCategory, EventSeverity, type PrismaClient, WebhookDeliveryStatus } from "@zapflow/db";
import type { WebhookSettings } from "./config";

export interface AttemptOutcome {
  status:
    | typeof WebhookDeliveryStatus.SUCCEEDED
    | typeof WebhookDeliveryStatus.FAILED
    | typeof WebhookDeliveryStatus.DEAD;
  /** false: no HTTP request was made (endpoint disabled) — attempts and endpoint health untouched. */
  counts: boolean;
  statusCode?: number;
  response?: string;
  error?: string;
  nextAttemptAt?: Date;
}

export interface AttemptTarget {
  deliveryId: string;
  endpointId: string;
  companyId: string;
  /** attempts value read when the attempt started: the write only lands if nobody else wrote since. */
  fencedAttempts: number;
}

export async function recordAttempt(
  prisma: PrismaClient,
  settings: WebhookSettings,
  target: AttemptTarget,
  outcome: AttemptOutcome,
): Promise<void> {
  const succeeded = outcome.status === WebhookDeliveryStatus.SUCCEEDED;
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({
      where: {
        id: target.deliveryId,
        status: WebhookDeliveryStatus.DELIVERING,
        attempts: target.fencedAttempts,
      },
      data: {
        status: outcome.status,
        attempts: target.fencedAttempts + (outcome.counts ? 1 : 0),
        lastStatusCode: outcome.statusCode ?? null,
        lastResponse: outcome.response ?? null,
        lastError: succeeded ? null : (outcome.error ?? null),
        ...(succeeded ? { deliveredAt: new Date() } : {}),
        ...(outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
      },
    });
    if (!count || !outcome.counts) return;
    if (succeeded) {
      await tx.webhookEndpoint.updateMany({
        where: { id: target.endpointId, consecutiveFailures: { gt: 0 } },
        data: { consecutiveFailures: 0 },
      });
      return;
    }
    const endpoint = await tx.webhookEndpoint.update({
      where: { id: target.endpointId },
      data: { consecutiveFailures: { increment: 1 } },
      select: { consecutiveFailures: true, enabled: true, url: true },
    });
    if (!endpoint.enabled || endpoint.consecutiveFailures < settings.disableAfter) return;
    await tx.webhookEndpoint.update({
      where: { id: target.endpointId },
      data: { enabled: false, disabledAt: new Date() },
    });
    await tx.event.create({
      data: {
        companyId: target.companyId,
        category: EventCategory.WEBHOOK,
        severity: EventSeverity.WARN,
        type: "webhook.disabled",
        message: `Webhook endpoint disabled after ${endpoint.consecutiveFailures} consecutive failed deliveries`,
        data: { endpointId: target.endpointId, url: endpoint.url, lastError: outcome.error ?? null },
      },
    });
  });
}

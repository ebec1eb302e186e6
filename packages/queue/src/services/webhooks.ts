// Webhook outbox rows, written through the caller's transaction so a rolled-back state change
// never produces a webhook. The worker's relay picks the rows up (every ~2 s, or at once when nudged:
// a Postgres NOTIFY issued in the writing transaction, delivered only when it commits).
import { type EventCategory, EventSeverity, type Prisma } from "@zapflow/db";
import type { Redis } from "ioredis";

/** A state change worth an Event row and, for subscribed endpoints, a webhook delivery. */
export interface DomainEvent {
  companyId: string;
  sessionId?: string | null;
  category: EventCategory;
  severity?: EventSeverity;
  /** Dotted name, e.g. message.sent — also the webhook event type. */
  type: string;
  message: string;
  /** The webhook payload's fields (and the Event row's data). */
  data: Prisma.InputJsonObject;
  /** Extra fields for the Event row only (internal details such as the worker id, not sent out). */
  auditData?: Prisma.InputJsonObject;
}

export interface EndpointRef {
  id: string;
  events: string[];
}

/** An endpoint with an empty filter receives every event type. */
export function endpointWantsEvent(filter: readonly string[], eventType: string): boolean {
  return filter.length === 0 || filter.includes(eventType);
}

/** Postgres channel a transaction that wrote outbox rows notifies (per database, so per deployment). */
export const WEBHOOK_OUTBOX_CHANNEL = "zapflow_webhook_outbox";

/** Statement to run inside the writing transaction; Postgres delivers it on COMMIT, drops it on ROLLBACK. */
export const NOTIFY_WEBHOOK_OUTBOX = `NOTIFY ${WEBHOOK_OUTBOX_CHANNEL}`;

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
  await tx.$executeRawUnsafe(NOTIFY_WEBHOOK_OUTBOX);
  return count;
}

/** The `data` every delivery of a domain event carries: its type, its session (or null), its data. */
export function webhookPayload(event: DomainEvent): Prisma.InputJsonObject {
  return { type: event.type, sessionId: event.sessionId ?? null, ...event.data };
}

/**
 * Event rows and outbox rows of `events` (pure: the caller looks the endpoints up, cached or not).
 * `endpoints` maps a company id to its enabled endpoints.
 */
export function domainEventRows(events: DomainEvent[], endpoints: ReadonlyMap<string, EndpointRef[]>) {
  const deliveries: Prisma.WebhookDeliveryCreateManyInput[] = [];
  for (const event of events) {
    for (const endpoint of endpoints.get(event.companyId) ?? []) {
      if (!endpointWantsEvent(endpoint.events, event.type)) continue;
      deliveries.push({
        endpointId: endpoint.id,
        companyId: event.companyId,
        eventType: event.type,
        payload: webhookPayload(event),
      });
    }
  }
  const eventRows: Prisma.EventCreateManyInput[] = events.map((e) => ({
    companyId: e.companyId,
    sessionId: e.sessionId ?? null,
    category: e.category,
    severity: e.severity ?? EventSeverity.INFO,
    type: e.type,
    message: e.message,
    data: e.auditData ? { ...e.data, ...e.auditData } : e.data,
  }));
  return { eventRows, deliveries };
}

/**
 * Writes the events and their outbox rows through the caller's transaction, reading the endpoints
 * through it too (no cache: for occasional state changes such as a campaign's). Returns the number
 * of deliveries written (the NOTIFY wakes the relay when the transaction commits).
 */
export async function recordDomainEvents(
  tx: Prisma.TransactionClient,
  events: DomainEvent[],
): Promise<number> {
  const companyIds = [...new Set(events.map((e) => e.companyId))];
  const rows = await tx.webhookEndpoint.findMany({
    where: { companyId: { in: companyIds }, enabled: true },
    select: { id: true, companyId: true, events: true },
  });
  const endpoints = new Map<string, EndpointRef[]>();
  for (const { companyId, ...ref } of rows)
    endpoints.set(companyId, [...(endpoints.get(companyId) ?? []), ref]);
  const { eventRows, deliveries } = domainEventRows(events, endpoints);
  if (eventRows.length) await tx.event.createMany({ data: eventRows });
  if (!deliveries.length) return 0;
  await tx.webhookDelivery.createMany({ data: deliveries });
  await tx.$executeRawUnsafe(NOTIFY_WEBHOOK_OUTBOX);
  return deliveries.length;
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

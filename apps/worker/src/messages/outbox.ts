// Events and webhook outbox rows, written in the same transaction as the state change they report.
// Endpoints are cached per company for a few seconds: a send must not query them every time.
import {
  type EventCategory,
  EventSeverity,
  outboundSql,
  type Prisma,
  type PrismaClient,
  type Queryable,
} from "@zapflow/db";
import { LRUCache } from "lru-cache";

export interface DomainEvent {
  companyId: string;
  sessionId?: string | null;
  category: EventCategory;
  severity?: EventSeverity;
  /** Dotted name, e.g. message.sent — also the webhook event type. */
  type: string;
  message: string;
  data: Prisma.InputJsonObject;
}

interface EndpointRef {
  id: string;
  events: string[];
}

export class EventOutbox {
  private readonly endpoints: LRUCache<string, EndpointRef[]>;

  constructor(
    private readonly prisma: PrismaClient,
    ttlMs = 5_000,
  ) {
    this.endpoints = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  private async subscribers(companyId: string): Promise<EndpointRef[]> {
    const hit = this.endpoints.get(companyId);
    if (hit) return hit;
    const rows = await this.prisma.webhookEndpoint.findMany({
      where: { companyId, enabled: true },
      select: { id: true, events: true },
    });
    this.endpoints.set(companyId, rows);
    return rows;
  }

  /** Writes the events and their deliveries inside an interactive transaction. */
  async writeIn(tx: Prisma.TransactionClient, events: DomainEvent[]): Promise<void> {
    const { eventRows, deliveries } = await this.rows(events);
    if (eventRows.length) await tx.event.createMany({ data: eventRows });
    if (deliveries.length) await tx.webhookDelivery.createMany({ data: deliveries });
  }

  /** Writes the events and their deliveries with plain SQL (hot paths, inside their transaction). */
  async writeSql(db: Queryable, events: DomainEvent[], at: Date): Promise<void> {
    const { eventRows, deliveries } = await this.rows(events);
    await outboundSql.insertEvents(
      db,
      eventRows.map((e) => ({
        companyId: e.companyId ?? null,
        sessionId: e.sessionId ?? null,
        category: e.category,
        severity: e.severity ?? EventSeverity.INFO,
        type: e.type,
        message: e.message,
        data: e.data ?? {},
      })),
      at,
    );
    await outboundSql.insertDeliveries(
      db,
      deliveries.map((d) => ({
        endpointId: d.endpointId,
        companyId: d.companyId,
        eventType: d.eventType,
        payload: d.payload,
      })),
      at,
    );
  }

  /** Prisma operations (for a batch $transaction) that record the events and their deliveries. */
  async operations(events: DomainEvent[]): Promise<Prisma.PrismaPromise<unknown>[]> {
    if (!events.length) return [];
    const { eventRows, deliveries } = await this.rows(events);
    const ops: Prisma.PrismaPromise<unknown>[] = [this.prisma.event.createMany({ data: eventRows })];
    if (deliveries.length) ops.push(this.prisma.webhookDelivery.createMany({ data: deliveries }));
    return ops;
  }

  private async rows(events: DomainEvent[]) {
    const deliveries: Prisma.WebhookDeliveryCreateManyInput[] = [];
    for (const event of events) {
      for (const endpoint of await this.subscribers(event.companyId)) {
        if (endpoint.events.length && !endpoint.events.includes(event.type)) continue;
        deliveries.push({
          endpointId: endpoint.id,
          companyId: event.companyId,
          eventType: event.type,
          payload: { type: event.type, sessionId: event.sessionId ?? null, ...event.data },
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
      data: e.data,
    }));
    return { eventRows, deliveries };
  }

  /** Writes `ops` and the events' rows in one transaction. */
  async commit(ops: Prisma.PrismaPromise<unknown>[], events: DomainEvent[]): Promise<unknown[]> {
    return this.prisma.$transaction([...ops, ...(await this.operations(events))]);
  }
}

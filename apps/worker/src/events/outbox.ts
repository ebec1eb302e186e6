// Events and webhook outbox rows, written in the same transaction as the state change they report
// (messages, sessions, campaigns). Endpoints are cached per company for a few seconds: a send must
// not query them every time. A transaction that wrote deliveries also issues a Postgres NOTIFY, which
// Postgres delivers only on COMMIT: the relay claims the rows at once instead of at its next poll.
import { EventSeverity, outboundSql, type Prisma, type PrismaClient, type Queryable } from "@zapflow/db";
import {
  type DomainEvent,
  domainEventRows,
  type EndpointRef,
  NOTIFY_WEBHOOK_OUTBOX,
} from "@zapflow/queue/services/webhooks";
import { LRUCache } from "lru-cache";

export type { DomainEvent };

type LoadEndpoints = (companyId: string) => Promise<EndpointRef[]>;

const prismaLoader =
  (db: Prisma.TransactionClient | PrismaClient): LoadEndpoints =>
  (companyId) =>
    db.webhookEndpoint.findMany({ where: { companyId, enabled: true }, select: { id: true, events: true } });

export class EventOutbox {
  private readonly endpoints: LRUCache<string, EndpointRef[]>;

  constructor(
    private readonly prisma: PrismaClient,
    ttlMs = 5_000,
  ) {
    this.endpoints = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  /** `load` reads on the caller's connection: inside a transaction, a second pool connection could
   *  deadlock once every connection holds a transaction that waits for one. */
  private async subscribers(companyId: string, load: LoadEndpoints): Promise<EndpointRef[]> {
    const hit = this.endpoints.get(companyId);
    if (hit) return hit;
    const rows = await load(companyId);
    this.endpoints.set(companyId, rows);
    return rows;
  }

  /** Writes the events and their deliveries inside an interactive transaction. */
  async writeIn(tx: Prisma.TransactionClient, events: DomainEvent[]): Promise<void> {
    const { eventRows, deliveries } = await this.rows(events, prismaLoader(tx));
    if (eventRows.length) await tx.event.createMany({ data: eventRows });
    if (!deliveries.length) return;
    await tx.webhookDelivery.createMany({ data: deliveries });
    await tx.$executeRawUnsafe(NOTIFY_WEBHOOK_OUTBOX);
  }

  /** Writes the events and their deliveries with plain SQL (hot paths, inside their transaction). */
  async writeSql(db: Queryable, events: DomainEvent[], at: Date): Promise<void> {
    const { eventRows, deliveries } = await this.rows(events, (companyId) =>
      outboundSql.enabledEndpoints(db, companyId),
    );
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
    if (!deliveries.length) return;
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
    await db.query(NOTIFY_WEBHOOK_OUTBOX);
  }

  /** Prisma operations (for a batch $transaction) that record the events and their deliveries. */
  async operations(events: DomainEvent[]): Promise<Prisma.PrismaPromise<unknown>[]> {
    if (!events.length) return [];
    const { eventRows, deliveries } = await this.rows(events, prismaLoader(this.prisma));
    const ops: Prisma.PrismaPromise<unknown>[] = [this.prisma.event.createMany({ data: eventRows })];
    if (deliveries.length) {
      ops.push(this.prisma.webhookDelivery.createMany({ data: deliveries }));
      ops.push(this.prisma.$executeRawUnsafe(NOTIFY_WEBHOOK_OUTBOX));
    }
    return ops;
  }

  /** Rows built by the shared domainEventRows (the campaign service writes the same shape). */
  private async rows(events: DomainEvent[], load: LoadEndpoints) {
    const endpoints = new Map<string, EndpointRef[]>();
    for (const { companyId } of events) {
      if (!endpoints.has(companyId)) endpoints.set(companyId, await this.subscribers(companyId, load));
    }
    return domainEventRows(events, endpoints);
  }

  /** Writes `ops` and the events' rows in one transaction. */
  async commit(ops: Prisma.PrismaPromise<unknown>[], events: DomainEvent[]): Promise<unknown[]> {
    return this.prisma.$transaction([...ops, ...(await this.operations(events))]);
  }
}

// Prometheus metrics of webhook delivery on the worker's registry (ctx.metrics). The outbox backlog
// is counted at scrape time (index on status + nextAttemptAt), so nothing polls in between.
import { type PrismaClient, WebhookDeliveryStatus } from "@zapflow/db";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const BACKLOG: WebhookDeliveryStatus[] = [
  WebhookDeliveryStatus.PENDING,
  WebhookDeliveryStatus.DELIVERING,
  WebhookDeliveryStatus.FAILED,
];

export class WebhookMetrics {
  readonly attempts: Counter<"outcome">;
  readonly duration: Histogram;

  constructor(registry: Registry, prisma: PrismaClient) {
    this.attempts = once(
      registry,
      "zapflow_webhook_attempts_total",
      () =>
        new Counter({
          name: "zapflow_webhook_attempts_total",
          help: "Webhook delivery jobs by outcome (SUCCEEDED, FAILED, DEAD, skipped)",
          labelNames: ["outcome"],
          registers: [registry],
        }),
    );
    this.duration = once(
      registry,
      "zapflow_webhook_attempt_seconds",
      () =>
        new Histogram({
          name: "zapflow_webhook_attempt_seconds",
          help: "Duration of one webhook delivery job (signing, POST, recording)",
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    );
    once(
      registry,
      "zapflow_webhook_outbox_rows",
      () =>
        new Gauge({
          name: "zapflow_webhook_outbox_rows",
          help: "Webhook deliveries not finished yet, by status",
          labelNames: ["status"],
          registers: [registry],
          async collect() {
            const rows = await prisma.webhookDelivery.groupBy({
              by: ["status"],
              where: { status: { in: BACKLOG } },
              _count: true,
            });
            for (const status of BACKLOG) {
              this.set({ status }, rows.find((r) => r.status === status)?._count ?? 0);
            }
          },
        }),
    );
  }
}

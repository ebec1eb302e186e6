// Prometheus metrics of the messaging pipeline, on the worker's registry (ctx.metrics).
// Queue depth and sessions by state are collected at scrape time, so nothing polls in between.
import type { PrismaClient } from "@zapflow/db";
import { getQueueMetrics, type QueueRegistry } from "@zapflow/queue";
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export class MessageMetrics {
  readonly messages: Counter<"direction" | "status">;
  readonly sendLatency: Histogram;
  readonly holdBacks: Counter<"limit">;

  constructor(registry: Registry, deps: { queues: QueueRegistry; prisma: PrismaClient }) {
    if (!registry.getSingleMetric("process_resident_memory_bytes"))
      collectDefaultMetrics({ register: registry });
    this.messages = once(
      registry,
      "zapflow_messages_total",
      () =>
        new Counter({
          name: "zapflow_messages_total",
          help: "Messages that reached a status, by direction",
          labelNames: ["direction", "status"],
          registers: [registry],
        }),
    );
    this.sendLatency = once(
      registry,
      "zapflow_message_send_seconds",
      () =>
        new Histogram({
          name: "zapflow_message_send_seconds",
          help: "Time of the engine send call (until WhatsApp's server ack)",
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    );
    this.holdBacks = once(
      registry,
      "zapflow_rate_limit_holdbacks_total",
      () =>
        new Counter({
          name: "zapflow_rate_limit_holdbacks_total",
          help: "Sends held back by a rate limit or quiet hours, by limit",
          labelNames: ["limit"],
          registers: [registry],
        }),
    );
    once(
      registry,
      "zapflow_queue_jobs",
      () =>
        new Gauge({
          name: "zapflow_queue_jobs",
          help: "Jobs per queue and state (send = all per-session send queues together)",
          labelNames: ["queue", "state"],
          registers: [registry],
          async collect() {
            this.reset();
            const m = await getQueueMetrics(deps.queues);
            const all = { ...m.queues, send: { ...m.send, paused: m.send.paused } };
            for (const [queue, counts] of Object.entries(all)) {
              for (const state of ["waiting", "active", "delayed", "failed", "completed"] as const) {
                this.set({ queue, state }, counts[state]);
              }
            }
          },
        }),
    );
    once(
      registry,
      "zapflow_sessions",
      () =>
        new Gauge({
          name: "zapflow_sessions",
          help: "WhatsApp sessions by status (all workers)",
          labelNames: ["status"],
          registers: [registry],
          async collect() {
            this.reset();
            const rows = await deps.prisma.whatsappSession.groupBy({
              by: ["status"],
              _count: { _all: true },
            });
            for (const row of rows) this.set({ status: row.status }, row._count._all);
          },
        }),
    );
  }

  outcome(direction: "inbound" | "outbound", status: string, n = 1): void {
    this.messages.inc({ direction, status }, n);
  }
}

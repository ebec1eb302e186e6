// Prometheus metrics of the sessions domain (registered on the worker's registry).
import { SessionStatus } from "@zapflow/db";
import { Counter, Gauge, type Registry } from "prom-client";
import type { SessionManager } from "./manager";

export interface SessionMetrics {
  reconnects: Counter;
  leaseLost: Counter;
}

export function registerSessionMetrics(
  registry: Registry,
  getManager: () => SessionManager | undefined,
): SessionMetrics {
  new Gauge({
    name: "zapflow_worker_sessions",
    help: "Sessions owned by this worker, by status",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>(Object.values(SessionStatus).map((s) => [s, 0]));
      for (const runner of getManager()?.localRunners() ?? []) {
        counts.set(runner.status, (counts.get(runner.status) ?? 0) + 1);
      }
      for (const [status, count] of counts) this.set({ status }, count);
    },
  });
  new Gauge({
    name: "zapflow_worker_session_pool",
    help: "Session pool of this worker: active, max, waiting",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      const stats = getManager()?.poolStats();
      if (!stats) return;
      this.set({ kind: "active" }, stats.activeSessions);
      this.set({ kind: "max" }, stats.maxSessions);
      this.set({ kind: "waiting" }, stats.waitingQueue);
    },
  });
  return {
    reconnects: new Counter({
      name: "zapflow_worker_session_reconnects_total",
      help: "Reconnect attempts scheduled after a disconnect",
      registers: [registry],
    }),
    leaseLost: new Counter({
      name: "zapflow_worker_session_leases_lost_total",
      help: "Session leases this worker failed to renew (socket closed at once)",
      registers: [registry],
    }),
  };
}

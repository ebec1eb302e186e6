// Demo mode: the dashboard's "Simulate scan" / "Simulate code confirmation" buttons call the
// worker's simulator admin API (only with ENABLE_SIMULATOR_API=true, never in production).
import { randomInt } from "node:crypto";

export function demoModeEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.ENABLE_SIMULATOR_API === "true" && env.NODE_ENV !== "production";
}

/** Base URL of the simulator admin routes served by the worker. */
export function simulatorAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  const worker = env.WORKER_URL ?? "http://127.0.0.1:3001";
  return env.SIMULATOR_ADMIN_URL ?? `${worker.replace(/\/$/, "")}/simulator/admin`;
}

export type DemoAction = { action: "scan"; sessionId: string; label: string } | { action: "confirm-code"; sessionId: string; code: string };

/** A made-up Brazilian mobile number for the simulated phone. */
function demoPhone(): string {
  return `55119${String(randomInt(10_000_000, 99_999_999))}`;
}

export async function runDemoAction(a: DemoAction): Promise<{ ok: boolean; status: number; error?: string }> {
  const base = simulatorAdminUrl();
  const [path, body] =
    a.action === "scan"
      ? ["/scan", { target: a.sessionId, phone: demoPhone(), pushName: a.label }]
      : ["/confirm-code", { sessionId: a.sessionId, code: a.code }];
  try {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.ok) return { ok: true, status: 200 };
    const detail = (await res.json().catch(() => ({}))) as { error?: string };
    return { ok: false, status: res.status, error: detail.error ?? `simulator answered ${res.status}` };
  } catch (err) {
    return { ok: false, status: 502, error: `simulator unreachable at ${base}: ${err instanceof Error ? err.message : err}` };
  }
}

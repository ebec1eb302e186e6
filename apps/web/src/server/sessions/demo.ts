// Demo mode: the dashboard's "Simulate scan" / "Simulate code confirmation" buttons call the
// worker's simulator controls. `next start` always runs with NODE_ENV=production, so the web side
// keys on ENABLE_SIMULATOR_API alone; the worker is the gate that matters: it serves /simulator/*
// only with ENABLE_SIMULATOR_API=true, a simulator engine, and its own NODE_ENV not production.
import { randomInt } from "node:crypto";

export function demoModeEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.ENABLE_SIMULATOR_API === "true";
}

/** Base URL of the worker's simulator controls (POST /simulator/scan, /simulator/pairing-confirm). */
export function simulatorControlsUrl(env: NodeJS.ProcessEnv = process.env): string {
  const worker = env.WORKER_URL ?? "http://127.0.0.1:3001";
  return `${worker.replace(/\/$/, "")}/simulator`;
}

export type DemoAction =
  | { action: "scan"; sessionId: string; label: string }
  | { action: "confirm-code"; sessionId: string; code: string };

/** A made-up Brazilian mobile number for the simulated phone. */
function demoPhone(): string {
  return `55119${String(randomInt(10_000_000, 99_999_999))}`;
}

export async function runDemoAction(a: DemoAction): Promise<{ ok: boolean; status: number; error?: string }> {
  const base = simulatorControlsUrl();
  const [path, body] =
    a.action === "scan"
      ? ["/scan", { sessionId: a.sessionId, phone: demoPhone(), pushName: a.label }]
      : ["/pairing-confirm", { sessionId: a.sessionId, code: a.code }];
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
    return {
      ok: false,
      status: 502,
      error: `simulator unreachable at ${base}: ${err instanceof Error ? err.message : err}`,
    };
  }
}

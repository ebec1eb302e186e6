// Real Baileys 7.0.0-rc14 against the protocol simulator, which runs in a child process so this
// process's RSS is Baileys alone: RSS per connected idle session at BENCH_BAILEYS_SESSIONS
// (default 50,200,500) and send throughput through real Baileys for 1 and for 50 sessions.
// Sessions use production-like options (silent logger, no history sync, no store) and an in-memory
// key store, which keeps each session's 812 uploaded pre-key pairs in this process.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  login,
  memoryAuthState,
  pairByQr,
  type SimulatorEndpoint,
  trustSimulator,
} from "@zapflow/whatsapp/protocol-sim";

type Socket = Awaited<ReturnType<typeof login>>;

const TARGETS = (process.env.BENCH_BAILEYS_SESSIONS ?? "50,200,500")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
/** Stop adding sessions after this long and report what was reached. */
const BUDGET_MS = Number(process.env.BENCH_BAILEYS_BUDGET_MS ?? 480_000);
const PAIRING_CONCURRENCY = Number(process.env.BENCH_BAILEYS_CONCURRENCY ?? 8);
const SETTLE_MS = 3_000;
const SINGLE_SESSION_MESSAGES = 300;
const MULTI_SESSION_COUNT = 50;
const MULTI_SESSION_PER_SESSION = 20;
const SIM_CLI = fileURLToPath(new URL("../../packages/whatsapp/src/protocol-sim/cli.ts", import.meta.url));

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SimProcess extends SimulatorEndpoint {
  adminUrl: string;
  stop(): void;
}

/** The simulator CLI on ephemeral ports, in its own process group (stopped by pid). */
async function startSimulator(): Promise<SimProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", SIM_CLI, "--port", "0", "--admin-port", "0", "--seed", "bench"],
    { cwd: dirname(SIM_CLI), stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
  const stop = () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
  };
  let output = "";
  const info = await new Promise<{ wsUrl: string; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("protocol simulator did not start in 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`protocol simulator exited (${code}): ${output}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      try {
        const parsed = JSON.parse(output) as { wsUrl: string; adminUrl: string };
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // the JSON document is not complete yet
      }
    });
  }).catch((error) => {
    stop();
    throw error;
  });
  return { ...info, stop };
}

async function admin<T>(sim: SimProcess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.adminUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const phoneOf = (i: number) => `1666${String(i).padStart(7, "0")}`;

async function addSession(sim: SimProcess, index: number): Promise<Socket> {
  const auth = memoryAuthState();
  await pairByQr(sim, auth, (qr) => admin(sim, "POST", "/scan", { qr, phone: phoneOf(index) }));
  return login(sim, auth);
}

function measure() {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

async function sentTotal(sim: SimProcess, ids: Set<string>): Promise<number> {
  const { devices } = await admin<{ devices: { id: string; sentCount: number }[] }>(sim, "GET", "/devices");
  return devices.filter((d) => ids.has(d.id)).reduce((sum, d) => sum + d.sentCount, 0);
}

/** Messages/s from the first send until the simulator has decrypted every one of them. */
async function throughput(
  sim: SimProcess,
  sockets: Socket[],
  perSession: number,
): Promise<Record<string, number>> {
  const ids = new Set(sockets.map((s) => (s.user?.id ?? "").replace(/@.*/, "")));
  const before = await sentTotal(sim, ids);
  const total = sockets.length * perSession;
  const started = Date.now();
  await Promise.all(
    sockets.map(async (sock, i) => {
      const to = `1777${String(i).padStart(7, "0")}@s.whatsapp.net`;
      for (let n = 0; n < perSession; n++) await sock.sendMessage(to, { text: `bench ${i}/${n}` });
    }),
  );
  const deadline = Date.now() + 120_000;
  while ((await sentTotal(sim, ids)) - before < total) {
    if (Date.now() > deadline) throw new Error("simulator did not receive every bench message in 120 s");
    await sleep(50);
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    sessions: sockets.length,
    messages: total,
    seconds,
    messagesPerSecond: Math.round(total / seconds),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  trustSimulator();
  const sim = await startSimulator();
  const sockets: Socket[] = [];
  try {
    await sleep(500);
    const baseline = measure();
    const started = Date.now();
    const rss: Record<string, unknown>[] = [];
    const sends: Record<string, unknown> = {};
    let stoppedEarly: string | undefined;
    for (const target of TARGETS) {
      const growStart = Date.now();
      const before = sockets.length;
      while (sockets.length < target && !stoppedEarly) {
        if (Date.now() - started > BUDGET_MS) {
          stoppedEarly = `time budget of ${BUDGET_MS} ms reached at ${sockets.length} sessions`;
          break;
        }
        const batch = Math.min(PAIRING_CONCURRENCY, target - sockets.length);
        const base = sockets.length;
        sockets.push(
          ...(await Promise.all(Array.from({ length: batch }, (_, k) => addSession(sim, base + k)))),
        );
      }
      await sleep(SETTLE_MS);
      const now = measure();
      rss.push({
        sessions: sockets.length,
        target,
        rssMB: mb(now.rss),
        rssPerSessionMB: mb((now.rss - baseline.rss) / Math.max(1, sockets.length)),
        heapPerSessionMB: mb((now.heapUsed - baseline.heapUsed) / Math.max(1, sockets.length)),
        pairAndLoginSecondsPerSession:
          Math.round(
            ((Date.now() - growStart - SETTLE_MS) / 1000 / Math.max(1, sockets.length - before)) * 100,
          ) / 100,
      });
      if (!sends.oneSession && sockets.length >= MULTI_SESSION_COUNT) {
        sends.oneSession = await throughput(sim, sockets.slice(0, 1), SINGLE_SESSION_MESSAGES);
        sends.fiftySessions = await throughput(
          sim,
          sockets.slice(0, MULTI_SESSION_COUNT),
          MULTI_SESSION_PER_SESSION,
        );
      }
      if (stoppedEarly) break;
    }
    return {
      baselineRssMB: mb(baseline.rss),
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
      targetPerSessionMB: 10,
      rss,
      sends,
      ...(stoppedEarly ? { stoppedEarly } : {}),
    };
  } finally {
    for (const sock of sockets) sock.end(undefined);
    sim.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run().then((result) => {
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  });
}

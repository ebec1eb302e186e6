// RSS per connected simulated session at 1,000 sessions in one worker process: the sessions
// domain's real code path (SessionManager → runners → PostgresAuthStore, leases in Redis, status
// rows in Postgres) against the in-process simulator engine. Runs in a child process so the
// figures are not polluted by other bench parts; the child prints one JSON line.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000);
const PAIR_CONCURRENCY = 25;
const here = fileURLToPath(import.meta.url);
const tsxBin = join(dirname(here), "../../node_modules/.bin/tsx");

export async function run(): Promise<Record<string, unknown>> {
  const child = spawn(tsxBin, [here], {
    env: { ...process.env, SESSIONS_RSS_CHILD: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const line = out.trim().split("\n").at(-1);
  if (code !== 0 || !line) throw new Error(`sessions-rss child failed (exit ${code}): ${out.slice(-500)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

async function measureInChild(): Promise<Record<string, unknown>> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage();
  };
  const { createSessionsHarness, waitFor } = await import("@zapflow/worker/testing");
  const h = await createSessionsHarness("benchrss", {
    env: {
      MAX_SESSIONS: String(SESSIONS),
      RECONCILE_INTERVAL_MS: "600000",
      STATUS_DEBOUNCE_MS: "5000",
      SESSION_LEASE_MS: "30000",
      DB_POOL_MAX: "10",
    },
    simulator: { logLimit: 10 },
  });
  try {
    const baseline = await settle();
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) ids.push(await h.createSession(`rss${i}`));
    const pairStarted = Date.now();
    for (let i = 0; i < ids.length; i += PAIR_CONCURRENCY) {
      await Promise.all(
        ids.slice(i, i + PAIR_CONCURRENCY).map(async (id, k) => {
          await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });
          await h.manager.startSession(id);
          await waitFor(() => h.sim.sessionInfo(id).qr, { timeoutMs: 30_000 });
          h.sim.scanQr(id, String(5511900000000 + i + k));
          await waitFor(() => h.bus.get(id), { timeoutMs: 30_000, intervalMs: 20 });
        }),
      );
    }
    const pairMs = Date.now() - pairStarted;
    const connected = h.bus.liveSessionIds().length;
    const loaded = await settle();
    const cpuStart = process.cpuUsage();
    const idleWindowMs = 5_000;
    await new Promise((resolve) => setTimeout(resolve, idleWindowMs));
    const cpu = process.cpuUsage(cpuStart);
    return {
      sessions: SESSIONS,
      connected,
      baselineRssMb: mb(baseline.rss),
      rssMb: mb(loaded.rss),
      rssGrowthMb: mb(loaded.rss - baseline.rss),
      rssPerSessionMb: mb((loaded.rss - baseline.rss) / connected),
      heapUsedPerSessionKb: Math.round((loaded.heapUsed - baseline.heapUsed) / connected / 1024),
      externalPerSessionKb: Math.round((loaded.external - baseline.external) / connected / 1024),
      pairAndConnectMs: pairMs,
      idleCpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / idleWindowMs) * 1000) / 10,
      note: "one process: worker sessions domain + the in-process simulator's server-side state for each session",
    };
  } finally {
    await h.close();
  }
}

if (process.env.SESSIONS_RSS_CHILD === "1") {
  measureInChild().then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
      process.exit(1);
    },
  );
}

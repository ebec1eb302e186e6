// Spawns real worker processes (send-worker-child.ts) and pre-pairs simulator sessions for them.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PrismaClient } from "@zapflow/db";
import {
  createSimulatorEngine,
  InMemoryAuthStore,
  type WhatsappSimulator,
} from "@zapflow/whatsapp/simulator";
import { LIMITS_OFF } from "./messaging-harness";

const childScript = join(dirname(fileURLToPath(import.meta.url)), "send-worker-child.ts");

export interface ChildSession {
  sessionId: string;
  companyId: string;
  creds: unknown;
}

/** Pairs `sessionId` with `phone` on the simulator and returns the creds a worker logs in with. */
async function prePair(sim: WhatsappSimulator, sessionId: string, phone: string): Promise<unknown> {
  const store = new InMemoryAuthStore();
  const session = createSimulatorEngine(sim, { clientId: "pairing" }).createSession({
    sessionId,
    authStore: store,
  });
  const opened = new Promise<void>((resolve) => session.on("connection", (s) => s === "open" && resolve()));
  session.on("qr", () => sim.scanQr(sessionId, phone));
  await session.connect();
  await opened;
  await session.close();
  return store.readCreds();
}

/** One CONNECTED simulator session row per phone (paired long ago: no warm-up), each paired on the
 *  simulator, ready to hand to spawnWorker. */
export async function prePairSessions(
  prisma: PrismaClient,
  sim: WhatsappSimulator,
  opts: { companyId: string; label: string; phones: string[] },
): Promise<ChildSession[]> {
  const sessions: ChildSession[] = [];
  for (const [i, phone] of opts.phones.entries()) {
    const row = await prisma.whatsappSession.create({
      data: {
        companyId: opts.companyId,
        label: `${opts.label}${i}`,
        engine: "SIMULATOR",
        status: "CONNECTED",
        pairedAt: new Date(0),
      },
    });
    sessions.push({ sessionId: row.id, companyId: opts.companyId, creds: await prePair(sim, row.id, phone) });
  }
  return sessions;
}

export interface WorkerChild {
  process: ChildProcess;
  /** Last HEALTH line: true = Redis and Postgres reachable. */
  healthy: boolean | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnWorker(
  env: Record<string, string>,
  sessions: ChildSession[],
): Promise<WorkerChild> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript], {
    env: { ...process.env, ...LIMITS_OFF, ...env, CHILD_SESSIONS: JSON.stringify(sessions) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const handle: WorkerChild = {
    process: child,
    healthy: undefined,
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      // A graceful stop that hangs must not hang the test file: escalate, and say so.
      const escalate = setTimeout(() => {
        process.stderr.write(`worker did not exit within 20 s of ${signal}; sending SIGKILL\n${stderr}\n`);
        child.kill("SIGKILL");
      }, 20_000);
      await exited;
      clearTimeout(escalate);
    },
  };
  let stderr = "";
  child.stderr?.on("data", (d) => {
    if (process.env.CHILD_STDERR) process.stderr.write(d);
    stderr = (stderr + String(d)).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in 30 s: ${stderr}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
    child.stdout?.on("data", (d: Buffer) => {
      for (const line of String(d).split("\n")) {
        if (line === "READY") {
          clearTimeout(timer);
          resolve();
        }
        if (line.startsWith("HEALTH ")) handle.healthy = line === "HEALTH up";
      }
    });
  });
  return handle;
}

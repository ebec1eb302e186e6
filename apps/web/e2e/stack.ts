// Brings up the whole product for browser tests: a fresh database with the demo seed, a Redis
// prefix, the worker (in-process WhatsApp simulator + its simulator controls) and the web app from
// a production build (`next build` + `next start`). Each process runs in its own process group and
// is stopped by group id. `startStack({ engine: "protocol-sim" })` runs the worker's real Baileys
// engine against the protocol simulator CLI instead (its admin API behind the demo controls).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { seed } from "@zapflow/db/seed";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createTestPrefix, deleteRedisPrefix } from "@zapflow/queue/testing";

const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = join(webDir, "../..");

export interface Stack {
  baseUrl: string;
  db: TestDatabase;
  prefix: string;
  password: string;
  logs: () => string;
  /** With engine "protocol-sim": the admin API URL of the simulator the worker's Baileys uses. */
  protocolSimAdminUrl?: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** "simulator" (default): in-process simulator engine; "protocol-sim": real Baileys + protocol simulator. */
  engine?: "simulator" | "protocol-sim";
}

/** Two ports in 3100–3199 (this package's range), varied per run so a leftover never collides. */
function pickPorts(): { web: number; worker: number } {
  const base = 3100 + 2 * Math.floor(Math.random() * 45);
  return { web: base, worker: base + 1 };
}

async function waitFor(url: string, timeoutMs: number, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`process for ${url} exited with ${proc.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms (${last})`);
}

function stopGroup(proc: ChildProcess | undefined): Promise<void> {
  if (!proc?.pid || proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      resolve();
    }, 10_000);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-proc.pid!, "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** The protocol simulator CLI in its own process group, and the worker env for real Baileys against it. */
async function startProtocolSim(
  dataDir: string,
): Promise<{ proc: ChildProcess; adminUrl: string; env: Record<string, string> }> {
  const certFile = join(dataDir, "protocol-sim-media.pem");
  const proc = spawn(
    "npx",
    [
      "tsx",
      "packages/whatsapp/src/protocol-sim/cli.ts",
      "--port",
      "0",
      "--admin-port",
      "0",
      "--media-cert-out",
      certFile,
    ],
    { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let banner = "";
  const info = await new Promise<{ wsUrl: string; adminUrl: string; rootPublicKey: string }>(
    (resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`protocol simulator: no banner (${banner})`)), 60_000);
      const onBanner = (chunk: Buffer) => {
        banner += chunk.toString();
        try {
          resolve(JSON.parse(banner));
          clearTimeout(timer);
          proc.stdout?.off("data", onBanner);
        } catch {
          // the JSON banner is not complete yet
        }
      };
      proc.stdout?.on("data", onBanner);
      proc.once("exit", (code) => reject(new Error(`protocol simulator exited with ${code}`)));
    },
  ).catch(async (error) => {
    await stopGroup(proc);
    throw error;
  });
  const env = {
    WA_ENGINE: "baileys",
    WA_WEBSOCKET_URL: info.wsUrl,
    WA_TRUSTED_ROOT_KEY: info.rootPublicKey,
    WA_PROTOCOL_SIM_ADMIN_URL: info.adminUrl,
    NODE_EXTRA_CA_CERTS: certFile,
  };
  return { proc, adminUrl: info.adminUrl, env };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const db = await createTestDatabase("e2e");
  const prefix = createTestPrefix("e2e");
  const { password } = await seed(db.prisma, { password: "e2e-password" });
  const ports = pickPorts();
  const baseUrl = `http://127.0.0.1:${ports.web}`;
  const dataDir = mkdtempSync(join(tmpdir(), "zapflow-e2e-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
    NEXTAUTH_URL: baseUrl,
    WA_ENGINE: "simulator",
    ENABLE_SIMULATOR_API: "true",
    WORKER_PORT: String(ports.worker),
    WORKER_URL: `http://127.0.0.1:${ports.worker}`,
    STORAGE_DIR: join(dataDir, "storage"),
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (process.env.E2E_SKIP_BUILD !== "1") {
    execFileSync("npx", ["next", "build"], {
      cwd: webDir,
      env: { ...env, NODE_ENV: "production" },
      stdio: "inherit",
    });
  }
  let output = "";
  const capture = (proc: ChildProcess, tag: string) => {
    const append = (chunk: Buffer) => {
      output = `${output}${chunk.toString().replace(/^/gm, `[${tag}] `)}`.slice(-40_000);
    };
    proc.stdout?.on("data", append);
    proc.stderr?.on("data", append);
  };
  const protocolSim = options.engine === "protocol-sim" ? await startProtocolSim(dataDir) : undefined;
  if (protocolSim) capture(protocolSim.proc, "protocol-sim");
  const worker = spawn("npx", ["tsx", "apps/worker/src/main.ts"], {
    cwd: repoRoot,
    env: { ...env, ...protocolSim?.env, NODE_ENV: "development" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  capture(worker, "worker");
  // Started from apps/web: Bull Board resolves its static assets from the cwd.
  const web = spawn("npx", ["next", "start", "-p", String(ports.web), "-H", "127.0.0.1"], {
    cwd: webDir,
    env: { ...env, NODE_ENV: "production" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  capture(web, "web");
  const stop = async () => {
    await Promise.all([stopGroup(web), stopGroup(worker)]);
    await stopGroup(protocolSim?.proc);
    await deleteRedisPrefix(prefix);
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all([
      // A page, not /api/health: the first server code to touch the database must be a page or an
      // API route as in real use (the health route creating the shared client first hid a bug).
      waitFor(`${baseUrl}/signin`, 90_000, web),
      waitFor(`http://127.0.0.1:${ports.worker}/health`, 90_000, worker),
    ]);
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : err}\n${output}`);
  }
  return {
    baseUrl,
    db,
    prefix,
    password,
    logs: () => output,
    protocolSimAdminUrl: protocolSim?.adminUrl,
    stop,
  };
}

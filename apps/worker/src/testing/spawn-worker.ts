// Runs `tsx apps/worker/src/main.ts` as a real child process (multi-worker tests), in its own
// process group so a test can SIGKILL / SIGTERM exactly the worker it started.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const workerDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
const tsxBin = join(workerDir, "../../node_modules/.bin/tsx");

export interface SpawnedWorker {
  readonly name: string;
  readonly process: ChildProcess;
  /** JSON log lines seen so far (non-JSON output kept as {msg}). */
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  /** Resolves once a log line matches. */
  waitForLog(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  signal(signal: NodeJS.Signals): void;
}

export function spawnWorker(name: string, env: Record<string, string>): SpawnedWorker {
  const child = spawn(tsxBin, ["src/main.ts"], {
    cwd: workerDir,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", WORKER_ID: name, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const logs: Record<string, unknown>[] = [];
  const waiters = new Set<{
    match: (line: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }>();
  const onLine = (text: string) => {
    if (!text.trim()) return;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    if (logs.length > 5_000) logs.splice(0, 1_000);
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    name,
    process: child,
    logs,
    exited,
    waitForLog(match, timeoutMs = 30_000) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `worker ${name}: no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(logs.slice(-5))}`,
            ),
          );
        }, timeoutMs);
        waiter.resolve = (line) => {
          clearTimeout(timer);
          resolve(line);
        };
        waiters.add(waiter);
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          reject(new Error(`worker ${name} exited; last: ${JSON.stringify(logs.slice(-5))}`));
        });
      });
    },
    signal(signal) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        // SIGKILL the whole group (tsx and the node process it runs: tsx cannot relay a KILL);
        // other signals go to tsx only, which relays them once — as an orchestrator would send them.
        process.kill(signal === "SIGKILL" ? -child.pid : child.pid, signal);
      } catch {
        // already gone
      }
    },
  };
}

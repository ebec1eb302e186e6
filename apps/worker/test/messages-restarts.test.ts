// Restarting Redis (a test-owned instance, append-only on as in production) and, separately,
// Postgres (a test-owned cluster) in the middle of a send run: the worker reports unhealthy while
// one is down, reconnects by itself, nothing is lost and nothing is sent twice.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { acceptOutboundMessages } from "@zapflow/queue/services/messages";
import { createTestPrefix } from "@zapflow/queue/testing";
import { SimulatorServer } from "@zapflow/whatsapp/simulator";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { prePairSessions, spawnWorker, type WorkerChild } from "./support/child-workers";
import { waitFor } from "./support/messaging-harness";

const PORT = 6393;
const REDIS_URL = `redis://127.0.0.1:${PORT}`;
let dir: string;
let redis: ChildProcess | undefined;
let db: TestDatabase;
let server: SimulatorServer;
let connection: Redis;
let queues: QueueRegistry;
let worker: WorkerChild | undefined;

async function startRedis(): Promise<void> {
  redis = spawn(
    "redis-server",
    [
      "--port",
      String(PORT),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    { stdio: "ignore" },
  );
  await waitFor(async () => {
    try {
      return (
        execFileSync("redis-cli", ["-p", String(PORT), "ping"])
          .toString()
          .trim() === "PONG"
      );
    } catch {
      return false;
    }
  }, 10_000);
}

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_PORT = 5437;

function asPostgres(command: string): void {
  execFileSync("su", ["postgres", "-c", command], { stdio: "ignore" });
}

/** A throw-away cluster (initdb into a temp dir, run as the postgres user) with a migrated test DB. */
async function startOwnPostgres() {
  const dataDir = await mkdtemp(join(tmpdir(), "zf-pg-"));
  execFileSync("chown", ["postgres", dataDir]);
  asPostgres(`${PG_BIN}/initdb -D ${dataDir} -A trust -U postgres >/dev/null`);
  const start = async () =>
    asPostgres(
      `${PG_BIN}/pg_ctl -D ${dataDir} -l ${dataDir}/log -w -o "-p ${PG_PORT} -k ${dataDir} -c listen_addresses=127.0.0.1" start`,
    );
  const stop = async () => asPostgres(`${PG_BIN}/pg_ctl -D ${dataDir} -m fast -w stop`);
  await start();
  const previous = process.env.TEST_PG_ADMIN_URL;
  process.env.TEST_PG_ADMIN_URL = `postgresql://postgres@127.0.0.1:${PG_PORT}/postgres`;
  try {
    const database = await createTestDatabase("pgrestart");
    return {
      db: database,
      start,
      stop,
      async destroy() {
        await database.prisma.$disconnect();
        await stop().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } finally {
    if (previous === undefined) delete process.env.TEST_PG_ADMIN_URL;
    else process.env.TEST_PG_ADMIN_URL = previous;
  }
}

async function stopRedis(): Promise<void> {
  const proc = redis;
  redis = undefined;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM"); // redis flushes the append-only file and exits
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zf-redis-"));
  await startRedis();
  db = await createTestDatabase("msgrestart");
  connection = createRedisConnection(REDIS_URL, { forWorker: true });
  connection.on("error", () => undefined);
  queues = new QueueRegistry({ connection, prefix: createTestPrefix("msgrestart") });
  server = new SimulatorServer({
    restartAfterPairing: false,
    latency: { ackMs: 1, deliveredMs: 5, readMs: 60_000 },
  });
  await server.start();
});

afterAll(async () => {
  await worker?.kill();
  await queues?.close();
  connection?.disconnect();
  await stopRedis();
  await server?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function sendRun(
  database: TestDatabase,
  label: string,
  outage: { stop: () => Promise<void>; start: () => Promise<void> },
): Promise<void> {
  const total = 300;
  const company = await database.prisma.company.create({ data: { name: label, slug: label } });
  const phones = [0, 1, 2].map((i) => `55119${label.length}${label.charCodeAt(0)}${i}000`);
  const sessions = await prePairSessions(database.prisma, server.simulator, {
    companyId: company.id,
    label,
    phones,
  });
  worker = await spawnWorker(
    {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: queues.prefix,
      SIM_URL: server.url,
      CHILD_LOCK_MS: "3000",
    },
    sessions,
  );
  const inputs = sessions.flatMap((s) =>
    Array.from({ length: total / sessions.length }, (_, i) => ({
      sessionId: s.sessionId,
      to: `55218${String(i).padStart(7, "0")}`,
      type: "text",
      text: `${label}${i}`,
    })),
  );
  await acceptOutboundMessages({ prisma: database.prisma, queues }, company.id, inputs);
  const ids = sessions.map((s) => s.sessionId);
  const sent = () => ids.reduce((n, id) => n + server.simulator.sentLog(id).length, 0);
  await waitFor(async () => sent() >= 30 && worker?.healthy === true, 60_000);

  await outage.stop();
  // Health is polled every 500 ms with a 1 s bound; 20 s leaves room for a loaded CI machine.
  await waitFor(async () => worker?.healthy === false, 20_000);
  await new Promise((r) => setTimeout(r, 3_000));
  await outage.start();
  await waitFor(async () => worker?.healthy === true, 30_000);

  await waitFor(
    async () =>
      (await database.prisma.message.count({ where: { companyId: company.id, sentAt: { not: null } } })) ===
      total,
    120_000,
    500,
  ).catch(async (err) => {
    const rows = await database.prisma.message.groupBy({
      by: ["status"],
      where: { companyId: company.id, sentAt: null },
      _count: true,
    });
    const sample = await database.prisma.message.findFirst({
      where: { companyId: company.id, sentAt: null },
    });
    console.log(
      "DIAG",
      worker?.process.exitCode,
      worker?.process.signalCode,
      worker?.healthy,
      sent(),
      JSON.stringify(rows),
      JSON.stringify(sample),
    );
    throw err;
  });
  const log = ids.flatMap((id) => server.simulator.sentLog(id));
  expect(log).toHaveLength(total);
  expect(new Set(log.map((r) => r.messageId)).size).toBe(total);
  await worker.kill("SIGTERM");
  worker = undefined;
}

it("survives a Redis restart mid-run: unhealthy while down, then every message sent once", async () => {
  await sendRun(db, "redis", { stop: stopRedis, start: startRedis });
}, 240_000);

it("survives a Postgres restart mid-run: unhealthy while down, then every message sent once", async () => {
  const pg = await startOwnPostgres();
  try {
    await sendRun(pg.db, "postgres", { stop: pg.stop, start: pg.start });
  } finally {
    await pg.destroy();
  }
}, 240_000);

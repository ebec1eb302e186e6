// In-process sessions domain for tests and benches: a fresh database, its own Redis prefix, an
// in-process WhatsappSimulator behind the simulator engine, and the sessions module started on a
// real WorkerContext.
import { type PrismaClient, SessionStatus } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import type { WhatsappEngine } from "@zapflow/whatsapp";
import { createSimulatorEngine, type SimulatorOptions, WhatsappSimulator } from "@zapflow/whatsapp/simulator";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../config";
import type { WorkerContext } from "../context";
import { SessionBus } from "../session-bus";
import type { SessionManager } from "../sessions/manager";
import { createSessionsModule, type SessionsModule } from "../sessions/module";
import { waitFor } from "./wait";

type RedisClient = ReturnType<typeof createRedisConnection>;

export interface SessionsHarness {
  db: TestDatabase;
  prisma: PrismaClient;
  prefix: string;
  connection: RedisClient;
  queues: QueueRegistry;
  sim: WhatsappSimulator;
  bus: SessionBus;
  ctx: WorkerContext;
  module: SessionsModule;
  manager: SessionManager;
  companyId: string;
  /** A session row (desired DISCONNECTED) of the harness company. */
  createSession(label?: string): Promise<string>;
  /** Start through the manager, scan the QR in the simulator, wait until CONNECTED. */
  pairByQr(sessionId: string, phone: string): Promise<void>;
  waitForStatus(sessionId: string, status: SessionStatus, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SessionsHarnessOptions {
  env?: Record<string, string>;
  /** Another engine instead of the in-process simulator's (e.g. Baileys against a local server). */
  engine?: WhatsappEngine;
  simulator?: SimulatorOptions;
  logLevel?: string;
}

let sessionCounter = 0;

export async function createSessionsHarness(
  label: string,
  opts: SessionsHarnessOptions = {},
): Promise<SessionsHarness> {
  const db = await createTestDatabase(label);
  const prefix = createTestPrefix(label);
  const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  const queues = new QueueRegistry({ connection, prefix });
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WA_ENGINE: "simulator",
    NODE_ENV: "test",
    WORKER_ID: `${label}-worker`,
    STATUS_DEBOUNCE_MS: "0",
    ...opts.env,
  });
  const sim = new WhatsappSimulator({ seed: 7, ...opts.simulator });
  const logger = pino({
    level: opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? "silent",
    base: { workerId: config.workerId },
  });
  const bus = new SessionBus();
  const ctx: WorkerContext = {
    config,
    workerId: config.workerId,
    prisma: db.prisma,
    logger,
    metrics: new Registry(),
    bus,
  };
  const module = createSessionsModule({
    engine: opts.engine ?? createSimulatorEngine(sim, { clientId: config.workerId }),
    connection,
  });
  await module.start(ctx);
  const manager = module.manager!;
  const company = await db.prisma.company.create({
    data: { name: `Test ${label}`, slug: `t-${label}-${prefix}` },
  });

  const waitForStatus = async (sessionId: string, status: SessionStatus, timeoutMs = 10_000) => {
    await waitFor(
      async () =>
        (await db.prisma.whatsappSession.findUnique({ where: { id: sessionId }, select: { status: true } }))
          ?.status === status,
      { timeoutMs, what: `session ${sessionId} ${status}` },
    );
  };

  return {
    db,
    prisma: db.prisma,
    prefix,
    connection,
    queues,
    sim,
    bus,
    ctx,
    module,
    manager,
    companyId: company.id,
    async createSession(name) {
      const row = await db.prisma.whatsappSession.create({
        data: { companyId: company.id, label: name ?? `s${++sessionCounter}`, engine: "SIMULATOR" },
      });
      return row.id;
    },
    async pairByQr(sessionId, phone) {
      await db.prisma.whatsappSession.update({
        where: { id: sessionId },
        data: { desiredState: "CONNECTED" },
      });
      await manager.startSession(sessionId);
      await waitFor(() => sim.sessionInfo(sessionId).qr, { what: "QR issued" });
      sim.scanQr(sessionId, phone);
      await waitForStatus(sessionId, SessionStatus.CONNECTED);
    },
    waitForStatus,
    async close() {
      await module.stop();
      sim.shutdown();
      await queues.close();
      await connection.quit().catch(() => connection.disconnect());
      await db.drop();
      await deleteRedisPrefix(prefix);
    },
  };
}

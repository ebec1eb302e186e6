// Test harness of the messaging domain: a real database and Redis prefix, a WorkerContext, the
// messages + maintenance modules, and simulator sessions wired to the bus the way the sessions
// domain does it (the simulator stands in only for WhatsApp's servers).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDiskStorage } from "@zapflow/db/storage";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import { createSimulatorEngine, InMemoryAuthStore, WhatsappSimulator } from "@zapflow/whatsapp/simulator";
import type { Redis } from "ioredis";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config";
import type { WorkerContext } from "../../src/context";
import { createMaintenanceModule } from "../../src/maintenance/module";
import { createMessagesModule, type MessagesModuleOptions } from "../../src/messages/module";
import { SessionBus } from "../../src/session-bus";

/** Limits and pacing off unless a test sets them on the company's policy row. */
export const LIMITS_OFF = {
  LIMIT_PER_NUMBER_PER_MINUTE: "0",
  LIMIT_PER_NUMBER_PER_DAY: "0",
  LIMIT_PER_COMPANY_PER_MINUTE: "0",
  LIMIT_PER_COMPANY_PER_DAY: "0",
  WARMUP_ENABLED: "false",
  SEND_MIN_DELAY_MS: "0",
  SEND_MAX_DELAY_MS: "0",
  TYPING_PRESENCE: "false",
};

export interface Harness {
  db: TestDatabase;
  prefix: string;
  connection: Redis;
  queues: QueueRegistry;
  sim: WhatsappSimulator;
  ctx: WorkerContext;
  messages: ReturnType<typeof createMessagesModule>;
  storage: LocalDiskStorage;
  maintenance: ReturnType<typeof createMaintenanceModule>;
  companyId: string;
  connectSession(label: string, phone: string): Promise<string>;
  close(): Promise<void>;
}

export async function createHarness(
  label: string,
  env: Record<string, string> = {},
  opts: MessagesModuleOptions = {},
): Promise<Harness> {
  Object.assign(process.env, LIMITS_OFF);
  const db = await createTestDatabase(label);
  const prefix = createTestPrefix(label);
  const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  const queues = new QueueRegistry({ connection, prefix });
  const mediaDir = await mkdtemp(join(tmpdir(), "zf-media-"));
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WA_ENGINE: "simulator",
    NODE_ENV: "test",
    ...env,
  });
  const ctx: WorkerContext = {
    config,
    workerId: config.workerId,
    prisma: db.prisma,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
    metrics: new Registry(),
    bus: new SessionBus(),
  };
  const storage = new LocalDiskStorage(mediaDir);
  const messages = createMessagesModule({
    connection,
    queues,
    storage,
    receiptFlushMs: 100,
    policyTtlMs: 500,
    ...opts,
  });
  const maintenance = createMaintenanceModule({
    connection,
    queues,
    intervals: { "recover-stuck": 3_600_000, "expire-queued": 3_600_000, retention: 3_600_000 },
  });
  await messages.start(ctx);
  await maintenance.start(ctx);
  const company = await db.prisma.company.create({ data: { name: "Acme", slug: `acme-${prefix}` } });
  const sim = new WhatsappSimulator({
    restartAfterPairing: false,
    latency: { ackMs: 1, deliveredMs: 5, readMs: 10 },
  });
  const engine = createSimulatorEngine(sim, { clientId: "test" });

  async function connectSession(sessionLabel: string, phone: string): Promise<string> {
    const row = await db.prisma.whatsappSession.create({
      data: {
        companyId: company.id,
        label: sessionLabel,
        engine: "SIMULATOR",
        status: "CONNECTED",
        pairedAt: new Date(Date.now() - 60 * 86_400_000),
      },
    });
    const session = engine.createSession({ sessionId: row.id, authStore: new InMemoryAuthStore() });
    const opened = new Promise<void>((resolve) => {
      session.on("connection", (state) => state === "open" && resolve());
    });
    session.on("qr", () => sim.scanQr(row.id, phone));
    const ids = { sessionId: row.id, companyId: company.id };
    session.on("receipts", (receipts) => ctx.bus.emit("receipts", { ...ids, receipts }));
    session.on("messages", (msgs) => ctx.bus.emit("inbound", { ...ids, messages: msgs }));
    session.on("lidMappings", (mappings) => ctx.bus.emit("lidMappings", { ...ids, mappings }));
    await session.connect();
    await opened;
    ctx.bus.markReady({ ...ids, engine: session });
    return row.id;
  }

  return {
    db,
    prefix,
    connection,
    queues,
    sim,
    ctx,
    messages,
    storage,
    maintenance,
    companyId: company.id,
    connectSession,
    async close() {
      await maintenance.stop();
      await messages.stop();
      sim.shutdown();
      await queues.close();
      connection.disconnect();
      await deleteRedisPrefix(prefix);
      await db.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false | null>,
  timeoutMs = 15_000,
  stepMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

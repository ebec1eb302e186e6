// A real worker process for the multi-process tests: the messages module plus simulator sessions
// over the SimulatorServer's WebSocket (creds pre-paired by the test). Prints READY once consuming.
import { createRedisConnection } from "@zapflow/queue";
import { createRemoteSimulatorEngine, InMemoryAuthStore } from "@zapflow/whatsapp/simulator";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config";
import { createMessagesModule } from "../../src/messages/module";
import { SessionBus } from "../../src/session-bus";

interface ChildSession {
  sessionId: string;
  companyId: string;
  creds: unknown;
}

const sessions = JSON.parse(process.env.CHILD_SESSIONS ?? "[]") as ChildSession[];
const config = loadConfig();
const bus = new SessionBus();
const connection = createRedisConnection(config.REDIS_URL, { forWorker: true });
const { createPrisma } = await import("@zapflow/db");
const prisma = createPrisma({ url: config.DATABASE_URL, max: 10 });
const logger = pino({ level: process.env.CHILD_LOG_LEVEL ?? "silent" });
const messages = createMessagesModule({
  connection,
  lockDurationMs: Number(process.env.CHILD_LOCK_MS ?? 30_000),
  policyTtlMs: 1_000,
  receiptFlushMs: 200,
});
await messages.start({ config, workerId: config.workerId, prisma, logger, metrics: new Registry(), bus });
const engine = createRemoteSimulatorEngine(process.env.SIM_URL as string, { clientId: config.workerId });
for (const s of sessions) {
  const store = new InMemoryAuthStore();
  await store.writeCreds(s.creds);
  const session = engine.createSession({ sessionId: s.sessionId, authStore: store });
  const opened = new Promise<void>((resolve) =>
    session.on("connection", (state) => state === "open" && resolve()),
  );
  session.on("receipts", (receipts) =>
    bus.emit("receipts", { sessionId: s.sessionId, companyId: s.companyId, receipts }),
  );
  await session.connect();
  await opened;
  bus.markReady({ sessionId: s.sessionId, companyId: s.companyId, engine: session });
}
setInterval(() => {
  void Promise.resolve(messages.healthy?.()).then((up) =>
    process.stdout.write(`HEALTH ${up ? "up" : "down"}\n`),
  );
}, 500);
process.stdout.write("READY\n");
process.on("SIGTERM", () => {
  void messages.stop().finally(() => process.exit(0));
});

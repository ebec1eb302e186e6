// End-to-end send throughput: accept → persist → queue → owner worker → simulator → SENT and
// DELIVERED written, for SESSIONS × PER_SESSION messages with limits off, next to raw BullMQ no-op
// throughput of the same shape (one queue per session, concurrency 1) on the same Redis.
import { createPrisma } from "@zapflow/db";
import { createTestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { acceptOutboundMessage, acceptOutboundMessages } from "@zapflow/queue/services/messages";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import { createSimulatorEngine, InMemoryAuthStore, WhatsappSimulator } from "@zapflow/whatsapp/simulator";
import { FlowProducer, Queue, Worker } from "bullmq";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../../apps/worker/src/config";
import { createMessagesModule } from "../../apps/worker/src/messages/module";
import { SessionBus } from "../../apps/worker/src/session-bus";
import { cpuPerUnit, sampleCpu } from "./cpu";

const SESSIONS = Number(process.env.BENCH_SEND_SESSIONS ?? 100);
const PER_SESSION = Number(process.env.BENCH_SEND_PER_SESSION ?? 200);
const ACCEPT_BATCH = 100;
const PRODUCERS = 4;
const SINGLE_ACCEPTS = 500;
const LIMITS_OFF = {
  LIMIT_PER_NUMBER_PER_MINUTE: "0",
  LIMIT_PER_NUMBER_PER_DAY: "0",
  LIMIT_PER_COMPANY_PER_MINUTE: "0",
  LIMIT_PER_COMPANY_PER_DAY: "0",
  WARMUP_ENABLED: "false",
  SEND_MIN_DELAY_MS: "0",
  SEND_MAX_DELAY_MS: "0",
  TYPING_PRESENCE: "false",
};

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The accept pattern both runs share: round j has one item per session (queue), cut into batches
 *  of ACCEPT_BATCH, so every batch is spread over many numbers as an API bulk call would be. */
function acceptBatches<K, T>(keys: K[], rounds: number, item: (key: K, i: number, j: number) => T): T[][] {
  const batches: T[][] = [];
  for (let j = 0; j < rounds; j++) {
    const round = keys.map((key, i) => item(key, i, j));
    for (let k = 0; k < round.length; k += ACCEPT_BATCH) batches.push(round.slice(k, k + ACCEPT_BATCH));
  }
  return batches;
}

/** Hands the batches to PRODUCERS concurrent callers, in order. */
async function produceConcurrently<T>(batches: T[][], send: (batch: T[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < batches.length) await send(batches[next++] as T[]);
    }),
  );
}

interface RawResult {
  rate: number;
  cpuUsPerJob: { node: number; redis: number };
}

/**
 * Raw BullMQ with no-op processors, one queue per session (concurrency 1), on the same Redis. Jobs
 * are added as the end-to-end run accepts messages: batches of ACCEPT_BATCH spread over the queues,
 * 4 producers at once, each batch in one MULTI. `consumeOnly` adds them all before the clock starts
 * (what the workers alone can drain); `addAndConsume` adds them inside the timed window.
 */
async function rawBullmq(
  prefix: string,
  mode: "consumeOnly" | "addAndConsume",
  perQueue = PER_SESSION,
  tag: string = mode,
): Promise<RawResult> {
  const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  const queues = Array.from(
    { length: SESSIONS },
    (_, i) => new Queue(`raw-${tag}-${i}`, { connection, prefix }),
  );
  const flows = new FlowProducer({ connection, prefix });
  const total = SESSIONS * perQueue;
  const batches = acceptBatches(queues, perQueue, (q, _i, j) => ({
    name: "noop",
    queueName: q.name,
    data: { j },
    opts: { removeOnComplete: true },
  }));
  const produce = () => produceConcurrently(batches, (batch) => flows.addBulk(batch));
  if (mode === "consumeOnly") await produce();
  const workers: Worker[] = [];
  let done = 0;
  const cpuBefore = await sampleCpu(connection);
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    for (const q of queues) {
      const w = new Worker(q.name, async () => undefined, { connection, prefix, concurrency: 1 });
      w.on("completed", () => {
        if (++done === total) resolve();
      });
      workers.push(w);
    }
  });
  if (mode === "addAndConsume") await produce();
  await finished;
  const rate = total / ((performance.now() - start) / 1000);
  const { node, redis } = cpuPerUnit(cpuBefore, await sampleCpu(connection), total);
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all([...queues.map((q) => q.close()), flows.close()]);
  connection.disconnect();
  return { rate, cpuUsPerJob: { node, redis } };
}

/** One message per call, one caller at a time: what an integrator's POST /messages waits for. */
async function singleAcceptLatencies(
  deps: Parameters<typeof acceptOutboundMessage>[0],
  companyId: string,
  sessionIds: string[],
): Promise<number[]> {
  const latencies: number[] = [];
  for (let n = 0; n < SINGLE_ACCEPTS; n++) {
    const t0 = performance.now();
    await acceptOutboundMessage(deps, companyId, {
      sessionId: sessionIds[n % sessionIds.length],
      to: `55319${String(n).padStart(8, "0")}`,
      type: "text",
      text: `single ${n}`,
    });
    latencies.push(performance.now() - t0);
  }
  return latencies.sort((a, b) => a - b);
}

export async function run(): Promise<Record<string, unknown>> {
  Object.assign(process.env, LIMITS_OFF);
  const rss = setInterval(sampleRss, 100);
  const db = await createTestDatabase("benchsend");
  const prefix = createTestPrefix("benchsend");
  const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  const queues = new QueueRegistry({ connection, prefix, maxSendQueues: SESSIONS * 2 });
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WA_ENGINE: "simulator",
  });
  // The worker's pool size (DB_POOL_MAX default 10) plus room for the accepting callers.
  const prisma = createPrisma({ url: db.url, max: 20 });
  const bus = new SessionBus();
  const ctx = {
    config,
    workerId: "bench",
    prisma,
    logger: pino({ level: "silent" }),
    metrics: new Registry(),
    bus,
  };
  const messages = createMessagesModule({ connection, queues });
  const sim = new WhatsappSimulator({
    restartAfterPairing: false,
    latency: { ackMs: 1, deliveredMs: 5, readMs: 60_000 },
  });
  const engine = createSimulatorEngine(sim);
  try {
    // Untimed warm-up: the first jobs of a process run cold (JIT), which would flatter the ratio.
    await rawBullmq(prefix, "addAndConsume", 20, "warmup");
    const raw = await rawBullmq(prefix, "consumeOnly");
    const rawWithAdds = await rawBullmq(prefix, "addAndConsume");
    await messages.start(ctx);
    const company = await prisma.company.create({ data: { name: "Bench", slug: prefix } });
    const sessionIds: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const row = await prisma.whatsappSession.create({
        data: { companyId: company.id, label: `n${i}`, engine: "SIMULATOR", status: "CONNECTED" },
      });
      const session = engine.createSession({ sessionId: row.id, authStore: new InMemoryAuthStore() });
      const opened = new Promise<void>((r) => session.on("connection", (s) => s === "open" && r()));
      session.on("qr", () => sim.scanQr(row.id, `55119${String(i).padStart(8, "0")}`));
      session.on("receipts", (receipts) =>
        bus.emit("receipts", { sessionId: row.id, companyId: company.id, receipts }),
      );
      await session.connect();
      await opened;
      bus.markReady({ sessionId: row.id, companyId: company.id, engine: session });
      sessionIds.push(row.id);
    }
    await new Promise((r) => setTimeout(r, 500)); // send workers up

    const total = SESSIONS * PER_SESSION;
    const cpuBefore = await sampleCpu(connection, prisma);
    const acceptLatencies: number[] = [];
    const start = performance.now();
    // Accept traffic as the API would: batches spread over the sessions, PRODUCERS callers at once.
    const batches = acceptBatches(sessionIds, PER_SESSION, (sessionId, i, j) => ({
      sessionId,
      to: `55219${String((i * PER_SESSION + j) % 5000).padStart(8, "0")}`,
      type: "text" as const,
      text: `bench ${j}`,
    }));
    await produceConcurrently(batches, async (batch) => {
      const t0 = performance.now();
      await acceptOutboundMessages({ prisma, queues }, company.id, batch);
      const per = (performance.now() - t0) / batch.length;
      for (let n = 0; n < batch.length; n++) acceptLatencies.push(per);
    });
    const acceptedAt = performance.now();
    let sent = 0;
    let delivered = 0;
    while (delivered < total) {
      await new Promise((r) => setTimeout(r, 250));
      // deliveredAt, not status: a slow run must not miss rows that already moved on to READ.
      delivered = await prisma.message.count({
        where: { companyId: company.id, deliveredAt: { not: null } },
      });
      if (performance.now() - start > 600_000) break;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuUsPerMessage = cpuPerUnit(cpuBefore, await sampleCpu(connection, prisma), total);
    sent = await prisma.message.count({ where: { companyId: company.id, sentAt: { not: null } } });
    const e2eRate = delivered / seconds;
    const sortedAccept = acceptLatencies.sort((a, b) => a - b);
    const simSent = sim.sentLog().length;
    const single = await singleAcceptLatencies({ prisma, queues }, company.id, sessionIds);
    return {
      sessions: SESSIONS,
      messages: total,
      sent,
      delivered,
      simulatorSends: simSent,
      seconds: Number(seconds.toFixed(2)),
      acceptSeconds: Number(((acceptedAt - start) / 1000).toFixed(2)),
      endToEndMsgPerSec: Math.round(e2eRate),
      rawBullmqNoopJobsPerSec: Math.round(raw.rate),
      ratio: Number((e2eRate / raw.rate).toFixed(3)),
      rawBullmqAddAndConsumeJobsPerSec: Math.round(rawWithAdds.rate),
      ratioToAddAndConsume: Number((e2eRate / rawWithAdds.rate).toFixed(3)),
      // Where the time goes: CPU per message of each process (accept + send + receipts, and the
      // progress polling of this benchmark), next to what one raw no-op job costs.
      cpuMicrosPerMessage: cpuUsPerMessage,
      rawBullmqCpuMicrosPerJob: raw.cpuUsPerJob,
      rawBullmqAddAndConsumeCpuMicrosPerJob: rawWithAdds.cpuUsPerJob,
      acceptLatencyMsPerMessage: {
        p50: Number(percentile(sortedAccept, 50).toFixed(3)),
        p99: Number(percentile(sortedAccept, 99).toFixed(3)),
        note: `bulk accept in batches of ${ACCEPT_BATCH}; per-message share of the batch call`,
      },
      singleAcceptLatencyMs: {
        p50: Number(percentile(single, 50).toFixed(3)),
        p99: Number(percentile(single, 99).toFixed(3)),
        note: `${SINGLE_ACCEPTS} calls with one message each (an integrator's usual call), one caller, after the run`,
      },
      peakRssMb: Math.round(peakRss / 1_048_576),
    };
  } finally {
    clearInterval(rss);
    await messages.stop();
    sim.shutdown();
    await queues.close();
    connection.disconnect();
    await deleteRedisPrefix(prefix);
    await prisma.$disconnect();
    await db.drop();
  }
}

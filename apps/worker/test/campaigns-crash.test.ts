// kill -9 the worker in the middle of a campaign, start another: every recipient gets exactly one
// message. Real worker processes (tsx src/main.ts) share one simulated WhatsApp (SimulatorServer),
// so what was sent survives the crash and can be counted.
import { CampaignStatus } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { startCampaign } from "@zapflow/queue/services/campaigns";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import { SimulatorServer } from "@zapflow/whatsapp/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SpawnedWorker, spawnWorker, waitFor } from "../src/testing";
import { LIMITS_OFF } from "./support/messaging-harness";

const RECIPIENTS = 300;

let db: TestDatabase;
let prefix: string;
let server: SimulatorServer;
let connection: ReturnType<typeof createRedisConnection>;
let queues: QueueRegistry;
const workers: SpawnedWorker[] = [];

beforeAll(async () => {
  db = await createTestDatabase("campaigncrash");
  prefix = createTestPrefix("campaigncrash");
  server = new SimulatorServer({ seed: 3, latency: { ackMs: 1, deliveredMs: 5, readMs: 10 } });
  await server.start();
  connection = createRedisConnection(testRedisUrl());
  queues = new QueueRegistry({ connection, prefix });
});

afterAll(async () => {
  for (const worker of workers) {
    worker.signal("SIGKILL");
    await worker.exited;
  }
  await queues?.close();
  connection?.disconnect();
  await server?.stop();
  if (prefix) await deleteRedisPrefix(prefix);
  await db?.drop();
});

function startWorker(name: string): SpawnedWorker {
  const worker = spawnWorker(name, {
    ...LIMITS_OFF,
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WA_ENGINE: "simulator",
    WA_SIMULATOR_URL: server.url,
    WORKER_PORT: "0",
    LOG_LEVEL: "warn",
    SESSION_LEASE_MS: "3000",
    RECONCILE_INTERVAL_MS: "1000",
    STUCK_PROCESSING_MS: "5000",
    STATUS_DEBOUNCE_MS: "0",
  });
  workers.push(worker);
  return worker;
}

describe("campaign crash safety", () => {
  it("kill -9 mid-campaign: no recipient messaged twice, none skipped", async () => {
    const company = await db.prisma.company.create({ data: { name: "Crash", slug: "crash" } });
    const session = await db.prisma.whatsappSession.create({
      data: {
        companyId: company.id,
        label: "sender",
        engine: "SIMULATOR",
        desiredState: "CONNECTED",
        pairedAt: new Date(Date.now() - 90 * 86_400_000),
      },
    });
    const first = startWorker("crash-a");
    // The worker's reconciler starts the session; the "phone" scans the QR.
    await waitFor(() => server.simulator.sessionInfo(session.id).qr, { timeoutMs: 60_000, what: "QR" });
    server.simulator.scanQr(session.id, "5511900000900");
    await waitFor(
      async () =>
        (await db.prisma.whatsappSession.findUnique({ where: { id: session.id } }))?.status === "CONNECTED",
      { timeoutMs: 30_000, what: "session connected" },
    );

    const contacts = Array.from({ length: RECIPIENTS }, (_, i) => {
      const digits = `55119810${String(i).padStart(5, "0")}`;
      return {
        companyId: company.id,
        phone: `+${digits}`,
        jid: `${digits}@s.whatsapp.net`,
        name: `C${i}`,
        tags: ["all"],
      };
    });
    await db.prisma.contact.createMany({ data: contacts });
    const campaign = await db.prisma.campaign.create({
      data: {
        companyId: company.id,
        name: "crash",
        variants: ["Oi {nome}"],
        audience: { listIds: [], tags: ["all"], contactIds: [] },
        batchSize: 25,
        batchPauseSec: 0,
        minDelayMs: 10,
        maxDelayMs: 30,
        senders: { create: [{ sessionId: session.id }] },
      },
    });
    await startCampaign({ prisma: db.prisma, queues }, company.id, campaign.id);

    const sentTo = () => server.simulator.sentLog(session.id).filter((s) => s.content.type === "text");
    await waitFor(() => sentTo().length >= RECIPIENTS / 3, { timeoutMs: 60_000, what: "a third sent" });
    first.signal("SIGKILL");
    await first.exited;
    const atKill = sentTo().length;
    expect(atKill).toBeLessThan(RECIPIENTS);

    startWorker("crash-b");
    await waitFor(
      async () =>
        (await db.prisma.campaign.findUnique({ where: { id: campaign.id } }))?.status ===
        CampaignStatus.COMPLETED,
      { timeoutMs: 150_000, intervalMs: 500, what: "campaign completed on the second worker" },
    );

    const perRecipient = new Map<string, number>();
    for (const sent of sentTo()) perRecipient.set(sent.to, (perRecipient.get(sent.to) ?? 0) + 1);
    const twice = [...perRecipient].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    expect(perRecipient.size).toBe(RECIPIENTS);
    for (const c of contacts) expect(perRecipient.get(c.jid)).toBe(1);
    const row = await db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row).toMatchObject({ totalRecipients: RECIPIENTS, sentCount: RECIPIENTS, failedCount: 0 });
    console.info(`[crash] killed worker A after ${atKill}/${RECIPIENTS} sends; worker B finished the rest`);
  }, 240_000);
});

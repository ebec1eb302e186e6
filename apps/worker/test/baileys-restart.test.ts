// A real worker process (tsx src/main.ts, WA_ENGINE=baileys) against the protocol simulator:
// paired through the worker's own demo endpoint (POST /simulator/scan → the simulator's admin
// API), SIGKILLed, and a second worker process takes the session over from Postgres — it logs
// in with the stored creds and keys, without a QR, and sends on the restored Signal sessions.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MessageStatus, SessionStatus } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, enqueueSessionLifecycle, QueueRegistry } from "@zapflow/queue";
import { acceptOutboundMessage } from "@zapflow/queue/services/messages";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import { ProtocolSimulator, type RunningSimulator } from "@zapflow/whatsapp/protocol-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SpawnedWorker, spawnWorker, waitFor } from "../src/testing";
import { LIMITS_OFF } from "./support/messaging-harness";

const PHONE = "5511930000001";
const CONTACT = "5511987650002";

let db: TestDatabase;
let prefix: string;
let connection: ReturnType<typeof createRedisConnection>;
let queues: QueueRegistry;
let running: RunningSimulator;
let certDir: string;
let companyId: string;
let sessionId: string;
const sim = new ProtocolSimulator();
const workers: SpawnedWorker[] = [];

function startWorker(name: string): SpawnedWorker {
  const worker = spawnWorker(name, {
    ...LIMITS_OFF,
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    ENCRYPTION_KEY: encryptionKey,
    WORKER_PORT: "0",
    WA_ENGINE: "baileys",
    WA_WEBSOCKET_URL: running.wsUrl,
    WA_TRUSTED_ROOT_KEY: sim.rootPublicKey.toString("base64"),
    WA_PROTOCOL_SIM_ADMIN_URL: running.adminUrl!,
    ENABLE_SIMULATOR_API: "true",
    NODE_EXTRA_CA_CERTS: join(certDir, "media.pem"),
    SESSION_LEASE_MS: "2000",
    RECONCILE_INTERVAL_MS: "500",
    STATUS_DEBOUNCE_MS: "0",
    WA_LOG_LEVEL: "silent",
  });
  workers.push(worker);
  return worker;
}
const encryptionKey = randomBytes(32).toString("base64");

const row = () => db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
const registrations = () => sim.connections().filter((c) => c.kind === "registration");

beforeAll(async () => {
  db = await createTestDatabase("bairestart");
  prefix = createTestPrefix("bairestart");
  connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  queues = new QueueRegistry({ connection, prefix });
  running = await sim.start({ port: 0, adminPort: 0, seed: 23, latency: { deliveredMs: 50, readMs: 50 } });
  certDir = await mkdtemp(join(tmpdir(), "zf-sim-cert-"));
  await writeFile(join(certDir, "media.pem"), running.mediaCertificate);
  const company = await db.prisma.company.create({ data: { name: "Restart", slug: `restart-${prefix}` } });
  companyId = company.id;
  sessionId = (await db.prisma.whatsappSession.create({ data: { companyId, label: "restart" } })).id;
});

afterAll(async () => {
  for (const worker of workers) worker.signal("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await queues?.close();
  await connection?.quit().catch(() => connection.disconnect());
  await running?.close();
  await deleteRedisPrefix(prefix);
  await db?.drop();
  await rm(certDir, { recursive: true, force: true });
});

describe("a real Baileys session across worker processes", () => {
  it("pairs in worker A through its /simulator/scan endpoint", async () => {
    const a = startWorker("bai-a");
    const ready = await a.waitForLog((l) => l.msg === "worker ready", 45_000);
    expect(ready.engine).toBe("baileys");
    await enqueueSessionLifecycle(queues, { action: "start", sessionId, companyId });
    await waitFor(async () => (await row()).qrCode, { what: "QR from Baileys", timeoutMs: 20_000 });
    const res = await fetch(`http://127.0.0.1:${ready.port}/simulator/scan`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sessionId, phone: `+${PHONE}` }),
    });
    expect(res.status).toBe(200);
    await waitFor(
      async () => (await row()).status === SessionStatus.CONNECTED && (await row()).phone === PHONE,
      {
        what: "CONNECTED in worker A",
        timeoutMs: 20_000,
      },
    );
    expect((await row()).ownerWorkerId).toBe("bai-a");
    expect(registrations()).toHaveLength(1);
  });

  it("after SIGKILL of A, worker B logs in from Postgres without a QR and sends", async () => {
    const deviceId = sim.devices().find((d) => d.phone === PHONE)!.id;
    const loginsBefore = sim.connections().filter((c) => c.deviceId === deviceId && c.loggedInAt).length;
    workers[0]!.signal("SIGKILL");
    await workers[0]!.exited;
    const killedAt = new Date();
    const b = startWorker("bai-b");
    await b.waitForLog((l) => l.msg === "worker ready", 45_000);
    // A's row still says CONNECTED: wait for B's own login socket, then B's CONNECTED write.
    const logins = () => sim.connections().filter((c) => c.deviceId === deviceId && c.loggedInAt);
    await waitFor(() => logins().length > loginsBefore, { what: "a login socket from B", timeoutMs: 30_000 });
    await waitFor(
      async () => {
        const r = await row();
        return (
          r.ownerWorkerId === "bai-b" && r.status === SessionStatus.CONNECTED && r.connectedAt! >= killedAt
        );
      },
      { what: "CONNECTED in worker B" },
    );
    // One new login socket of the same device; no registration socket, no QR, no second device.
    expect(logins()).toHaveLength(loginsBefore + 1);
    expect(registrations()).toHaveLength(1);
    expect(sim.devices().filter((d) => d.phone === PHONE)).toHaveLength(1);
    const qrEvents = await db.prisma.event.count({ where: { sessionId, type: "session.awaiting_qr" } });
    expect(qrEvents).toBe(1);

    const { message } = await acceptOutboundMessage({ prisma: db.prisma, queues }, companyId, {
      sessionId,
      to: `+${CONTACT}`,
      type: "text",
      text: "after the restart",
    });
    const sent = await sim.waitForSent(deviceId, (m) => m.id === message.waMessageId, 20_000);
    expect(sent).toMatchObject({ text: "after the restart", ack: "ok" });
    await waitFor(
      async () =>
        (await db.prisma.message.findUniqueOrThrow({ where: { id: message.id } })).status ===
        MessageStatus.READ,
      { what: "READ after the restart", timeoutMs: 15_000 },
    );
    b.signal("SIGTERM");
    expect(await b.exited).toBe(0);
  });
});

// Two (then three) real worker processes sharing one simulated WhatsApp (SimulatorServer):
// kill -9 the owner of 20 connected sessions → all 20 reconnect on the other worker within 45 s;
// SIGTERM → leases released and the other worker takes over at once. At no moment does a session
// have two open sockets (sampled live and checked on the full connection log) or two lease holders.
import { SessionStatus } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection } from "@zapflow/queue";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import { SimulatorServer } from "@zapflow/whatsapp/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionKeys } from "../src/sessions/redis-keys";
import { type SpawnedWorker, spawnWorker, waitFor } from "../src/testing";

const SESSIONS = 20;
const LEASE_MS = 10_000;

let db: TestDatabase;
let prefix: string;
let server: SimulatorServer;
let redis: ReturnType<typeof createRedisConnection>;
const workers: SpawnedWorker[] = [];
const sessionIds: string[] = [];
const violations: string[] = [];
let sampler: NodeJS.Timeout | undefined;

function start(name: string): SpawnedWorker {
  const worker = spawnWorker(name, {
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    WA_ENGINE: "simulator",
    WA_SIMULATOR_URL: server.url,
    WORKER_PORT: "0",
    SESSION_LEASE_MS: String(LEASE_MS),
    RECONCILE_INTERVAL_MS: "2000",
    STATUS_DEBOUNCE_MS: "0",
    MAX_SESSIONS: "50",
    DB_POOL_MAX: "5",
  });
  workers.push(worker);
  return worker;
}

const ready = (w: SpawnedWorker) => w.waitForLog((l) => l.msg === "worker ready", 60_000);

async function owners(): Promise<(string | null)[]> {
  return redis.mget(sessionIds.map((id) => sessionKeys.lease(prefix, id)));
}

/** All sessions CONNECTED on `worker`: row, lease, and a logged-in socket opened by it. */
async function allOn(worker: string, after = 0): Promise<boolean> {
  const rows = await db.prisma.whatsappSession.findMany({ where: { id: { in: sessionIds } } });
  if (rows.some((r) => r.status !== SessionStatus.CONNECTED || r.ownerWorkerId !== worker)) return false;
  if ((await owners()).some((o) => o !== worker)) return false;
  return sessionIds.every((id) =>
    server.simulator
      .connectionLog(id)
      .some((c) => c.clientId === worker && c.loggedInAt && c.openedAt >= after && c.closedAt === undefined),
  );
}

beforeAll(async () => {
  db = await createTestDatabase("sessmulti");
  prefix = createTestPrefix("sessmulti");
  redis = createRedisConnection(testRedisUrl(), { forWorker: true });
  server = new SimulatorServer({ seed: 11, qrRotateMs: 60_000 });
  await server.start();
  const company = await db.prisma.company.create({ data: { name: "Multi", slug: "multi" } });
  for (let i = 0; i < SESSIONS; i++) {
    const row = await db.prisma.whatsappSession.create({
      data: { companyId: company.id, label: `n${i}`, engine: "SIMULATOR", desiredState: "CONNECTED" },
    });
    sessionIds.push(row.id);
  }
  // Live invariant: never two open sockets for one session.
  sampler = setInterval(() => {
    for (const id of sessionIds) {
      const open = server.simulator.connectionLog(id).filter((c) => c.closedAt === undefined);
      if (open.length > 1) violations.push(`${id}: ${open.map((c) => c.clientId).join(",")}`);
    }
  }, 50);
});

afterAll(async () => {
  clearInterval(sampler);
  for (const w of workers) w.signal("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await server?.stop();
  await redis?.quit();
  await db?.drop();
  if (prefix) await deleteRedisPrefix(prefix);
}, 60_000);

function assertNoOverlaps(): void {
  expect(violations).toEqual([]);
  for (const id of sessionIds) {
    const log = server.simulator.connectionLog(id).sort((a, b) => a.openedAt - b.openedAt);
    for (let i = 1; i < log.length; i++) {
      expect(
        log[i - 1]!.closedAt,
        `session ${id} socket ${i - 1} closed before the next opened`,
      ).toBeDefined();
      expect(log[i - 1]!.closedAt!).toBeLessThanOrEqual(log[i]!.openedAt);
    }
    // 440 would mean a second socket replaced a live one: two workers fighting.
    expect(log.filter((c) => c.closeCode === 440)).toEqual([]);
  }
}

describe("sessions across worker processes", () => {
  it("pairs 20 sessions on worker A", async () => {
    const a = start("worker-a");
    await ready(a);
    let phone = 5511970000000;
    for (const id of sessionIds) {
      await waitFor(() => server.simulator.sessionInfo(id).qr, { timeoutMs: 20_000, what: `QR for ${id}` });
      server.simulator.scanQr(id, String(phone++));
    }
    await waitFor(() => allOn("worker-a"), { timeoutMs: 30_000, intervalMs: 200, what: "20 sessions on A" });
  });

  it("kill -9 A → all 20 reconnect on B within 45 s, never twice at once", async () => {
    const b = start("worker-b");
    await ready(b);
    expect(await allOn("worker-a")).toBe(true); // B took nothing while A holds the leases
    const killedAt = Date.now();
    workers[0]!.signal("SIGKILL");
    await workers[0]!.exited;
    await waitFor(() => allOn("worker-b", killedAt), {
      timeoutMs: 45_000,
      intervalMs: 200,
      what: "20 sessions on B",
    });
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(45_000);
    // B waited for A's leases to lapse (renewed every lease/3, so they expire ⅔–1 lease after the kill).
    expect(tookMs).toBeGreaterThanOrEqual((LEASE_MS * 2) / 3 - 500);
    console.info(`kill -9 fail-over: all ${SESSIONS} sessions CONNECTED on B ${tookMs} ms after the kill`);
    // No re-pairing: B logged in with the creds A stored in Postgres.
    for (const id of sessionIds) expect(server.simulator.sessionInfo(id).qr).toBeUndefined();
    assertNoOverlaps();
  }, 90_000);

  it("SIGTERM B → leases released at once and C takes over without waiting for expiry", async () => {
    const c = start("worker-c");
    await ready(c);
    const b = workers[1]!;
    const termAt = Date.now();
    b.signal("SIGTERM");
    expect(await b.exited).toBe(0); // graceful: the shutdown completed
    const releasedMs = Date.now() - termAt;
    await waitFor(() => allOn("worker-c", termAt), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: "20 sessions on C",
    });
    const tookMs = Date.now() - termAt;
    expect(tookMs).toBeLessThan(LEASE_MS); // not lease expiry: the released leases were taken at once
    // B closed its sockets itself (no logout: the devices stay linked, C logged in without a QR).
    for (const id of sessionIds) {
      const bSockets = server.simulator.connectionLog(id).filter((s) => s.clientId === "worker-b");
      expect(bSockets.at(-1)!.closedBy).toBe("client");
      expect(bSockets.at(-1)!.closeCode).toBeUndefined();
    }
    assertNoOverlaps();
    console.info(`SIGTERM hand-over: B exited after ${releasedMs} ms, C owned all 20 after ${tookMs} ms`);
  }, 60_000);
});

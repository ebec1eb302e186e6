// Session lifecycle from the web side: desired state persisted, then a lifecycle job enqueued
// (idempotent while pending, re-enqueued after the previous one finished); live updates; health.
import {
  createQueueWorker,
  createRedisConnection,
  QueueName,
  type SessionLifecycleJob,
} from "@zapflow/queue";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "@/server/health";
import {
  closeSessionUpdates,
  onSessionUpdate,
  sessionUpdatesChannel,
  withQrImage,
} from "@/server/sessions/live";
import { createTestWorld, type TestWorld } from "./support/fixture";

let w: TestWorld;

beforeAll(async () => {
  w = await createTestWorld("sessions");
});
afterAll(async () => {
  closeSessionUpdates();
  await w?.close();
});

async function lifecycleJobs() {
  const jobs = await w.deps.queues
    .get(QueueName.sessionLifecycle)
    .getJobs(["waiting", "prioritized", "completed", "active"]);
  return jobs.map((j) => ({ id: j.id, data: j.data as SessionLifecycleJob }));
}

describe("session lifecycle requests", () => {
  it("start persists the desired state and enqueues one job, however often it is clicked", async () => {
    const owner = w.asUser(w.a.ownerId);
    const session = await owner.sessions.create({ label: "Sales" });
    expect(session.engine).toBe("BAILEYS");
    await Promise.all([owner.sessions.start({ id: session.id }), owner.sessions.start({ id: session.id })]);
    const row = await w.prisma.whatsappSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.desiredState).toBe("CONNECTED");
    const jobs = (await lifecycleJobs()).filter((j) => j.data.sessionId === session.id);
    expect(jobs).toEqual([
      {
        id: `session-start-${session.id}`,
        data: { action: "start", sessionId: session.id, companyId: w.a.companyId },
      },
    ]);
    const events = await w.prisma.event.findMany({
      where: { sessionId: session.id },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.type)).toEqual([
      "session.created",
      "session.start_requested",
      "session.start_requested",
    ]);
  });

  it("start → stop → start again enqueues a fresh start once the first one completed", async () => {
    const owner = w.asUser(w.a.ownerId);
    const session = await owner.sessions.create({ label: "Support" });
    const processed: string[] = [];
    const connection = createRedisConnection(undefined, { forWorker: true });
    let worker: Worker | undefined;
    try {
      worker = createQueueWorker(
        QueueName.sessionLifecycle,
        async (data) => {
          if (data.sessionId === session.id) processed.push(data.action);
        },
        { connection, prefix: w.prefix },
      );
      await owner.sessions.start({ id: session.id });
      await expect.poll(() => processed).toEqual(["start"]);
      await owner.sessions.stop({ id: session.id });
      await expect.poll(() => processed).toEqual(["start", "stop"]);
      await owner.sessions.start({ id: session.id });
      await expect.poll(() => processed).toEqual(["start", "stop", "start"]);
    } finally {
      await worker?.close();
      connection.disconnect();
    }
  });

  it("a pairing code request stores the phone and enqueues the pairing-code job", async () => {
    const owner = w.asUser(w.a.ownerId);
    const session = await owner.sessions.create({ label: "Pairing" });
    await owner.sessions.requestPairingCode({ id: session.id, phone: "+55 (11) 98765-4321" });
    const row = await w.prisma.whatsappSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.pairingPhone).toBe("5511987654321");
    const job = (await lifecycleJobs()).find((j) => j.id === `session-pairing-code-${session.id}`);
    expect(job?.data).toMatchObject({ action: "pairing-code", phone: "5511987654321" });
  });

  it("delete removes the session and its send queue", async () => {
    const owner = w.asUser(w.a.ownerId);
    const session = await owner.sessions.create({ label: "Temp" });
    await w.deps.queues.registerSendQueue(session.id);
    await owner.sessions.delete({ id: session.id });
    expect(await w.prisma.whatsappSession.findUnique({ where: { id: session.id } })).toBeNull();
    expect(await w.deps.queues.knownSendSessions()).not.toContain(session.id);
  });

  it("breaker reset closes the breaker and zeroes the counters", async () => {
    const owner = w.asUser(w.a.ownerId);
    const session = await owner.sessions.create({ label: "Flaky" });
    await w.prisma.whatsappSession.update({
      where: { id: session.id },
      data: {
        breakerState: "OPEN",
        consecutiveFailures: 5,
        breakerOpenedAt: new Date(),
        lastFailureReason: "408",
      },
    });
    expect(await owner.sessions.breaker({ id: session.id })).toMatchObject({
      state: "OPEN",
      failures: 5,
      threshold: 5,
    });
    await owner.sessions.resetBreaker({ id: session.id });
    expect(await owner.sessions.breaker({ id: session.id })).toMatchObject({ state: "CLOSED", failures: 0 });
    // A member may look but not reset.
    await expect(w.asUser(w.memberOfA).sessions.resetBreaker({ id: session.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("live session updates", () => {
  it("a worker publish on the updates channel reaches the session's listener only", async () => {
    const seen: string[] = [];
    const offA = onSessionUpdate(w.prefix, "session-a", () => seen.push("a"));
    const offB = onSessionUpdate(w.prefix, "session-b", () => seen.push("b"));
    try {
      const publisher = createRedisConnection();
      // The shared subscriber subscribes asynchronously: publish until it hears.
      await expect
        .poll(async () => {
          await publisher.publish(
            sessionUpdatesChannel(w.prefix),
            JSON.stringify({ sessionId: "session-a", status: "AWAITING_QR" }),
          );
          return seen.includes("a");
        })
        .toBe(true);
      publisher.disconnect();
      expect(seen).not.toContain("b");
    } finally {
      offA();
      offB();
    }
  });

  it("renders the QR string as a PNG data URL", async () => {
    const view = await w.asUser(w.a.ownerId).sessions.create({ label: "QR" });
    const live = await withQrImage({ ...view, qrCode: "2@abc,def,ghi" });
    expect(live.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect((await withQrImage(view)).qrDataUrl).toBeNull();
  });
});

describe("health", () => {
  it("reports both services up, and Redis down when it is unreachable", async () => {
    expect((await checkHealth(w.deps)).ok).toBe(true);
    const dead = createRedisConnection("redis://127.0.0.1:6399", { name: "dead" });
    dead.on("error", () => undefined);
    try {
      const report = await checkHealth({ prisma: w.prisma, redis: dead });
      expect(report.ok).toBe(false);
      expect(report.checks.postgres.ok).toBe(true);
      expect(report.checks.redis.ok).toBe(false);
    } finally {
      dead.disconnect();
    }
  });

  it("a connection still connecting (the first request after start) is waited for, not reported down", async () => {
    const fresh = createRedisConnection(undefined, { name: "fresh" });
    try {
      void fresh.connect().catch(() => undefined); // as a first request elsewhere would have
      expect(fresh.status).toBe("connecting");
      expect((await checkHealth({ prisma: w.prisma, redis: fresh })).checks.redis).toMatchObject({
        ok: true,
      });
    } finally {
      fresh.disconnect();
    }
  });
});

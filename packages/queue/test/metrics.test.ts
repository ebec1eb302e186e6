import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  enqueueContactImport,
  enqueueMessageSend,
  enqueueMessageSendBulk,
  getQueueMetrics,
  isEmergencyStopped,
  pauseAll,
  QueueName,
  QueueRegistry,
  resumeAll,
  sendQueueName,
} from "../src/index";
import { createTestPrefix, deleteRedisPrefix } from "../src/testing";

const prefix = createTestPrefix("metrics");
let producer: Redis;
let connection: Redis;
let reg: QueueRegistry;

beforeAll(() => {
  producer = createRedisConnection();
  connection = createRedisConnection(undefined, { forWorker: true });
  reg = new QueueRegistry({ connection: producer, prefix });
});
afterAll(async () => {
  await reg.close();
  producer.disconnect();
  connection.disconnect();
  await deleteRedisPrefix(prefix);
});

describe("getQueueMetrics", () => {
  it("counts waiting (incl. prioritized), delayed, completed, failed per queue and over send queues", async () => {
    await enqueueContactImport(reg, { importId: "i1", companyId: "c" });
    await enqueueContactImport(reg, { importId: "i2", companyId: "c" });
    await enqueueMessageSendBulk(
      reg,
      Array.from({ length: 10 }, (_, i) => ({ messageId: `a${i}`, companyId: "c", sessionId: "sa" })),
    );
    await enqueueMessageSend(reg, { messageId: "b0", companyId: "c", sessionId: "sb" }, { delay: 60_000 });
    await enqueueMessageSend(reg, { messageId: "c0", companyId: "c", sessionId: "sc" });
    await enqueueMessageSend(reg, { messageId: "c1", companyId: "c", sessionId: "sc" });

    // sc: one completes, one fails permanently.
    const worker: Worker = createQueueWorker(
      sendQueueName("sc"),
      async (data) => {
        if (data.messageId === "c1") throw new Error("bad");
      },
      { connection, prefix },
    );
    await vi.waitFor(
      async () => {
        const m = await getQueueMetrics(reg);
        expect(m.send.completed).toBe(1);
        expect(m.send.delayed + m.send.waiting).toBeGreaterThanOrEqual(11);
      },
      { timeout: 5000 },
    );
    await closeQueueWorker(worker, 2000);

    const m = await getQueueMetrics(reg, [QueueName.contactImport, QueueName.campaign], { perSession: true });
    expect(m.queues[QueueName.contactImport]).toEqual({
      waiting: 2,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 0,
      paused: false,
    });
    expect(m.queues[QueueName.campaign]?.waiting).toBe(0);
    expect(m.send.queues).toBe(3);
    expect(m.send.waiting).toBe(10);
    // c1 failed its first attempt: it now waits in delayed for its retry (5 attempts).
    expect(m.send.delayed).toBe(2);
    expect(m.send.completed).toBe(1);
    expect(m.sendQueues?.["send-sa"]?.waiting).toBe(10);
    expect(m.sendQueues?.["send-sb"]?.delayed).toBe(1);
  });
});

describe("emergency stop", () => {
  it("pauseAll stops every queue, send queues included; resumeAll lets work flow again", async () => {
    const paused = await pauseAll(reg);
    expect(paused).toBe(8 + 3);
    let m = await getQueueMetrics(reg);
    expect(Object.values(m.queues).every((q) => q.paused)).toBe(true);
    expect(m.send.paused).toBe(3);

    expect(await isEmergencyStopped(reg)).toBe(true);
    // A session whose queue is first used during the stop: its queue starts paused.
    await enqueueMessageSend(reg, { messageId: "late", companyId: "c", sessionId: "s-late" });
    expect(await reg.send("s-late").isPaused()).toBe(true);

    let processed = 0;
    const worker = createQueueWorker(
      sendQueueName("sa"),
      async () => {
        processed += 1;
      },
      { connection, prefix, concurrency: 5 },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(processed).toBe(0);

    await resumeAll(reg);
    expect(await isEmergencyStopped(reg)).toBe(false);
    m = await getQueueMetrics(reg);
    expect(m.send.paused).toBe(0);
    expect(m.send.queues).toBe(4);
    await vi.waitFor(() => expect(processed).toBe(10), { timeout: 5000 });
    await closeQueueWorker(worker, 2000);
  });
});

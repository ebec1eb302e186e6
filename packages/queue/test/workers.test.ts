import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  backoffStrategy,
  CAPPED_EXPONENTIAL,
  cappedExponentialDelay,
  closeQueueWorker,
  createQueueWorker,
  createRedisConnection,
  enqueueMessageSend,
  enqueueWebhookDelivery,
  holdBack,
  QueueName,
  QueueRegistry,
  sendQueueName,
  WEBHOOK_ATTEMPTS,
  WEBHOOK_BACKOFF_CAP_MS,
} from "../src/index";
import { createTestPrefix, deleteRedisPrefix } from "../src/testing";

const prefix = createTestPrefix("workers");
let producer: Redis;
let connection: Redis;
let reg: QueueRegistry;
const workers: Worker[] = [];

beforeAll(() => {
  producer = createRedisConnection();
  connection = createRedisConnection(undefined, { forWorker: true });
  reg = new QueueRegistry({ connection: producer, prefix });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => closeQueueWorker(w, 2000)));
});
afterAll(async () => {
  await reg.close();
  producer.disconnect();
  connection.disconnect();
  await deleteRedisPrefix(prefix);
});

describe("createQueueWorker", () => {
  it("hands the processor the parsed payload", async () => {
    const seen: unknown[] = [];
    const worker = createQueueWorker(
      sendQueueName("w1"),
      async (data) => {
        seen.push(data.messageId);
        return "sent";
      },
      { connection, prefix },
    );
    workers.push(worker);
    const job = await enqueueMessageSend(reg, { messageId: "m1", companyId: "c", sessionId: "w1" });
    await vi.waitFor(async () => expect(await job.getState()).toBe("completed"), { timeout: 5000 });
    expect(seen).toEqual(["m1"]);
  });

  it("fails a malformed payload at once, without spending the other attempts", async () => {
    // Written around the producers, as a buggy or older producer would.
    const raw = new Queue(QueueName.webhookDelivery, { connection: producer, prefix });
    const job = await raw.add("deliver", { deliveryId: 42 }, { attempts: 5, backoff: 10 });
    let calls = 0;
    workers.push(
      createQueueWorker(
        QueueName.webhookDelivery,
        async () => {
          calls += 1;
        },
        { connection, prefix },
      ),
    );
    await vi.waitFor(async () => expect(await raw.getJobState(job.id!)).toBe("failed"), { timeout: 5000 });
    const failed = await raw.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/deliveryId/);
    expect(calls).toBe(0);
    await raw.close();
  });

  it("retries webhook deliveries with the capped exponential backoff", async () => {
    let attempts = 0;
    workers.push(
      createQueueWorker(
        QueueName.webhookDelivery,
        async () => {
          attempts += 1;
          throw new Error("HTTP 503");
        },
        { connection, prefix },
      ),
    );
    const job = await enqueueWebhookDelivery(reg, { deliveryId: "d-retry", companyId: "c" });
    await vi.waitFor(async () => expect(await job.getState()).toBe("delayed"), { timeout: 5000 });
    const delayed = await reg.get(QueueName.webhookDelivery).getJob(job.id!);
    expect(attempts).toBe(1);
    expect(delayed?.attemptsMade).toBe(1);
    // First retry: 10 s ± 10 %.
    const wait = (delayed?.delay ?? 0) as number;
    expect(wait).toBeGreaterThanOrEqual(9000);
    expect(wait).toBeLessThanOrEqual(11000);
  });

  it("holdBack delays a job without spending an attempt", async () => {
    let runs = 0;
    workers.push(
      createQueueWorker(
        sendQueueName("w-hold"),
        async (_data, job, token) => {
          runs += 1;
          if (runs === 1) await holdBack(job, token, 300);
          return "sent";
        },
        { connection, prefix },
      ),
    );
    const job = await enqueueMessageSend(reg, { messageId: "m-hold", companyId: "c", sessionId: "w-hold" });
    await vi.waitFor(async () => expect(await job.getState()).toBe("completed"), { timeout: 5000 });
    const done = await reg.send("w-hold").getJob(job.id!);
    expect(runs).toBe(2);
    expect(done?.attemptsMade).toBe(1);
  });

  it("closeQueueWorker waits for the active job within the timeout", async () => {
    let finished = false;
    const worker = createQueueWorker(
      sendQueueName("w-close"),
      async () => {
        await new Promise((r) => setTimeout(r, 300));
        finished = true;
      },
      { connection, prefix },
    );
    const job = await enqueueMessageSend(reg, { messageId: "m-close", companyId: "c", sessionId: "w-close" });
    await vi.waitFor(async () => expect(await job.getState()).toBe("active"), { timeout: 5000 });
    await closeQueueWorker(worker, 5000);
    expect(finished).toBe(true);
    expect(await job.getState()).toBe("completed");
  });
});

describe("webhook backoff schedule", () => {
  it("doubles from 10 s and caps at 1 h, spanning hours over 15 attempts", () => {
    const waits = Array.from({ length: WEBHOOK_ATTEMPTS - 1 }, (_, i) =>
      cappedExponentialDelay(i + 1, 10_000, WEBHOOK_BACKOFF_CAP_MS),
    );
    expect(waits.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...waits)).toBe(3_600_000);
    const totalHours = waits.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(totalHours).toBeGreaterThan(6);
    expect(totalHours).toBeLessThan(7);
  });

  it("rejects an unknown custom type", () => {
    expect(() => backoffStrategy(1, "nope")).toThrow(/Unknown backoff/);
    expect(CAPPED_EXPONENTIAL).toBe("capped-exponential");
  });
});

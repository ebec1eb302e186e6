import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CAPPED_EXPONENTIAL,
  createQueueWorker,
  createRedisConnection,
  enqueueCampaign,
  enqueueContactImport,
  enqueueMediaDownload,
  enqueueMessageReceive,
  enqueueMessageSend,
  enqueueMessageSendBulk,
  enqueueMessageStatus,
  enqueueSessionLifecycle,
  enqueueWebhookDelivery,
  JobPayloadError,
  MessagePriority,
  QueueName,
  QueueRegistry,
  requeueMessageSend,
  scheduleMaintenance,
  sendQueueName,
} from "../src/index";
import { createTestPrefix, deleteRedisPrefix } from "../src/testing";

const prefix = createTestPrefix("queues");
let connection: Redis;
let workerConnection: Redis;
let reg: QueueRegistry;

beforeAll(() => {
  connection = createRedisConnection(undefined, { name: "queues-test" });
  workerConnection = createRedisConnection(undefined, { forWorker: true, name: "queues-test-worker" });
  reg = new QueueRegistry({ connection, prefix });
});

afterAll(async () => {
  await reg.close();
  await connection.quit();
  await workerConnection.quit();
  await deleteRedisPrefix(prefix);
});

describe("payload validation", () => {
  it("rejects a malformed payload with the field path, writing nothing", async () => {
    const err = await enqueueMessageSend(reg, { messageId: "", companyId: "c1" } as never).catch((e) => e);
    expect(err).toBeInstanceOf(JobPayloadError);
    expect(err.message).toMatch(/messageId/);
    expect(err.message).toMatch(/sessionId/);
    expect((err as JobPayloadError).issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["messageId", "sessionId"]),
    );
    expect(await reg.knownSendSessions()).toEqual([]);
  });

  it("checks the pairing-code phone format", async () => {
    const err = await enqueueSessionLifecycle(reg, {
      action: "pairing-code",
      sessionId: "s1",
      companyId: "c1",
      phone: "+55 11",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(JobPayloadError);
    expect(err.message).toMatch(/phone/);
    expect(await reg.get(QueueName.sessionLifecycle).count()).toBe(0);
  });

  it("rejects one bad item of a bulk send before enqueuing any", async () => {
    const err = await enqueueMessageSendBulk(reg, [
      { messageId: "ok", companyId: "c", sessionId: "bulk-bad" },
      { messageId: "x", companyId: "c" } as never,
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(JobPayloadError);
    expect(err.message).toMatch(/message-send\[1\]/);
    expect(await reg.send("bulk-bad").count()).toBe(0);
  });
});

describe("idempotent job ids", () => {
  it("the same session start enqueued twice is one job", async () => {
    const job = { action: "start", sessionId: "s-idem", companyId: "c1" } as const;
    const [a, b] = await Promise.all([enqueueSessionLifecycle(reg, job), enqueueSessionLifecycle(reg, job)]);
    expect(a.id).toBe("session-start-s-idem");
    expect(b.id).toBe(a.id);
    const waiting = await reg.get(QueueName.sessionLifecycle).getJobs(["waiting", "prioritized"]);
    expect(waiting.filter((j) => j.id === a.id)).toHaveLength(1);
  });

  it("a finished lifecycle job does not swallow the next request (start → stop → start)", async () => {
    const job = { action: "start", sessionId: "s-again", companyId: "c1" } as const;
    const queue = reg.get(QueueName.sessionLifecycle);
    const started: string[] = [];
    const worker = createQueueWorker(
      QueueName.sessionLifecycle,
      async (data) => {
        started.push(data.sessionId);
      },
      { connection: workerConnection, prefix },
    );
    try {
      const first = await enqueueSessionLifecycle(reg, { ...job, sessionId: "s-again" });
      await vi.waitFor(async () => expect(await first.getState()).toBe("completed"), { timeout: 5000 });
      const second = await enqueueSessionLifecycle(reg, job);
      expect(second.id).toBe(first.id);
      await vi.waitFor(() => expect(started.filter((s) => s === "s-again")).toHaveLength(2), {
        timeout: 5000,
      });
    } finally {
      await worker.close();
    }
    // Still one pending job per id while it waits.
    await queue.pause();
    await Promise.all([enqueueSessionLifecycle(reg, job), enqueueSessionLifecycle(reg, job)]);
    expect((await queue.getJobs(["waiting"])).filter((j) => j.id === "session-start-s-again")).toHaveLength(
      1,
    );
    await queue.resume();
  });

  it("the same message send enqueued twice is one job on the session's queue", async () => {
    const job = { messageId: "m1", companyId: "c1", sessionId: "s-send" };
    await enqueueMessageSend(reg, job);
    await enqueueMessageSend(reg, job);
    await enqueueMessageSendBulk(reg, [job]);
    expect(await reg.send("s-send").count()).toBe(1);
    expect((await reg.send("s-send").getJob("msg-send-m1"))?.data).toEqual(job);
  });

  it("inbound ids with ':' are made valid and deduplicated", async () => {
    const job = {
      sessionId: "s1",
      companyId: "c1",
      message: { id: "ABC:1", from: "5511@s.whatsapp.net", timestamp: "2026-01-01T00:00:00Z", content: {} },
    };
    const a = await enqueueMessageReceive(reg, job);
    const b = await enqueueMessageReceive(reg, job);
    expect(a.id).toBe("msg-recv-s1-ABC_1");
    expect(b.id).toBe(a.id);
    expect(await reg.get(QueueName.messageReceive).count()).toBe(1);
  });

  it("requeue of a failed send uses a new id per retry, removes the failed job, idempotent per retry", async () => {
    const job = { messageId: "m-dlq", companyId: "c1", sessionId: "s-dlq" };
    await enqueueMessageSend(reg, job);
    const worker = createQueueWorker(
      sendQueueName("s-dlq"),
      async () => {
        throw new UnrecoverableError("invalid number");
      },
      { connection: workerConnection, prefix },
    );
    await vi.waitFor(async () => expect(await reg.send("s-dlq").getFailedCount()).toBe(1), { timeout: 5000 });
    await worker.close();
    // A plain re-enqueue is swallowed while the failed job is kept.
    await enqueueMessageSend(reg, job);
    const queue = reg.send("s-dlq");
    expect(await queue.getJobCountByTypes("waiting", "prioritized")).toBe(0);

    const retried = await requeueMessageSend(reg, job, 1);
    const again = await requeueMessageSend(reg, job, 1);
    expect(retried.id).toBe("msg-send-m-dlq-r1");
    expect(again.id).toBe(retried.id);
    expect(retried.opts.priority).toBe(MessagePriority.retry);
    expect(await queue.getJobCountByTypes("waiting", "prioritized")).toBe(1);
    expect(await queue.getFailedCount()).toBe(0);
    await expect(requeueMessageSend(reg, job, 0)).rejects.toThrow(RangeError);
  });
});

describe("default options", () => {
  it("message send: 5 attempts, exponential from 2 s, api priority, retention", async () => {
    const job = await enqueueMessageSend(reg, { messageId: "m-opt", companyId: "c1", sessionId: "s-opt" });
    expect(job.opts).toMatchObject({
      attempts: 5,
      backoff: { type: "exponential", delay: 2000 },
      priority: MessagePriority.api,
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    const reply = await enqueueMessageSend(
      reg,
      { messageId: "m-reply", companyId: "c1", sessionId: "s-opt" },
      { priority: MessagePriority.reply, delay: 1000 },
    );
    expect(reply.opts.priority).toBe(1);
    expect(reply.opts.delay).toBe(1000);
    expect(await reply.isDelayed()).toBe(true);
  });

  it("session lifecycle, webhook, import, campaign, media, status carry their queue's options", async () => {
    const session = await enqueueSessionLifecycle(reg, { action: "stop", sessionId: "s2", companyId: "c" });
    expect(session.opts).toMatchObject({ attempts: 3, backoff: { type: "exponential", delay: 5000 } });
    const hook = await enqueueWebhookDelivery(reg, { deliveryId: "d1", companyId: "c" });
    expect(hook.id).toBe("webhook-d1");
    expect(hook.opts).toMatchObject({ attempts: 15, backoff: { type: CAPPED_EXPONENTIAL, delay: 10_000 } });
    const imp = await enqueueContactImport(reg, { importId: "i1", companyId: "c" });
    expect(imp.opts.attempts).toBe(2);
    const camp = await enqueueCampaign(
      reg,
      { action: "start", campaignId: "k1", companyId: "c" },
      { delay: 5000 },
    );
    expect(camp.id).toBe("campaign-start-k1");
    expect(camp.opts).toMatchObject({ attempts: 3, delay: 5000 });
    const media = await enqueueMediaDownload(reg, { messageId: "m9", companyId: "c", sessionId: "s" });
    expect(media.opts.attempts).toBe(5);
    const status = await enqueueMessageStatus(reg, {
      sessions: [
        {
          sessionId: "s",
          companyId: "c",
          receipts: [{ messageId: "w1", chat: "x", status: "delivered", timestamp: "2026-01-01T00:00:00Z" }],
        },
      ],
    });
    expect(status.opts.attempts).toBe(3);
  });
});

describe("bulk send", () => {
  it("adds many jobs across session queues and registers each queue", async () => {
    const items = Array.from({ length: 300 }, (_, i) => ({
      messageId: `bulk-${i}`,
      companyId: "c1",
      sessionId: `bulk-s${i % 3}`,
      priority: MessagePriority.campaign,
    }));
    const jobs = await enqueueMessageSendBulk(reg, items);
    expect(jobs).toHaveLength(300);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(300);
    for (const s of ["bulk-s0", "bulk-s1", "bulk-s2"]) expect(await reg.send(s).count()).toBe(100);
    expect(await reg.knownSendSessions()).toEqual(expect.arrayContaining(["bulk-s0", "bulk-s1", "bulk-s2"]));
    expect(jobs[0]?.opts.priority).toBe(MessagePriority.campaign);
    // One MULTI across queues skips the queues' default options: the send options must be on each job.
    const stored = await reg.send("bulk-s1").getJob("msg-send-bulk-1");
    expect(stored?.opts).toMatchObject({
      attempts: 5,
      backoff: { type: "exponential", delay: 2_000 },
      priority: MessagePriority.campaign,
      removeOnComplete: { age: 3600, count: 1000 },
    });
  });
});

describe("maintenance schedule", () => {
  it("is idempotent: one scheduler per task however often it runs", async () => {
    await scheduleMaintenance(reg);
    await scheduleMaintenance(reg, { retention: 60_000 });
    const queue = reg.get(QueueName.maintenance);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(["expire-queued", "recover-stuck", "retention"]);
    expect(schedulers.find((s) => s.key === "retention")?.every).toBe(60_000);
  });
});

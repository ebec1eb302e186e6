// Producer vs worker connections against a test-owned Redis (unix socket) that is stopped and restarted.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRedisConnection,
  enqueueSessionLifecycle,
  keyPrefix,
  QueueName,
  QueueRegistry,
  QueueUnavailableError,
  reconnectDelay,
} from "../src/index";

const dir = mkdtempSync(join(tmpdir(), "zf-redis-"));
const socket = join(dir, "redis.sock");
let server: ChildProcess | undefined;

async function startRedis(): Promise<void> {
  const proc = spawn(
    "redis-server",
    ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  server = proc;
  const probe = createRedisConnection(socket, { maxReconnectDelayMs: 50 });
  try {
    for (let i = 0; i < 100; i++) {
      if (await probe.ping().catch(() => null)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("test redis did not start");
  } finally {
    probe.disconnect();
  }
}

async function stopRedis(): Promise<void> {
  const proc = server;
  server = undefined;
  if (!proc || proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

beforeAll(startRedis);
afterAll(async () => {
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe("reconnect strategy", () => {
  it("grows exponentially and stays under the cap (with jitter)", () => {
    expect(reconnectDelay(1)).toBeLessThanOrEqual(120);
    expect(reconnectDelay(4)).toBeGreaterThanOrEqual(640);
    for (let i = 1; i < 200; i++) expect(reconnectDelay(i, 5000)).toBeLessThanOrEqual(6000);
    expect(reconnectDelay(100, 5000)).toBeGreaterThanOrEqual(4000);
  });

  it("reads the key prefix from REDIS_PREFIX", () => {
    const before = process.env.REDIS_PREFIX;
    process.env.REDIS_PREFIX = "acme";
    expect(keyPrefix()).toBe("acme");
    delete process.env.REDIS_PREFIX;
    expect(keyPrefix()).toBe("zapflow");
    if (before !== undefined) process.env.REDIS_PREFIX = before;
  });
});

describe("Redis down and back", () => {
  let producer: Redis;
  let worker: Redis;
  let reg: QueueRegistry;

  beforeAll(() => {
    producer = createRedisConnection(socket, { name: "producer", maxReconnectDelayMs: 100 });
    worker = createRedisConnection(socket, { forWorker: true, name: "worker", maxReconnectDelayMs: 100 });
    reg = new QueueRegistry({ connection: producer, prefix: "conn", enqueueTimeoutMs: 3000 });
  });
  afterAll(async () => {
    await reg.close();
    producer.disconnect();
    worker.disconnect();
  });

  it("producers fail fast with QueueUnavailableError, workers wait, both recover by themselves", async () => {
    const job = { action: "start", sessionId: "s1", companyId: "c1" } as const;
    await enqueueSessionLifecycle(reg, job);
    await stopRedis();
    await new Promise((r) => setTimeout(r, 100));

    const started = Date.now();
    const err = await enqueueSessionLifecycle(reg, { ...job, sessionId: "s2" }).catch((e) => e);
    expect(err).toBeInstanceOf(QueueUnavailableError);
    expect(err.message).toMatch(/Redis/);
    expect(Date.now() - started).toBeLessThan(1000);

    // The worker's command waits in the offline queue and runs once Redis is back.
    const pending = worker.set("worker-key", "1");
    await new Promise((r) => setTimeout(r, 300));
    await startRedis();
    await expect(pending).resolves.toBe("OK");

    // The producer reconnected on its own.
    for (let i = 0; i < 50 && producer.status !== "ready"; i++) await new Promise((r) => setTimeout(r, 50));
    const again = await enqueueSessionLifecycle(reg, { ...job, sessionId: "s3" });
    expect(again.id).toBe("session-start-s3");
    expect(await reg.get(QueueName.sessionLifecycle).count()).toBe(1); // the restarted Redis had no persistence
  });
});

// The outbox relay under concurrency and outages, and the SSRF guard, against real Postgres + Redis.
import { createPrisma, type PrismaClient, WebhookDeliveryStatus } from "@zapflow/db";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { checkWebhookUrl, guardedLookup, isInternalAddress } from "@zapflow/queue/services/webhook-url";
import { nudgeWebhookRelay, recordWebhookEvent } from "@zapflow/queue/services/webhooks";
import { testRedisUrl } from "@zapflow/queue/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../src/testing/wait";
import { loadWebhookSettings, type WebhookSettings } from "../src/webhooks/config";
import { postWebhook } from "../src/webhooks/http-post";
import { createWebhooksModule } from "../src/webhooks/module";
import { claimDueDeliveries, relayOnce } from "../src/webhooks/relay";
import { purgeFinishedDeliveries } from "../src/webhooks/retention";
import { createWebhooksHarness, FAST_SETTINGS, type WebhooksHarness } from "./support/webhooks-harness";

let h: WebhooksHarness;
const extraClients: PrismaClient[] = [];

beforeAll(async () => {
  h = await createWebhooksHarness("webhookrelay");
});
afterAll(async () => {
  for (const c of extraClients) await c.$disconnect();
  await h?.close();
});

function client(): PrismaClient {
  const c = createPrisma({ url: h.db.url, max: 5 });
  extraClients.push(c);
  return c;
}

async function recordMany(companyId: string, n: number, type = "message.sent") {
  for (let i = 0; i < n; i += 50) {
    await h.db.prisma.$transaction(async (tx) => {
      for (let j = i; j < Math.min(n, i + 50); j++) await recordWebhookEvent(tx, companyId, type, { n: j });
    });
  }
}

const allSettled = (endpointId: string, n: number) =>
  waitFor(
    async () =>
      (await h.db.prisma.webhookDelivery.count({
        where: { endpointId, status: WebhookDeliveryStatus.SUCCEEDED },
      })) === n,
    { timeoutMs: 30_000, what: `${n} deliveries succeeded` },
  );

/** Runs `body` with a webhooks module (relay + consumer) started on the harness's Redis. */
async function runModule(
  settings: Partial<WebhookSettings>,
  body: (m: ReturnType<typeof createWebhooksModule>) => Promise<unknown>,
): Promise<void> {
  const webhooks = createWebhooksModule({ connection: h.connection, queues: h.queues, settings });
  await webhooks.start(h.context());
  try {
    await body(webhooks);
  } finally {
    await webhooks.stop();
  }
}

describe("relay", () => {
  it("two claimers at once never claim the same row (FOR UPDATE SKIP LOCKED)", async () => {
    const ep = await h.endpoint(
      h.companyA,
      h.receiver.respond("/claims", () => ({ status: 200 })),
    );
    await recordMany(h.companyA, 400);
    const [c1, c2] = [client(), client()];
    const claimed: string[][] = [[], []];
    await Promise.all(
      [c1, c2].map(async (c, i) => {
        for (;;) {
          const rows = await claimDueDeliveries(c, 20, 60_000);
          if (!rows.length) return;
          claimed[i]?.push(...rows.map((r) => r.id));
        }
      }),
    );
    const all = [...(claimed[0] ?? []), ...(claimed[1] ?? [])];
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    // Both took part (otherwise the test proves nothing about concurrency).
    expect(claimed[0]?.length).toBeGreaterThan(0);
    expect(claimed[1]?.length).toBeGreaterThan(0);
    const states = await h.db.prisma.webhookDelivery.groupBy({
      by: ["status"],
      where: { endpointId: ep.id },
      _count: true,
    });
    expect(states).toEqual([{ status: WebhookDeliveryStatus.DELIVERING, _count: 400 }]);
    await h.db.prisma.webhookEndpoint.delete({ where: { id: ep.id } });
  });

  it("two workers relaying and delivering at once deliver every row exactly once", async () => {
    const ep = await h.endpoint(
      h.companyA,
      h.receiver.respond("/twice", () => ({ status: 200 })),
    );
    await recordMany(h.companyA, 300);
    const modules = [0, 1].map(() => {
      const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
      return {
        connection,
        module: createWebhooksModule({
          connection,
          // A long timeout: a slow (loaded) receiver must not turn into a legitimate retry here.
          settings: { ...FAST_SETTINGS, timeoutMs: 10_000, relayIntervalMs: 20, relayBatch: 25 },
        }),
      };
    });
    await Promise.all(modules.map((m) => m.module.start({ ...h.context(), prisma: client() })));
    try {
      await allSettled(ep.id, 300);
    } finally {
      for (const m of modules) {
        await m.module.stop();
        m.connection.disconnect();
      }
    }
    const attempts = await h.db.prisma.webhookDelivery.groupBy({
      by: ["attempts"],
      where: { endpointId: ep.id },
      _count: true,
    });
    expect(attempts).toEqual([{ attempts: 1, _count: 300 }]);
    const ids = h.receiver.on("/twice").map((r) => String(r.headers["zapflow-delivery"]));
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    await h.db.prisma.webhookEndpoint.delete({ where: { id: ep.id } });
  });

  it("rows written while Redis is unreachable are kept and delivered once it is back", async () => {
    const ep = await h.endpoint(
      h.companyB,
      h.receiver.respond("/outage", () => ({ status: 200 })),
    );
    await recordMany(h.companyB, 10);
    const dead = createRedisConnection("redis://127.0.0.1:1", { forWorker: true });
    dead.on("error", () => undefined);
    const deadQueues = new QueueRegistry({ connection: dead, prefix: h.prefix, enqueueTimeoutMs: 300 });
    const logger = pino({ level: "silent" });
    try {
      const queued = await relayOnce({
        prisma: h.db.prisma,
        queues: deadQueues,
        logger,
        batch: 50,
        leaseMs: 60_000,
      });
      expect(queued).toBe(0);
    } finally {
      await deadQueues.close().catch(() => undefined);
      dead.disconnect();
    }
    // The claims were given back (due now), not parked for the whole lease.
    const rows = await h.db.prisma.webhookDelivery.findMany({ where: { endpointId: ep.id } });
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.nextAttemptAt.getTime() <= Date.now())).toBe(true);
    await runModule(FAST_SETTINGS, () => allSettled(ep.id, 10));
    expect(h.receiver.on("/outage")).toHaveLength(10);
  });

  it("re-claims a row whose claim lapsed (worker died mid-delivery)", async () => {
    const ep = await h.endpoint(
      h.companyB,
      h.receiver.respond("/lapsed", () => ({ status: 200 })),
    );
    await recordMany(h.companyB, 1, "session.connected");
    // Claimed by a worker that died: DELIVERING, lease already expired, no job in Redis.
    await h.db.prisma.webhookDelivery.updateMany({
      where: { endpointId: ep.id },
      data: { status: WebhookDeliveryStatus.DELIVERING, nextAttemptAt: new Date(Date.now() - 1_000) },
    });
    await runModule(FAST_SETTINGS, () => allSettled(ep.id, 1));
    expect(h.receiver.on("/lapsed")).toHaveLength(1);
  });

  it("a nudge after commit relays at once instead of at the next poll", async () => {
    const ep = await h.endpoint(
      h.companyB,
      h.receiver.respond("/nudged", () => ({ status: 200 })),
    );
    await runModule({ ...FAST_SETTINGS, relayIntervalMs: 60_000 }, async (webhooks) => {
      await waitFor(() => webhooks.healthy?.(), { what: "first relay pass" });
      await recordMany(h.companyB, 1, "contact.opted_out");
      const started = Date.now();
      await nudgeWebhookRelay(h.connection, h.prefix);
      await allSettled(ep.id, 1);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

describe("retention", () => {
  it("deletes only finished deliveries older than the retention", async () => {
    const ep = await h.endpoint(
      h.companyB,
      h.receiver.respond("/old", () => ({ status: 200 })),
    );
    const old = new Date(Date.now() - 15 * 86_400_000);
    const rows = [
      { status: WebhookDeliveryStatus.SUCCEEDED, createdAt: old, keep: false },
      { status: WebhookDeliveryStatus.DEAD, createdAt: old, keep: false },
      { status: WebhookDeliveryStatus.FAILED, createdAt: old, keep: true },
      { status: WebhookDeliveryStatus.SUCCEEDED, createdAt: new Date(), keep: true },
    ];
    const created = await Promise.all(
      rows.map((r) =>
        h.db.prisma.webhookDelivery.create({
          data: {
            endpointId: ep.id,
            companyId: h.companyB,
            eventType: "message.sent",
            payload: {},
            status: r.status,
            createdAt: r.createdAt,
            nextAttemptAt: new Date(Date.now() + 86_400_000),
          },
        }),
      ),
    );
    expect(await purgeFinishedDeliveries(h.db.prisma, 14 * 86_400_000)).toBe(2);
    const left = await h.db.prisma.webhookDelivery.findMany({ where: { endpointId: ep.id } });
    const kept = created.filter((_, i) => rows[i]?.keep).map((r) => r.id);
    expect(left.map((r) => r.id).sort()).toEqual(kept.sort());
  });
});

describe("SSRF guard", () => {
  it("allows private targets in production only with WEBHOOK_ALLOW_PRIVATE=true", () => {
    expect(loadWebhookSettings({ NODE_ENV: "production" }).allowPrivate).toBe(false);
    expect(loadWebhookSettings({ NODE_ENV: "production", WEBHOOK_ALLOW_PRIVATE: "true" }).allowPrivate).toBe(
      true,
    );
    expect(loadWebhookSettings({ NODE_ENV: "development" }).allowPrivate).toBe(true);
    expect(() => loadWebhookSettings({ WEBHOOK_TIMEOUT_MS: "soon" })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });

  it("refuses non-http(s) URLs", () => {
    for (const url of ["ftp://example.com/x", "file:///etc/passwd", "gopher://a", "not a url"]) {
      expect(() => checkWebhookUrl(url, true)).toThrow(/http or https|Invalid webhook URL/);
    }
    expect(checkWebhookUrl("https://hooks.example.com/a", false).hostname).toBe("hooks.example.com");
  });

  it("refuses private and loopback targets unless allowed", async () => {
    const internal = [
      "http://127.0.0.1:8080/",
      "http://10.1.2.3/",
      "http://172.20.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://localhost:3000/",
      "http://0.0.0.0/",
    ];
    for (const url of internal) expect(() => checkWebhookUrl(url, false), url).toThrow(/internal address/);
    for (const url of internal) expect(() => checkWebhookUrl(url, true)).not.toThrow();
    expect(isInternalAddress("8.8.8.8")).toBe(false);
    expect(isInternalAddress("2606:4700::1111")).toBe(false);
    // A hostname resolving to loopback is refused at connect time (DNS lookup hook).
    const err = await new Promise<Error | null>((resolve) =>
      guardedLookup("localhost", {}, (e) => resolve(e)),
    );
    expect(err?.message).toMatch(/internal address/);
    await expect(
      postWebhook(`${h.receiver.url}/never`, {}, "{}", { timeoutMs: 1_000, allowPrivate: false }),
    ).rejects.toThrow(/internal address/);
    expect(h.receiver.on("/never")).toHaveLength(0);
  });
});

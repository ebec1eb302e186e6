// Webhook delivery end to end: outbox row → relay → queue → signed POST to a local receiver,
// against real Postgres + Redis.
import { createHmac, timingSafeEqual } from "node:crypto";
import { EventCategory, EventSeverity, WebhookDeliveryStatus } from "@zapflow/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerContext } from "../src/context";
import { waitFor } from "../src/testing/wait";
import { createWebhooksModule } from "../src/webhooks/module";
import { createWebhooksHarness, FAST_SETTINGS, type WebhooksHarness } from "./support/webhooks-harness";

let h: WebhooksHarness;
let webhooks: ReturnType<typeof createWebhooksModule>;
let ctx: WorkerContext;

beforeAll(async () => {
  h = await createWebhooksHarness("webhooks");
  webhooks = createWebhooksModule({ connection: h.connection, queues: h.queues, settings: FAST_SETTINGS });
  ctx = h.context();
  await webhooks.start(ctx);
});
afterAll(async () => {
  await webhooks?.stop();
  await h?.close();
});

const deliveriesOf = (endpointId: string) =>
  h.db.prisma.webhookDelivery.findMany({ where: { endpointId }, orderBy: { createdAt: "asc" } });

async function settled(endpointId: string, count = 1) {
  return waitFor(
    async () => {
      const rows = await deliveriesOf(endpointId);
      const done = rows.filter((r) => r.status === "SUCCEEDED" || r.status === "DEAD");
      return rows.length >= count && done.length === rows.length ? rows : undefined;
    },
    { what: `deliveries of ${endpointId} settled` },
  );
}

/** The verification algorithm from docs/webhooks.md, written independently of the signer. */
function verify(secret: string, header: string, rawBody: string, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS || !parts.v1) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("delivery", () => {
  it("POSTs a signed JSON body with event and delivery headers", async () => {
    const url = h.receiver.respond("/signed", () => ({ status: 204 }));
    const ep = await h.endpoint(h.companyA, url);
    expect(await h.record(h.companyA, "message.sent", { messageId: "m-1", to: "+5511987654321" })).toBe(1);
    const [row] = await settled(ep.id);
    const [req] = h.receiver.on("/signed");
    expect(row?.status).toBe(WebhookDeliveryStatus.SUCCEEDED);
    expect(row?.attempts).toBe(1);
    expect(row?.lastStatusCode).toBe(204);
    expect(row?.deliveredAt).toBeInstanceOf(Date);
    if (!req || !row) throw new Error("no request received");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["zapflow-event"]).toBe("message.sent");
    expect(req.headers["zapflow-delivery"]).toBe(row.id);
    const signature = String(req.headers["zapflow-signature"]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(ep.secret, signature, req.body)).toBe(true);
    expect(verify("whsec_wrong", signature, req.body)).toBe(false);
    expect(verify(ep.secret, signature, req.body.replace("m-1", "m-2"))).toBe(false);
    expect(JSON.parse(req.body)).toEqual({
      id: row.id,
      type: "message.sent",
      createdAt: row.createdAt.toISOString(),
      companyId: h.companyA,
      data: { messageId: "m-1", to: "+5511987654321" },
    });
  });

  it("retries after a 500 with the same body and delivery id, then succeeds", async () => {
    const url = h.receiver.respond("/flaky", (n) =>
      n === 1 ? { status: 500, body: "boom" } : { status: 200 },
    );
    const ep = await h.endpoint(h.companyA, url);
    await h.record(h.companyA, "message.delivered", { messageId: "m-2" });
    const [row] = await settled(ep.id);
    const reqs = h.receiver.on("/flaky");
    expect(row?.status).toBe(WebhookDeliveryStatus.SUCCEEDED);
    expect(row?.attempts).toBe(2);
    expect(reqs).toHaveLength(2);
    expect(reqs[1]?.body).toBe(reqs[0]?.body);
    expect(reqs[1]?.headers["zapflow-delivery"]).toBe(row?.id);
    // The retry waited for the backoff (base 100 ms, −10 % jitter at most).
    expect((reqs[1]?.at ?? 0) - (reqs[0]?.at ?? 0)).toBeGreaterThanOrEqual(90);
    const endpoint = await h.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
    expect(endpoint.consecutiveFailures).toBe(0);
  });

  it("marks a delivery DEAD after the max attempts, keeping a truncated response", async () => {
    const url = h.receiver.respond("/down", () => ({ status: 503, body: "x".repeat(5_000) }));
    const ep = await h.endpoint(h.companyA, url);
    await h.record(h.companyA, "message.failed", { messageId: "m-3" });
    const [row] = await settled(ep.id);
    expect(row?.status).toBe(WebhookDeliveryStatus.DEAD);
    expect(row?.attempts).toBe(FAST_SETTINGS.maxAttempts);
    expect(row?.lastStatusCode).toBe(503);
    expect(row?.lastResponse).toHaveLength(1024);
    expect(row?.lastError).toBe("HTTP 503");
    // Dead means dead: no further attempt after a few relay intervals.
    await new Promise((r) => setTimeout(r, 500));
    expect(h.receiver.on("/down")).toHaveLength(FAST_SETTINGS.maxAttempts ?? 0);
  });

  it("records a receiver timeout as a failed attempt and retries", async () => {
    const url = h.receiver.respond("/slow", (n) =>
      n === 1 ? { status: 200, delayMs: 5_000 } : { status: 200 },
    );
    const ep = await h.endpoint(h.companyA, url);
    const started = Date.now();
    await h.record(h.companyA, "message.read", { messageId: "m-4" });
    const failed = await waitFor(
      async () => (await deliveriesOf(ep.id)).find((r) => r.attempts === 1 && r.lastError),
      { what: "timed-out attempt recorded" },
    );
    expect(failed.lastError).toMatch(/No response within 1500 ms/);
    expect(failed.lastStatusCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    const [row] = await settled(ep.id);
    expect(row?.status).toBe(WebhookDeliveryStatus.SUCCEEDED);
    expect(row?.attempts).toBe(2);
  });

  it("disables an endpoint after consecutive failures and writes a WEBHOOK warning event", async () => {
    const url = h.receiver.respond("/gone", () => ({ status: 410 }));
    const ep = await h.endpoint(h.companyA, url);
    // Three deliveries × 3 attempts could make 9 requests; the endpoint is disabled at the 5th failure.
    for (const id of ["m-5", "m-6", "m-7"]) await h.record(h.companyA, "message.sent", { messageId: id });
    const endpoint = await waitFor(
      async () => {
        const e = await h.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
        return e.enabled ? undefined : e;
      },
      { what: "endpoint disabled" },
    );
    expect(endpoint.disabledAt).toBeInstanceOf(Date);
    // (Earlier catch-all endpoints of company A that keep failing may be disabled too: look at this one.)
    const events = (
      await h.db.prisma.event.findMany({ where: { companyId: h.companyA, type: "webhook.disabled" } })
    ).filter((e) => (e.data as { endpointId?: string }).endpointId === ep.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ category: EventCategory.WEBHOOK, severity: EventSeverity.WARN });
    // Attempts already in flight at that moment may finish; no attempt starts afterwards.
    const rows = await settled(ep.id, 3);
    expect(rows.every((r) => r.status === WebhookDeliveryStatus.DEAD)).toBe(true);
    expect(rows.some((r) => r.lastError === "Endpoint disabled")).toBe(true);
    const sent = h.receiver.on("/gone").length;
    expect(sent).toBeGreaterThanOrEqual(FAST_SETTINGS.disableAfter ?? 0);
    expect(sent).toBeLessThan(9);
    expect(
      (await h.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } })).consecutiveFailures,
    ).toBe(sent);
    // A disabled endpoint gets no new outbox rows.
    await h.record(h.companyA, "message.sent", { messageId: "m-8" });
    expect(await deliveriesOf(ep.id)).toHaveLength(3);
  });
});

describe("routing", () => {
  it("respects the endpoint's event filter", async () => {
    const url = h.receiver.respond("/filtered", () => ({ status: 200 }));
    const ep = await h.endpoint(h.companyB, url, ["message.received", "session.connected"]);
    expect(await h.record(h.companyB, "message.sent", { messageId: "b-1" })).toBe(0);
    expect(await h.record(h.companyB, "message.received", { messageId: "b-2" })).toBe(1);
    expect(await h.record(h.companyB, "session.connected", { sessionId: "s-1" })).toBe(1);
    const rows = await settled(ep.id, 2);
    expect(rows.map((r) => r.eventType).sort()).toEqual(["message.received", "session.connected"]);
    const types = h.receiver.on("/filtered").map((r) => r.headers["zapflow-event"]);
    expect(types.sort()).toEqual(["message.received", "session.connected"]);
  });

  it("never delivers one company's events to another company's endpoint", async () => {
    const urlA = h.receiver.respond("/tenant-a", () => ({ status: 200 }));
    const urlB = h.receiver.respond("/tenant-b", () => ({ status: 200 }));
    const epA = await h.endpoint(h.companyA, urlA);
    const epB = await h.endpoint(h.companyB, urlB);
    for (let i = 0; i < 5; i++) await h.record(h.companyA, "message.sent", { messageId: `a-${i}` });
    await settled(epA.id, 5);
    // Rows for A exist only for A's endpoints; B's endpoint has none and received nothing.
    expect(await h.db.prisma.webhookDelivery.count({ where: { endpointId: epB.id } })).toBe(0);
    expect(h.receiver.on("/tenant-b")).toHaveLength(0);
    expect(h.receiver.on("/tenant-a").every((r) => JSON.parse(r.body).companyId === h.companyA)).toBe(true);
    // A's secret signs A's deliveries; B's endpoint still works for B.
    await h.record(h.companyB, "message.sent", { messageId: "b-9" });
    await settled(epB.id, 1);
    const [reqB] = h.receiver.on("/tenant-b");
    expect(JSON.parse(reqB?.body ?? "{}").companyId).toBe(h.companyB);
  });
});

describe("metrics", () => {
  it("counts attempts by outcome and reports the outbox backlog", async () => {
    const url = h.receiver.respond("/metrics", () => ({ status: 200 }));
    const ep = await h.endpoint(h.companyB, url);
    await h.record(h.companyB, "message.sent", { messageId: "b-m" });
    await settled(ep.id);
    const attempts = await ctx.metrics.getSingleMetric("zapflow_webhook_attempts_total")?.get();
    const succeeded = attempts?.values.find((v) => v.labels.outcome === WebhookDeliveryStatus.SUCCEEDED);
    expect(succeeded?.value).toBeGreaterThan(0);
    const text = await ctx.metrics.metrics();
    expect(text).toMatch(/zapflow_webhook_outbox_rows\{status="PENDING"\} \d+/);
    expect(text).toContain("zapflow_webhook_attempt_seconds_count");
  });
});

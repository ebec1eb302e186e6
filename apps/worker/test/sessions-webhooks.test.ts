// Session state changes → webhook outbox rows in the same transaction (documented session.* types
// only, per endpoint filter), and the relay delivering them signed to a local receiver.
import { createHmac, timingSafeEqual } from "node:crypto";
import { EventCategory, SessionStatus, WebhookDeliveryStatus } from "@zapflow/db";
import { encryptSecret } from "@zapflow/db/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventOutbox } from "../src/events/outbox";
import { writeSessionEvents } from "../src/sessions/events";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../src/testing";
import { createWebhooksModule } from "../src/webhooks/module";
import { FAST_SETTINGS, Receiver } from "./support/webhooks-harness";

let h: SessionsHarness;
let webhooks: ReturnType<typeof createWebhooksModule>;
const receiver = new Receiver();
let phoneSeq = 5511900000500;
const ep: Record<"all" | "connected" | "other" | "disabled" | "foreign", { id: string; secret: string }> =
  {} as never;

async function endpoint(companyId: string, path: string, events: string[], enabled = true) {
  const secret = `whsec_sesswh_${path.slice(1)}`;
  const row = await h.prisma.webhookEndpoint.create({
    data: {
      companyId,
      url: receiver.respond(path, () => ({ status: 200 })),
      events,
      enabled,
      secretEncrypted: new Uint8Array(encryptSecret(secret)),
    },
  });
  return { id: row.id, secret };
}

beforeAll(async () => {
  await receiver.listen();
  h = await createSessionsHarness("sesswebhooks", {
    env: { RECONNECT_BASE_MS: "50", RECONNECT_MAX_MS: "200" },
  });
  const other = await h.prisma.company.create({ data: { name: "Other", slug: `other-${h.prefix}` } });
  ep.all = await endpoint(h.companyId, "/all", []);
  ep.connected = await endpoint(h.companyId, "/connected", ["session.connected"]);
  ep.other = await endpoint(h.companyId, "/other", ["message.sent", "campaign.started"]);
  ep.disabled = await endpoint(h.companyId, "/disabled", [], false);
  ep.foreign = await endpoint(other.id, "/foreign", []);
  // A poll far away: a delivery within the test's time comes from the commit's NOTIFY.
  webhooks = createWebhooksModule({
    connection: h.connection,
    queues: h.queues,
    settings: { ...FAST_SETTINGS, relayIntervalMs: 60_000 },
  });
  await webhooks.start(h.ctx);
});

afterAll(async () => {
  await webhooks?.stop();
  await h?.close();
  await receiver.close();
});

const deliveries = (endpointId: string, sessionId: string) =>
  h.prisma.webhookDelivery
    // Rows of one transaction share createdAt: order those by type for stable comparisons.
    .findMany({ where: { endpointId }, orderBy: [{ createdAt: "asc" }, { eventType: "asc" }] })
    .then((rows) => rows.filter((r) => (r.payload as { sessionId?: string }).sessionId === sessionId));

const types = async (endpointId: string, sessionId: string) =>
  (await deliveries(endpointId, sessionId)).map((d) => d.eventType);

async function connected(label: string): Promise<{ id: string; phone: string }> {
  const id = await h.createSession(label);
  const phone = String(phoneSeq++);
  await h.pairByQr(id, phone);
  return { id, phone };
}

function verify(secret: string, header: string | string[] | undefined, raw: string): boolean {
  const parts = Object.fromEntries(
    String(header)
      .split(",")
      .map((kv) => kv.split("=") as [string, string]),
  );
  const expected = createHmac("sha256", secret).update(`${parts.t}.${raw}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("session webhooks", () => {
  it("connected → a delivery per subscribed endpoint only, delivered signed within moments", async () => {
    const { id } = await connected("first");
    expect(await types(ep.all.id, id)).toEqual(["session.connected"]); // no connecting / awaiting_qr
    expect(await types(ep.connected.id, id)).toEqual(["session.connected"]);
    for (const e of [ep.other, ep.disabled, ep.foreign]) expect(await types(e.id, id)).toEqual([]);
    // The audit trail still has the internal states.
    const audit = await h.prisma.event.findMany({ where: { sessionId: id }, select: { type: true } });
    expect(audit.map((e) => e.type)).toEqual(
      expect.arrayContaining(["session.connecting", "session.awaiting_qr", "session.connected"]),
    );

    const [row] = await deliveries(ep.connected.id, id);
    await waitFor(() => receiver.on("/connected").some((r) => r.headers["zapflow-delivery"] === row?.id), {
      timeoutMs: 5_000,
      what: "session.connected delivered",
    });
    const req = receiver.on("/connected").find((r) => r.headers["zapflow-delivery"] === row?.id)!;
    expect(req.headers["zapflow-event"]).toBe("session.connected");
    expect(verify(ep.connected.secret, req.headers["zapflow-signature"], req.body)).toBe(true);
    expect(verify(ep.all.secret, req.headers["zapflow-signature"], req.body)).toBe(false);
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      id: row?.id,
      type: "session.connected",
      createdAt: row?.createdAt.toISOString(),
      companyId: h.companyId,
      data: { type: "session.connected", sessionId: id, status: "CONNECTED", reason: null },
    });
    // Internal details stay on the Event row, out of the payload.
    const event = await h.prisma.event.findFirstOrThrow({
      where: { sessionId: id, type: "session.connected" },
    });
    expect(event.data).toMatchObject({ status: "CONNECTED", workerId: h.ctx.workerId });
  });

  it("a reconnect that ends CONNECTED again reports nothing new", async () => {
    const { id } = await connected("flap");
    const sockets = h.sim.connectionLog(id).length;
    h.sim.disconnect(id, 500);
    await waitFor(
      () => h.sim.connectionLog(id).length > sockets && h.sim.connectionLog(id).at(-1)?.loggedInAt,
      {
        what: "reconnected socket",
      },
    );
    await h.waitForStatus(id, SessionStatus.CONNECTED);
    expect(
      await h.prisma.event.count({ where: { sessionId: id, type: "session.reconnecting" } }),
    ).toBeGreaterThan(0);
    expect(await h.prisma.event.count({ where: { sessionId: id, type: "session.connected" } })).toBe(2);
    expect(await types(ep.all.id, id)).toEqual(["session.connected"]);
  });

  it("stop → session.disconnected with the reason; logout → session.logged_out", async () => {
    const a = await connected("stop");
    await h.manager.stopSession(a.id);
    await h.waitForStatus(a.id, SessionStatus.DISCONNECTED);
    expect(await types(ep.all.id, a.id)).toEqual(["session.connected", "session.disconnected"]);
    const [, stopped] = await deliveries(ep.all.id, a.id);
    expect(stopped?.payload).toMatchObject({ status: "DISCONNECTED", reason: expect.any(String) });
    expect(await types(ep.connected.id, a.id)).toEqual(["session.connected"]);

    const b = await connected("logout");
    await h.manager.logoutSession(b.id);
    await h.waitForStatus(b.id, SessionStatus.LOGGED_OUT);
    expect(await types(ep.all.id, b.id)).toEqual(["session.connected", "session.logged_out"]);
  });

  it("463 restricted → session.restricted + session.outbound_paused once, not again on each retry", async () => {
    const { id, phone } = await connected("restricted");
    h.sim.restrict(phone, 463);
    await waitFor(async () => (await types(ep.all.id, id)).length >= 3, { what: "restricted deliveries" });
    await h.waitForStatus(id, SessionStatus.CONNECTED); // logins still work while restricted
    expect(await types(ep.all.id, id)).toEqual([
      "session.connected",
      "session.outbound_paused",
      "session.restricted",
      "session.connected",
    ]);
    const paused = (await deliveries(ep.all.id, id)).find((d) => d.eventType === "session.outbound_paused");
    expect(paused?.payload).toEqual({
      type: "session.outbound_paused",
      sessionId: id,
      reason: expect.stringMatching(/restricted/i),
    });
  });

  it("403 forbidden → session.restricted + session.outbound_paused, and the session ends", async () => {
    const { id, phone } = await connected("forbidden");
    h.sim.restrict(phone, 403);
    await h.waitForStatus(id, SessionStatus.RESTRICTED);
    await waitFor(async () => (await types(ep.all.id, id)).length === 3, { what: "forbidden deliveries" });
    expect(await types(ep.all.id, id)).toEqual([
      "session.connected",
      "session.outbound_paused",
      "session.restricted",
    ]);
  });

  it("a rolled-back status write leaves neither the Event row nor a delivery", async () => {
    const id = await h.createSession("rollback");
    const attempt = h.prisma.$transaction(async (tx) => {
      await writeSessionEvents(tx, new EventOutbox(h.prisma), {
        sessionId: id,
        companyId: h.companyId,
        status: SessionStatus.CONNECTED,
        type: "session.connected",
        message: "Session connected",
        reason: null,
        auditData: {},
        transition: true,
        pausedOutbound: false,
      });
      expect(await tx.webhookDelivery.count({ where: { endpointId: ep.all.id } })).toBeGreaterThan(0);
      throw new Error("status write failed after the outbox rows");
    });
    await expect(attempt).rejects.toThrow(/status write failed/);
    expect(await h.prisma.event.count({ where: { sessionId: id, category: EventCategory.SESSION } })).toBe(0);
    expect(await types(ep.all.id, id)).toEqual([]);
  });

  it("every delivery written here reached its endpoint (none left pending)", async () => {
    await waitFor(
      async () =>
        (await h.prisma.webhookDelivery.count({
          where: { status: { not: WebhookDeliveryStatus.SUCCEEDED }, endpoint: { enabled: true } },
        })) === 0,
      { timeoutMs: 5_000, what: "all deliveries succeeded" },
    );
  });
});

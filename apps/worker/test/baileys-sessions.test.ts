// Session lifecycle through the UNMODIFIED Baileys engine against the protocol simulator: QR and
// pairing-code pairing through the lifecycle queue (the scan/confirm go through the same demo
// controls the dashboard uses), 401 wipes the auth state, 515 reconnects, 440 is not fought.
import { SessionDesiredState, SessionStatus } from "@zapflow/db";
import { enqueueSessionLifecycle } from "@zapflow/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleSimulatorRoute } from "../src/http/simulator-routes";
import { waitFor } from "../src/testing";
import { type BaileysHarness, createBaileysHarness } from "./support/baileys-harness";

let b: BaileysHarness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  b = await createBaileysHarness("baisess", {
    seed: 21,
    messages: false,
    env: { RECONNECT_BASE_MS: "100", RECONNECT_MAX_MS: "300" },
  });
});

afterAll(async () => {
  await b?.close();
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

const row = (id: string) => b.h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
const authRows = async (id: string) =>
  (await b.h.prisma.authCredential.count({ where: { sessionId: id } })) +
  (await b.h.prisma.authKey.count({ where: { sessionId: id } }));
const deviceOf = (phone: string) => b.sim.devices().find((d) => d.phone === phone && d.status === "paired")!;
const logins = (deviceId: string) =>
  b.sim.connections().filter((c) => c.deviceId === deviceId && c.kind === "login" && c.loggedInAt);

async function pairByQr(label: string, phone: string): Promise<string> {
  const id = await b.h.createSession(label);
  await enqueueSessionLifecycle(b.h.queues, { action: "start", sessionId: id, companyId: b.h.companyId });
  const qr = await waitFor(async () => (await row(id)).qrCode, { what: "QR from Baileys on the row" });
  // What the dashboard shows is what real Baileys emitted (…#ref,noiseKey,identityKey,advSecret,…):
  // one of the refs the simulator's registration socket handed out.
  const [ref, ...keys] = (qr.split("#")[1] ?? qr).split(",");
  expect(keys.length).toBeGreaterThanOrEqual(3);
  expect(b.sim.pendingPairings().some((p) => p.refs.includes(ref!))).toBe(true);
  await b.controls.scanQr(id, phone);
  await b.h.waitForStatus(id, SessionStatus.CONNECTED, 20_000);
  return id;
}

describe("real Baileys sessions against the protocol simulator", () => {
  it("pairs by QR through the lifecycle queue; creds and signal keys land in Postgres, encrypted", async () => {
    const id = await pairByQr("qr", "5511910000001");
    const r = await waitFor(async () => ((await row(id)).phone ? row(id) : undefined), { what: "identity" });
    expect(r.phone).toBe("5511910000001");
    expect(r.jid).toMatch(/^5511910000001(:\d+)?@s\.whatsapp\.net$/);
    expect(r.qrCode).toBeNull();
    const device = deviceOf("5511910000001");
    expect(device.method).toBe("qr");
    // The 812 pre-keys Baileys uploads went through the worker's auth store.
    await waitFor(() => deviceOf("5511910000001").uploadedPreKeys > 0, { what: "pre-keys uploaded" });
    expect(await b.h.prisma.authKey.count({ where: { sessionId: id, type: "pre-key" } })).toBeGreaterThan(
      100,
    );
    const cred = await b.h.prisma.authCredential.findUniqueOrThrow({ where: { sessionId: id } });
    // Baileys' creds are JSON with keys such as "noiseKey": none of it is readable in the column.
    expect(cred.value.length).toBeGreaterThan(500);
    expect(Buffer.from(cred.value).includes("noiseKey")).toBe(false);
    expect(Buffer.from(cred.value).includes("5511910000001")).toBe(false);
    // Pairing ends with 515: the registration socket, then a login socket.
    expect(logins(device.id)).toHaveLength(1);
  });

  it("pairs by pairing code: Baileys' code on the row, confirmed on the simulated phone", async () => {
    const id = await b.h.createSession("code");
    await enqueueSessionLifecycle(b.h.queues, {
      action: "pairing-code",
      sessionId: id,
      companyId: b.h.companyId,
      phone: "5511910000002",
    });
    const code = await waitFor(async () => (await row(id)).pairingCode, { what: "pairing code on the row" });
    expect(code).toMatch(/^[0-9A-Z]{4}-?[0-9A-Z]{4}$/);
    expect((await row(id)).status).toBe(SessionStatus.AWAITING_PAIRING_CODE);
    await b.controls.confirmPairingCode(id, code);
    await b.h.waitForStatus(id, SessionStatus.CONNECTED, 20_000);
    expect(deviceOf("5511910000002").method).toBe("pairing-code");
    await waitFor(async () => (await row(id)).phone === "5511910000002", { what: "identity" });
  });

  it("515 (restart required) reconnects at once, from the stored creds", async () => {
    const id = await pairByQr("r515", "5511910000003");
    const device = deviceOf("5511910000003");
    await waitFor(async () => (await row(id)).phone, { what: "identity" });
    await b.controls.disconnect(id, 515);
    await waitFor(() => logins(device.id).length === 2 && logins(device.id)[1]!.closedAt === undefined, {
      what: "a second login socket",
      timeoutMs: 15_000,
    });
    await b.h.waitForStatus(id, SessionStatus.CONNECTED);
    expect(logins(device.id)[0]!.endedBy).toContain("515");
    expect(await authRows(id)).toBeGreaterThan(1);
  });

  it("440 (connection replaced) is not fought: no new socket, DISCONNECTED, auth kept", async () => {
    const id = await pairByQr("r440", "5511910000004");
    const device = deviceOf("5511910000004");
    await waitFor(async () => (await row(id)).phone, { what: "identity" });
    await b.controls.disconnect(id, 440);
    await b.h.waitForStatus(id, SessionStatus.DISCONNECTED, 15_000);
    await new Promise((r) => setTimeout(r, 1_000)); // a reconnect (RECONNECT_BASE_MS=100) would show by now
    expect(logins(device.id)).toHaveLength(1);
    const r = await row(id);
    expect(r.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(r.lastDisconnectCode).toBe(440);
    expect(await b.h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(1);
  });

  it("401 (logged out) wipes every AuthKey and AuthCredential row and does not reconnect", async () => {
    const id = await pairByQr("r401", "5511910000005");
    const device = deviceOf("5511910000005");
    await waitFor(async () => (await row(id)).phone, { what: "identity" });
    expect(await authRows(id)).toBeGreaterThan(100);
    await b.controls.disconnect(id, 401);
    await b.h.waitForStatus(id, SessionStatus.LOGGED_OUT, 15_000);
    await waitFor(async () => (await authRows(id)) === 0, { what: "auth rows wiped" });
    expect((await row(id)).desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(b.h.manager.isLocal(id)).toBe(false);
    expect(logins(device.id)).toHaveLength(1);
  });

  it("demo controls answer 409 with a reason when there is nothing to scan or confirm", async () => {
    const id = await b.h.createSession("idle");
    const scan = await handleSimulatorRoute(b.controls, "scan", { sessionId: id, phone: "+5511910000009" });
    expect(scan).toEqual({ status: 409, body: { error: `session ${id} has shown no QR code` } });
    const confirm = await handleSimulatorRoute(b.controls, "pairing-confirm", {
      sessionId: id,
      code: "ABCD1234",
    });
    expect(confirm.status).toBe(409);
    const inbound = await handleSimulatorRoute(b.controls, "inbound", {
      sessionId: id,
      from: "+5511987650009",
      text: "x",
    });
    expect(inbound.status).toBe(409);
  });
});

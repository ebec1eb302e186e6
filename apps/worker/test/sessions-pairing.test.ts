// Pairing through the session-lifecycle queue against the in-process simulator: QR and pairing
// code end to end (row, events, pub/sub), idempotent starts, stop and logout.
import { SessionDesiredState, SessionStatus } from "@zapflow/db";
import { createRedisConnection, enqueueSessionLifecycle } from "@zapflow/queue";
import { testRedisUrl } from "@zapflow/queue/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUpdate } from "../src/sessions/status-writer";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../src/testing";

let h: SessionsHarness;
const updates: SessionUpdate[] = [];
let subscriber: ReturnType<typeof createRedisConnection>;

beforeAll(async () => {
  h = await createSessionsHarness("sesspair", { env: { STATUS_DEBOUNCE_MS: "200" } });
  subscriber = createRedisConnection(testRedisUrl(), { forWorker: true });
  subscriber.on("message", (_channel: string, raw: string) => updates.push(JSON.parse(raw) as SessionUpdate));
  await subscriber.subscribe(`${h.prefix}:session-updates`);
});

afterAll(async () => {
  await subscriber?.quit();
  await h?.close();
});

const row = (id: string) => h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
const eventTypes = async (id: string) =>
  (await h.prisma.event.findMany({ where: { sessionId: id }, orderBy: { id: "asc" } })).map((e) => e.type);

describe("pairing through the lifecycle queue", () => {
  it("pairs by QR: QR on the row and on pub/sub, then CONNECTED with identity and events", async () => {
    const id = await h.createSession("qr");
    await enqueueSessionLifecycle(h.queues, { action: "start", sessionId: id, companyId: h.companyId });

    const qr = await waitFor(async () => (await row(id)).qrCode, { what: "QR on the row" });
    expect(qr).toBe(h.sim.sessionInfo(id).qr);
    const r1 = await row(id);
    expect(r1.status).toBe(SessionStatus.AWAITING_QR);
    expect(r1.desiredState).toBe(SessionDesiredState.CONNECTED);
    expect(r1.qrExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(r1.ownerWorkerId).toBe(h.ctx.workerId);
    await waitFor(() => updates.some((u) => u.sessionId === id && u.qrCode === qr), { what: "QR published" });

    h.sim.scanQr(qr, "5511988887777", "Loja");
    await h.waitForStatus(id, SessionStatus.CONNECTED);
    const r2 = await waitFor(async () => ((await row(id)).phone ? row(id) : undefined), { what: "identity" });
    expect(r2.phone).toBe("5511988887777");
    expect(r2.jid).toMatch(/^5511988887777:\d+@s\.whatsapp\.net$/);
    expect(r2.lid).toMatch(/@lid$/);
    expect(r2.pairedAt).toBeInstanceOf(Date);
    expect(r2.connectedAt).toBeInstanceOf(Date);
    expect(r2.qrCode).toBeNull();
    expect(h.bus.get(id)?.companyId).toBe(h.companyId);
    const types = await eventTypes(id);
    expect(types).toEqual(expect.arrayContaining(["session.awaiting_qr", "session.connected"]));
    expect(updates.some((u) => u.sessionId === id && u.status === SessionStatus.CONNECTED)).toBe(true);
    // Pairing ended with 515 (restart required): exactly two sockets, one after the other.
    const log = h.sim.connectionLog(id);
    expect(log).toHaveLength(2);
    expect(log[0]!.closeCode).toBe(515);
    expect(log[1]!.loggedInAt).toBeDefined();
    // Auth state persisted, encrypted.
    expect(await h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(1);
  });

  it("pairs by pairing code: code on the row and pub/sub, confirmed on the phone", async () => {
    const id = await h.createSession("code");
    await enqueueSessionLifecycle(h.queues, {
      action: "pairing-code",
      sessionId: id,
      companyId: h.companyId,
      phone: "5511977776666",
    });
    const code = await waitFor(async () => (await row(id)).pairingCode, { what: "pairing code on the row" });
    expect(code).toBe(h.sim.sessionInfo(id).pairingCode);
    const r1 = await row(id);
    expect(r1.status).toBe(SessionStatus.AWAITING_PAIRING_CODE);
    expect(r1.pairingPhone).toBe("5511977776666");
    expect(r1.qrCode).toBeNull();
    await waitFor(() => updates.some((u) => u.sessionId === id && u.pairingCode === code), {
      what: "code published",
    });

    h.sim.confirmPairingCode(id, code);
    await h.waitForStatus(id, SessionStatus.CONNECTED);
    const r2 = await waitFor(async () => ((await row(id)).phone ? row(id) : undefined), { what: "identity" });
    expect(r2.phone).toBe("5511977776666");
    expect(r2.pairingCode).toBeNull();
    const types = await eventTypes(id);
    expect(types).toEqual(expect.arrayContaining(["session.awaiting_pairing_code", "session.connected"]));
    // The reconnect after pairing (515) logs in with the new creds: no second code is requested,
    // and the QR the server offered meanwhile was never shown.
    expect(types).not.toContain("session.pairing_code_failed");
    expect(types).not.toContain("session.awaiting_qr");
  });

  it("double start (same job twice, and concurrent manager calls) opens one socket", async () => {
    const id = await h.createSession("double");
    await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });
    const job = { action: "start", sessionId: id, companyId: h.companyId } as const;
    const results = await Promise.all([
      enqueueSessionLifecycle(h.queues, job),
      enqueueSessionLifecycle(h.queues, job),
      h.manager.startSession(id),
      h.manager.startSession(id),
    ]);
    expect(results[0]!.id).toBe(results[1]!.id);
    await waitFor(async () => (await row(id)).qrCode, { what: "QR" });
    await new Promise((r) => setTimeout(r, 300)); // let the queued job run too
    expect(h.sim.connectionLog(id)).toHaveLength(1);
    // Whoever came first (a queued job or a direct call) started it; every other call found it running.
    const direct = [results[2], results[3]];
    expect(direct.filter((r) => r === "started").length).toBeLessThanOrEqual(1);
    expect(direct.every((r) => r === "started" || r === "already-running")).toBe(true);
  });

  it("stop closes the socket without logging out; logout wipes the auth state", async () => {
    const id = await h.createSession("stoplogout");
    await h.pairByQr(id, "5511966665555");
    await enqueueSessionLifecycle(h.queues, { action: "stop", sessionId: id, companyId: h.companyId });
    await h.waitForStatus(id, SessionStatus.DISCONNECTED);
    const stopped = await row(id);
    expect(stopped.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(stopped.ownerWorkerId).toBeNull();
    expect(h.manager.isLocal(id)).toBe(false);
    expect(h.bus.get(id)).toBeUndefined();
    expect(await h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(1);
    expect(h.sim.connectionLog(id).at(-1)!.closedBy).toBe("client");

    // Start again (manager directly: the completed start job id is still kept by BullMQ) — no re-pairing.
    await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });
    await h.manager.startSession(id);
    await h.waitForStatus(id, SessionStatus.CONNECTED);

    await enqueueSessionLifecycle(h.queues, { action: "logout", sessionId: id, companyId: h.companyId });
    await h.waitForStatus(id, SessionStatus.LOGGED_OUT);
    expect(await h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(0);
    expect(await h.prisma.authKey.count({ where: { sessionId: id } })).toBe(0);
    expect((await row(id)).desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(h.sim.connectionLog(id).at(-1)!.closeCode).toBe(401);
  });

  it("ignores a job whose companyId does not own the session", async () => {
    const id = await h.createSession("tenant");
    const other = await h.prisma.company.create({ data: { name: "Other", slug: `other-${h.prefix}` } });
    await enqueueSessionLifecycle(h.queues, { action: "start", sessionId: id, companyId: other.id });
    await new Promise((r) => setTimeout(r, 500));
    expect((await row(id)).desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(h.sim.connectionLog(id)).toHaveLength(0);
  });
});

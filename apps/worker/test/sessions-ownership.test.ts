// Ownership between two session managers (two worker ids sharing one DB, Redis prefix and
// simulator): commands reach the owner over Redis pub/sub, a lost lease closes the socket at
// once, a full pool leaves sessions to a worker with room, the reconciler adopts orphans.
import { SessionStatus } from "@zapflow/db";
import { createSimulatorEngine } from "@zapflow/whatsapp/simulator";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { SessionBus } from "../src/session-bus";
import { OwnerUnreachableError } from "../src/sessions/manager";
import { createSessionsModule, type SessionsModule } from "../src/sessions/module";
import { sessionKeys } from "../src/sessions/redis-keys";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../src/testing";

const env = { SESSION_LEASE_MS: "1500", RECONCILE_INTERVAL_MS: "600000", STATUS_DEBOUNCE_MS: "0" };
let h: SessionsHarness; // worker "sessown-worker" (A)
let b: SessionsModule; // worker "worker-b", MAX_SESSIONS=1
const busB = new SessionBus();
let phone = 5511950000000;

beforeAll(async () => {
  h = await createSessionsHarness("sessown", { env });
  const config = loadConfig({
    DATABASE_URL: h.db.url,
    REDIS_PREFIX: h.prefix,
    WA_ENGINE: "simulator",
    ...env,
    WORKER_ID: "worker-b",
    MAX_SESSIONS: "1",
  });
  b = createSessionsModule({
    engine: createSimulatorEngine(h.sim, { clientId: "worker-b" }),
    connection: h.connection,
  });
  await b.start({ ...h.ctx, config, workerId: "worker-b", bus: busB, metrics: new Registry() });
});

afterAll(async () => {
  await b?.stop();
  await h?.close();
});

const row = (id: string) => h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
const want = (id: string) =>
  h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });

describe("ownership across workers", () => {
  it("stop / pairing-code / logout for a session owned by A, issued on B, run on A", async () => {
    const paired = await h.createSession("fwd-stop");
    await h.pairByQr(paired, String(phone++));
    expect(await b.manager!.stopSession(paired)).toBe("forwarded");
    await h.waitForStatus(paired, SessionStatus.DISCONNECTED);
    // The runner writes DISCONNECTED, then finishes and leaves the manager: the row can show the
    // status a moment before the runner is gone (a CI run caught exactly that moment).
    await waitFor(() => !h.manager.isLocal(paired), { what: "runner released on A" });

    const fresh = await h.createSession("fwd-code");
    await want(fresh);
    expect(await h.manager.startSession(fresh)).toBe("started");
    await waitFor(() => h.sim.sessionInfo(fresh).qr, { what: "QR" });
    expect(await b.manager!.requestPairingCode(fresh, "5511940000000")).toBe("forwarded");
    await h.waitForStatus(fresh, SessionStatus.AWAITING_PAIRING_CODE);
    expect((await row(fresh)).pairingCode).toBe(h.sim.sessionInfo(fresh).pairingCode);
    expect(b.manager!.isLocal(fresh)).toBe(false);
    expect(h.sim.connectionLog(fresh).every((c) => c.clientId === "sessown-worker")).toBe(true);

    const toLogout = await h.createSession("fwd-logout");
    await h.pairByQr(toLogout, String(phone++));
    expect(await b.manager!.logoutSession(toLogout)).toBe("forwarded");
    await h.waitForStatus(toLogout, SessionStatus.LOGGED_OUT);
    expect(await h.prisma.authCredential.count({ where: { sessionId: toLogout } })).toBe(0);
  });

  it("a command for an owner that does not answer fails (retried later by BullMQ)", async () => {
    const id = await h.createSession("ghost");
    await h.connection.set(sessionKeys.lease(h.prefix, id), "ghost-worker", "PX", 5_000);
    await expect(b.manager!.stopSession(id)).rejects.toBeInstanceOf(OwnerUnreachableError);
  });

  it("a lost lease closes the socket at once and the old owner writes nothing more", async () => {
    const id = await h.createSession("lost");
    await h.pairByQr(id, String(phone++));
    const eventsBefore = await h.prisma.event.count({ where: { sessionId: id } });
    await h.connection.set(sessionKeys.lease(h.prefix, id), "intruder", "PX", 30_000);
    await waitFor(() => !h.manager.isLocal(id), { timeoutMs: 3_000, what: "runner dropped" });
    expect(h.bus.get(id)).toBeUndefined();
    const last = h.sim.connectionLog(id).at(-1)!;
    expect(last.closedBy).toBe("client");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await row(id);
    expect(await h.prisma.event.count({ where: { sessionId: id } })).toBe(eventsBefore);
    expect(after.status).toBe(SessionStatus.CONNECTED); // left for the new owner to write
    expect(await h.connection.get(sessionKeys.lease(h.prefix, id))).toBe("intruder");
  });

  it("a full worker leaves new sessions to another; the reconciler adopts orphans", async () => {
    const first = await h.createSession("pool-1");
    const second = await h.createSession("pool-2");
    await want(first);
    await want(second);
    expect(await b.manager!.startSession(first)).toBe("started");
    expect(await b.manager!.startSession(second)).toBe("pool-full");
    expect(b.manager!.poolStats()).toEqual({
      activeSessions: 1,
      maxSessions: 1,
      waitingQueue: 1,
      utilizationRate: 1,
    });
    expect(await h.connection.get(sessionKeys.lease(h.prefix, second))).toBeNull();

    const adopted = await h.module.reconciler!.reconcile();
    expect(adopted).toContain(second);
    expect(adopted).not.toContain(first); // B holds its lease
    await waitFor(() => h.sim.sessionInfo(second).qr, { what: "QR of the adopted session on A" });
    expect(h.sim.connectionLog(second).map((c) => c.clientId)).toEqual(["sessown-worker"]);

    // B frees its slot: the waiting session is owned by A now, so B does not start it.
    await b.manager!.stopSession(first);
    await waitFor(() => b.manager!.poolStats().waitingQueue === 0, { what: "waiting queue drained" });
    expect(b.manager!.poolStats().activeSessions).toBe(0);
    expect(h.manager.isLocal(second)).toBe(true);
  });
});

// Every disconnect code the simulator can inject leads to the right state and action, and the
// circuit breaker opens after N quick failures, then half-opens after its (short) open time.
import { BreakerState, EventSeverity, SessionDesiredState, SessionStatus } from "@zapflow/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../src/testing";

let h: SessionsHarness;
const restricted: { sessionId: string; reason: string }[] = [];
let phoneSeq = 5511900000100;

beforeAll(async () => {
  h = await createSessionsHarness("sessdisc", {
    env: {
      RECONNECT_BASE_MS: "50",
      RECONNECT_MAX_MS: "200",
      BREAKER_THRESHOLD: "3",
      BREAKER_OPEN_MS: "1500",
      BREAKER_STABLE_MS: "1000",
    },
    simulator: { qrRotateMs: 300, qrMaxCount: 2 },
  });
  h.bus.on("restricted", (e) => restricted.push(e));
});

afterAll(async () => {
  await h?.close();
});

const row = (id: string) => h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
const connections = (id: string) => h.sim.connectionLog(id);

async function connected(label: string): Promise<{ id: string; phone: string }> {
  const id = await h.createSession(label);
  const phone = String(phoneSeq++);
  await h.pairByQr(id, phone);
  return { id, phone };
}

/** CONNECTED again on a new socket after `before` sockets. */
async function reconnected(id: string, before: number): Promise<void> {
  await waitFor(() => connections(id).length > before && connections(id).at(-1)!.loggedInAt, {
    what: "a new logged-in socket",
  });
  await h.waitForStatus(id, SessionStatus.CONNECTED);
}

describe("disconnect handling", () => {
  it("401 logged out → auth wiped, LOGGED_OUT, desired DISCONNECTED, stopped", async () => {
    const { id } = await connected("c401");
    h.sim.disconnect(id, 401);
    await h.waitForStatus(id, SessionStatus.LOGGED_OUT);
    const r = await row(id);
    expect(r.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(r.lastDisconnectCode).toBe(401);
    expect(await h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(0);
    expect(h.manager.isLocal(id)).toBe(false);
    expect(h.bus.get(id)).toBeUndefined();
    expect(connections(id)).toHaveLength(2); // pairing socket + the logged-in one; no reconnect
  });

  it("403 forbidden → RESTRICTED, outbound paused, CRITICAL event, restricted signal, stopped", async () => {
    const { id, phone } = await connected("c403");
    h.sim.restrict(phone, 403);
    await h.waitForStatus(id, SessionStatus.RESTRICTED);
    const r = await waitFor(async () => ((await row(id)).ownerWorkerId === null ? row(id) : undefined));
    expect(r.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(r.outboundPausedAt).toBeInstanceOf(Date);
    expect(r.lastDisconnectCode).toBe(403);
    expect(restricted.some((e) => e.sessionId === id)).toBe(true);
    const critical = await h.prisma.event.findFirst({
      where: { sessionId: id, severity: EventSeverity.CRITICAL },
    });
    expect(critical?.type).toBe("session.restricted");
    expect(await h.prisma.authCredential.count({ where: { sessionId: id } })).toBe(1);
    expect(h.manager.isLocal(id)).toBe(false);
  });

  it("463 restricted → RESTRICTED + outbound paused + CRITICAL event, then reconnects (logins still work)", async () => {
    const { id, phone } = await connected("c463");
    h.sim.restrict(phone, 463);
    await waitFor(() => restricted.some((e) => e.sessionId === id), { what: "restricted signal" });
    const paused = await row(id);
    expect(paused.outboundPausedAt).toBeInstanceOf(Date);
    expect(paused.lastDisconnectCode).toBe(463);
    expect(
      await h.prisma.event.count({
        where: { sessionId: id, type: "session.restricted", severity: EventSeverity.CRITICAL },
      }),
    ).toBe(1);
    await reconnected(id, 2);
    expect((await row(id)).outboundPausedAt).toBeInstanceOf(Date); // stays paused until an operator clears it
  });

  it("440 connection replaced → DISCONNECTED with the reason, never fights back", async () => {
    const { id } = await connected("c440");
    h.sim.disconnect(id, 440);
    await h.waitForStatus(id, SessionStatus.DISCONNECTED);
    const r = await row(id);
    expect(r.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(r.lastFailureReason).toMatch(/replaced/i);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(connections(id)).toHaveLength(2);
    expect(h.manager.isLocal(id)).toBe(false);
  });

  it("515 restart required → reconnects at once, not counted as a failure", async () => {
    const { id } = await connected("c515");
    h.sim.disconnect(id, 515);
    await reconnected(id, 2);
    const r = await row(id);
    expect(r.consecutiveFailures).toBe(0);
    expect(r.lastFailureAt).toBeNull();
  });

  for (const code of [408, 428, 500]) {
    it(`${code} → RECONNECTING with backoff, counted by the breaker, then CONNECTED`, async () => {
      const { id } = await connected(`c${code}`);
      h.sim.disconnect(id, code);
      // Read in one go: the reconnect (50 ms backoff) may already have reset the attempt counter.
      const failed = await waitFor(
        async () => {
          const r = await row(id);
          return r.lastDisconnectCode === code ? r : undefined;
        },
        { what: "failure recorded" },
      );
      expect(failed.consecutiveFailures).toBe(1); // cleared only after BREAKER_STABLE_MS connected
      expect(failed.lastFailureReason).toContain(String(code));
      await reconnected(id, 2);
      expect(
        await h.prisma.event.count({ where: { sessionId: id, type: "session.reconnecting" } }),
      ).toBeGreaterThanOrEqual(1);
      // Stable for BREAKER_STABLE_MS → the failure count is cleared.
      await waitFor(async () => (await row(id)).consecutiveFailures === 0, {
        timeoutMs: 3_000,
        what: "stable",
      });
    });
  }

  it("a QR nobody scans ends the attempt (DISCONNECTED) instead of cycling forever", async () => {
    const id = await h.createSession("unscanned");
    await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });
    await h.manager.startSession(id);
    await h.waitForStatus(id, SessionStatus.DISCONNECTED, 5_000);
    const r = await row(id);
    expect(r.desiredState).toBe(SessionDesiredState.DISCONNECTED);
    expect(r.lastDisconnectCode).toBe(408);
    expect(r.qrCode).toBeNull();
    expect(connections(id)).toHaveLength(1);
  });
});

describe("circuit breaker", () => {
  it("opens after N quick failures, waits, half-opens for one probe, closes once the probe is stable", async () => {
    const { id } = await connected("breaker");
    for (let i = 1; i <= 3; i++) {
      const before = connections(id).length;
      h.sim.disconnect(id, 500);
      if (i < 3) await reconnected(id, before);
    }
    await h.waitForStatus(id, SessionStatus.FAILED);
    const open = await row(id);
    expect(open.breakerState).toBe(BreakerState.OPEN);
    expect(open.consecutiveFailures).toBe(3);
    expect(open.breakerOpenedAt).toBeInstanceOf(Date);
    expect(await h.prisma.event.count({ where: { sessionId: id, type: "session.breaker_opened" } })).toBe(1);
    const socketsWhenOpened = connections(id).length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(connections(id)).toHaveLength(socketsWhenOpened); // no attempt while OPEN

    await reconnected(id, socketsWhenOpened); // the half-open probe
    expect(await h.prisma.event.count({ where: { sessionId: id, type: "session.breaker_half_open" } })).toBe(
      1,
    );
    expect(Date.now() - open.breakerOpenedAt!.getTime()).toBeGreaterThanOrEqual(1_400);
    await waitFor(async () => (await row(id)).breakerState === BreakerState.CLOSED, {
      timeoutMs: 3_000,
      what: "closed",
    });
    expect((await row(id)).consecutiveFailures).toBe(0);
  });

  it("a failed half-open probe reopens the breaker; an operator reset closes it", async () => {
    const { id } = await connected("probe");
    for (let i = 1; i <= 3; i++) {
      const before = connections(id).length;
      h.sim.disconnect(id, 500);
      if (i < 3) await reconnected(id, before);
    }
    await h.waitForStatus(id, SessionStatus.FAILED);
    const firstOpen = (await row(id)).breakerOpenedAt!;
    await reconnected(id, connections(id).length); // probe connected but not yet stable
    h.sim.disconnect(id, 500);
    await waitFor(
      async () => {
        const r = await row(id);
        return r.breakerState === BreakerState.OPEN && r.breakerOpenedAt! > firstOpen;
      },
      { what: "reopened" },
    );
    const stats = await h.module.breakers!.stats(h.companyId, id);
    expect(stats).toMatchObject({
      state: BreakerState.OPEN,
      consecutiveFailures: 4,
      threshold: 3,
      openMs: 1500,
    });
    expect(stats!.probeAt!.getTime()).toBeGreaterThan(Date.now() - 100);

    expect(await h.module.breakers!.reset(h.companyId, id, "ops@example.com")).toBe(true);
    expect(await h.module.breakers!.reset("another-company", id)).toBe(false);
    const reset = await row(id);
    expect(reset.breakerState).toBe(BreakerState.CLOSED);
    expect(reset.consecutiveFailures).toBe(0);
    expect(await h.prisma.event.count({ where: { sessionId: id, type: "session.breaker_reset" } })).toBe(1);
  });
});

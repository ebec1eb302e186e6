import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import { createSimulatorEngine, WhatsappSimulator } from "../src/simulator";
import { record, waitFor } from "./helpers";
import { coreScenarios, pairedSession, type SimAdmin } from "./simulator-core";

let sim: WhatsappSimulator;
const engine = () => createSimulatorEngine(sim, { clientId: "test" });
const admin = (): SimAdmin => ({
  scanQr: async (target, phone) => sim.scanQr(target, phone),
  confirmPairingCode: async (id, code) => sim.confirmPairingCode(id, code),
  disconnect: async (id, code) => {
    sim.disconnect(id, code);
  },
  injectInbound: async (id, input) => {
    sim.injectInbound(id, input);
  },
  failNextSends: async (id, n, kind) => sim.failNextSends(id, n, kind as never),
  stall: async (id, ms) => sim.stall(id, ms),
  sentLog: async (id) => sim.sentLog(id),
  connectionLog: async (id) => sim.connectionLog(id),
});

beforeEach(() => {
  sim = new WhatsappSimulator({
    seed: 42,
    qrRotateMs: 40,
    qrMaxCount: 3,
    latency: { ackMs: 2, deliveredMs: 5, readMs: 5 },
  });
});
afterEach(() => sim.shutdown());

describe("in-process simulator engine", () => {
  coreScenarios(engine, admin);

  it("rotates QR codes until scanned, refuses a stale one, and gives up with 408", async () => {
    const session = engine().createSession({ sessionId: "qr", authStore: new InMemoryAuthStore() });
    const rec = record(session);
    await session.connect();
    await waitFor(() => rec.qrs.length >= 2);
    expect(new Set(rec.qrs).size).toBe(rec.qrs.length);
    expect(() => sim.scanQr(rec.qrs[0]!, "5511911110000")).toThrow(/no QR code/);
    await waitFor(() => rec.closes.length > 0, 2_000);
    expect(rec.qrs).toHaveLength(3);
    expect(rec.closes[0]).toMatchObject({ kind: "timed_out", code: 408 });
  });

  it("accepts a scan of the QR string currently shown", async () => {
    const session = engine().createSession({ sessionId: "qr2", authStore: new InMemoryAuthStore() });
    const rec = record(session);
    await session.connect();
    await waitFor(() => rec.qrs.length >= 2);
    sim.scanQr(rec.qrs.at(-1)!, "5511911110001");
    await waitFor(() => rec.closes.length > 0);
    expect(rec.closes[0]!.kind).toBe("restart_required");
  });

  it("is deterministic for a seed", async () => {
    const run = async (seed: number) => {
      const s = new WhatsappSimulator({ seed, restartAfterPairing: false });
      const session = createSimulatorEngine(s).createSession({
        sessionId: "d",
        authStore: new InMemoryAuthStore(),
      });
      const rec = record(session);
      await session.connect();
      await waitFor(() => rec.qrs.length > 0);
      s.scanQr("d", "5511900001111");
      await waitFor(() => rec.identities.length > 0);
      await session.close();
      s.shutdown();
      return { qr: rec.qrs[0], lid: rec.identities[0]!.lid };
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it("a second socket for the session replaces the first (440) and the log shows no overlap", async () => {
    const { sessionId, store, rec } = await pairedSession(engine(), admin(), "5511900000080");
    const other = engine().createSession({ sessionId, authStore: store });
    const otherRec = record(other);
    await other.connect();
    await waitFor(() => otherRec.states.at(-1) === "open" && rec.closes.length > 1);
    expect(rec.closes.at(-1)).toMatchObject({ kind: "connection_replaced", code: 440 });
    const log = sim.connectionLog(sessionId);
    for (let i = 1; i < log.length; i++)
      expect(log[i]!.openedAt).toBeGreaterThanOrEqual(log[i - 1]!.closedAt!);
    await other.close();
  });

  it("restricted accounts: live socket closes with 463 and sends fail as restricted", async () => {
    const { session, rec } = await pairedSession(engine(), admin(), "5511900000090");
    sim.restrict("5511900000090");
    await waitFor(() => rec.closes.length > 1);
    expect(rec.closes.at(-1)).toMatchObject({ kind: "restricted", code: 463 });
    await session.connect();
    await waitFor(() => rec.states.at(-1) === "open");
    await expect(
      session.send({
        to: "5511900000001@s.whatsapp.net",
        messageId: "R1",
        content: { type: "text", text: "x" },
      }),
    ).rejects.toMatchObject({ kind: "restricted", permanent: true });
    await session.close();
  });

  it("auto-replies and serves inbound media for download", async () => {
    sim.setAutoReply({ text: "thanks" });
    const { session, sessionId, rec } = await pairedSession(engine(), admin(), "5511900000100");
    await session.send({
      to: "5511944443333@s.whatsapp.net",
      messageId: "A1",
      content: { type: "text", text: "hi" },
    });
    await waitFor(() => rec.messages.length > 0);
    expect(rec.messages[0]!.content).toEqual({ type: "text", text: "thanks" });
    sim.injectInbound(sessionId, {
      from: "5511944443333",
      media: { type: "image", data: new Uint8Array([1, 2, 3]), mimeType: "image/png" },
    });
    await waitFor(() => rec.messages.length > 1);
    const content = rec.messages[1]!.content;
    if (content.type !== "image") throw new Error("expected an image");
    expect(JSON.parse(JSON.stringify(content.mediaRef))).toEqual(content.mediaRef);
    expect([...(await session.downloadMedia(content.mediaRef))]).toEqual([1, 2, 3]);
    await session.close();
  });
});

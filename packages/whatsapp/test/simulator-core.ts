// The same scenarios run against the in-process engine and the remote (WebSocket) engine: both
// must look identical to the worker. `admin` abstracts how the test drives the simulator.
import { expect, it } from "vitest";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import type { WhatsappEngine } from "../src/engine";
import type { ConnectionLogEntry, SentRecord } from "../src/simulator";
import { record, waitFor } from "./helpers";

export interface SimAdmin {
  scanQr(target: string, phone: string): Promise<void>;
  confirmPairingCode(sessionId: string, code: string): Promise<void>;
  disconnect(sessionId: string, code: number): Promise<void>;
  injectInbound(sessionId: string, input: { from: string; text: string }): Promise<void>;
  failNextSends(sessionId: string, n: number, kind: string): Promise<void>;
  stall(sessionId: string, ms: number): Promise<void>;
  sentLog(sessionId: string): Promise<SentRecord[]>;
  connectionLog(sessionId: string): Promise<ConnectionLogEntry[]>;
}

let counter = 0;

/** Pairs a fresh session by QR (handling the 515 restart) and returns it open. */
export async function pairedSession(engine: WhatsappEngine, admin: SimAdmin, phone = "5511900000001") {
  const sessionId = `s${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const store = new InMemoryAuthStore();
  const session = engine.createSession({ sessionId, authStore: store });
  const rec = record(session);
  await session.connect();
  await waitFor(() => rec.qrs.length > 0, 5_000, "qr");
  await admin.scanQr(sessionId, phone);
  await waitFor(() => rec.closes.length > 0, 5_000, "515");
  await session.connect();
  await waitFor(() => rec.states.at(-1) === "open", 5_000, "open");
  return { sessionId, store, session, rec };
}

export function coreScenarios(getEngine: () => WhatsappEngine, admin: () => SimAdmin): void {
  it("pairs by QR, restarts with 515, logs in and reports its identity", async () => {
    const { rec, store, session } = await pairedSession(getEngine(), admin(), "5511900000010");
    expect(rec.states.slice(0, 2)).toEqual(["connecting", "awaiting_qr"]);
    expect(rec.closes[0]).toMatchObject({ kind: "restart_required", code: 515 });
    expect(rec.identities[0]).toMatchObject({ phone: "5511900000010" });
    expect(rec.identities[0]!.jid).toMatch(/^5511900000010:\d+@s\.whatsapp\.net$/);
    expect(await store.readCreds()).toMatchObject({ registered: true, me: { id: rec.identities[0]!.jid } });
    await session.close();
  });

  it("pairs by code once the code is confirmed on the phone", async () => {
    const store = new InMemoryAuthStore();
    const session = getEngine().createSession({ sessionId: `code-${++counter}`, authStore: store });
    const rec = record(session);
    await session.connect();
    await waitFor(() => rec.qrs.length > 0);
    const code = await session.requestPairingCode("+55 11 90000-0020");
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(rec.codes).toEqual([code]);
    expect(rec.states).toContain("awaiting_pairing_code");
    await expect(admin().confirmPairingCode(session.sessionId, "WRONG123")).rejects.toThrow();
    await admin().confirmPairingCode(session.sessionId, code);
    await waitFor(() => rec.closes.length > 0);
    await session.connect();
    await waitFor(() => rec.identities.length > 0);
    expect(rec.identities[0]!.phone).toBe("5511900000020");
    await session.close();
  });

  it("sends: server_ack, delivered and read in order; a repeated id is dropped", async () => {
    const { session, rec, sessionId } = await pairedSession(getEngine(), admin(), "5511900000030");
    const request = {
      to: "5511988887777@s.whatsapp.net",
      messageId: "MSG-1",
      content: { type: "text" as const, text: "hi" },
    };
    const first = await session.send(request);
    const again = await session.send(request);
    expect(again.messageId).toBe("MSG-1");
    expect(again.timestamp.getTime()).toBe(first.timestamp.getTime());
    await waitFor(() => rec.receipts.some((r) => r.status === "read"));
    expect(rec.receipts.map((r) => r.status)).toEqual(["server_ack", "delivered", "read"]);
    const sent = await admin().sentLog(sessionId);
    expect(sent.map((s) => s.messageId)).toEqual(["MSG-1"]);
    await session.close();
  });

  it("injected failures map to SendError kinds; a stall times out without blocking later sends", async () => {
    const { session, sessionId } = await pairedSession(getEngine(), admin(), "5511900000040");
    const text = (id: string) => ({
      to: "5511977776666@s.whatsapp.net",
      messageId: id,
      content: { type: "text" as const, text: id },
    });
    await admin().failNextSends(sessionId, 2, "rate_limited");
    await expect(session.send(text("F1"))).rejects.toMatchObject({ kind: "rate_limited", code: 429 });
    await expect(session.send(text("F2"))).rejects.toMatchObject({ kind: "rate_limited" });
    await expect(session.send({ ...text("BAD"), to: "not-a-jid" })).rejects.toMatchObject({
      kind: "invalid_recipient",
      permanent: true,
    });
    await admin().stall(sessionId, 300);
    await expect(session.send({ ...text("S1"), timeoutMs: 100 })).rejects.toMatchObject({ kind: "timeout" });
    // The stalled message reaches the server later; a retry with the same id is not sent twice.
    await session.send(text("S1"));
    await session.send(text("OK"));
    const ids = (await admin().sentLog(sessionId)).map((s) => s.messageId);
    expect(ids).toEqual(["S1", "OK"]);
    await session.close();
  });

  it("relogs in with stored creds without re-pairing; 401 unlinks the device", async () => {
    const engine = getEngine();
    const { sessionId, store, session } = await pairedSession(engine, admin(), "5511900000050");
    await session.close();
    const again = engine.createSession({ sessionId, authStore: store });
    const rec = record(again);
    // A listener may send the moment the session opens.
    const sentOnOpen: Promise<unknown>[] = [];
    again.on("connection", (state) => {
      if (state !== "open") return;
      const content = { type: "text" as const, text: "on open" };
      sentOnOpen.push(again.send({ to: "5511900000051@s.whatsapp.net", messageId: "OPEN-1", content }));
    });
    await again.connect();
    await waitFor(() => rec.states.at(-1) === "open");
    expect(rec.qrs).toEqual([]);
    await Promise.all(sentOnOpen);
    expect(sentOnOpen).toHaveLength(1);
    await admin().disconnect(sessionId, 401);
    await waitFor(() => rec.closes.length > 0);
    expect(rec.closes[0]).toMatchObject({ kind: "logged_out", code: 401 });
    await again.connect(); // same creds: WhatsApp no longer knows the device
    await waitFor(() => rec.closes.length > 1);
    expect(rec.closes[1]).toMatchObject({ kind: "logged_out" });
    const log = await admin().connectionLog(sessionId);
    expect(log.length).toBeGreaterThanOrEqual(4);
    expect(log.every((entry) => entry.closedAt !== undefined)).toBe(true);
  });

  it("maps every disconnect code to its DisconnectInfo kind", async () => {
    const { session, sessionId, rec } = await pairedSession(getEngine(), admin(), "5511900000060");
    const expected: Record<number, string> = {
      403: "forbidden",
      408: "timed_out",
      428: "connection_closed",
      440: "connection_replaced",
      463: "restricted",
      500: "server_error",
      515: "restart_required",
    };
    for (const [code, kind] of Object.entries(expected)) {
      const before = rec.closes.length;
      await admin().disconnect(sessionId, Number(code));
      await waitFor(() => rec.closes.length > before, 5_000, `close ${code}`);
      expect(rec.closes.at(-1)).toMatchObject({ kind, code: Number(code) });
      await session.connect();
      await waitFor(() => rec.states.at(-1) === "open", 5_000, `reopen after ${code}`);
    }
    await session.close();
    expect(rec.closes.at(-1)).toEqual({ kind: "closed_by_us" });
  });

  it("delivers inbound messages with LID mapping; logout clears the store", async () => {
    const { session, sessionId, rec, store } = await pairedSession(getEngine(), admin(), "5511900000070");
    await admin().injectInbound(sessionId, { from: "5511955554444", text: "hello" });
    await waitFor(() => rec.messages.length > 0);
    expect(rec.messages[0]).toMatchObject({
      from: "5511955554444@s.whatsapp.net",
      content: { type: "text", text: "hello" },
    });
    expect(rec.messages[0]!.timestamp).toBeInstanceOf(Date);
    expect(rec.lids[0]).toMatchObject({ phoneJid: "5511955554444@s.whatsapp.net" });
    await session.logout();
    expect(rec.closes.at(-1)).toMatchObject({ kind: "logged_out" });
    expect(await store.readCreds()).toBeUndefined();
    await expect(
      session.send({ to: "1@s.whatsapp.net", messageId: "x", content: { type: "text", text: "x" } }),
    ).rejects.toMatchObject({ kind: "not_connected" });
  });
}

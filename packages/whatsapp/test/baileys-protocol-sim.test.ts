// The Baileys engine end to end against the protocol simulator (real Baileys, Noise, Signal) on
// loopback: pairing, the 515 restart, login from our auth store, sends with caller ids and
// their receipts, inbound messages, disconnect codes, relogin and logout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import { createBaileysEngine } from "../src/baileys/engine";
import type { EngineSession, WhatsappEngine } from "../src/engine";
import { ProtocolSimulator, type RunningSimulator } from "../src/protocol-sim";
import { type Recorded, record, waitFor } from "./helpers";

const PHONE = "15559990101";
const CONTACT = "15550002001";
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe("Baileys engine against the protocol simulator", () => {
  const sim = new ProtocolSimulator();
  const store = new InMemoryAuthStore();
  let running: RunningSimulator;
  let engine: WhatsappEngine;
  let session: EngineSession;
  let rec: Recorded;
  let deviceId: string;

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    // Baileys moves media with global fetch, which takes no CA: trust the loopback media server here only.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    running = await sim.start({
      port: 0,
      adminPort: null,
      seed: 11,
      latency: { deliveredMs: 300, readMs: 200 },
    });
    engine = createBaileysEngine({
      waWebSocketUrl: running.wsUrl,
      trustedRootPublicKey: sim.rootPublicKey,
      operationTimeoutMs: 10_000,
    });
  });

  afterAll(async () => {
    await session?.close();
    await running?.close();
    process.off("unhandledRejection", onUnhandled);
    if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
    expect(unhandled).toEqual([]);
  });

  it("pairs by QR, reports 515, then logs in from the stored creds", async () => {
    session = engine.createSession({ sessionId: "real-1", authStore: store });
    rec = record(session);
    await session.connect();
    await waitFor(() => rec.qrs.length > 0, 15_000, "qr");
    expect(rec.states.slice(0, 2)).toEqual(["connecting", "awaiting_qr"]);
    deviceId = (await sim.scan(rec.qrs[0]!, PHONE)).id;
    await waitFor(() => rec.closes.length > 0, 15_000, "515");
    expect(rec.closes[0]).toMatchObject({ kind: "restart_required", code: 515 });
    expect(await store.readCreds()).toMatchObject({ me: { id: `${deviceId}@s.whatsapp.net` } });
    await session.connect();
    await waitFor(() => rec.states.at(-1) === "open", 15_000, "open");
    expect(rec.identities.at(-1)).toMatchObject({ jid: `${PHONE}@s.whatsapp.net`, phone: PHONE });
    // Baileys' keys went through our adapter into the store, not into process memory.
    expect(store.keyCount("pre-key")).toBeGreaterThan(100);
  });

  it("sends with the caller's id and reports server_ack, delivered, read", async () => {
    const result = await session.send({
      to: CONTACT_JID,
      messageId: "ENG00001",
      content: { type: "text", text: "hello" },
    });
    expect(result.messageId).toBe("ENG00001");
    expect(await sim.waitForSent(deviceId, (m) => m.id === "ENG00001")).toMatchObject({
      to: CONTACT_JID,
      text: "hello",
    });
    await waitFor(
      () => rec.receipts.some((r) => r.messageId === "ENG00001" && r.status === "read"),
      10_000,
      "read",
    );
    const statuses = rec.receipts.filter((r) => r.messageId === "ENG00001").map((r) => r.status);
    expect(statuses).toEqual(["server_ack", "delivered", "read"]);
  });

  it("emits inbound messages from a contact", async () => {
    const { id } = await sim.contactSend(CONTACT, deviceId, { text: "reply from contact" });
    await waitFor(() => rec.messages.some((m) => m.id === id), 10_000, "inbound");
    const message = rec.messages.find((m) => m.id === id)!;
    expect(message.content).toEqual({ type: "text", text: "reply from contact" });
    expect(message.fromPhoneJid ?? message.from).toContain(CONTACT);
  });

  it("sends an image, and downloads an inbound one through its JSON media reference", async () => {
    await session.send({
      to: CONTACT_JID,
      messageId: "ENGIMG01",
      content: { type: "image", data: PNG, mimeType: "image/png", caption: "pixel" },
    });
    const seen = await sim.waitForSent(deviceId, (m) => m.id === "ENGIMG01");
    expect(seen.image).toMatchObject({ mimetype: "image/png", bytes: PNG.length, sha256Verified: true });
    const { id } = await sim.contactSend(CONTACT, deviceId, {
      image: PNG,
      mimetype: "image/png",
      caption: "back",
    });
    await waitFor(() => rec.messages.some((m) => m.id === id), 10_000, "inbound image");
    const content = rec.messages.find((m) => m.id === id)!.content;
    if (content.type !== "image") throw new Error(`expected an image, got ${content.type}`);
    expect(content.caption).toBe("back");
    const ref = JSON.parse(JSON.stringify(content.mediaRef));
    expect(Buffer.from(await session.downloadMedia(ref)).equals(PNG)).toBe(true);
    await expect(session.downloadMedia({ type: "image" })).rejects.toMatchObject({ kind: "media_error" });
  });

  it("a restricted account's send is acked with an error receipt", async () => {
    sim.restrict(PHONE);
    try {
      await session.send({
        to: CONTACT_JID,
        messageId: "ENGR0001",
        content: { type: "text", text: "blocked" },
      });
      await waitFor(
        () => rec.receipts.some((r) => r.messageId === "ENGR0001" && r.status === "error"),
        10_000,
        "error",
      );
    } finally {
      sim.restrict(PHONE, false);
    }
  });

  it("a send that exceeds its time limit rejects with timeout and the next send still works", async () => {
    await expect(
      session.send({
        to: CONTACT_JID,
        messageId: "ENG00002",
        content: { type: "text", text: "slow" },
        timeoutMs: 1,
      }),
    ).rejects.toMatchObject({ kind: "timeout" });
    await session.send({ to: CONTACT_JID, messageId: "ENG00003", content: { type: "text", text: "next" } });
    await sim.waitForSent(deviceId, (m) => m.id === "ENG00003");
  });

  it("reports 440 as connection_replaced and relogs in without a QR", async () => {
    const before = rec.closes.length;
    await sim.disconnect(deviceId, 440);
    await waitFor(() => rec.closes.length > before, 10_000, "440");
    expect(rec.closes.at(-1)).toMatchObject({ kind: "connection_replaced", code: 440 });
    const again = engine.createSession({ sessionId: "real-1", authStore: store });
    const againRec = record(again);
    await again.connect();
    await waitFor(() => againRec.states.at(-1) === "open", 15_000, "relogin");
    expect(againRec.qrs).toEqual([]);
    session = again;
    rec = againRec;
  });

  it("pairs a second number by pairing code", async () => {
    const codeStore = new InMemoryAuthStore();
    const byCode = engine.createSession({ sessionId: "real-2", authStore: codeStore });
    const codeRec = record(byCode);
    await byCode.connect();
    await waitFor(() => codeRec.qrs.length > 0, 15_000, "registration socket");
    const code = await byCode.requestPairingCode("+1 555 999 0202");
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(codeRec.codes).toEqual([code]);
    await sim.confirmPairingCode("15559990202", code);
    await waitFor(() => codeRec.closes.length > 0, 15_000, "515");
    expect(codeRec.closes[0]!.kind).toBe("restart_required");
    await byCode.connect();
    await waitFor(() => codeRec.states.at(-1) === "open", 15_000, "open");
    expect(codeRec.identities.at(-1)?.phone).toBe("15559990202");
    await byCode.close();
    expect(codeRec.closes.at(-1)).toEqual({ kind: "closed_by_us" });
  });

  it("logout unlinks and wipes the store", async () => {
    await session.logout();
    expect(rec.closes.at(-1)).toMatchObject({ kind: "logged_out", code: 401 });
    expect(await store.readCreds()).toBeUndefined();
    expect(store.keyCount()).toBe(0);
  });
});

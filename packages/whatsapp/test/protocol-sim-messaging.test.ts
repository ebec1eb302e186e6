import type { WAMessage, WASocket } from "@whiskeysockets/baileys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtocolSimulator, type RunningSimulator } from "../src/protocol-sim";
import {
  type memoryAuthState,
  startWithPairedClient,
  waitForEvent,
  watchStatus,
} from "./protocol-sim-helpers";

const CONTACT = "15550001001";
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;

describe("protocol simulator: real Baileys sends and receives", () => {
  const sim = new ProtocolSimulator();
  let running: RunningSimulator;
  let auth: ReturnType<typeof memoryAuthState>;
  let sock: WASocket;
  let deviceId: string;

  beforeAll(async () => {
    ({ running, auth, sock, deviceId } = await startWithPairedClient(sim, {
      seed: 7,
      latency: { deliveredMs: 20, readMs: 20 },
      phone: "15559990001",
    }));
  });

  afterAll(async () => {
    sock?.end(undefined);
    await running?.close();
  });

  it("QR pairing registered the device and Baileys logged in as it", () => {
    expect(deviceId).toBe("15559990001:1");
    expect(auth.creds.me?.id).toBe("15559990001:1@s.whatsapp.net");
    expect(sim.devices()).toMatchObject([{ id: deviceId, method: "qr", status: "paired", online: true }]);
    expect(sim.devices()[0]?.uploadedPreKeys).toBeGreaterThan(0);
  });

  it("a text is decrypted by the contact, acked, then delivered and read", async () => {
    // receipts later than Baileys' ~100 ms own-message upsert, so each one is its own status update
    sim.setLatency({ deliveredMs: 300, readMs: 200 });
    const status = watchStatus(sock, "TEXT0001");
    await sock.sendMessage(CONTACT_JID, { text: "hello from baileys" }, { messageId: "TEXT0001" });
    const seen = await sim.waitForSent(deviceId, (m) => m.id === "TEXT0001");
    expect(seen).toMatchObject({ to: CONTACT_JID, text: "hello from baileys", encType: "pkmsg", ack: "ok" });
    await status.reached(4);
    expect(status.statuses).toContain(3);
    expect(status.statuses.at(-1)).toBe(4);
  });

  it("an inbound text from a contact is decrypted by Baileys", async () => {
    const upsert = waitForEvent<{ messages: WAMessage[] }>(sock, "messages.upsert", (u) =>
      u.messages.some((m) => m.message?.conversation === "hi from the contact"),
    );
    const { id, encType } = await sim.contactSend(CONTACT, deviceId, { text: "hi from the contact" });
    const got = (await upsert).messages.find((m) => m.key.id === id);
    expect(encType).toBe("msg"); // the session Baileys started when it sent TEXT0001
    expect(got?.key.fromMe).toBe(false);
  });

  it("once the contact has answered, Baileys' next message is a plain msg", async () => {
    await sock.sendMessage(CONTACT_JID, { text: "again" }, { messageId: "TEXT0002" });
    expect(await sim.waitForSent(deviceId, (m) => m.id === "TEXT0002")).toMatchObject({
      encType: "msg",
      text: "again",
    });
  });

  it("a new contact's first message to the device is a pkmsg built from the uploaded pre-keys", async () => {
    const before = sim.devices()[0]?.uploadedPreKeys ?? 0;
    const upsert = waitForEvent<{ messages: WAMessage[] }>(sock, "messages.upsert", (u) =>
      u.messages.some((m) => m.message?.conversation === "first contact"),
    );
    const { encType } = await sim.contactSend("15550001002", deviceId, { text: "first contact" });
    await upsert;
    expect(encType).toBe("pkmsg");
    expect(sim.devices()[0]?.uploadedPreKeys).toBe(before - 1);
  });

  it("injected frame latency delays what the server sends by at least that much", async () => {
    sim.setLatency({ frameMs: 250 });
    try {
      const started = Date.now();
      const upsert = waitForEvent<{ messages: WAMessage[] }>(sock, "messages.upsert", (u) =>
        u.messages.some((m) => m.message?.conversation === "slow network"),
      );
      await sim.contactSend(CONTACT, deviceId, { text: "slow network" });
      await upsert;
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      sim.setLatency({ frameMs: 0 });
    }
  });
});

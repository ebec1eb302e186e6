import { createHash } from "node:crypto";
import { downloadMediaMessage, type WAMessage, type WASocket } from "@whiskeysockets/baileys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProtocolSimulator, type RunningSimulator } from "../src/protocol-sim";
import { startWithPairedClient, waitForEvent, watchStatus } from "./protocol-sim-helpers";

// a real 1×1 PNG: Baileys reads it with its image library to build the thumbnail
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("protocol simulator: images through real Baileys", () => {
  const sim = new ProtocolSimulator();
  let running: RunningSimulator;
  let sock: WASocket;
  let deviceId: string;
  const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  beforeAll(async () => {
    // Baileys downloads media with global fetch, which takes no CA option: trust the loopback cert here only
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    ({ running, sock, deviceId } = await startWithPairedClient(sim, {
      seed: 11,
      latency: { deliveredMs: 300, readMs: 200 },
    }));
  });

  afterAll(async () => {
    sock?.end(undefined);
    await running?.close();
    if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
  });

  it("an image is uploaded, decrypted by the contact, acked, delivered and read", async () => {
    const status = watchStatus(sock, "IMAGE0001");
    await sock.sendMessage(
      "15550002001@s.whatsapp.net",
      { image: PNG, caption: "a pixel", mimetype: "image/png" },
      { messageId: "IMAGE0001" },
    );
    const seen = await sim.waitForSent(deviceId, (m) => m.id === "IMAGE0001");
    expect(seen.image).toEqual({
      mimetype: "image/png",
      bytes: PNG.length,
      caption: "a pixel",
      sha256Verified: true,
    });
    expect(seen.ack).toBe("ok");
    await status.reached(4);
    expect(status.statuses).toContain(3);
  });

  it("an inbound image is decrypted by Baileys and its media downloads intact", async () => {
    const upsert = waitForEvent<{ messages: WAMessage[] }>(sock, "messages.upsert", (u) =>
      u.messages.some((m) => Boolean(m.message?.imageMessage)),
    );
    const { id } = await sim.contactSend("15550002002", deviceId, {
      image: PNG,
      mimetype: "image/png",
      caption: "hi",
    });
    const message = (await upsert).messages.find((m) => m.key.id === id);
    expect(message?.message?.imageMessage?.caption).toBe("hi");
    const downloaded = (await downloadMediaMessage(message as WAMessage, "buffer", {})) as Buffer;
    expect(sha(downloaded)).toBe(sha(PNG));
  });
});

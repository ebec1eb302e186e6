// Baileys' message/receipt shapes → the engine interface, and error classification.
import { proto, type WAMessage } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { receiptsFromUpdates, receiptsFromUserReceipts, toInboundMessages } from "../src/baileys/inbound";
import { assertRecipient, toBaileysContent, toSendError } from "../src/baileys/outbound";

const PN = "5511988887777@s.whatsapp.net";
const msg = (message: proto.IMessage, key: Partial<WAMessage["key"]> = {}): WAMessage => ({
  key: { remoteJid: PN, fromMe: false, id: `ID${Math.random()}`, ...key },
  message,
  messageTimestamp: 1_700_000_000,
  pushName: "Ana",
});

describe("inbound mapping", () => {
  it("maps text, extended text, location, reaction and unknown content", () => {
    const out = toInboundMessages([
      msg({ conversation: "oi" }),
      msg({ extendedTextMessage: { text: "link http://x" } }),
      msg({ locationMessage: { degreesLatitude: -23.5, degreesLongitude: -46.6, name: "SP" } }),
      msg({ reactionMessage: { text: "👍", key: { id: "TARGET" } } }),
      msg({ pollCreationMessage: { name: "poll" } }),
    ]);
    expect(out.map((m) => m.content)).toEqual([
      { type: "text", text: "oi" },
      { type: "text", text: "link http://x" },
      { type: "location", latitude: -23.5, longitude: -46.6, name: "SP" },
      { type: "reaction", emoji: "👍", targetId: "TARGET" },
      { type: "unknown", raw: "pollCreationMessage" },
    ]);
    expect(out[0]).toMatchObject({ from: PN, fromPhoneJid: PN, pushName: "Ana" });
    expect(out[0]!.timestamp.toISOString()).toBe("2023-11-14T22:13:20.000Z");
  });

  it("keeps a JSON-serialisable media reference with the key as base64", () => {
    const [image] = toInboundMessages([
      msg({
        imageMessage: {
          mediaKey: Uint8Array.from([1, 2, 3]),
          directPath: "/v/t62/abc",
          url: "https://mmg.whatsapp.net/abc",
          mimetype: "image/jpeg",
          caption: "foto",
        },
      }),
    ]);
    expect(image!.content).toEqual({
      type: "image",
      caption: "foto",
      mimeType: "image/jpeg",
      fileName: undefined,
      mediaRef: {
        type: "image",
        mediaKey: "AQID",
        directPath: "/v/t62/abc",
        url: "https://mmg.whatsapp.net/abc",
        mimetype: "image/jpeg",
      },
    });
    const ref = (image!.content as { mediaRef: unknown }).mediaRef;
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
  });

  it("unwraps ephemeral/view-once wrappers and fills phone and LID from the alt JID", () => {
    const [m] = toInboundMessages([
      msg(
        {
          ephemeralMessage: {
            message: {
              documentMessage: { mediaKey: Uint8Array.from([9]), directPath: "/d", fileName: "a.pdf" },
            },
          },
        },
        { remoteJid: "123456789012345@lid", remoteJidAlt: PN },
      ),
    ]);
    expect(m).toMatchObject({
      from: "123456789012345@lid",
      fromLid: "123456789012345@lid",
      fromPhoneJid: PN,
    });
    expect(m!.content).toMatchObject({ type: "document", fileName: "a.pdf" });
  });

  it("skips our own messages, status broadcasts, broadcast lists and stubs", () => {
    expect(
      toInboundMessages([
        msg({ conversation: "mine" }, { fromMe: true }),
        msg({ conversation: "status" }, { remoteJid: "status@broadcast" }),
        msg({ conversation: "list" }, { remoteJid: "1234@broadcast" }),
        { key: { remoteJid: PN, id: "STUB", fromMe: false }, messageStubType: 2 },
      ]),
    ).toEqual([]);
  });
});

describe("receipt mapping", () => {
  const S = proto.WebMessageInfo.Status;
  it("maps status updates of our own messages", () => {
    const receipts = receiptsFromUpdates([
      { key: { id: "A", remoteJid: PN, fromMe: true }, update: { status: S.SERVER_ACK } },
      { key: { id: "A", remoteJid: PN, fromMe: true }, update: { status: S.DELIVERY_ACK } },
      { key: { id: "A", remoteJid: PN, fromMe: true }, update: { status: S.READ } },
      { key: { id: "B", remoteJid: PN, fromMe: false }, update: { status: S.READ } },
      { key: { id: "C", remoteJid: PN, fromMe: true }, update: { starred: true } },
    ]);
    expect(receipts.map((r) => [r.messageId, r.status])).toEqual([
      ["A", "server_ack"],
      ["A", "delivered"],
      ["A", "read"],
    ]);
  });

  it("maps per-user receipts to the strongest status", () => {
    const receipts = receiptsFromUserReceipts([
      { key: { id: "G1", remoteJid: "1-2@g.us" }, receipt: { userJid: PN, receiptTimestamp: 1_700_000_000 } },
      { key: { id: "G1", remoteJid: "1-2@g.us" }, receipt: { userJid: PN, readTimestamp: 1_700_000_100 } },
    ]);
    expect(receipts.map((r) => r.status)).toEqual(["delivered", "read"]);
    expect(receipts[1]!.timestamp.getTime()).toBe(1_700_000_100_000);
  });
});

describe("outbound mapping and errors", () => {
  it("builds Baileys content for each outbound type", () => {
    expect(toBaileysContent({ type: "text", text: "x" })).toEqual({ text: "x" });
    expect(toBaileysContent({ type: "location", latitude: 1, longitude: 2 })).toMatchObject({
      location: { degreesLatitude: 1, degreesLongitude: 2 },
    });
    expect(toBaileysContent({ type: "document", url: "https://x/y.pdf", fileName: "y.pdf" })).toMatchObject({
      document: { url: "https://x/y.pdf" },
      fileName: "y.pdf",
      mimetype: "application/octet-stream",
    });
    expect(() => toBaileysContent({ type: "image" })).toThrow(
      expect.objectContaining({ kind: "media_error" }),
    );
  });

  it("rejects malformed recipients before touching the socket", () => {
    expect(() => assertRecipient("5511999999999@s.whatsapp.net")).not.toThrow();
    expect(() => assertRecipient("123@lid")).not.toThrow();
    expect(() => assertRecipient("+55 11 9999")).toThrow(
      expect.objectContaining({ kind: "invalid_recipient" }),
    );
  });

  it("classifies Boom-like errors", () => {
    const boom = (message: string, statusCode?: number) =>
      Object.assign(new Error(message), { output: { statusCode } });
    expect(toSendError(boom("rate-overlimit", 429), false).kind).toBe("rate_limited");
    expect(toSendError(boom("forbidden", 403), false)).toMatchObject({ kind: "restricted", permanent: true });
    expect(toSendError(boom("x", 463), false).kind).toBe("restricted");
    expect(toSendError(boom("Connection Closed", 428), false).kind).toBe("not_connected");
    expect(toSendError(boom("bad jid", 400), false).kind).toBe("invalid_recipient");
    expect(toSendError(new Error("Failed to fetch stream from https://x"), true).kind).toBe("media_error");
    expect(toSendError(boom("internal", 500), false)).toMatchObject({
      kind: "server_error",
      permanent: false,
    });
  });
});

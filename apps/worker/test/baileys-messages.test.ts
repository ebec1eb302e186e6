// Messages through the UNMODIFIED Baileys engine against the protocol simulator, on the worker's
// real path: acceptOutboundMessage → per-session send queue → Baileys (Signal-encrypted to the
// contact's devices) → server ack + delivered/read receipts → Message status in Postgres; and a
// contact's text and image decrypted by Baileys, persisted, the image downloaded into storage.
import { MediaStatus, MessageDirection, MessageStatus, MessageType } from "@zapflow/db";
import { acceptOutboundMessage } from "@zapflow/queue/services/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../src/testing";
import { type BaileysHarness, createBaileysHarness } from "./support/baileys-harness";

const PHONE = "5511920000001";
const CONTACT = "5511987650001";
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let b: BaileysHarness;
let sessionId: string;
let deviceId: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const deps = () => ({ prisma: b.h.prisma, queues: b.h.queues });
const message = (id: string) => b.h.prisma.message.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  b = await createBaileysHarness("baimsg", { seed: 22 });
  sessionId = await b.pairByQr("sender", PHONE);
  deviceId = b.sim.devices().find((d) => d.phone === PHONE && d.status === "paired")!.id;
});

afterAll(async () => {
  await b?.close();
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

async function readAfterDelivered(id: string): Promise<void> {
  const seen = new Set<MessageStatus>();
  await waitFor(
    async () => {
      const status = (await message(id)).status;
      seen.add(status);
      return status === MessageStatus.READ;
    },
    { what: `message ${id} READ`, timeoutMs: 15_000, intervalMs: 20 },
  );
  const row = await message(id);
  expect(row.sentAt).toBeInstanceOf(Date);
  expect(row.deliveredAt).toBeInstanceOf(Date);
  expect(row.readAt).toBeInstanceOf(Date);
  expect(row.deliveredAt!.getTime()).toBeLessThanOrEqual(row.readAt!.getTime());
}

describe("real Baileys messaging against the protocol simulator", () => {
  it("a text goes out on the send queue, is decrypted by the contact, and reaches READ", async () => {
    const { message: accepted } = await acceptOutboundMessage(deps(), b.h.companyId, {
      sessionId,
      to: `+${CONTACT}`,
      type: "text",
      text: "Olá from real Baileys",
    });
    expect(accepted.status).toBe(MessageStatus.QUEUED);
    // The contact's simulated phone decrypted exactly this, under the id reserved at accept time.
    const sent = await b.sim.waitForSent(deviceId, (m) => m.id === accepted.waMessageId, 15_000);
    expect(sent).toMatchObject({ to: CONTACT_JID, text: "Olá from real Baileys", ack: "ok" });
    expect(sent.decryptError).toBeUndefined();
    await readAfterDelivered(accepted.id);
    expect(b.sim.sent(deviceId).filter((m) => m.id === accepted.waMessageId)).toHaveLength(1);
  });

  it("an image from storage is uploaded encrypted, verified by the contact, and reaches READ", async () => {
    const storageKey = `${b.h.companyId}/outbound/pixel.png`; // accept takes the company's own keys only
    await b.storage.write(storageKey, PNG);
    const { message: accepted } = await acceptOutboundMessage(deps(), b.h.companyId, {
      sessionId,
      to: `+${CONTACT}`,
      type: "image",
      storageKey,
      mimeType: "image/png",
      caption: "pixel",
    });
    const sent = await b.sim.waitForSent(deviceId, (m) => m.id === accepted.waMessageId, 15_000);
    expect(sent.image).toMatchObject({
      mimetype: "image/png",
      bytes: PNG.length,
      caption: "pixel",
      sha256Verified: true,
    });
    await readAfterDelivered(accepted.id);
  });

  it("an inbound text from a contact is decrypted and persisted once, with its contact", async () => {
    const { id } = await b.sim.contactSend(CONTACT, deviceId, { text: "resposta do contato" });
    const row = await waitFor(() => b.h.prisma.message.findFirst({ where: { sessionId, waMessageId: id } }), {
      what: "inbound text row",
      timeoutMs: 15_000,
    });
    expect(row).toMatchObject({ direction: MessageDirection.INBOUND, type: MessageType.TEXT });
    expect(JSON.stringify(row.payload)).toContain("resposta do contato");
    const contact = await b.h.prisma.contact.findUniqueOrThrow({ where: { id: row.contactId! } });
    expect(contact.phone).toBe(`+${CONTACT}`);
    expect(await b.h.prisma.message.count({ where: { waMessageId: id } })).toBe(1);
  });

  it("an inbound image is decrypted, persisted and downloaded into storage byte for byte", async () => {
    const { id } = await b.sim.contactSend(CONTACT, deviceId, {
      image: PNG,
      mimetype: "image/png",
      caption: "foto",
    });
    const row = await waitFor(
      async () => {
        const m = await b.h.prisma.message.findFirst({ where: { sessionId, waMessageId: id } });
        return m?.mediaStatus === MediaStatus.DOWNLOADED ? m : undefined;
      },
      { what: "inbound image downloaded", timeoutMs: 20_000 },
    );
    expect(row.type).toBe(MessageType.IMAGE);
    expect(JSON.stringify(row.payload)).toContain("foto");
    expect(Buffer.from(await b.storage.read(row.mediaStorageKey!)).equals(PNG)).toBe(true);
  });

  // Last: it restricts the sender. Baileys resolves the send, then WhatsApp's ack 463 arrives as an
  // error receipt — the message must fail with a reason and the number's outbound must pause.
  it("a send from a restricted number fails by error receipt and pauses the number", async () => {
    b.sim.restrict(PHONE);
    const { message: accepted } = await acceptOutboundMessage(deps(), b.h.companyId, {
      sessionId,
      to: `+${CONTACT}`,
      type: "text",
      text: "this one is refused",
    });
    const row = await waitFor(
      async () => {
        const m = await message(accepted.id);
        return m.status === MessageStatus.FAILED ? m : undefined;
      },
      { what: "message FAILED by error receipt", timeoutMs: 15_000 },
    );
    expect(row.lastError).toMatch(/refused/);
    const session = await waitFor(
      async () => {
        const s = await b.h.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
        return s.outboundPausedAt ? s : undefined;
      },
      { what: "outbound paused", timeoutMs: 10_000 },
    );
    expect(session.outboundPausedReason).toMatch(/error receipt/);
  });
});

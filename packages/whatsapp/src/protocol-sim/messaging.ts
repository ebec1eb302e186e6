import { type BinaryNode, proto } from "@whiskeysockets/baileys";
import { padMessage, sha256, unpadMessage } from "./crypto";
import { contactForJid } from "./directory";
import { decryptMedia, encryptMedia, type MediaServer } from "./media";
import { bytes, child, children, unixNow } from "./nodes";
import type { SentMessage } from "./types";
import { type PairedDevice, SimConflictError, type SimWorld } from "./world";

/** Server ack error for a restricted account (Baileys: "account restricted or missing tctoken"). */
export const RESTRICTED_ACK_ERROR = "463";

export type ContactContent = { text: string } | { image: Buffer; mimetype?: string; caption?: string };

/**
 * A message from a paired device: ack it, decrypt it as the recipient contact's phone, record it,
 * then send delivered and read receipts after the configured latency. A restricted account's
 * messages are acked with error 463 and never delivered.
 */
export async function onDeviceMessage(
  world: SimWorld,
  media: MediaServer,
  device: PairedDevice,
  node: BinaryNode,
): Promise<void> {
  const id = node.attrs.id ?? "";
  const to = node.attrs.to ?? "";
  const restricted = device.account.restricted;
  const ack = restricted ? RESTRICTED_ACK_ERROR : "ok";
  await deliver(world, device, {
    tag: "ack",
    attrs: {
      class: "message",
      id,
      from: to,
      t: unixNow(),
      ...(restricted ? { error: RESTRICTED_ACK_ERROR } : {}),
    },
  });
  const contact = contactForJid(world, to);
  const enc = encryptedFor(node, to);
  if (!contact || !enc) return; // messages to own devices or groups are not modelled
  const sent: SentMessage = {
    id,
    to: `${contact.phone}@s.whatsapp.net`,
    at: new Date().toISOString(),
    encType: enc.attrs.type ?? "msg",
    ack,
    message: {},
  };
  let message: proto.Message;
  try {
    message = proto.Message.decode(unpadMessage(await contact.decrypt(device.id, sent.encType, bytes(enc))));
  } catch (error) {
    // the server would still have relayed it; the phone could not read it (no receipts follow)
    sent.decryptError = String(error);
    world.recordSent(device, sent);
    world.emit("sent", { deviceId: device.id, message: sent });
    return;
  }
  sent.message = message.toJSON() as Record<string, unknown>;
  const text = message.conversation ?? message.extendedTextMessage?.text;
  if (text) sent.text = text;
  if (message.imageMessage) sent.image = await readImage(media, message.imageMessage);
  world.recordSent(device, sent);
  world.emit("sent", { deviceId: device.id, message: sent });
  if (restricted) return;
  const receipt = (type?: string): BinaryNode => ({
    tag: "receipt",
    attrs: { id, from: sent.to, t: unixNow(), ...(type ? { type } : {}) },
  });
  const { deliveredMs, readMs } = world.latency;
  world.later(deliveredMs, () => deliver(world, device, receipt()));
  if (readMs >= 0) world.later(deliveredMs + readMs, () => deliver(world, device, receipt("read")));
}

/** The `<enc>` for the addressee: inside `<participants><to jid>` (fan-out) or directly in the message. */
function encryptedFor(node: BinaryNode, to: string): BinaryNode | undefined {
  const participants = children(child(node, "participants"));
  if (participants.length === 0) return child(node, "enc");
  const bare = to.split("@")[0];
  const mine = participants.find((p) => p.attrs.jid?.split(/[:@]/)[0] === bare) ?? participants[0];
  return child(mine, "enc");
}

async function readImage(
  media: MediaServer,
  image: proto.Message.IImageMessage,
): Promise<SentMessage["image"]> {
  const blob = image.directPath ? media.get(image.directPath) : undefined;
  let plain: Buffer | undefined;
  if (blob && image.mediaKey)
    plain = await decryptMedia(blob, Buffer.from(image.mediaKey), "image").catch(() => undefined);
  const expected = image.fileSha256 ? Buffer.from(image.fileSha256) : undefined;
  const actual = plain ? sha256(plain) : undefined;
  return {
    mimetype: image.mimetype ?? "",
    bytes: plain?.length ?? 0,
    ...(image.caption ? { caption: image.caption } : {}),
    sha256Verified: Boolean(expected && actual?.equals(expected)),
  };
}

/** A simulated contact sends a text or an image to a paired device, encrypted with its uploaded keys. */
export async function contactSend(
  world: SimWorld,
  media: MediaServer,
  phone: string,
  device: PairedDevice,
  content: ContactContent,
): Promise<{ id: string; encType: string }> {
  if (!device.bundle) throw new SimConflictError(`device ${device.id} has not uploaded its pre-keys yet`);
  const contact = world.contact(phone);
  const label = world.seed.nextLabel("inbound");
  const message =
    "text" in content
      ? { conversation: content.text }
      : await imageMessage(media, world.seed.bytes(`${label}:media-key`), content);
  const padded = padMessage(
    Buffer.from(proto.Message.encode(message).finish()),
    world.seed.int(`${label}:pad`, 16),
  );
  const enc = await contact.encrypt(device.id, device.bundle, padded);
  const id = `3EB0${world.seed.bytes(`${label}:id`, 9).toString("hex").toUpperCase()}`;
  await deliver(world, device, {
    tag: "message",
    attrs: {
      id,
      from: `${phone}@s.whatsapp.net`,
      type: "text" in content ? "text" : "media",
      t: unixNow(),
      notify: contact.name,
    },
    content: [{ tag: "enc", attrs: { v: "2", type: enc.type }, content: enc.body }],
  });
  return { id, encType: enc.type };
}

async function imageMessage(
  media: MediaServer,
  mediaKey: Buffer,
  content: { image: Buffer; mimetype?: string; caption?: string },
): Promise<proto.IMessage> {
  const encrypted = await encryptMedia(content.image, mediaKey, "image");
  const directPath = media.put(encrypted.file, encrypted.fileEncSha256.toString("base64url"));
  return {
    imageMessage: {
      url: media.url(directPath),
      directPath,
      mediaKey,
      mimetype: content.mimetype ?? "image/jpeg",
      fileSha256: encrypted.fileSha256,
      fileEncSha256: encrypted.fileEncSha256,
      fileLength: content.image.length,
      mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      ...(content.caption ? { caption: content.caption } : {}),
    },
  };
}

/** Sends to the device's live socket, or keeps it for the next login (offline delivery). */
export async function deliver(world: SimWorld, device: PairedDevice, node: BinaryNode): Promise<void> {
  const conn = world.liveConnection(device.id);
  if (conn) {
    await conn.send(node);
    return;
  }
  if (node.tag === "ack") return; // acks belong to the socket that sent the message
  world.queueOffline(device, { ...node, attrs: { ...node.attrs, offline: "1" } });
}

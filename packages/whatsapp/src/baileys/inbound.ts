// Baileys' events → the engine's InboundMessage / MessageReceipt shapes.
import {
  getContentType,
  isJidBroadcast,
  isJidStatusBroadcast,
  jidNormalizedUser,
  type MessageUserReceiptUpdate,
  normalizeMessageContent,
  proto,
  type WAMessage,
  type WAMessageUpdate,
} from "@whiskeysockets/baileys";
import type { InboundContent, InboundMessage, MessageReceipt, ReceiptStatus } from "../engine";

/** What downloadMedia() needs later; JSON-serialisable (mediaKey as base64). */
export interface BaileysMediaRef {
  type: "image" | "video" | "audio" | "document" | "sticker";
  mediaKey: string;
  directPath?: string;
  url?: string;
  mimetype?: string;
}

const MEDIA_FIELDS = {
  imageMessage: "image",
  videoMessage: "video",
  audioMessage: "audio",
  documentMessage: "document",
  stickerMessage: "sticker",
} as const;

/** Incoming messages from others; our own echoes and status/broadcast traffic are skipped. */
export function toInboundMessages(messages: WAMessage[]): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const msg of messages) {
    const key = msg.key;
    const chat = key.remoteJid;
    if (!chat || key.fromMe || !key.id || isJidStatusBroadcast(chat) || isJidBroadcast(chat)) continue;
    if (!msg.message) continue; // protocol stubs (e.g. failed decryption placeholders)
    const chatIsLid = chat.endsWith("@lid");
    const alt = key.remoteJidAlt ? jidNormalizedUser(key.remoteJidAlt) : undefined;
    out.push({
      id: key.id,
      from: chat,
      fromPhoneJid: chatIsLid ? alt : chat.endsWith("@s.whatsapp.net") ? chat : undefined,
      fromLid: chatIsLid ? chat : alt?.endsWith("@lid") ? alt : undefined,
      pushName: msg.pushName ?? undefined,
      timestamp: new Date(Number(msg.messageTimestamp ?? Math.floor(Date.now() / 1000)) * 1000),
      content: toInboundContent(msg.message),
    });
  }
  return out;
}

export function toInboundContent(raw: proto.IMessage): InboundContent {
  const message = normalizeMessageContent(raw);
  const type = getContentType(message);
  if (!message || !type) return { type: "unknown" };
  if (type === "conversation") return { type: "text", text: message.conversation ?? "" };
  if (type === "extendedTextMessage") return { type: "text", text: message.extendedTextMessage?.text ?? "" };
  if (type === "locationMessage" || type === "liveLocationMessage") {
    const loc = message.locationMessage ?? message.liveLocationMessage;
    return {
      type: "location",
      latitude: loc?.degreesLatitude ?? 0,
      longitude: loc?.degreesLongitude ?? 0,
      name: message.locationMessage?.name ?? undefined,
    };
  }
  if (type === "reactionMessage") {
    const reaction = message.reactionMessage;
    return { type: "reaction", emoji: reaction?.text ?? "", targetId: reaction?.key?.id ?? "" };
  }
  if (type in MEDIA_FIELDS) {
    const mediaType = MEDIA_FIELDS[type as keyof typeof MEDIA_FIELDS];
    const media = message[type as keyof typeof MEDIA_FIELDS] as proto.Message.IDocumentMessage;
    const ref: BaileysMediaRef = {
      type: mediaType,
      mediaKey: media.mediaKey ? Buffer.from(media.mediaKey).toString("base64") : "",
      directPath: media.directPath ?? undefined,
      url: media.url ?? undefined,
      mimetype: media.mimetype ?? undefined,
    };
    return {
      type: mediaType,
      caption: media.caption ?? undefined,
      mimeType: media.mimetype ?? undefined,
      fileName: media.fileName ?? undefined,
      mediaRef: ref,
    };
  }
  return { type: "unknown", raw: type };
}

const STATUS = proto.WebMessageInfo.Status;
const STATUS_MAP: Partial<Record<number, ReceiptStatus>> = {
  [STATUS.ERROR]: "error",
  [STATUS.SERVER_ACK]: "server_ack",
  [STATUS.DELIVERY_ACK]: "delivered",
  [STATUS.READ]: "read",
  [STATUS.PLAYED]: "played",
};

/** Status changes of messages we sent (1:1 chats report them through messages.update). */
export function receiptsFromUpdates(updates: WAMessageUpdate[]): MessageReceipt[] {
  const out: MessageReceipt[] = [];
  for (const { key, update } of updates) {
    const status = typeof update.status === "number" ? STATUS_MAP[update.status] : undefined;
    if (!key.fromMe || !key.id || !key.remoteJid || !status) continue;
    out.push({ messageId: key.id, chat: key.remoteJid, status, timestamp: new Date() });
  }
  return out;
}

/** Per-recipient receipts (groups, and some 1:1 cases). */
export function receiptsFromUserReceipts(updates: MessageUserReceiptUpdate[]): MessageReceipt[] {
  const out: MessageReceipt[] = [];
  for (const { key, receipt } of updates) {
    if (!key.id || !key.remoteJid) continue;
    const seconds = receipt.playedTimestamp ?? receipt.readTimestamp ?? receipt.receiptTimestamp;
    const status: ReceiptStatus = receipt.playedTimestamp
      ? "played"
      : receipt.readTimestamp
        ? "read"
        : "delivered";
    const timestamp = seconds ? new Date(Number(seconds) * 1000) : new Date();
    out.push({ messageId: key.id, chat: key.remoteJid, status, timestamp });
  }
  return out;
}

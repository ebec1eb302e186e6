// Turns a stored outbound Message into what the engine sends.
import { type Message, MessageType } from "@zapflow/db";
import type { OutboundContent } from "@zapflow/whatsapp";
import type { MediaStorage } from "../storage/storage";

type Payload = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const mediaKinds: Partial<Record<MessageType, "image" | "video" | "audio" | "document" | "sticker">> = {
  [MessageType.IMAGE]: "image",
  [MessageType.VIDEO]: "video",
  [MessageType.AUDIO]: "audio",
  [MessageType.DOCUMENT]: "document",
  [MessageType.STICKER]: "sticker",
};

export async function outboundContent(m: Message, storage: MediaStorage): Promise<OutboundContent> {
  const p = (m.payload ?? {}) as Payload;
  if (m.type === MessageType.TEXT) return { type: "text", text: str(p.text) ?? "" };
  if (m.type === MessageType.LOCATION) {
    return {
      type: "location",
      latitude: Number(p.latitude),
      longitude: Number(p.longitude),
      name: str(p.name),
      address: str(p.address),
    };
  }
  const kind = mediaKinds[m.type];
  if (!kind) throw new Error(`message type ${m.type} cannot be sent`);
  const storageKey = str(p.storageKey);
  return {
    type: kind,
    url: str(p.url),
    data: storageKey ? await storage.read(storageKey) : undefined,
    mimeType: str(p.mimeType),
    fileName: str(p.fileName),
    caption: str(p.caption),
  };
}

/** "Typing…" before a text, roughly as long as a person would take (bounded). */
export function typingDurationMs(content: OutboundContent): number {
  if (content.type !== "text") return 0;
  return Math.min(3_000, 400 + content.text.length * 25);
}

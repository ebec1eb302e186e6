// Turns a stored outbound Message into what the engine sends.
import { type Message, MessageType } from "@zapflow/db";
import { companyKeyProblem, MediaNotFoundError, type MediaStorage } from "@zapflow/db/storage";
import type { OutboundContent } from "@zapflow/whatsapp";

type Payload = Record<string, unknown>;

/** Content that can never be sent as stored (retrying would not change it): the message fails at once. */
export class UnsendableContentError extends Error {
  readonly code = "unsendable_content";
}
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
    data: storageKey ? await readMedia(m.companyId, storageKey, storage) : undefined,
    mimeType: str(p.mimeType),
    fileName: str(p.fileName),
    caption: str(p.caption),
  };
}

/** Accept checks the key too; this guards rows written any other way (a company's own files only). */
async function readMedia(companyId: string, key: string, storage: MediaStorage): Promise<Uint8Array> {
  const problem = companyKeyProblem(companyId, key);
  if (problem) throw new UnsendableContentError(`storageKey ${problem}`);
  try {
    return await storage.read(key);
  } catch (err) {
    if (err instanceof MediaNotFoundError) throw new UnsendableContentError(err.message);
    throw err; // storage unreachable: worth a retry
  }
}

/** "Typing…" before a text, roughly as long as a person would take (bounded). */
export function typingDurationMs(content: OutboundContent): number {
  if (content.type !== "text") return 0;
  return Math.min(3_000, 400 + content.text.length * 25);
}

// The engine's OutboundContent → Baileys' message content, and Baileys/WhatsApp errors → SendError.
import type { AnyMessageContent } from "@whiskeysockets/baileys";
import { type OutboundContent, SendError } from "../engine";

const RECIPIENT = /^[\d-]+(:\d+)?@(s\.whatsapp\.net|lid|g\.us|newsletter)$/;

export function assertRecipient(jid: string): void {
  if (!RECIPIENT.test(jid)) throw new SendError("invalid_recipient", `not a WhatsApp JID: ${jid}`);
}

export function toBaileysContent(content: OutboundContent): AnyMessageContent {
  switch (content.type) {
    case "text":
      return { text: content.text };
    case "location":
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          name: content.name,
          address: content.address,
        },
      };
    default: {
      const source = content.data
        ? Buffer.from(content.data)
        : content.url
          ? { url: content.url }
          : undefined;
      if (!source) throw new SendError("media_error", `${content.type} message has neither data nor url`);
      const mimetype = content.mimeType;
      switch (content.type) {
        case "image":
          return { image: source, caption: content.caption, mimetype };
        case "video":
          return { video: source, caption: content.caption, mimetype };
        case "audio":
          return { audio: source, mimetype };
        case "sticker":
          return { sticker: source, mimetype };
        case "document":
          return {
            document: source,
            mimetype: mimetype ?? "application/octet-stream",
            fileName: content.fileName,
            caption: content.caption,
          };
      }
    }
  }
}

interface BoomLike {
  message?: string;
  output?: { statusCode?: number };
  data?: unknown;
}

/** Classifies anything a Baileys call throws. */
export function toSendError(err: unknown, media: boolean): SendError {
  if (err instanceof SendError) return err;
  const boom = err as BoomLike;
  const code = boom?.output?.statusCode;
  const message = boom?.message ?? String(err);
  const text = message.toLowerCase();
  if (code === 429 || text.includes("rate-overlimit") || text.includes("rate overlimit")) {
    return new SendError("rate_limited", message, code ?? 429);
  }
  if (code === 403 || code === 463 || text.includes("restricted"))
    return new SendError("restricted", message, code);
  if (code === 428 || code === 401 || text.includes("connection closed") || text.includes("not open")) {
    return new SendError("not_connected", message, code);
  }
  if (
    code === 400 ||
    code === 404 ||
    code === 406 ||
    text.includes("not on whatsapp") ||
    text.includes("invalid jid")
  ) {
    return new SendError("invalid_recipient", message, code);
  }
  if (media && (text.includes("fetch") || text.includes("upload") || text.includes("media"))) {
    return new SendError("media_error", message, code);
  }
  return new SendError("server_error", message, code);
}

// Message traffic inside the simulator: accepting sends (dedup by id, injected failures,
// stalls, restrictions), the server_ack → delivered → read receipt sequence, inbound messages,
// auto replies and media blobs.
import { SendError, type SendErrorKind } from "../engine";
import type { Prng } from "./prng";
import { type Account, type Latency, pushCapped, type ServerConnection, type SessionState } from "./state";
import type { SimEvent, WireInbound, WireSendRequest, WireSendResult } from "./wire";

export interface MessagingHost {
  readonly prng: Prng;
  latency: Latency;
  readonly logLimit: number;
  session(sessionId: string): SessionState;
  account(phone: string): Account;
  /** Sends to the logged-in socket, or queues until the next login. */
  deliver(session: SessionState, event: SimEvent): void;
  schedule(ms: number, fn: () => void): void;
  sleep(ms: number): Promise<void>;
}

export interface InboundInput {
  /** Sender phone (digits) or JID. */
  from: string;
  text?: string;
  media?: {
    type: "image" | "video" | "audio" | "document" | "sticker";
    data: Uint8Array;
    mimeType?: string;
    caption?: string;
    fileName?: string;
  };
  pushName?: string;
  id?: string;
}

export interface AutoReply {
  /** Reply text; defaults to "auto-reply: <original text>". */
  text?: string;
  /** Delay after the read receipt. */
  afterMs?: number;
}

const RECIPIENT = /^(\d{5,15})@s\.whatsapp\.net$|^\d+@lid$|^[\d-]+@g\.us$/;
const ERROR_CODES: Partial<Record<SendErrorKind, number>> = {
  rate_limited: 429,
  restricted: 463,
  invalid_recipient: 400,
  server_error: 500,
  media_error: 415,
};
const MEDIA_CAP = 1000;

export class SimMessaging {
  autoReply: AutoReply | null;
  private readonly notOnWhatsapp = new Set<string>();
  private readonly contactLids = new Map<string, string>();
  private readonly media = new Map<string, { data: Buffer; mimeType?: string }>();

  constructor(
    private readonly host: MessagingHost,
    autoReply: AutoReply | null,
  ) {
    this.autoReply = autoReply;
  }

  markNotOnWhatsapp(phone: string): void {
    this.notOnWhatsapp.add(phone.replace(/\D/g, ""));
  }

  async send(conn: ServerConnection, request: WireSendRequest): Promise<WireSendResult> {
    const session = this.host.session(conn.sessionId);
    const wait = session.stallUntil - Date.now();
    if (wait > 0) await this.host.sleep(wait);
    const device = conn.device;
    if (conn.closed || !device) throw new SendError("not_connected", "socket is not logged in");
    const fail = session.failNext;
    if (fail && fail.remaining > 0) {
      fail.remaining--;
      throw new SendError(fail.kind, `injected ${fail.kind}`, ERROR_CODES[fail.kind]);
    }
    if (this.host.account(device.phone).restriction) {
      throw new SendError("restricted", "account is restricted", 463);
    }
    const phone = RECIPIENT.exec(request.to)?.[1];
    if (!RECIPIENT.test(request.to) || (phone && this.notOnWhatsapp.has(phone))) {
      throw new SendError("invalid_recipient", `${request.to} is not on WhatsApp`, 400);
    }
    const { ackMs } = this.host.latency;
    const known = session.accepted.get(request.messageId);
    if (known !== undefined) {
      // WhatsApp drops a repeated id: the retry is acked, nothing is sent twice.
      await this.host.sleep(ackMs);
      return { messageId: request.messageId, timestamp: known };
    }
    const acceptedAt = Date.now();
    session.accepted.set(request.messageId, acceptedAt);
    if (session.accepted.size > this.host.logLimit) {
      session.accepted.delete(session.accepted.keys().next().value as string);
    }
    pushCapped(
      session.sent,
      {
        sessionId: session.sessionId,
        messageId: request.messageId,
        to: request.to,
        from: device.jid,
        content: request.content,
        acceptedAt,
      },
      this.host.logLimit,
    );
    await this.host.sleep(ackMs);
    this.receipt(session, request, "server_ack");
    this.scheduleReceipts(session, request);
    return { messageId: request.messageId, timestamp: acceptedAt };
  }

  private scheduleReceipts(session: SessionState, request: WireSendRequest): void {
    const { deliveredMs, readMs } = this.host.latency;
    if (deliveredMs === null) return;
    this.host.schedule(deliveredMs, () => {
      this.receipt(session, request, "delivered");
      if (readMs === null) return;
      this.host.schedule(readMs, () => {
        this.receipt(session, request, "read");
        this.maybeAutoReply(session, request);
      });
    });
  }

  private receipt(
    session: SessionState,
    request: WireSendRequest,
    status: "server_ack" | "delivered" | "read",
  ) {
    this.host.deliver(session, {
      t: "receipts",
      receipts: [{ messageId: request.messageId, chat: request.to, status, timestamp: Date.now() }],
    });
  }

  private maybeAutoReply(session: SessionState, request: WireSendRequest): void {
    const reply = this.autoReply;
    if (!reply || !request.to.endsWith("@s.whatsapp.net")) return;
    const original = request.content.type === "text" ? request.content.text : `[${request.content.type}]`;
    this.host.schedule(reply.afterMs ?? 0, () => {
      this.inbound(session, { from: request.to, text: reply.text ?? `auto-reply: ${original}` });
    });
  }

  inbound(session: SessionState, input: InboundInput): string {
    const digits = input.from.split("@")[0]!.split(":")[0]!.replace(/\D/g, "");
    const phoneJid = `${digits}@s.whatsapp.net`;
    let lid = this.contactLids.get(digits);
    if (!lid) {
      lid = `${this.host.prng.digits(15)}@lid`;
      this.contactLids.set(digits, lid);
      this.host.deliver(session, { t: "lidMappings", mappings: [{ lid, phoneJid }] });
    }
    const id = input.id ?? `SIM${this.host.prng.hex(18)}`;
    const message: WireInbound = {
      id,
      from: phoneJid,
      fromPhoneJid: phoneJid,
      fromLid: lid,
      pushName: input.pushName,
      timestamp: Date.now(),
      content: this.inboundContent(input),
    };
    this.host.deliver(session, { t: "messages", messages: [message] });
    return id;
  }

  private inboundContent(input: InboundInput): WireInbound["content"] {
    const media = input.media;
    if (!media) return { type: "text", text: input.text ?? "" };
    const mediaId = this.host.prng.hex(24);
    this.media.set(mediaId, { data: Buffer.from(media.data), mimeType: media.mimeType });
    if (this.media.size > MEDIA_CAP) this.media.delete(this.media.keys().next().value as string);
    return {
      type: media.type,
      caption: media.caption ?? input.text,
      mimeType: media.mimeType,
      fileName: media.fileName,
      mediaRef: { simMediaId: mediaId },
    };
  }

  async download(conn: ServerConnection, mediaRef: unknown): Promise<Uint8Array> {
    const wait = this.host.session(conn.sessionId).stallUntil - Date.now();
    if (wait > 0) await this.host.sleep(wait);
    if (conn.closed || !conn.device) throw new SendError("not_connected", "socket is not logged in");
    const id = (mediaRef as { simMediaId?: unknown } | null)?.simMediaId;
    const blob = typeof id === "string" ? this.media.get(id) : undefined;
    if (!blob) throw new SendError("media_error", "media not found or expired", 410);
    return new Uint8Array(blob.data);
  }

  reset(): void {
    this.notOnWhatsapp.clear();
    this.contactLids.clear();
    this.media.clear();
  }
}

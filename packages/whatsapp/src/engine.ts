// The one interface the worker codes against. Two implementations: the Baileys engine (real
// WhatsApp, or the protocol simulator on loopback) and the in-process simulator engine.
// This package depends on no other package of ours: the auth store is an interface that the
// worker implements on Postgres.

/** Where an engine keeps credentials and signal keys. Values are plain JS (Buffers, objects);
 *  the implementation serialises and encrypts them. */
export interface AuthStore {
  /** Baileys `creds` (AuthenticationCreds) or undefined when the session was never paired. */
  readCreds(): Promise<unknown | undefined>;
  writeCreds(creds: unknown): Promise<void>;
  /** Returns the values found for `type` and `ids` (missing ids are absent from the result). */
  readKeys(type: string, ids: string[]): Promise<Record<string, unknown>>;
  /** One transaction per batch; a `null` value deletes the key. */
  writeKeys(batch: Record<string, Record<string, unknown | null>>): Promise<void>;
  /** Logout / 401: remove creds and every key. */
  clear(): Promise<void>;
}

export type ConnectionState = "connecting" | "awaiting_qr" | "awaiting_pairing_code" | "open" | "close";

/** Why a connection closed, already classified so the worker decides without engine details. */
export type DisconnectKind =
  | "logged_out" // 401: wipe auth, stop
  | "forbidden" // 403: account restricted/banned
  | "timed_out" // 408
  | "connection_closed" // 428
  | "connection_replaced" // 440: another client took over — do not fight it
  | "restricted" // 463 / other restriction signals
  | "server_error" // 500 / 503 and unknown codes
  | "restart_required" // 515: reconnect at once
  | "closed_by_us"; // close() was called

export interface DisconnectInfo {
  kind: DisconnectKind;
  /** WhatsApp/Boom status code when known. */
  code?: number;
  message?: string;
}

export type OutboundContent =
  | { type: "text"; text: string }
  | {
      type: "image" | "video" | "audio" | "document" | "sticker";
      /** Raw bytes, or a URL the engine may fetch. */
      data?: Uint8Array;
      url?: string;
      mimeType?: string;
      fileName?: string;
      caption?: string;
    }
  | { type: "location"; latitude: number; longitude: number; name?: string; address?: string };

export interface SendRequest {
  /** Recipient JID, e.g. 5511987654321@s.whatsapp.net */
  to: string;
  /** Caller-chosen WhatsApp message id, reserved before the first attempt: a retry reuses it. */
  messageId: string;
  content: OutboundContent;
  /** Send "composing" presence for this long before the message (0 = none). */
  typingMs?: number;
  /** Per-call timeout; the engine rejects with SendError{kind:"timeout"} after it. */
  timeoutMs?: number;
}

export interface SendResult {
  messageId: string;
  /** Server acknowledgement time. */
  timestamp: Date;
}

export type SendErrorKind =
  | "timeout"
  | "not_connected"
  | "invalid_recipient" // not a valid number / not on WhatsApp: permanent
  | "rate_limited" // WhatsApp said slow down: ban signal
  | "restricted" // account restricted: permanent for now, ban signal
  | "media_error" // media could not be fetched/uploaded
  | "server_error"; // anything else: retryable

export class SendError extends Error {
  constructor(
    readonly kind: SendErrorKind,
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "SendError";
  }
  /** Permanent errors fail the message at once instead of retrying. */
  get permanent(): boolean {
    return this.kind === "invalid_recipient" || this.kind === "restricted";
  }
}

export type InboundContent =
  | { type: "text"; text: string }
  | {
      type: "image" | "video" | "audio" | "document" | "sticker";
      caption?: string;
      mimeType?: string;
      fileName?: string;
      /** Opaque handle the engine understands in downloadMedia(). JSON-serialisable. */
      mediaRef: unknown;
    }
  | { type: "location"; latitude: number; longitude: number; name?: string }
  | { type: "reaction"; emoji: string; targetId: string }
  | { type: "unknown"; raw?: string };

export interface InboundMessage {
  id: string;
  /** Chat JID the message came from (phone JID or LID). */
  from: string;
  /** Phone JID when known (LID chats carry it via mapping). */
  fromPhoneJid?: string;
  fromLid?: string;
  pushName?: string;
  timestamp: Date;
  content: InboundContent;
}

export type ReceiptStatus = "server_ack" | "delivered" | "read" | "played" | "error";

export interface MessageReceipt {
  messageId: string;
  /** Chat the message was sent to. */
  chat: string;
  status: ReceiptStatus;
  timestamp: Date;
}

export interface LidMapping {
  lid: string;
  phoneJid: string;
}

export interface EngineEvents {
  /** New QR payload (the string a phone scans); rotates until scanned or timed out. */
  qr: (qr: string) => void;
  pairingCode: (code: string) => void;
  connection: (state: ConnectionState, disconnect?: DisconnectInfo) => void;
  /** Emitted once when login succeeds, with the account's identity. */
  identity: (me: { jid: string; phone: string; lid?: string; pushName?: string }) => void;
  messages: (messages: InboundMessage[]) => void;
  receipts: (receipts: MessageReceipt[]) => void;
  lidMappings: (mappings: LidMapping[]) => void;
}

export type EngineEventName = keyof EngineEvents;

/** One live WhatsApp connection for one session. */
export interface EngineSession {
  readonly sessionId: string;
  on<E extends EngineEventName>(event: E, listener: EngineEvents[E]): this;
  off<E extends EngineEventName>(event: E, listener: EngineEvents[E]): this;
  /** Starts connecting; resolves once the socket is created (not when open). */
  connect(): Promise<void>;
  /** Asks for a pairing code for `phone` (digits, with country code) instead of a QR. */
  requestPairingCode(phone: string): Promise<string>;
  send(request: SendRequest): Promise<SendResult>;
  /** Fetches the bytes of an inbound media message. */
  downloadMedia(mediaRef: unknown): Promise<Uint8Array>;
  /** Unlinks the device (WhatsApp forgets it) and clears the auth store. */
  logout(): Promise<void>;
  /** Closes the socket without logging out; auth state stays. Idempotent. */
  close(): Promise<void>;
}

export interface EngineSessionOptions {
  sessionId: string;
  authStore: AuthStore;
  /** Structured logger with child(); pino-compatible. */
  logger?: EngineLogger;
}

export interface WhatsappEngine {
  readonly name: "baileys" | "simulator";
  createSession(options: EngineSessionOptions): EngineSession;
}

export interface EngineLogger {
  level: string;
  child(bindings: Record<string, unknown>): EngineLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Maps a WhatsApp/Boom disconnect status code to what the worker should do. */
export function classifyDisconnect(code: number | undefined): DisconnectKind {
  switch (code) {
    case 401:
      return "logged_out";
    case 403:
      return "forbidden";
    case 408:
      return "timed_out";
    case 428:
      return "connection_closed";
    case 440:
      return "connection_replaced";
    case 463:
      return "restricted";
    case 515:
      return "restart_required";
    default:
      return "server_error";
  }
}

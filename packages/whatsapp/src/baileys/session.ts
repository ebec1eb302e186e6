// One Baileys socket per connect(). The engine reports closes and never reconnects by itself:
// the worker owns backoff and the circuit breaker.
import type { Agent } from "node:https";
import makeWASocket, {
  Browsers,
  downloadContentFromMessage,
  type proto,
  type WABrowserDescription,
  type WASocket,
} from "@whiskeysockets/baileys";
import { LRUCache } from "lru-cache";
import {
  type AuthStore,
  classifyDisconnect,
  type EngineLogger,
  type EngineSession,
  SendError,
  type SendRequest,
  type SendResult,
} from "../engine";
import { EventedSession } from "../session-events";
import { abortableSleep, withTimeout } from "../timeout";
import { type BaileysAuthState, createAuthState } from "./auth-state";
import { boundedCacheStore } from "./cache-store";
import {
  type BaileysMediaRef,
  receiptsFromUpdates,
  receiptsFromUserReceipts,
  toInboundMessages,
} from "./inbound";
import { assertRecipient, toBaileysContent, toSendError } from "./outbound";

export interface BaileysSessionOptions {
  sessionId: string;
  authStore: AuthStore;
  logger?: EngineLogger;
  waWebSocketUrl?: string;
  agent?: Agent;
  browser?: WABrowserDescription;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
  keyCacheMax?: number;
  trustRoot: () => void;
}

interface Live {
  sock: WASocket;
  auth: BaileysAuthState;
  open: boolean;
  qrShown: boolean;
  /** After requestPairingCode() the QR refs Baileys keeps rotating are no longer shown. */
  pairingByCode: boolean;
  /** Settles at the first QR: the server took the socket as a new companion (not a login). */
  registering: Promise<void>;
  markRegistering: () => void;
  aborter: AbortController;
  /** creds.update writes, in order. */
  credsWrites: Promise<void>;
  /** Settles when the socket is torn down. */
  closed: Promise<void>;
  markClosed: () => void;
}

const MINUTE = 60_000;

export class BaileysEngineSession extends EventedSession implements EngineSession {
  private readonly timeoutMs: number;
  private live?: Live;
  /** Bumped by close(), so a connect() still loading its auth state does not open a socket. */
  private epoch = 0;
  /** Our recent sends, so Baileys can answer a recipient's retry request (bounded). */
  private readonly recentSends = new LRUCache<string, proto.IMessage>({ max: 256, ttl: 10 * MINUTE });

  constructor(private readonly options: BaileysSessionOptions) {
    super(options);
    this.timeoutMs = options.operationTimeoutMs ?? 30_000;
  }

  async connect(): Promise<void> {
    if (this.live) return;
    const epoch = this.epoch;
    const auth = await createAuthState(this.options.authStore, { cacheMax: this.options.keyCacheMax });
    if (this.live || epoch !== this.epoch) return; // a concurrent connect() won, or close() came first
    this.options.trustRoot();
    const o = this.options;
    const sock = makeWASocket({
      auth: auth.state,
      logger: this.logger.child({ sessionId: this.sessionId, lib: "baileys" }),
      ...(o.waWebSocketUrl ? { waWebSocketUrl: o.waWebSocketUrl } : {}),
      agent: o.agent,
      browser: o.browser ?? Browsers.ubuntu("Chrome"),
      connectTimeoutMs: o.connectTimeoutMs ?? 20_000,
      defaultQueryTimeoutMs: this.timeoutMs,
      syncFullHistory: false,
      markOnlineOnConnect: false,
      shouldSyncHistoryMessage: () => false,
      generateHighQualityLinkPreview: false,
      emitOwnEvents: false,
      msgRetryCounterCache: boundedCacheStore(500, 60 * MINUTE),
      userDevicesCache: boundedCacheStore(500, 5 * MINUTE),
      callOfferCache: boundedCacheStore(50, 5 * MINUTE),
      placeholderResendCache: boundedCacheStore(200, 60 * MINUTE),
      mediaCache: boundedCacheStore(50, 60 * MINUTE),
      getMessage: async (key) => (key.id ? this.recentSends.get(key.id) : undefined),
    });
    let markClosed = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    let markRegistering = () => {};
    const registering = new Promise<void>((resolve) => {
      markRegistering = resolve;
    });
    const live: Live = {
      sock,
      auth,
      open: false,
      qrShown: false,
      pairingByCode: false,
      registering,
      markRegistering,
      aborter: new AbortController(),
      credsWrites: Promise.resolve(),
      closed,
      markClosed,
    };
    this.live = live;
    this.listen(live);
  }

  private listen(live: Live): void {
    const { sock } = live;
    sock.ev.on("creds.update", () => {
      live.credsWrites = live.credsWrites
        .then(() => live.auth.saveCreds())
        .catch((err) => this.logger.error({ err }, "saving creds failed"));
    });
    sock.ev.on("connection.update", (update) => {
      if (this.live !== live) return;
      if (update.qr) live.markRegistering();
      if (update.qr && !live.pairingByCode) {
        if (!live.qrShown) this.events.emit("connection", "awaiting_qr");
        live.qrShown = true;
        this.events.emit("qr", update.qr);
      }
      if (update.connection === "connecting") this.events.emit("connection", "connecting");
      if (update.connection === "open") this.onOpen(live);
      if (update.connection === "close") {
        const error = update.lastDisconnect?.error as
          | { output?: { statusCode?: number }; message?: string }
          | undefined;
        const code = error?.output?.statusCode;
        this.teardown(live);
        releasePendingWaits(live.sock);
        // Creds from pairing must be stored before the worker reconnects on 515.
        void live.credsWrites.then(() =>
          this.events.emit("connection", "close", {
            kind: classifyDisconnect(code),
            code,
            message: error?.message,
          }),
        );
      }
    });
    sock.ev.on("messages.upsert", ({ messages, type }) => {
      if (type !== "notify") return;
      const inbound = toInboundMessages(messages);
      if (inbound.length > 0) this.events.emit("messages", inbound);
    });
    sock.ev.on("messages.update", (updates) => {
      const receipts = receiptsFromUpdates(updates);
      if (receipts.length > 0) this.events.emit("receipts", receipts);
    });
    sock.ev.on("message-receipt.update", (updates) => {
      const receipts = receiptsFromUserReceipts(updates);
      if (receipts.length > 0) this.events.emit("receipts", receipts);
    });
    sock.ev.on("lid-mapping.update", ({ lid, pn }) => {
      this.events.emit("lidMappings", [{ lid, phoneJid: pn }]);
    });
  }

  private onOpen(live: Live): void {
    live.open = true;
    this.events.emit("connection", "open");
    const me = live.auth.state.creds.me;
    if (!me?.id) return;
    const phone = me.id.split("@")[0]!.split(":")[0]!;
    this.events.emit("identity", {
      jid: `${phone}@s.whatsapp.net`,
      phone,
      lid: me.lid ?? undefined,
      pushName: me.name ?? me.notify ?? undefined,
    });
  }

  /** Forgets the socket: no listener, timer or pending call of ours outlives it. */
  private teardown(live: Live): void {
    if (this.live === live) this.live = undefined;
    live.open = false;
    live.aborter.abort();
    live.markClosed();
    // Baileys ends the socket (and its own timers) itself; our listeners must go with it.
    (live.sock.ev as unknown as { removeAllListeners(): void }).removeAllListeners();
  }

  private requireOpen(): Live {
    const live = this.live;
    if (!live?.open) throw new SendError("not_connected", "session is not connected");
    return live;
  }

  /** Runs a socket call with a time limit; rejects at once if the socket closes meanwhile. */
  private guarded<T>(live: Live, call: () => Promise<T>, what: string, ms = this.timeoutMs, media = false) {
    const signal = live.aborter.signal;
    let onAbort = () => {};
    const closed = new Promise<never>((_, reject) => {
      onAbort = () => reject(new SendError("not_connected", `${what}: socket closed`));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    const attempt = Promise.resolve().then(call);
    return withTimeout(Promise.race([attempt, closed]), ms, what)
      .catch((err) => {
        throw toSendError(err, media);
      })
      .finally(() => signal.removeEventListener("abort", onAbort));
  }

  async requestPairingCode(phone: string): Promise<string> {
    const live = this.live;
    if (!live) throw new SendError("not_connected", "connect() first");
    const digits = phone.replace(/\D/g, "");
    const code = await this.guarded(
      live,
      async () => {
        await live.sock.waitForSocketOpen();
        // Baileys sets creds.me at once: asked before the handshake chose registration, the
        // socket would log in as that number instead, and the server answers 401.
        await live.registering;
        return live.sock.requestPairingCode(digits);
      },
      "requestPairingCode",
    );
    live.pairingByCode = true;
    this.events.emit("connection", "awaiting_pairing_code");
    this.events.emit("pairingCode", code);
    return code;
  }

  async send(request: SendRequest): Promise<SendResult> {
    const live = this.requireOpen();
    assertRecipient(request.to);
    const content = toBaileysContent(request.content);
    const ms = request.timeoutMs ?? this.timeoutMs;
    if (request.typingMs) {
      await this.guarded(
        live,
        () => live.sock.sendPresenceUpdate("composing", request.to),
        "presence",
        ms,
      ).catch((err) => this.logger.debug({ err }, "composing presence failed"));
      await abortableSleep(request.typingMs, live.aborter.signal);
    }
    const media = request.content.type !== "text" && request.content.type !== "location";
    const sent = await this.guarded(
      live,
      () => live.sock.sendMessage(request.to, content, { messageId: request.messageId }),
      "send",
      ms,
      media,
    );
    if (sent?.message) this.recentSends.set(request.messageId, sent.message);
    const seconds = Number(sent?.messageTimestamp ?? 0);
    const timestamp = seconds ? new Date(seconds * 1000) : new Date();
    const messageId = sent?.key.id ?? request.messageId;
    // Baileys surfaces only failed server acks (as status ERROR); a resolved send is our ack.
    this.events.emit("receipts", [{ messageId, chat: request.to, status: "server_ack", timestamp }]);
    return { messageId, timestamp };
  }

  async downloadMedia(mediaRef: unknown): Promise<Uint8Array> {
    const ref = mediaRef as BaileysMediaRef;
    if (!ref?.type || !ref.mediaKey || (!ref.directPath && !ref.url)) {
      throw new SendError("media_error", "not a Baileys media reference");
    }
    const aborter = new AbortController();
    const download = async () => {
      const stream = await downloadContentFromMessage(
        { mediaKey: Buffer.from(ref.mediaKey, "base64"), directPath: ref.directPath, url: ref.url },
        ref.type,
        { options: { signal: aborter.signal } },
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    };
    try {
      return await withTimeout(download(), this.timeoutMs, "downloadMedia");
    } catch (err) {
      throw err instanceof SendError ? err : new SendError("media_error", (err as Error).message);
    } finally {
      aborter.abort();
    }
  }

  async logout(): Promise<void> {
    const live = this.live;
    if (live?.open) {
      // Baileys ends the socket with 401 right after the request: let that close be reported.
      const loggedOut = async () => {
        await live.sock.logout();
        await live.closed;
      };
      await this.guarded(live, loggedOut, "logout").catch((err: SendError) => {
        if (err.kind !== "not_connected")
          this.logger.warn({ err }, "logout request failed; clearing auth anyway");
      });
      await live.credsWrites;
    }
    await this.close();
    if (live) await live.credsWrites;
    await this.options.authStore.clear();
  }

  async close(): Promise<void> {
    this.epoch++;
    const live = this.live;
    if (!live) return;
    this.teardown(live);
    try {
      await live.sock.end(undefined);
    } catch (err) {
      this.logger.debug({ err }, "socket end failed");
    }
    releasePendingWaits(live.sock);
    await live.credsWrites;
    this.events.emit("connection", "close", { kind: "closed_by_us" });
  }
}

/**
 * Baileys' end() removes the ws 'close' listeners before closing, so a handshake or query still
 * waiting for a reply keeps its timer until connectTimeoutMs/defaultQueryTimeoutMs. Those waits
 * also listen for 'error': raising one on the dead socket settles them now.
 */
function releasePendingWaits(sock: WASocket): void {
  const closed = Object.assign(new Error("Connection Closed"), { output: { statusCode: 428 } });
  if (sock.ws.listenerCount("error") > 0) sock.ws.emit("error", closed);
}

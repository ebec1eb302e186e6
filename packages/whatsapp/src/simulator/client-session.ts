// The EngineSession both simulator engines hand to the worker. Only the transport differs
// (direct calls vs. a WebSocket to a SimulatorServer), so the two behave identically.
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
import type { SimulatorLink } from "./simulator";
import { type SimEvent, toWireContent } from "./wire";

export interface SimTransport {
  /** Opens one socket; `sink` receives the server's events in order. */
  open(sessionId: string, creds: unknown, sink: (event: SimEvent) => void): Promise<SimulatorLink>;
}

export interface SimSessionOptions {
  sessionId: string;
  authStore: AuthStore;
  logger?: EngineLogger;
  /** Default limit for send/pairing/download/logout calls. */
  operationTimeoutMs: number;
}

interface LiveLink {
  link?: SimulatorLink;
  open: boolean;
  /** Aborted when the socket is torn down: pending calls and sleeps end at once. */
  aborter: AbortController;
}

export class SimulatorEngineSession extends EventedSession implements EngineSession {
  private live?: LiveLink;
  /** Server events are handled one at a time so creds are stored before the close that follows. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly transport: SimTransport,
    private readonly options: SimSessionOptions,
  ) {
    super(options);
  }

  async connect(): Promise<void> {
    if (this.live) return;
    const live: LiveLink = { open: false, aborter: new AbortController() };
    this.live = live;
    let creds: unknown;
    try {
      creds = await this.options.authStore.readCreds();
    } catch (err) {
      this.live = undefined;
      throw err;
    }
    if (this.live !== live) return; // close() was called while the creds were loading
    // Events wait until the link is stored, so a listener reacting to "open" can send at once.
    let linkStored = () => {};
    const ready = new Promise<void>((resolve) => {
      linkStored = resolve;
    });
    const sink = (event: SimEvent) => {
      this.chain = this.chain
        .then(() => ready)
        .then(() => this.handle(live, event))
        .catch((err) => this.logger.error({ err }, "simulator event handling failed"));
    };
    try {
      const link = await this.transport.open(this.sessionId, creds, sink);
      if (this.live === live) live.link = link;
      else link.close(); // close() was called while the socket was opening
    } catch (err) {
      sink({ t: "closed", code: 428, message: `cannot reach the simulator: ${(err as Error).message}` });
    } finally {
      linkStored();
    }
  }

  private async handle(live: LiveLink, event: SimEvent): Promise<void> {
    if (this.live !== live) return; // a late event from a socket we already closed
    switch (event.t) {
      case "state":
        return this.events.emit("connection", event.state);
      case "qr":
        return this.events.emit("qr", event.qr);
      case "pairingCode":
        return this.events.emit("pairingCode", event.code);
      case "paired":
        return this.options.authStore.writeCreds(event.creds);
      case "open":
        live.open = true;
        this.events.emit("connection", "open");
        return this.events.emit("identity", event.me);
      case "closed":
        this.teardown(live);
        return this.events.emit("connection", "close", {
          kind: classifyDisconnect(event.code),
          code: event.code,
          message: event.message,
        });
      case "messages":
        return this.events.emit(
          "messages",
          event.messages.map((m) => ({ ...m, timestamp: new Date(m.timestamp) })),
        );
      case "receipts":
        return this.events.emit(
          "receipts",
          event.receipts.map((r) => ({ ...r, timestamp: new Date(r.timestamp) })),
        );
      case "lidMappings":
        return this.events.emit("lidMappings", event.mappings);
    }
  }

  private teardown(live: LiveLink): void {
    if (this.live === live) this.live = undefined;
    live.open = false;
    live.aborter.abort();
    live.link?.close();
  }

  private requireLink(needOpen: boolean): LiveLink & { link: SimulatorLink } {
    const live = this.live;
    if (!live?.link || (needOpen && !live.open))
      throw new SendError("not_connected", "session is not connected");
    return live as LiveLink & { link: SimulatorLink };
  }

  /** Runs a socket call with a time limit; rejects at once when the socket closes. */
  private guarded<T>(live: LiveLink, call: Promise<T>, what: string, ms?: number): Promise<T> {
    const signal = live.aborter.signal;
    let onAbort = () => {};
    const closed = new Promise<never>((_, reject) => {
      onAbort = () => reject(new SendError("not_connected", `${what}: socket closed`));
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    return withTimeout(Promise.race([call, closed]), ms ?? this.options.operationTimeoutMs, what)
      .catch((err) => {
        throw err instanceof SendError ? err : new SendError("server_error", (err as Error).message);
      })
      .finally(() => signal.removeEventListener("abort", onAbort));
  }

  async requestPairingCode(phone: string): Promise<string> {
    const live = this.requireLink(false);
    return this.guarded(live, live.link.requestPairingCode(phone), "requestPairingCode");
  }

  async send(request: SendRequest): Promise<SendResult> {
    const live = this.requireLink(true);
    if (request.typingMs) await abortableSleep(request.typingMs, live.aborter.signal);
    const wire = { to: request.to, messageId: request.messageId, content: toWireContent(request.content) };
    const result = await this.guarded(live, live.link.send(wire), "send", request.timeoutMs);
    return { messageId: result.messageId, timestamp: new Date(result.timestamp) };
  }

  async downloadMedia(mediaRef: unknown): Promise<Uint8Array> {
    const live = this.requireLink(true);
    return this.guarded(live, live.link.download(mediaRef), "downloadMedia");
  }

  async logout(): Promise<void> {
    const live = this.live;
    if (live?.link && live.open) {
      // The server answers, then closes with 401: wait for that close to be reported.
      const closed = new Promise<void>((resolve) =>
        live.aborter.signal.addEventListener("abort", () => resolve()),
      );
      const loggedOut = live.link.logout().then(() => closed);
      await this.guarded(live, loggedOut, "logout").catch((err: SendError) => {
        if (err.kind !== "not_connected")
          this.logger.warn({ err }, "simulator logout failed; clearing auth anyway");
      });
      await this.chain;
    }
    await this.close();
    await this.options.authStore.clear();
  }

  async close(): Promise<void> {
    const live = this.live;
    if (!live) return;
    this.teardown(live);
    this.events.emit("connection", "close", { kind: "closed_by_us" });
  }
}

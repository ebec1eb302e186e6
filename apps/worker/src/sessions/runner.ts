// One owned session on this worker: its engine socket, listeners, timers and reconnect policy.
// Every engine event and command runs on one promise chain, so state changes never interleave.
// Everything the runner creates (engine session, listeners, timers) is released on stop.
import { type BreakerState, type PrismaClient, SessionStatus } from "@zapflow/db";
import type { ConnectionState, DisconnectInfo, EngineSession, WhatsappEngine } from "@zapflow/whatsapp";
import type { Logger } from "pino";
import type { SessionBus } from "../session-bus";
import { PostgresAuthStore } from "./auth-store";
import { decideDisconnect } from "./disconnect-policy";
import { bindEngineEvents } from "./engine-listeners";
import { ReconnectControl, type ReconnectSettings } from "./reconnect-control";
import { BREAKER_CLOSED, identityPatch, statusChanges } from "./status-changes";
import type { StatusChange, StatusWriter } from "./status-writer";

export type SessionSettings = ReconnectSettings;

export interface SessionRow {
  id: string;
  companyId: string;
  pairedAt: Date | null;
  breakerState: BreakerState;
  consecutiveFailures: number;
  breakerOpenedAt: Date | null;
}

export interface RunnerDeps {
  engine: WhatsappEngine;
  prisma: PrismaClient;
  bus: SessionBus;
  status: StatusWriter;
  logger: Logger;
  settings: SessionSettings;
  /** Level of the per-session logger handed to the engine. */
  engineLogLevel?: string;
  /** The runner ended on its own (logout, replaced, banned, user stop): release lease and slot. */
  onFinished: (runner: SessionRunner) => Promise<void>;
  onReconnect?: (sessionId: string) => void;
}

export class SessionRunner {
  readonly sessionId: string;
  readonly companyId: string;
  readonly authStore: PostgresAuthStore;
  private readonly reconnect: ReconnectControl;
  private readonly log: Logger;
  private session?: EngineSession;
  private unbind?: () => void;
  private chain: Promise<void> = Promise.resolve();
  private pairingPhone?: string;
  private lastPairingCode?: string;
  private paired: boolean;
  private open = false;
  private stopped = false;
  /** Ownership was lost: the row belongs to another worker now, never write it. */
  private lost = false;
  /** Current status as this runner last set it (metrics, health). */
  status: SessionStatus = SessionStatus.CONNECTING;

  constructor(
    private readonly deps: RunnerDeps,
    row: SessionRow,
  ) {
    this.sessionId = row.id;
    this.companyId = row.companyId;
    this.paired = row.pairedAt !== null;
    this.log = deps.logger.child({ sessionId: row.id, companyId: row.companyId });
    this.authStore = new PostgresAuthStore(deps.prisma, row.id);
    this.reconnect = new ReconnectControl(deps.settings, {
      state: row.breakerState,
      consecutiveFailures: row.consecutiveFailures,
      openedAt: row.breakerOpenedAt,
    });
  }

  start(pairingPhone?: string): Promise<void> {
    this.pairingPhone = pairingPhone;
    return this.run(() => this.attempt());
  }

  /** Close the socket and reconnect now (operator "restart"). */
  restart(): Promise<void> {
    return this.run(async () => {
      this.closeSocket("restart requested");
      this.reconnect.attempts = 0;
      await this.attempt();
    });
  }

  requestPairingCode(phone: string): Promise<void> {
    return this.run(async () => {
      if (this.open) {
        this.log.warn("pairing code requested for a session that is already connected; ignored");
        return;
      }
      this.pairingPhone = phone;
      if (this.session) await this.askPairingCode(this.session, phone);
      else await this.attempt(); // waiting for a reconnect: try now with the pairing code
    });
  }

  /** User stop: close without logging out, status DISCONNECTED. */
  stop(reason: string): Promise<void> {
    return this.terminate(() => this.setStatus(statusChanges.stopped(reason)));
  }

  /** Worker shutdown: close without logging out; another worker takes the session over. */
  handOver(): Promise<void> {
    return this.terminate(() => this.setStatus(statusChanges.handedOver()));
  }

  /** Unlink the device at WhatsApp (when connected) and wipe the auth state. */
  logout(): Promise<void> {
    return this.terminate(async (session, wasOpen) => {
      if (session && wasOpen) {
        await session.logout().catch((error) => this.log.warn({ err: error }, "engine logout failed"));
      }
      await this.wipeAndMarkLoggedOut("Logged out by request");
    }, true);
  }

  /** Ownership lost (lease not renewed): close at once and write nothing — the row is another worker's now. */
  abort(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.lost = true;
    this.reconnect.cancel();
    this.closeSocket(reason);
    this.deps.status.forget(this.sessionId);
  }

  // ---- connecting ----------------------------------------------------------------------

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.reconnect.cancelRetry();
    await this.reconnect.reload(this.deps.prisma, this.sessionId);
    const decision = this.reconnect.tryAttempt();
    if (!decision.allowed) {
      this.retryIn(decision.retryInMs);
      return;
    }
    const retrying = this.reconnect.attempts > 0;
    if (decision.probe) await this.setStatus(statusChanges.halfOpen());
    else await this.setStatus({ status: retrying ? SessionStatus.RECONNECTING : SessionStatus.CONNECTING });
    const session = this.deps.engine.createSession({
      sessionId: this.sessionId,
      authStore: this.authStore,
      logger: this.log.child(
        { engine: this.deps.engine.name },
        { level: this.deps.engineLogLevel ?? "warn" },
      ),
    });
    this.attach(session);
    this.reconnect.watchConnect(() => void this.run(() => this.onStalled(session)));
    try {
      await session.connect();
    } catch (error) {
      if (this.session !== session) return;
      this.closeSocket("connect failed");
      await this.onFailure(`connect failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.pairingPhone && this.session === session && !this.paired && !(await this.hasCreds())) {
      await this.askPairingCode(session, this.pairingPhone);
    }
  }

  /** Paired creds exist (e.g. the reconnect right after pairing, before the identity event). */
  private async hasCreds(): Promise<boolean> {
    const creds = (await this.authStore.readCreds()) as { me?: unknown } | undefined;
    return !!creds?.me;
  }

  private async askPairingCode(session: EngineSession, phone: string): Promise<void> {
    try {
      const code = await session.requestPairingCode(phone);
      await this.onPairingCode(session, code);
    } catch (error) {
      this.log.warn({ err: error }, "pairing code request failed");
      await this.setStatus(statusChanges.pairingCodeFailed(error));
    }
  }

  private attach(session: EngineSession): void {
    // State events go through the chain, and only while `session` is still the current socket.
    const chained = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => {
      return (...args: A) => {
        if (this.session === session)
          void this.run(() => (this.session === session ? fn(...args) : undefined));
      };
    };
    // Data events skip the chain (emit order is kept): the messaging domain persists them.
    const ids = { sessionId: this.sessionId, companyId: this.companyId };
    const current = () => this.session === session;
    this.session = session;
    this.unbind = bindEngineEvents(session, {
      connection: chained((state: ConnectionState, info?: DisconnectInfo) =>
        this.onConnection(session, state, info),
      ),
      qr: chained((qr: string) => this.onQr(qr)),
      pairingCode: chained((code: string) => this.onPairingCode(session, code)),
      identity: chained((me: { jid: string; phone: string; lid?: string }) => this.onIdentity(me)),
      messages: (messages) => current() && void this.deps.bus.emit("inbound", { ...ids, messages }),
      receipts: (receipts) => current() && void this.deps.bus.emit("receipts", { ...ids, receipts }),
      lidMappings: (mappings) => current() && void this.deps.bus.emit("lidMappings", { ...ids, mappings }),
    });
  }

  // ---- engine events -------------------------------------------------------------------

  private async onStalled(session: EngineSession): Promise<void> {
    if (this.session !== session) return;
    this.log.warn("engine reported no progress on a new socket: treating it as a timeout");
    this.closeSocket("connect stalled");
    await this.onFailure(`connect stalled: no answer within ${this.deps.settings.connectTimeoutMs} ms`);
  }

  private async onConnection(session: EngineSession, state: ConnectionState, info?: DisconnectInfo) {
    if (state !== "connecting") this.reconnect.connectProgressed();
    if (state === "open") return this.onOpen(session);
    if (state === "close") return this.onClose(info ?? { kind: "server_error" });
    // connecting / awaiting_*: the qr and pairingCode events carry what the user needs.
  }

  private async onQr(qr: string): Promise<void> {
    this.reconnect.connectProgressed();
    if (this.pairingPhone) return; // pairing by code: the QR shown meanwhile is not wanted
    await this.setStatus(statusChanges.qr(qr));
  }

  private async onPairingCode(session: EngineSession, code: string): Promise<void> {
    if (this.session !== session || code === this.lastPairingCode) return;
    this.reconnect.connectProgressed();
    this.lastPairingCode = code;
    await this.setStatus(statusChanges.pairingCode(code));
  }

  private async onIdentity(me: { jid: string; phone: string; lid?: string }): Promise<void> {
    const firstPairing = !this.paired;
    this.paired = true;
    await this.deps.prisma.whatsappSession.update({
      where: { id: this.sessionId },
      data: identityPatch(me, firstPairing),
    });
  }

  private async onOpen(session: EngineSession): Promise<void> {
    this.open = true;
    this.pairingPhone = undefined;
    this.lastPairingCode = undefined;
    await this.setStatus(statusChanges.connected());
    this.deps.bus.markReady({ sessionId: this.sessionId, companyId: this.companyId, engine: session });
    this.reconnect.connected(() => void this.run(() => this.onStable(session)));
  }

  private async onStable(session: EngineSession): Promise<void> {
    if (this.session !== session || !this.open || !this.reconnect.recordStable()) return;
    await this.deps.prisma.whatsappSession.update({ where: { id: this.sessionId }, data: BREAKER_CLOSED });
  }

  private async onClose(info: DisconnectInfo): Promise<void> {
    const action = decideDisconnect(info.kind, info.code, info.message);
    if (action.do === "none") return;
    this.closeSocket(info.message ?? info.kind);
    const code = info.code ?? null;
    switch (action.do) {
      case "logged_out":
        await this.wipeAndMarkLoggedOut(`Logged out by WhatsApp (${code ?? "?"})`, code);
        return this.finish();
      case "stop":
        if (action.restricted) this.emitRestricted(action.reason);
        await this.setStatus(
          statusChanges.endedByDisconnect(
            action.status,
            action.reason,
            action.severity,
            code,
            action.restricted,
          ),
        );
        return this.finish();
      case "reconnect_now":
        return this.attempt();
      case "restricted_reconnect":
        this.emitRestricted(action.reason);
        await this.setStatus(statusChanges.restricted(action.reason, code));
        this.reconnect.attempts++;
        return this.backoff();
      case "backoff":
        if (!this.paired && info.kind === "timed_out") {
          // Nobody scanned the QR in time: stop instead of showing new QRs forever.
          await this.setStatus(statusChanges.pairingTimedOut(code));
          return this.finish();
        }
        return this.onFailure(action.reason, code);
    }
  }

  private emitRestricted(reason: string): void {
    this.deps.bus.emit("restricted", { sessionId: this.sessionId, companyId: this.companyId, reason });
  }

  private async onFailure(reason: string, code: number | null = null): Promise<void> {
    const { opened, failures, patch } = this.reconnect.recordFailure(reason, code);
    if (opened) {
      await this.setStatus(
        statusChanges.breakerOpened(failures, reason, this.deps.settings.breakerOpenMs, patch),
      );
      this.retryIn(this.deps.settings.breakerOpenMs);
      return;
    }
    // Prompt: the breaker counters on the row are what the next attempt (maybe elsewhere) reads.
    await this.setStatus({ status: SessionStatus.RECONNECTING, reason, patch, prompt: true });
    this.backoff();
  }

  private backoff(): void {
    if (!this.stopped) this.reconnect.backoff(() => this.fireRetry());
  }

  private retryIn(ms: number): void {
    if (!this.stopped) this.reconnect.retryIn(ms, () => this.fireRetry());
  }

  private fireRetry(): void {
    this.deps.onReconnect?.(this.sessionId);
    void this.run(() => this.attempt());
  }

  // ---- stopping --------------------------------------------------------------------------

  private async wipeAndMarkLoggedOut(reason: string, code: number | null = null): Promise<void> {
    await this.authStore.clear();
    await this.setStatus(statusChanges.loggedOut(reason, code));
  }

  /** Stops the runner from a command: `last` runs after the socket is closed, then the runner finishes. */
  private terminate(
    last: (session: EngineSession | undefined, wasOpen: boolean) => Promise<void>,
    keepSocketForLast = false,
  ): Promise<void> {
    return this.run(async () => {
      if (this.stopped) return;
      this.reconnect.cancel();
      const session = this.session;
      const wasOpen = this.open;
      if (!keepSocketForLast) this.closeSocket("stopped");
      else this.detach();
      this.stopped = true;
      try {
        await last(session, wasOpen);
      } finally {
        if (keepSocketForLast) await session?.close().catch(() => undefined);
        await this.finish();
      }
    });
  }

  private async finish(): Promise<void> {
    this.stopped = true;
    this.reconnect.cancel();
    await this.deps.onFinished(this);
  }

  /** Stop listening to the current socket (events of a dead socket must not change state). */
  private detach(): EngineSession | undefined {
    const session = this.session;
    this.unbind?.();
    this.unbind = undefined;
    this.session = undefined;
    if (this.open) {
      this.open = false;
      this.deps.bus.markUnavailable(this.sessionId, this.companyId, "socket closed");
    }
    return session;
  }

  private closeSocket(reason: string): void {
    const session = this.detach();
    if (!session) return;
    this.log.debug({ reason }, "closing socket");
    session.close().catch((error) => this.log.warn({ err: error }, "engine close failed"));
  }

  private async setStatus(change: StatusChange): Promise<void> {
    if (this.lost) return;
    this.status = change.status;
    await this.deps.status.set(this.sessionId, this.companyId, change);
  }

  private run(fn: () => Promise<void> | void): Promise<void> {
    const next = this.chain
      .then(fn)
      .catch((error) => this.log.error({ err: error }, "session runner step failed"));
    this.chain = next;
    return next;
  }
}

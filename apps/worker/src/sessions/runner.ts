// One owned session on this worker: its engine socket, listeners, timers and reconnect policy.
// Every engine event and command runs on one promise chain, so state changes never interleave.
// Everything the runner creates (engine session, listeners, timers) is released on stop.
import {
  BreakerState,
  EventSeverity,
  type Prisma,
  type PrismaClient,
  SessionDesiredState,
  SessionStatus,
} from "@zapflow/db";
import type {
  ConnectionState,
  DisconnectInfo,
  EngineSession,
  InboundMessage,
  LidMapping,
  MessageReceipt,
  WhatsappEngine,
} from "@zapflow/whatsapp";
import type { Logger } from "pino";
import type { SessionBus } from "../session-bus";
import { PostgresAuthStore } from "./auth-store";
import { CircuitBreaker } from "./breaker";
import { decideDisconnect, reconnectDelayMs } from "./disconnect-policy";
import type { StatusChange, StatusWriter } from "./status-writer";

/** How long a QR / pairing code is shown as valid (WhatsApp rotates QRs every ~20 s). */
const QR_VALID_MS = 20_000;
const PAIRING_CODE_VALID_MS = 180_000;

export interface SessionSettings {
  breakerThreshold: number;
  breakerOpenMs: number;
  /** A connection counts as a breaker success only after staying open this long (storm guard). */
  stableConnectionMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

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

/** The session ends on this worker: the row no longer names an owner. */
const RELEASED_OWNER = {
  ownerWorkerId: null,
  leaseExpiresAt: null,
} satisfies Prisma.WhatsappSessionUpdateInput;

const CLEARED_PAIRING = {
  qrCode: null,
  qrExpiresAt: null,
  pairingCode: null,
  pairingCodeExpiresAt: null,
} satisfies Prisma.WhatsappSessionUpdateInput;

export class SessionRunner {
  readonly sessionId: string;
  readonly companyId: string;
  readonly authStore: PostgresAuthStore;
  private readonly breaker: CircuitBreaker;
  private readonly log: Logger;
  private session?: EngineSession;
  private detach?: () => void;
  private chain: Promise<void> = Promise.resolve();
  private reconnectTimer?: NodeJS.Timeout;
  private stableTimer?: NodeJS.Timeout;
  private attempts = 0;
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
    this.breaker = new CircuitBreaker(
      { threshold: deps.settings.breakerThreshold, openMs: deps.settings.breakerOpenMs },
      {
        state: row.breakerState,
        consecutiveFailures: row.consecutiveFailures,
        openedAt: row.breakerOpenedAt,
      },
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  get breakerStats() {
    return {
      state: this.breaker.state,
      failures: this.breaker.failures,
      threshold: this.deps.settings.breakerThreshold,
      openedAt: this.breaker.openedAt,
      successes: this.breaker.successes,
    };
  }

  start(pairingPhone?: string): Promise<void> {
    this.pairingPhone = pairingPhone;
    return this.run(() => this.attempt());
  }

  /** Close the socket and reconnect now (operator "restart"). */
  restart(): Promise<void> {
    return this.run(async () => {
      this.closeSocket("restart requested");
      this.attempts = 0;
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
    return this.terminate(async () => {
      await this.setStatus({
        status: SessionStatus.DISCONNECTED,
        reason,
        patch: { ...CLEARED_PAIRING, ...RELEASED_OWNER },
      });
    });
  }

  /** Worker shutdown: close without logging out; another worker takes the session over. */
  handOver(): Promise<void> {
    return this.terminate(async () => {
      await this.setStatus({
        status: SessionStatus.RECONNECTING,
        reason: "Worker shutting down; handing the session to another worker",
        prompt: true,
        patch: RELEASED_OWNER,
      });
    });
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
    this.clearTimers();
    this.closeSocket(reason);
    this.deps.status.forget(this.sessionId);
  }

  // ---- connecting ----------------------------------------------------------------------

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    await this.reloadBreaker();
    const decision = this.breaker.tryAttempt();
    if (!decision.allowed) {
      this.schedule(decision.retryInMs);
      return;
    }
    if (decision.probe) {
      await this.setStatus({
        status: SessionStatus.RECONNECTING,
        reason: "Circuit breaker half-open: one probe connection",
        eventType: "session.breaker_half_open",
        prompt: true,
        patch: { breakerState: BreakerState.HALF_OPEN },
      });
    } else {
      await this.setStatus({
        status: this.attempts > 0 ? SessionStatus.RECONNECTING : SessionStatus.CONNECTING,
      });
    }
    const session = this.deps.engine.createSession({
      sessionId: this.sessionId,
      authStore: this.authStore,
      logger: this.log.child({ engine: this.deps.engine.name }, { level: this.deps.engineLogLevel ?? "warn" }),
    });
    this.attach(session);
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
      await this.setStatus({
        status: SessionStatus.AWAITING_QR,
        reason: `Pairing code request failed: ${error instanceof Error ? error.message : String(error)}`,
        eventType: "session.pairing_code_failed",
        severity: EventSeverity.WARN,
      });
    }
  }

  private attach(session: EngineSession): void {
    const guard = <A extends unknown[]>(fn: (...args: A) => Promise<void> | void) => {
      return (...args: A) => {
        if (this.session === session)
          void this.run(() => (this.session === session ? fn(...args) : undefined));
      };
    };
    const onConnection = guard((state: ConnectionState, info?: DisconnectInfo) =>
      this.onConnection(session, state, info),
    );
    const onQr = guard((qr: string) => this.onQr(qr));
    const onPairingCode = guard((code: string) => this.onPairingCode(session, code));
    const onIdentity = guard((me: { jid: string; phone: string; lid?: string }) => this.onIdentity(me));
    // Data events skip the chain: the messaging domain persists them; order is kept by emit order.
    const onMessages = (messages: InboundMessage[]) =>
      this.session === session && this.deps.bus.emit("inbound", this.ids({ messages }));
    const onReceipts = (receipts: MessageReceipt[]) =>
      this.session === session && this.deps.bus.emit("receipts", this.ids({ receipts }));
    const onLid = (mappings: LidMapping[]) =>
      this.session === session && this.deps.bus.emit("lidMappings", this.ids({ mappings }));
    session
      .on("connection", onConnection)
      .on("qr", onQr)
      .on("pairingCode", onPairingCode)
      .on("identity", onIdentity)
      .on("messages", onMessages)
      .on("receipts", onReceipts)
      .on("lidMappings", onLid);
    this.session = session;
    this.detach = () => {
      session
        .off("connection", onConnection)
        .off("qr", onQr)
        .off("pairingCode", onPairingCode)
        .off("identity", onIdentity)
        .off("messages", onMessages)
        .off("receipts", onReceipts)
        .off("lidMappings", onLid);
    };
  }

  private ids<T extends object>(payload: T): T & { sessionId: string; companyId: string } {
    return { sessionId: this.sessionId, companyId: this.companyId, ...payload };
  }

  // ---- engine events -------------------------------------------------------------------

  private async onConnection(session: EngineSession, state: ConnectionState, info?: DisconnectInfo) {
    if (state === "open") return this.onOpen(session);
    if (state === "close") return this.onClose(info ?? { kind: "server_error" });
    // connecting / awaiting_*: the qr and pairingCode events carry what the user needs.
  }

  private async onQr(qr: string): Promise<void> {
    if (this.pairingPhone) return; // pairing by code: the QR shown meanwhile is not wanted
    await this.setStatus({
      status: SessionStatus.AWAITING_QR,
      patch: { qrCode: qr, qrExpiresAt: new Date(Date.now() + QR_VALID_MS), pairingCode: null },
    });
  }

  private async onPairingCode(session: EngineSession, code: string): Promise<void> {
    if (this.session !== session || code === this.lastPairingCode) return;
    this.lastPairingCode = code;
    await this.setStatus({
      status: SessionStatus.AWAITING_PAIRING_CODE,
      patch: {
        pairingCode: code,
        pairingCodeExpiresAt: new Date(Date.now() + PAIRING_CODE_VALID_MS),
        qrCode: null,
        qrExpiresAt: null,
      },
    });
  }

  private async onIdentity(me: { jid: string; phone: string; lid?: string }): Promise<void> {
    const firstPairing = !this.paired;
    this.paired = true;
    await this.deps.prisma.whatsappSession.update({
      where: { id: this.sessionId },
      data: {
        jid: me.jid,
        phone: me.phone,
        lid: me.lid ?? null,
        ...(firstPairing ? { pairedAt: new Date() } : {}),
      },
    });
  }

  private async onOpen(session: EngineSession): Promise<void> {
    this.open = true;
    this.attempts = 0;
    this.pairingPhone = undefined;
    this.lastPairingCode = undefined;
    await this.setStatus({
      status: SessionStatus.CONNECTED,
      patch: { ...CLEARED_PAIRING, pairingPhone: null, connectedAt: new Date(), reconnectAttempts: 0 },
    });
    this.deps.bus.markReady({ sessionId: this.sessionId, companyId: this.companyId, engine: session });
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(
      () => void this.run(() => this.onStable(session)),
      this.deps.settings.stableConnectionMs,
    );
    this.stableTimer.unref();
  }

  private async onStable(session: EngineSession): Promise<void> {
    if (this.session !== session || !this.open) return;
    const wasTripped = this.breaker.state !== BreakerState.CLOSED || this.breaker.failures > 0;
    this.breaker.recordSuccess();
    if (!wasTripped) return;
    await this.deps.prisma.whatsappSession.update({
      where: { id: this.sessionId },
      data: { breakerState: BreakerState.CLOSED, consecutiveFailures: 0, breakerOpenedAt: null },
    });
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
        await this.setStatus({
          status: action.status,
          reason: action.reason,
          severity: action.severity,
          patch: {
            ...CLEARED_PAIRING,
            ...RELEASED_OWNER,
            desiredState: SessionDesiredState.DISCONNECTED,
            lastDisconnectCode: code,
            lastFailureAt: new Date(),
            lastFailureReason: action.reason,
            ...(action.restricted
              ? { outboundPausedAt: new Date(), outboundPausedReason: action.reason }
              : {}),
          },
        });
        return this.finish();
      case "reconnect_now":
        return this.attempt();
      case "restricted_reconnect":
        this.emitRestricted(action.reason);
        await this.setStatus({
          status: SessionStatus.RESTRICTED,
          reason: action.reason,
          severity: EventSeverity.CRITICAL,
          patch: {
            lastDisconnectCode: code,
            outboundPausedAt: new Date(),
            outboundPausedReason: action.reason,
          },
        });
        this.attempts++;
        return this.scheduleBackoff();
      case "backoff":
        if (!this.paired && info.kind === "timed_out") {
          // Nobody scanned the QR in time: stop instead of showing new QRs forever.
          await this.setStatus({
            status: SessionStatus.DISCONNECTED,
            reason: "Pairing timed out (QR not scanned)",
            patch: {
              ...CLEARED_PAIRING,
              ...RELEASED_OWNER,
              desiredState: SessionDesiredState.DISCONNECTED,
              lastDisconnectCode: code,
            },
          });
          return this.finish();
        }
        return this.onFailure(action.reason, code);
    }
  }

  private emitRestricted(reason: string): void {
    this.deps.bus.emit("restricted", { sessionId: this.sessionId, companyId: this.companyId, reason });
  }

  private async onFailure(reason: string, code: number | null = null): Promise<void> {
    this.attempts++;
    const opened = this.breaker.recordFailure();
    const breakerPatch = {
      breakerState: this.breaker.state,
      consecutiveFailures: this.breaker.failures,
      breakerOpenedAt: this.breaker.openedAt,
      lastFailureAt: new Date(),
      lastFailureReason: reason,
      lastDisconnectCode: code,
      reconnectAttempts: this.attempts,
    } satisfies Prisma.WhatsappSessionUpdateInput;
    if (opened) {
      await this.setStatus({
        status: SessionStatus.FAILED,
        reason: `Circuit breaker open after ${this.breaker.failures} consecutive failures (last: ${reason}); retrying in ${Math.round(this.deps.settings.breakerOpenMs / 1000)} s`,
        eventType: "session.breaker_opened",
        severity: EventSeverity.ERROR,
        patch: breakerPatch,
      });
      this.schedule(this.deps.settings.breakerOpenMs);
      return;
    }
    // Prompt: the breaker counters on the row are what the next attempt (maybe elsewhere) reads.
    await this.setStatus({ status: SessionStatus.RECONNECTING, reason, patch: breakerPatch, prompt: true });
    this.scheduleBackoff();
  }

  private scheduleBackoff(): void {
    const { reconnectBaseMs, reconnectMaxMs } = this.deps.settings;
    this.schedule(reconnectDelayMs(this.attempts, reconnectBaseMs, reconnectMaxMs));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.deps.onReconnect?.(this.sessionId);
      void this.run(() => this.attempt());
    }, ms);
    this.reconnectTimer.unref();
  }

  /** An operator may have reset/opened/closed the breaker on the row since we last looked. */
  private async reloadBreaker(): Promise<void> {
    const row = await this.deps.prisma.whatsappSession.findUnique({
      where: { id: this.sessionId },
      select: { breakerState: true, consecutiveFailures: true, breakerOpenedAt: true },
    });
    if (!row) return;
    if (row.breakerState !== this.breaker.state || row.consecutiveFailures !== this.breaker.failures) {
      this.breaker.load({
        state: row.breakerState,
        consecutiveFailures: row.consecutiveFailures,
        openedAt: row.breakerOpenedAt,
      });
    }
  }

  // ---- stopping --------------------------------------------------------------------------

  private async wipeAndMarkLoggedOut(reason: string, code: number | null = null): Promise<void> {
    await this.authStore.clear();
    await this.setStatus({
      status: SessionStatus.LOGGED_OUT,
      reason,
      severity: EventSeverity.WARN,
      patch: {
        ...CLEARED_PAIRING,
        ...RELEASED_OWNER,
        desiredState: SessionDesiredState.DISCONNECTED,
        lastDisconnectCode: code,
        pairedAt: null,
        connectedAt: null,
      },
    });
  }

  /** Stops the runner from a command: `last` runs after the socket is closed, then the runner finishes. */
  private terminate(
    last: (session: EngineSession | undefined, wasOpen: boolean) => Promise<void>,
    keepSocketForLast = false,
  ): Promise<void> {
    return this.run(async () => {
      if (this.stopped) return;
      this.clearTimers();
      const session = this.session;
      const wasOpen = this.open;
      if (!keepSocketForLast) this.closeSocket("stopped");
      else this.detachOnly();
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
    this.clearTimers();
    await this.deps.onFinished(this);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.stableTimer);
    this.reconnectTimer = undefined;
    this.stableTimer = undefined;
  }

  /** Stop listening to the current socket (events of a dead socket must not change state). */
  private detachOnly(): EngineSession | undefined {
    const session = this.session;
    this.detach?.();
    this.detach = undefined;
    this.session = undefined;
    if (this.open) {
      this.open = false;
      this.deps.bus.markUnavailable(this.sessionId, this.companyId, "socket closed");
    }
    return session;
  }

  private closeSocket(reason: string): void {
    const session = this.detachOnly();
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

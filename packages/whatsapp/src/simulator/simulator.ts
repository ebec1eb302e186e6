// In-process fake of WhatsApp's servers and of the phones that link devices to them. It is
// deterministic for a seed (ids, LIDs, QR refs, pairing codes), keeps a log of accepted messages
// and of sockets so tests can assert "sent exactly once" and "never two sockets at once", and
// injects the failures the worker must survive. Not the protocol simulator (src/protocol-sim).
import type { SendErrorKind } from "../engine";
import { type AutoReply, type InboundInput, SimMessaging } from "./messaging";
import { Prng } from "./prng";
import {
  type Account,
  type ConnectionLogEntry,
  type Device,
  type Latency,
  newSessionState,
  pushCapped,
  type SentRecord,
  type ServerConnection,
  type SessionState,
} from "./state";
import {
  isSimulatorCreds,
  type SimEvent,
  type SimulatorCreds,
  type WireSendRequest,
  type WireSendResult,
} from "./wire";

export interface SimulatorOptions {
  seed?: number;
  latency?: Partial<Latency>;
  /** QR refs rotate this often until scanned (WhatsApp: 20 s). */
  qrRotateMs?: number;
  /** After this many refs the socket closes with 408, like Baileys' "QR refs attempts ended". */
  qrMaxCount?: number;
  /** Close with 515 after pairing so the client reconnects with its new creds (as WhatsApp does). */
  restartAfterPairing?: boolean;
  autoReply?: AutoReply | null;
  /** Per-session cap of the sent log and the dedup window; also caps the connection log ×10. */
  logLimit?: number;
}

/** What a transport (in-process or WebSocket) gets back for one client socket. */
export interface SimulatorLink {
  send(request: WireSendRequest): Promise<WireSendResult>;
  requestPairingCode(phone: string): Promise<string>;
  download(mediaRef: unknown): Promise<Uint8Array>;
  logout(): Promise<void>;
  /** Client-side close. Idempotent. */
  close(): void;
}

export interface SessionInfo {
  sessionId: string;
  connected: boolean;
  loggedIn: boolean;
  qr?: string;
  pairingCode?: string;
  jid?: string;
}

const DEFAULT_LATENCY: Latency = { ackMs: 5, deliveredMs: 20, readMs: 50 };
const PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTVWXYZ123456789";
const OFFLINE_CAP = 1000;

export class WhatsappSimulator {
  readonly messaging: SimMessaging;
  latency: Latency;
  readonly logLimit: number;
  private prngState: Prng;
  private readonly sessions = new Map<string, SessionState>();
  private readonly accounts = new Map<string, Account>();
  private readonly devices = new Map<string, Device>();
  private readonly connections: ConnectionLogEntry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextConnectionId = 1;

  constructor(private readonly options: SimulatorOptions = {}) {
    this.prngState = new Prng(options.seed ?? 1);
    this.latency = { ...DEFAULT_LATENCY, ...options.latency };
    this.logLimit = options.logLimit ?? 10_000;
    this.messaging = new SimMessaging(this, options.autoReply ?? null);
  }

  get prng(): Prng {
    return this.prngState;
  }

  // ---- transport entry point -------------------------------------------------------------

  connect(
    sessionId: string,
    clientId: string,
    creds: unknown,
    sink: (event: SimEvent) => void,
  ): SimulatorLink {
    const session = this.session(sessionId);
    const log: ConnectionLogEntry = {
      connectionId: this.nextConnectionId++,
      sessionId,
      clientId,
      openedAt: Date.now(),
    };
    pushCapped(this.connections, log, this.logLimit * 10);
    const conn: ServerConnection = {
      id: log.connectionId,
      sessionId,
      clientId,
      closed: false,
      emit: (event) => {
        if (!conn.closed) sink(event);
      },
      terminate: (code, message) => {
        if (conn.closed) return;
        conn.emit({ t: "closed", code, message });
        this.drop(conn, log, code, "server");
      },
    };
    conn.emit({ t: "state", state: "connecting" });
    // A second socket for the same session replaces the first, as WhatsApp does (440).
    if (session.conn && session.conn !== conn) session.conn.terminate(440, "replaced by a new connection");
    session.conn = conn;
    if (isSimulatorCreds(creds)) this.login(session, conn, log, creds);
    else this.issueQr(session, conn);
    return {
      send: (request) => this.messaging.send(conn, request),
      requestPairingCode: async (phone) => this.requestPairingCode(session, conn, phone),
      download: (mediaRef) => this.messaging.download(conn, mediaRef),
      logout: async () => {
        if (conn.device) conn.device.linked = false;
        conn.terminate(401, "logged out");
      },
      close: () => this.drop(conn, log, undefined, "client"),
    };
  }

  private login(
    session: SessionState,
    conn: ServerConnection,
    log: ConnectionLogEntry,
    creds: SimulatorCreds,
  ) {
    const device = this.devices.get(creds.deviceToken);
    if (!device?.linked) return conn.terminate(401, "device is not linked");
    const account = this.account(device.phone);
    if (account.restriction === 403) return conn.terminate(403, "account is banned");
    conn.device = device;
    log.loggedInAt = Date.now();
    conn.emit({
      t: "open",
      me: { jid: device.jid, phone: device.phone, lid: device.lid, pushName: account.pushName },
    });
    const queued = session.offline.splice(0);
    for (const event of queued) conn.emit(event);
  }

  private drop(
    conn: ServerConnection,
    log: ConnectionLogEntry,
    code: number | undefined,
    by: "client" | "server",
  ) {
    if (log.closedAt === undefined)
      Object.assign(log, { closedAt: Date.now(), closeCode: code, closedBy: by });
    conn.closed = true;
    const session = this.session(conn.sessionId);
    if (session.conn !== conn) return;
    session.conn = undefined;
    this.stopQr(session);
    session.pairing = undefined;
  }

  // ---- pairing ---------------------------------------------------------------------------

  private issueQr(session: SessionState, conn: ServerConnection): void {
    const count = (session.qr?.count ?? 0) + 1;
    const maxCount = this.options.qrMaxCount ?? 6;
    const value = `SIMQR@${this.prng.hex(16)},${Buffer.from(session.sessionId).toString("base64url")},${count}`;
    session.qr = { value, count };
    conn.emit({ t: "state", state: "awaiting_qr" });
    conn.emit({ t: "qr", qr: value });
    session.qr.timer = this.schedule(this.options.qrRotateMs ?? 20_000, () => {
      if (session.conn !== conn || conn.device) return;
      if (count >= maxCount) conn.terminate(408, "QR refs attempts ended");
      else this.issueQr(session, conn);
    });
  }

  private stopQr(session: SessionState): void {
    if (session.qr?.timer) this.clearTimer(session.qr.timer);
    session.qr = undefined;
  }

  private requestPairingCode(session: SessionState, conn: ServerConnection, phone: string): string {
    if (conn.closed || session.conn !== conn) throw new Error("socket is closed");
    if (conn.device) throw new Error("already logged in");
    const digits = phone.replace(/\D/g, "");
    if (digits.length < 7 || digits.length > 15) throw new Error(`invalid phone number: ${phone}`);
    this.stopQr(session);
    const code = this.prng.chars(PAIRING_ALPHABET, 8);
    session.pairing = { code, phone: digits };
    conn.emit({ t: "state", state: "awaiting_pairing_code" });
    conn.emit({ t: "pairingCode", code });
    return code;
  }

  /** The phone scans a QR: `target` is the session id or the QR string currently shown. */
  scanQr(target: string, phone: string, pushName?: string): void {
    const session =
      this.sessions.get(target) ?? [...this.sessions.values()].find((s) => s.qr && s.qr.value === target);
    if (!session?.qr || !session.conn)
      throw new Error("no QR code is waiting for a scan (expired or unknown)");
    this.pair(session, session.conn, phone.replace(/\D/g, ""), pushName);
  }

  /** The user types the pairing code on the phone. */
  confirmPairingCode(sessionId: string, code: string, pushName?: string): void {
    const session = this.sessions.get(sessionId);
    const normalised = code.replace(/[^A-Za-z0-9]/g, "").toUpperCase();
    if (!session?.pairing || !session.conn || session.pairing.code !== normalised) {
      throw new Error("pairing code does not match an open pairing request");
    }
    this.pair(session, session.conn, session.pairing.phone, pushName);
  }

  private pair(session: SessionState, conn: ServerConnection, phone: string, pushName?: string): void {
    const account = this.account(phone);
    if (pushName) account.pushName = pushName;
    account.devices++;
    const device: Device = {
      token: this.prng.hex(32),
      sessionId: session.sessionId,
      phone,
      jid: `${phone}:${account.devices}@s.whatsapp.net`,
      lid: `${account.lid}:${account.devices}@lid`,
      linked: true,
    };
    this.devices.set(device.token, device);
    this.stopQr(session);
    session.pairing = undefined;
    const creds: SimulatorCreds = {
      me: { id: device.jid, lid: device.lid, name: account.pushName },
      registered: true,
      platform: "simulator",
      deviceToken: device.token,
    };
    conn.emit({ t: "paired", creds });
    if (this.options.restartAfterPairing ?? true) {
      conn.terminate(515, "restart required");
      return;
    }
    const log = this.connections.find((entry) => entry.connectionId === conn.id);
    if (log) this.login(session, conn, log, creds);
  }

  // ---- admin -----------------------------------------------------------------------------

  /** Closes the session's socket with a WhatsApp code and that code's lasting effect. */
  disconnect(sessionId: string, code: number): boolean {
    const conn = this.sessions.get(sessionId)?.conn;
    if (!conn || conn.closed) return false;
    if (code === 401 && conn.device) conn.device.linked = false; // unlinked from the phone
    conn.terminate(code, `simulated disconnect ${code}`);
    return true;
  }

  /** 463 = restricted (sends fail, logins work); 403 = banned (logins refused). Closes live sockets. */
  restrict(phone: string, code: 403 | 463 = 463): void {
    const digits = phone.replace(/\D/g, "");
    this.account(digits).restriction = code;
    for (const session of this.sessions.values()) {
      if (session.conn?.device?.phone === digits) session.conn.terminate(code, "account restricted");
    }
  }

  unrestrict(phone: string): void {
    this.account(phone.replace(/\D/g, "")).restriction = undefined;
  }

  injectInbound(sessionId: string, input: InboundInput): string {
    return this.messaging.inbound(this.session(sessionId), input);
  }

  failNextSends(sessionId: string, count: number, kind: SendErrorKind = "server_error"): void {
    this.session(sessionId).failNext = { remaining: count, kind };
  }

  /** Sends and downloads of this session hang for `ms` (then proceed). */
  stall(sessionId: string, ms: number): void {
    this.session(sessionId).stallUntil = Date.now() + ms;
  }

  setLatency(latency: Partial<Latency>): void {
    this.latency = { ...this.latency, ...latency };
  }

  setAutoReply(autoReply: AutoReply | null): void {
    this.messaging.autoReply = autoReply;
  }

  markNotOnWhatsapp(phone: string): void {
    this.messaging.markNotOnWhatsapp(phone);
  }

  sentLog(sessionId?: string): SentRecord[] {
    if (sessionId) return [...(this.sessions.get(sessionId)?.sent ?? [])];
    return [...this.sessions.values()].flatMap((s) => s.sent);
  }

  connectionLog(sessionId?: string): ConnectionLogEntry[] {
    return this.connections
      .filter((entry) => !sessionId || entry.sessionId === sessionId)
      .map((e) => ({ ...e }));
  }

  sessionInfo(sessionId: string): SessionInfo {
    const session = this.sessions.get(sessionId);
    const conn = session?.conn;
    return {
      sessionId,
      connected: !!conn && !conn.closed,
      loggedIn: !!conn?.device,
      qr: session?.qr?.value,
      pairingCode: session?.pairing?.code,
      jid: conn?.device?.jid,
    };
  }

  /** Forgets everything (accounts, devices, logs) and closes every socket with 500. */
  reset(): void {
    this.shutdown(500);
    this.sessions.clear();
    this.accounts.clear();
    this.devices.clear();
    this.connections.length = 0;
    this.messaging.reset();
    this.prngState = new Prng(this.options.seed ?? 1);
    this.latency = { ...DEFAULT_LATENCY, ...this.options.latency };
  }

  /** Stops every timer and closes every socket (clients see `code`). */
  shutdown(code = 503): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const session of this.sessions.values()) session.conn?.terminate(code, "simulator shut down");
  }

  // ---- MessagingHost ---------------------------------------------------------------------

  session(sessionId: string): SessionState {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = newSessionState(sessionId);
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  account(phone: string): Account {
    let account = this.accounts.get(phone);
    if (!account) {
      account = { phone, lid: this.prng.digits(15), pushName: `Sim ${phone.slice(-4)}`, devices: 0 };
      this.accounts.set(phone, account);
    }
    return account;
  }

  deliver(session: SessionState, event: SimEvent): void {
    const conn = session.conn;
    if (conn?.device && !conn.closed) conn.emit(event);
    else pushCapped(session.offline, event, OFFLINE_CAP);
  }

  schedule(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}

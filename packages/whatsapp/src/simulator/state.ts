// Internal records of the in-process simulator. Admin read-outs (sent log, connection log) are
// plain data so the HTTP server can return them as JSON.
import type { SendErrorKind } from "../engine";
import type { SimEvent, WireOutboundContent } from "./wire";

export interface Latency {
  /** Server ack after the send reaches the simulator. */
  ackMs: number;
  /** Delivered receipt after the ack; null = never delivered. */
  deliveredMs: number | null;
  /** Read receipt after delivery; null = never read. */
  readMs: number | null;
}

export interface SentRecord {
  sessionId: string;
  messageId: string;
  to: string;
  from: string;
  content: WireOutboundContent;
  acceptedAt: number;
}

export interface ConnectionLogEntry {
  connectionId: number;
  sessionId: string;
  /** Who opened the socket (engine clientId, e.g. a worker's id). */
  clientId: string;
  openedAt: number;
  loggedInAt?: number;
  closedAt?: number;
  closeCode?: number;
  closedBy?: "client" | "server";
}

export interface Account {
  phone: string;
  lid: string;
  pushName: string;
  /** 403 = banned (logins refused), 463 = restricted (logins work, sends fail). */
  restriction?: 403 | 463;
  devices: number;
}

export interface Device {
  token: string;
  sessionId: string;
  phone: string;
  jid: string;
  lid: string;
  linked: boolean;
}

/** The simulator's side of one client socket. */
export interface ServerConnection {
  readonly id: number;
  readonly sessionId: string;
  readonly clientId: string;
  closed: boolean;
  device?: Device;
  emit(event: SimEvent): void;
  /** Server-side close: tells the client why, then drops it. */
  terminate(code: number, message: string): void;
}

export interface SessionState {
  sessionId: string;
  conn?: ServerConnection;
  qr?: { value: string; count: number; timer?: NodeJS.Timeout };
  pairing?: { code: string; phone: string };
  /** Accepted message ids (dedup) → ack time; FIFO-capped. */
  accepted: Map<string, number>;
  sent: SentRecord[];
  failNext?: { remaining: number; kind: SendErrorKind };
  stallUntil: number;
  /** Events that arrived while no socket was logged in; flushed at the next login. */
  offline: SimEvent[];
}

export function newSessionState(sessionId: string): SessionState {
  return { sessionId, accepted: new Map(), sent: [], stallUntil: 0, offline: [] };
}

/** Drops the oldest entries so per-session logs cannot grow without bound. */
export function pushCapped<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

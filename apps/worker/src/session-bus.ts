// In-process, typed bridge between the sessions domain (which owns engine sockets) and the
// domains that react to them (messages, campaigns). Per-session state never lives in module
// globals: everything is keyed by sessionId.
import { EventEmitter } from "node:events";
import type { EngineSession, InboundMessage, LidMapping, MessageReceipt } from "@zapflow/whatsapp";

export interface OwnedSession {
  sessionId: string;
  companyId: string;
  engine: EngineSession;
}

export interface SessionBusEvents {
  /** This worker now owns the session and its socket is open: start consuming its send queue. */
  ready: [OwnedSession];
  /** Socket closed or ownership lost: stop consuming its send queue (in-flight job may finish). */
  unavailable: [{ sessionId: string; companyId: string; reason: string }];
  inbound: [{ sessionId: string; companyId: string; messages: InboundMessage[] }];
  receipts: [{ sessionId: string; companyId: string; receipts: MessageReceipt[] }];
  lidMappings: [{ sessionId: string; companyId: string; mappings: LidMapping[] }];
  /** A ban signal: restricted/forbidden, WhatsApp rate-limit. Campaigns of this number pause. */
  restricted: [{ sessionId: string; companyId: string; reason: string }];
}

export class SessionBus extends EventEmitter<SessionBusEvents> {
  private readonly live = new Map<string, OwnedSession>();

  markReady(session: OwnedSession): void {
    this.live.set(session.sessionId, session);
    this.emit("ready", session);
  }

  markUnavailable(sessionId: string, companyId: string, reason: string): void {
    if (!this.live.delete(sessionId)) return;
    this.emit("unavailable", { sessionId, companyId, reason });
  }

  /** The open engine session, if this worker owns it and it is connected. */
  get(sessionId: string): OwnedSession | undefined {
    return this.live.get(sessionId);
  }

  liveSessionIds(): string[] {
    return [...this.live.keys()];
  }
}

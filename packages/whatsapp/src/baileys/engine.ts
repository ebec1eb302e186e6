// The real engine: one Baileys 7 socket per session, tuned to keep nothing it does not need
// (no store, no history sync, bounded caches) and to never hang (every socket call is timed).
import type { Agent } from "node:https";
import { WA_CERT_DETAILS, type WABrowserDescription } from "@whiskeysockets/baileys";
import type { EngineLogger, EngineSession, EngineSessionOptions, WhatsappEngine } from "../engine";
import { BaileysEngineSession } from "./session";

export interface BaileysEngineOptions {
  /** WhatsApp Web endpoint; default wss://web.whatsapp.com/ws/chat. Tests point it at loopback. */
  waWebSocketUrl?: string;
  /** Engine-wide logger; Baileys is silent unless one is given here or per session. */
  logger?: EngineLogger;
  agent?: Agent;
  /** Root key of a simulator's certificate chain (32 bytes, or 33 with 0x05). Simulator mode only. */
  trustedRootPublicKey?: Uint8Array;
  /** Needed to set trustedRootPublicKey when NODE_ENV=production. */
  allowInProduction?: boolean;
  browser?: WABrowserDescription;
  connectTimeoutMs?: number;
  /** Limit for every socket call (send, pairing code, logout, media) unless a request sets one. */
  operationTimeoutMs?: number;
  /** Per-session cache cap for signal keys (default 1000 entries, 5 min TTL). */
  keyCacheMax?: number;
}

export function createBaileysEngine(options: BaileysEngineOptions = {}): WhatsappEngine {
  const root = options.trustedRootPublicKey;
  if (root) {
    if (process.env.NODE_ENV === "production" && !options.allowInProduction) {
      throw new Error("trustedRootPublicKey replaces WhatsApp's root certificate: refused in production");
    }
    if (!(root.length === 32 || (root.length === 33 && root[0] === 5))) {
      throw new Error("trustedRootPublicKey must be 32 bytes (or 33 starting with 0x05)");
    }
  }
  const trustRoot = () => {
    // Baileys' noise handler reads this exported object on every handshake.
    if (root) WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root);
  };
  return {
    name: "baileys",
    createSession: (session: EngineSessionOptions): EngineSession =>
      new BaileysEngineSession({
        ...options,
        ...session,
        logger: session.logger ?? options.logger,
        trustRoot,
      }),
  };
}

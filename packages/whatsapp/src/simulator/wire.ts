// The JSON vocabulary spoken between a simulator and its client sessions. The in-process engine
// passes these objects directly; the remote engine sends them over a WebSocket, one JSON object
// per text frame:
//   client → server  { op: "hello", sessionId, clientId, creds }            first frame
//                    { op: "send" | "pairingCode" | "download" | "logout", rid, ... }
//   server → client  { ev: SimEvent }                                        pushed events
//                    { rid, ok: true, result } | { rid, ok: false, error }  replies
// Dates travel as epoch milliseconds, bytes as base64.
import type { ConnectionState, InboundContent, LidMapping, OutboundContent, ReceiptStatus } from "../engine";

/** What the simulator stores as a session's creds in its AuthStore. */
export interface SimulatorCreds {
  me: { id: string; lid: string; name?: string };
  registered: true;
  platform: "simulator";
  /** Device token the simulator issued at pairing; unknown or unlinked tokens get 401. */
  deviceToken: string;
}

export interface WireIdentity {
  jid: string;
  phone: string;
  lid?: string;
  pushName?: string;
}

export interface WireInbound {
  id: string;
  from: string;
  fromPhoneJid?: string;
  fromLid?: string;
  pushName?: string;
  timestamp: number;
  content: InboundContent;
}

export interface WireReceipt {
  messageId: string;
  chat: string;
  status: ReceiptStatus;
  timestamp: number;
}

export type SimEvent =
  | { t: "state"; state: ConnectionState }
  | { t: "qr"; qr: string }
  | { t: "pairingCode"; code: string }
  /** Pairing finished: the client stores these creds before it handles the following close (515). */
  | { t: "paired"; creds: SimulatorCreds }
  | { t: "open"; me: WireIdentity }
  | { t: "closed"; code: number; message: string }
  | { t: "messages"; messages: WireInbound[] }
  | { t: "receipts"; receipts: WireReceipt[] }
  | { t: "lidMappings"; mappings: LidMapping[] };

/** OutboundContent with bytes as base64 so it can cross the wire. */
export type WireOutboundContent =
  | Exclude<OutboundContent, { data?: Uint8Array }>
  | (Omit<Extract<OutboundContent, { data?: Uint8Array }>, "data"> & { dataBase64?: string });

export interface WireSendRequest {
  to: string;
  messageId: string;
  content: WireOutboundContent;
}

export interface WireSendResult {
  messageId: string;
  timestamp: number;
}

export interface WireError {
  kind: string;
  message: string;
  code?: number;
}

/** A request that expects one reply, matched by `rid`. */
export type ClientCall =
  | { op: "send"; request: WireSendRequest }
  | { op: "pairingCode"; phone: string }
  | { op: "download"; mediaRef: unknown }
  | { op: "logout" };

export type ClientFrame =
  | { op: "hello"; sessionId: string; clientId: string; creds: unknown }
  | (ClientCall & { rid: number });

export type ServerFrame =
  | { ev: SimEvent }
  | { rid: number; ok: true; result: unknown }
  | { rid: number; ok: false; error: WireError };

export function toWireContent(content: OutboundContent): WireOutboundContent {
  if ("data" in content && content.data) {
    const { data, ...rest } = content;
    return { ...rest, dataBase64: Buffer.from(data).toString("base64") };
  }
  return content as WireOutboundContent;
}

export function isSimulatorCreds(value: unknown): value is SimulatorCreds {
  const v = value as Partial<SimulatorCreds> | undefined;
  return !!v && v.platform === "simulator" && typeof v.deviceToken === "string" && !!v.me?.id;
}

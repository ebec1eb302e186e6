/** What a paired device uploaded in its `encrypt` set: what contacts use to start sessions with it. */
export interface UploadedBundle {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { id: number; value: Buffer; signature: Buffer };
  /** One-time pre-keys not yet handed out. */
  preKeys: { id: number; value: Buffer }[];
}

export type PairingMethod = "qr" | "pairing-code";

export interface Latency {
  /** Delay before every frame the server sends. */
  frameMs: number;
  /** Delay between a device's message reaching the contact and the delivered receipt. */
  deliveredMs: number;
  /** Delay between the delivered and the read receipt; negative: the contact never reads. */
  readMs: number;
}

export interface SentMessage {
  id: string;
  to: string;
  at: string;
  /** Signal message type Baileys used: pkmsg for a new session, msg afterwards. */
  encType: string;
  /** Server ack: "ok", or the error code it carried ("463" for a restricted number). */
  ack: string;
  text?: string;
  image?: { mimetype: string; bytes: number; caption?: string; sha256Verified: boolean };
  /** The decrypted proto.Message as JSON ({} if the contact could not decrypt it). */
  message: Record<string, unknown>;
  /** Set when the recipient contact's Signal session could not decrypt the message. */
  decryptError?: string;
}

export interface DeviceSummary {
  id: string;
  phone: string;
  jid: string;
  lid: string;
  method: PairingMethod;
  status: "paired" | "logged-out";
  online: boolean;
  restricted: boolean;
  pairedAt: string;
  uploadedPreKeys: number;
  sentCount: number;
}

export interface PendingPairing {
  id: string;
  connectionId: number;
  refs: string[];
  pairingCodePhone?: string;
}

export interface ConnectionRecord {
  id: number;
  kind: "registration" | "login" | "handshake";
  deviceId?: string;
  openedAt: string;
  /** When the server accepted the login (`<success>`): a device is "on" this socket from here… */
  loggedInAt?: string;
  /** …to here: when the server ended the socket or saw the client close it. */
  closedAt?: string;
  /** Why the server ended it, if it did ("stream:error 515", "replaced", …). */
  endedBy?: string;
}

import { EventEmitter } from "node:events";
import type { BinaryNode } from "@whiskeysockets/baileys";
import type { SimConnection } from "./connection";
import { SimContact } from "./contact";
import type { RawKeyPair } from "./crypto";
import type { SeededSource } from "./seed";
import type {
  ConnectionRecord,
  DeviceSummary,
  Latency,
  PairingMethod,
  PendingPairing,
  SentMessage,
  UploadedBundle,
} from "./types";

/** A WhatsApp account: the phone number, its LID and the primary phone's identity key. */
export interface Account {
  phone: string;
  lid: string;
  identity: RawKeyPair;
  restricted: boolean;
  nextDeviceNo: number;
}

/** A companion device paired to an account (what Baileys is). */
export interface PairedDevice {
  id: string;
  account: Account;
  deviceNo: number;
  noiseKey: Buffer;
  identityKey: Buffer;
  method: PairingMethod;
  pairedAt: Date;
  loggedOut: boolean;
  bundle?: UploadedBundle;
  sent: SentMessage[];
  /** Receipts and messages that arrived while the device was offline, delivered at its next login. */
  offline: BinaryNode[];
}

/** A pairing-code request (companion_hello) waiting for the phone's owner to type the code. */
export interface PairingCodeRequest {
  conn: SimConnection;
  phone: string;
  ref: string;
  wrappedCompanionEphemeral: Buffer;
  /** Set once the phone confirmed the code. */
  phoneSide?: { companionEphemeral: Buffer; primaryEphemeral: RawKeyPair };
}

const MAX_SENT_PER_DEVICE = 10_000;
const MAX_CONNECTION_LOG = 10_000;
const MAX_OFFLINE_PER_DEVICE = 5_000;

export const DEFAULT_LATENCY: Latency = { frameMs: 0, deliveredMs: 50, readMs: 100 };

/** Everything the simulated WhatsApp knows: accounts, devices, contacts, live sockets, timers. */
export class SimWorld extends EventEmitter {
  readonly accounts = new Map<string, Account>();
  readonly devices = new Map<string, PairedDevice>();
  readonly contacts = new Map<string, SimContact>();
  readonly connections = new Map<number, SimConnection>();
  readonly pending = new Map<string, PendingPairing>();
  /** By phone number: the latest companion_hello wins, as on a real phone. */
  readonly codeRequests = new Map<string, PairingCodeRequest>();
  /** Devices offered in pair-success, by connection id, until the companion signs its identity. */
  readonly unsignedDevices = new Map<number, PairedDevice>();
  connectionLog: ConnectionRecord[] = [];
  latency: Latency = { ...DEFAULT_LATENCY };
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly seed: SeededSource) {
    super();
    // tests and the admin API may wait on many events at once; each waiter removes itself
    this.setMaxListeners(1_000);
  }

  account(phone: string): Account {
    let account = this.accounts.get(phone);
    if (!account) {
      account = {
        phone,
        lid: `2${String(this.seed.int(`account:${phone}:lid`, 10 ** 14)).padStart(14, "0")}`,
        identity: this.seed.keyPair(`account:${phone}:identity`),
        restricted: false,
        nextDeviceNo: 1,
      };
      this.accounts.set(phone, account);
    }
    return account;
  }

  /** Any number other than a paired account's is a simulated contact, created on first use. */
  contact(phone: string): SimContact {
    let contact = this.contacts.get(phone);
    if (!contact) {
      contact = new SimContact(phone, this.seed);
      this.contacts.set(phone, contact);
    }
    return contact;
  }

  contactByLid(lid: string): SimContact | undefined {
    for (const contact of this.contacts.values()) if (contact.lid === lid) return contact;
    return undefined;
  }

  accountByLid(lid: string): Account | undefined {
    for (const account of this.accounts.values()) if (account.lid === lid) return account;
    return undefined;
  }

  /** A fresh phone number for a QR scan that did not name one. */
  nextPhone(): string {
    const n = this.seed.next("phone");
    return `1555${String(this.seed.int(`phone:${n}`, 10 ** 7)).padStart(7, "0")}`;
  }

  device(id: string): PairedDevice {
    const device = this.devices.get(id);
    if (!device) throw new SimNotFoundError(`no device ${id}`);
    return device;
  }

  /** The logged-in socket of a device, if it is online. */
  liveConnection(deviceId: string): SimConnection | undefined {
    for (const conn of this.connections.values()) {
      if (conn.deviceId === deviceId && conn.record.loggedInAt && conn.isOpen) return conn;
    }
    return undefined;
  }

  recordSent(device: PairedDevice, message: SentMessage): void {
    device.sent.push(message);
    if (device.sent.length > MAX_SENT_PER_DEVICE) device.sent.shift();
  }

  /** Resolves with the next `event` value that matches; rejects after `timeoutMs` or on `failEvent`. */
  waitFor<T>(
    event: string,
    predicate: (value: T) => boolean,
    timeoutMs: number,
    failEvent?: { name: string; predicate: (value: { reason: string } & Record<string, unknown>) => boolean },
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off(event, onValue);
        if (failEvent) this.off(failEvent.name, onFailure);
      };
      const onValue = (value: T) => {
        if (!predicate(value)) return;
        done();
        resolve(value);
      };
      const onFailure = (value: { reason: string } & Record<string, unknown>) => {
        if (!failEvent?.predicate(value)) return;
        done();
        reject(new SimConflictError(value.reason));
      };
      const timer = setTimeout(() => {
        done();
        reject(new SimConflictError(`no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(event, onValue);
      if (failEvent) this.on(failEvent.name, onFailure);
    });
  }

  queueOffline(device: PairedDevice, node: BinaryNode): void {
    device.offline.push(node);
    if (device.offline.length > MAX_OFFLINE_PER_DEVICE) device.offline.shift();
  }

  logConnection(record: ConnectionRecord): void {
    this.connectionLog.push(record);
    if (this.connectionLog.length > MAX_CONNECTION_LOG) this.connectionLog.shift();
  }

  /** Runs `fn` later; the timer is owned here so close/reset clears it. */
  later(ms: number, fn: () => Promise<void> | void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve(fn()).catch(() => undefined);
    }, ms);
    this.timers.add(timer);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  summary(device: PairedDevice): DeviceSummary {
    return {
      id: device.id,
      phone: device.account.phone,
      jid: `${device.account.phone}:${device.deviceNo}@s.whatsapp.net`,
      lid: `${device.account.lid}:${device.deviceNo}@lid`,
      method: device.method,
      status: device.loggedOut ? "logged-out" : "paired",
      online: this.liveConnection(device.id) !== undefined,
      restricted: device.account.restricted,
      pairedAt: device.pairedAt.toISOString(),
      uploadedPreKeys: device.bundle?.preKeys.length ?? 0,
      sentCount: device.sent.length,
    };
  }

  reset(): void {
    this.clearTimers();
    this.accounts.clear();
    this.devices.clear();
    this.contacts.clear();
    this.pending.clear();
    this.codeRequests.clear();
    this.unsignedDevices.clear();
    this.connectionLog = [];
    this.latency = { ...DEFAULT_LATENCY };
    this.seed.reset();
  }
}

/** An admin request named something that does not exist (→ 404). */
export class SimNotFoundError extends Error {}

/** An admin request that cannot be carried out in the current state (→ 409). */
export class SimConflictError extends Error {}

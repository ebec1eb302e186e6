import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { AdminServer } from "./admin-http";
import { buildCertChain, simulatorRootPublicKey } from "./cert-chain";
import { SimConnection } from "./connection";
import { type DisconnectCode, disconnectDevice } from "./disconnect";
import { beginLogin } from "./login";
import { MediaServer } from "./media";
import { type ContactContent, contactSend } from "./messaging";
import { NoiseServer, type ServerIdentity } from "./noise";
import { beginRegistration, scanQr } from "./pairing";
import { confirmPairingCode } from "./pairing-code";
import { StanzaRouter } from "./router";
import { SeededSource } from "./seed";
import { createLoopbackCertificate, type SelfSignedCertificate } from "./tls";
import type { ConnectionRecord, DeviceSummary, Latency, PendingPairing, SentMessage } from "./types";
import { SimWorld } from "./world";

export interface ProtocolSimulatorOptions {
  /** WebSocket port; 0 picks a free one. */
  port?: number;
  /** Admin HTTP port; 0 picks a free one, null runs no admin server (library use only). */
  adminPort?: number | null;
  host?: string;
  seed?: string | number;
  latency?: Partial<Latency>;
  /** Called with errors from client sockets (bad frames, failed decryption); default: ignored. */
  onError?: (error: unknown) => void;
}

export interface RunningSimulator {
  wsUrl: string;
  adminUrl?: string;
  /** The media server's self-signed certificate: trust it (https.Agent{ca}) for uploads. */
  mediaCertificate: string;
  close(): Promise<void>;
}

/**
 * A WhatsApp Web server on loopback for the unmodified Baileys: Noise handshake, pairing by QR and
 * by code, login, pre-keys, usync, 1:1 text and image messages with receipts, disconnect codes.
 * Every admin endpoint has a method here with the same meaning.
 */
export class ProtocolSimulator {
  private world = new SimWorld(new SeededSource(1));
  private wss?: WebSocketServer;
  private media?: MediaServer;
  private admin?: AdminServer;
  private router?: StanzaRouter;
  private tls?: SelfSignedCertificate;
  private nextConnectionId = 1;
  private identity?: ServerIdentity;
  private onError: (error: unknown) => void = () => undefined;

  /** Baileys must trust this key (WA_CERT_DETAILS.PUBLIC_KEY) to accept the simulator's certificate. */
  readonly rootPublicKey = simulatorRootPublicKey();

  async start(options: ProtocolSimulatorOptions = {}): Promise<RunningSimulator> {
    const host = options.host ?? "127.0.0.1";
    this.world = new SimWorld(new SeededSource(options.seed ?? 1));
    this.identity = undefined;
    this.world.latency = { ...this.world.latency, ...options.latency };
    this.onError = options.onError ?? this.onError;
    this.tls = await createLoopbackCertificate();
    this.media = new MediaServer(this.tls);
    await this.media.start(host);
    this.router = new StanzaRouter(this.world, this.media);
    const wss = new WebSocketServer({ host, port: options.port ?? 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    });
    wss.on("connection", (ws) => this.accept(ws));
    this.wss = wss;
    const wsUrl = `ws://${host}:${(wss.address() as AddressInfo).port}/ws/chat`;
    let adminUrl: string | undefined;
    if (options.adminPort !== null) {
      this.admin = new AdminServer(this);
      adminUrl = await this.admin.start(host, options.adminPort ?? 0);
    }
    return { wsUrl, adminUrl, mediaCertificate: this.tls.cert, close: () => this.close() };
  }

  async close(): Promise<void> {
    this.world.clearTimers();
    for (const conn of this.world.connections.values()) conn.terminate("simulator closed");
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await this.admin?.close();
    await this.media?.close();
    this.wss = undefined;
    this.admin = undefined;
    this.media = undefined;
  }

  /** PEM of the media server's self-signed certificate (trust it for media uploads and downloads). */
  mediaCertificate(): string {
    if (!this.tls) throw new Error("protocol-sim: not started");
    return this.tls.cert;
  }

  devices(): DeviceSummary[] {
    return [...this.world.devices.values()].map((d) => this.world.summary(d));
  }

  /** Registration sockets waiting for a QR scan or a pairing code. */
  pendingPairings(): PendingPairing[] {
    return [...this.world.pending.values()];
  }

  /** The simulated phone of `phone` (a fresh number if omitted) scans the QR string Baileys emitted. */
  async scan(qr: string, phone?: string): Promise<DeviceSummary> {
    const paired = this.waitForPairing();
    await scanQr(this.world, qr, phone);
    return paired;
  }

  /** The owner of `phone` types the pairing code Baileys' requestPairingCode returned. */
  async confirmPairingCode(phone: string, code: string): Promise<DeviceSummary> {
    const paired = this.waitForPairing(30_000, phone);
    await confirmPairingCode(this.world, phone, code);
    return paired;
  }

  contactSend(
    phone: string,
    deviceId: string,
    content: ContactContent,
  ): Promise<{ id: string; encType: string }> {
    return contactSend(this.world, this.requireMedia(), phone, this.world.device(deviceId), content);
  }

  disconnect(deviceId: string, code: DisconnectCode): Promise<void> {
    return disconnectDevice(this.world, deviceId, code);
  }

  restrict(phone: string, restricted = true): void {
    this.world.account(phone).restricted = restricted;
  }

  setLatency(latency: Partial<Latency>): Latency {
    this.world.latency = { ...this.world.latency, ...latency };
    return this.world.latency;
  }

  sent(deviceId: string): SentMessage[] {
    return [...this.world.device(deviceId).sent];
  }

  connections(): ConnectionRecord[] {
    return this.world.connectionLog.map((record) => ({ ...record }));
  }

  /** Forgets every account, device, contact and log entry and drops all sockets; the seed restarts. */
  reset(): void {
    for (const conn of this.world.connections.values()) conn.terminate("simulator reset");
    this.world.reset();
    this.media?.clear();
  }

  /** Resolves with the next device whose pairing completes (the companion signed its identity). */
  waitForPairing(timeoutMs = 30_000, phone?: string): Promise<DeviceSummary> {
    return this.world.waitFor<DeviceSummary>("paired", (d) => !phone || d.phone === phone, timeoutMs, {
      name: "pairing-failed",
      predicate: (failure) => !phone || failure.phone === phone,
    });
  }

  /** Resolves with the next message `deviceId` sends that matches `predicate`. */
  waitForSent(
    deviceId: string,
    predicate: (m: SentMessage) => boolean,
    timeoutMs = 30_000,
  ): Promise<SentMessage> {
    const existing = this.world.devices.get(deviceId)?.sent.find(predicate);
    if (existing) return Promise.resolve(existing);
    return this.world
      .waitFor<{ deviceId: string; message: SentMessage }>(
        "sent",
        (e) => e.deviceId === deviceId && predicate(e.message),
        timeoutMs,
      )
      .then((e) => e.message);
  }

  /** The server's static key and certificate chain: the same for every socket of this seed. */
  private serverIdentity(): ServerIdentity {
    if (!this.identity) {
      const staticKey = this.world.seed.keyPair("server-static");
      const certChain = buildCertChain(this.world.seed.keyPair("intermediate"), staticKey);
      this.identity = { staticKey, certChain };
    }
    return this.identity;
  }

  private requireMedia(): MediaServer {
    if (!this.media) throw new Error("protocol-sim: not started");
    return this.media;
  }

  private accept(ws: import("ws").WebSocket): void {
    const world = this.world;
    const id = this.nextConnectionId++;
    const label = `conn#${id}`;
    const noise = new NoiseServer(this.serverIdentity(), world.seed.keyPair(`${label}:ephemeral`));
    const record: ConnectionRecord = { id, kind: "handshake", openedAt: new Date().toISOString() };
    world.logConnection(record);
    const router = this.router;
    const conn = new SimConnection(
      id,
      ws,
      noise,
      record,
      {
        onRegistration: (c, payload, clientStatic) => beginRegistration(world, c, payload, clientStatic),
        onLogin: (c, payload, clientStatic) => beginLogin(world, c, payload, clientStatic),
        onNode: async (c, node) => router?.route(c, node),
        onClose: (c) => {
          world.connections.delete(c.id);
          world.unsignedDevices.delete(c.id);
          if (c.registration) world.pending.delete(c.registration.pendingId);
        },
        onError: (c, error) => {
          this.onError(error);
          c.terminate(`error: ${String(error)}`);
        },
      },
      () => world.latency.frameMs,
    );
    world.connections.set(id, conn);
  }
}

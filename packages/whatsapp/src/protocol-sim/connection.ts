import { type BinaryNode, decodeBinaryNode, encodeBinaryNode, type proto } from "@whiskeysockets/baileys";
import type { WebSocket } from "ws";
import { FrameReader, frame } from "./framing";
import type { NoiseServer } from "./noise";
import type { ConnectionRecord } from "./types";

export interface Registration {
  pendingId: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  refs: string[];
}

export interface ConnectionHandlers {
  onLogin(conn: SimConnection, payload: proto.ClientPayload, clientStatic: Buffer): Promise<void>;
  onRegistration(conn: SimConnection, payload: proto.ClientPayload, clientStatic: Buffer): Promise<void>;
  onNode(conn: SimConnection, node: BinaryNode): Promise<void>;
  onClose(conn: SimConnection): void;
  onError(conn: SimConnection, error: unknown): void;
}

/**
 * One client WebSocket: the Noise handshake, then encrypted binary nodes both ways. Outgoing nodes
 * go through one ordered chain so injected latency never reorders them.
 */
export class SimConnection {
  deviceId?: string;
  registration?: Registration;
  private readonly reader = new FrameReader();
  private helloAnswered = false;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly noise: NoiseServer,
    readonly record: ConnectionRecord,
    private readonly handlers: ConnectionHandlers,
    private readonly frameDelayMs: () => number,
  ) {
    ws.on("message", (data: Buffer) => {
      // one frame at a time, in arrival order: handlers are async
      this.inbound = this.inbound
        .then(() => this.onData(Buffer.from(data)))
        .catch((error) => handlers.onError(this, error));
    });
    ws.on("close", () => {
      this.record.closedAt ??= new Date().toISOString();
      handlers.onClose(this);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  send(node: BinaryNode): Promise<void> {
    this.outbound = this.outbound.then(async () => {
      const delay = this.frameDelayMs();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (!this.isOpen) return;
      const plaintext = encodeBinaryNode(node); // starts with the 0x00 "not compressed" flag byte
      this.ws.send(frame(this.noise.encrypt(plaintext)));
    });
    return this.outbound;
  }

  /** Ends the socket after the queued frames went out; `reason` is kept in the connection log. */
  async end(reason: string): Promise<void> {
    this.record.endedBy ??= reason;
    await this.outbound.catch(() => undefined);
    this.record.closedAt ??= new Date().toISOString();
    this.ws.close();
  }

  /** Drops the socket at once (the server "disappearing"). */
  terminate(reason: string): void {
    this.record.endedBy ??= reason;
    this.record.closedAt ??= new Date().toISOString();
    this.ws.terminate();
  }

  private async onData(data: Buffer): Promise<void> {
    for (const payload of this.reader.push(data)) {
      if (this.noise.established) {
        await this.handlers.onNode(this, await decodeBinaryNode(this.noise.decrypt(payload)));
      } else if (this.record.kind === "handshake" && !this.helloAnswered) {
        this.helloAnswered = true;
        this.ws.send(frame(this.noise.answerClientHello(payload)));
      } else {
        const { clientStatic, payload: clientPayload } = this.noise.readClientFinish(payload);
        if (clientPayload.devicePairingData) {
          this.record.kind = "registration";
          await this.handlers.onRegistration(this, clientPayload, clientStatic);
        } else {
          this.record.kind = "login";
          await this.handlers.onLogin(this, clientPayload, clientStatic);
        }
      }
    }
  }
}

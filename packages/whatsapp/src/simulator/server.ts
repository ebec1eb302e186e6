// Hosts one WhatsappSimulator for several processes: sessions connect over a WebSocket (/ws, see
// wire.ts) and tests drive it over HTTP (/admin/*, see admin-routes.ts). Loopback only.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { handleAdmin } from "./admin-routes";
import { type SimulatorLink, type SimulatorOptions, WhatsappSimulator } from "./simulator";
import type { ClientFrame, ServerFrame } from "./wire";

export interface SimulatorServerOptions extends SimulatorOptions {
  /** Host an existing simulator instead of creating one. */
  simulator?: WhatsappSimulator;
  port?: number;
}

const MAX_BODY = 20 * 1024 * 1024;

export class SimulatorServer {
  readonly simulator: WhatsappSimulator;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private baseUrl?: string;

  constructor(private readonly options: SimulatorServerOptions = {}) {
    this.simulator = options.simulator ?? new WhatsappSimulator(options);
    this.http = createServer((req, res) => {
      void this.onHttp(req).then(({ status, body }) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      });
    });
    this.wss = new WebSocketServer({ server: this.http, path: "/ws", maxPayload: MAX_BODY });
    this.wss.on("connection", (ws) => this.onSocket(ws));
  }

  /** Base URL, e.g. http://127.0.0.1:41234 (pass it to createRemoteSimulatorEngine / the admin client). */
  get url(): string {
    if (!this.baseUrl) throw new Error("SimulatorServer is not started");
    return this.baseUrl;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port ?? 0, "127.0.0.1", () => resolve());
    });
    this.baseUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.simulator.shutdown();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async onHttp(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) return { status: 413, body: { error: "body too large" } };
        chunks.push(chunk as Buffer);
      }
      const text = Buffer.concat(chunks).toString();
      return handleAdmin(this.simulator, req.method ?? "GET", url, text ? JSON.parse(text) : {});
    } catch (err) {
      return { status: 400, body: { error: (err as Error).message } };
    }
  }

  private onSocket(ws: WebSocket): void {
    let link: SimulatorLink | undefined;
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    ws.on("error", () => {});
    ws.on("close", () => link?.close());
    ws.on("message", (data) => {
      let frame: ClientFrame;
      try {
        frame = JSON.parse(data.toString()) as ClientFrame;
      } catch {
        return ws.close(1007, "invalid JSON");
      }
      if (!link) {
        if (frame.op !== "hello" || typeof frame.sessionId !== "string")
          return ws.close(1008, "hello expected");
        link = this.simulator.connect(
          frame.sessionId,
          String(frame.clientId ?? "remote"),
          frame.creds,
          (ev) => {
            send({ ev });
            if (ev.t === "closed") ws.close(1000);
          },
        );
        return;
      }
      if (frame.op === "hello") return;
      const { rid } = frame;
      const reply = (call: Promise<unknown>) =>
        call.then(
          (result) => send({ rid, ok: true, result }),
          (err: Error & { kind?: string; code?: number }) =>
            send({
              rid,
              ok: false,
              error: { kind: err.kind ?? "server_error", message: err.message, code: err.code },
            }),
        );
      const current = link;
      switch (frame.op) {
        case "send":
          return void reply(current.send(frame.request));
        case "pairingCode":
          return void reply(current.requestPairingCode(frame.phone));
        case "download":
          return void reply(
            current.download(frame.mediaRef).then((bytes) => Buffer.from(bytes).toString("base64")),
          );
        case "logout":
          // Answer first: the logout closes this socket.
          send({ rid, ok: true, result: null });
          return void current.logout();
      }
    });
  }
}

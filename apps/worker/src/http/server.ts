// The worker's HTTP surface on WORKER_PORT: /health, /metrics and (demo, non-production) /simulator/*.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { SimulatorControls } from "../sessions/engine-factory";
import { checkHealth, type HealthDeps } from "./health";
import { handleSimulatorRoute } from "./simulator-routes";

const MAX_BODY = 64 * 1024;

export interface WorkerHttpOptions {
  port: number;
  host?: string;
  health: HealthDeps;
  metrics: Registry;
  /** Present only when ENABLE_SIMULATOR_API=true outside production and a simulator engine runs. */
  simulator?: SimulatorControls;
}

export class WorkerHttpServer {
  private readonly server: Server;

  constructor(private readonly opts: WorkerHttpOptions) {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error) => send(res, 500, { error: (error as Error).message }));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port, this.opts.host ?? "0.0.0.0", () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/health") {
      const report = await checkHealth(this.opts.health);
      return send(res, report.ok ? 200 : 503, report);
    }
    if (req.method === "GET" && path === "/metrics") {
      const body = await this.opts.metrics.metrics();
      res.writeHead(200, { "content-type": this.opts.metrics.contentType });
      res.end(body);
      return;
    }
    if (path.startsWith("/simulator/") && this.opts.simulator) {
      if (req.method !== "POST") return send(res, 405, { error: "POST only" });
      const body = await readJson(req);
      if (body === undefined) return send(res, 400, { error: "body must be JSON (max 64 KB)" });
      const result = await handleSimulatorRoute(this.opts.simulator, path.slice("/simulator/".length), body);
      return send(res, result.status, result.body);
    }
    send(res, 404, { error: "not found" });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const text = Buffer.concat(chunks).toString("utf8");
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

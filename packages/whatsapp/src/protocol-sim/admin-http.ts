import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { DISCONNECT_CODES } from "./disconnect";
import { parseQr } from "./pairing";
import type { ProtocolSimulator } from "./simulator";
import { SimConflictError, SimNotFoundError } from "./world";

const MAX_BODY_BYTES = 32 * 1024 * 1024;

const scanBody = z.object({
  qr: z.string().min(1),
  phone: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
});
const pairingCodeBody = z.object({ phone: z.string().regex(/^\d{6,15}$/), code: z.string().min(8).max(9) });
const sendBody = z.union([
  z.object({ to: z.string().min(1), text: z.string().min(1) }),
  z.object({
    to: z.string().min(1),
    image: z.string().min(1).describe("base64"),
    mimetype: z.string().optional(),
    caption: z.string().optional(),
  }),
]);
const disconnectBody = z.object({
  code: z.coerce.number().refine((c) => (DISCONNECT_CODES as readonly number[]).includes(c), {
    message: `code must be one of ${DISCONNECT_CODES.join(", ")}`,
  }),
});
const restrictBody = z.object({ restricted: z.boolean().default(true) });
const latencyBody = z.object({
  frameMs: z.number().int().min(0).max(60_000).optional(),
  deliveredMs: z.number().int().min(0).max(600_000).optional(),
  readMs: z.number().int().min(-1).max(600_000).optional(),
});

type Handler = (params: string[], body: unknown) => unknown | Promise<unknown>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The admin API (JSON over HTTP): the same operations as ProtocolSimulator's methods. */
export class AdminServer {
  private server?: Server;
  private readonly routes: [method: string, pattern: RegExp, handler: Handler][];

  constructor(sim: ProtocolSimulator) {
    this.routes = [
      ["GET", /^\/devices$/, () => ({ devices: sim.devices(), pending: sim.pendingPairings() })],
      ["POST", /^\/scan$/, (_, body) => this.scan(sim, body)],
      ["POST", /^\/devices\/([^/]+)\/scan$/, ([pendingId], body) => this.scan(sim, body, pendingId)],
      [
        "POST",
        /^\/pairing-code\/confirm$/,
        (_, body) => {
          const { phone, code } = parse(pairingCodeBody, body);
          return sim.confirmPairingCode(phone, code);
        },
      ],
      [
        "POST",
        /^\/contacts\/(\d+)\/send$/,
        ([phone = ""], body) => {
          const input = parse(sendBody, body);
          const content =
            "text" in input
              ? { text: input.text }
              : {
                  image: Buffer.from(input.image, "base64"),
                  mimetype: input.mimetype,
                  caption: input.caption,
                };
          return sim.contactSend(phone, input.to, content);
        },
      ],
      [
        "POST",
        /^\/devices\/([^/]+)\/disconnect$/,
        async ([id = ""], body) => {
          const { code } = parse(disconnectBody, body);
          await sim.disconnect(id, code as (typeof DISCONNECT_CODES)[number]);
          return { ok: true };
        },
      ],
      [
        "POST",
        /^\/numbers\/(\d+)\/restrict$/,
        ([phone = ""], body) => {
          const { restricted } = parse(restrictBody, body ?? {});
          sim.restrict(phone, restricted);
          return { phone, restricted };
        },
      ],
      ["POST", /^\/latency$/, (_, body) => sim.setLatency(stripUndefined(parse(latencyBody, body)))],
      ["GET", /^\/devices\/([^/]+)\/sent$/, ([id = ""]) => ({ sent: sim.sent(id) })],
      ["GET", /^\/connections$/, () => ({ connections: sim.connections() })],
      ["GET", /^\/media-certificate$/, () => ({ pem: sim.mediaCertificate() })],
      [
        "POST",
        /^\/reset$/,
        () => {
          sim.reset();
          return { ok: true };
        },
      ],
    ];
  }

  async start(host: string, port: number): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error) => reply(res, 500, { error: String(error) }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    this.server = server;
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** With a pending id (from GET /devices), the QR must be one that registration socket showed. */
  private scan(sim: ProtocolSimulator, body: unknown, pendingId?: string) {
    const { qr, phone } = parse(scanBody, body);
    if (pendingId) {
      const pending = sim.pendingPairings().find((p) => p.id === pendingId);
      if (!pending) throw new SimNotFoundError(`no pending pairing ${pendingId}`);
      if (!pending.refs.includes(parseQr(qr).ref))
        throw new SimConflictError(`QR was not shown by ${pendingId}`);
    }
    return sim.scan(qr, phone);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    const matches = this.routes.filter(([, pattern]) => pattern.test(path));
    const route = matches.find(([method]) => method === req.method);
    if (!route) {
      reply(res, matches.length ? 405 : 404, { error: `${req.method} ${path} is not an admin endpoint` });
      return;
    }
    try {
      const body = req.method === "POST" ? await readJson(req) : undefined;
      const params = route[1].exec(path)?.slice(1) ?? [];
      reply(res, 200, (await route[2](params, body)) ?? { ok: true });
    } catch (error) {
      if (error instanceof HttpError)
        reply(res, error.status, { error: error.message, details: error.details });
      else if (error instanceof SimNotFoundError) reply(res, 404, { error: error.message });
      else if (error instanceof SimConflictError) reply(res, 409, { error: error.message });
      else throw error;
    }
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success)
    throw new HttpError(400, "invalid request body", z.flattenError(result.error).fieldErrors);
  return result.data;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

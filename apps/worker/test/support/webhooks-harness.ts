// Webhook tests: a real database and Redis prefix, companies with endpoints, and a local HTTP
// receiver on 127.0.0.1 (port 0) whose behaviour is chosen per path.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Prisma } from "@zapflow/db";
import { encryptSecret } from "@zapflow/db/crypto";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { createRedisConnection, QueueRegistry } from "@zapflow/queue";
import { recordWebhookEvent } from "@zapflow/queue/services/webhooks";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import type { Redis } from "ioredis";
import pino from "pino";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config";
import type { WorkerContext } from "../../src/context";
import { SessionBus } from "../../src/session-bus";
import type { WebhookSettings } from "../../src/webhooks/config";

/** Short schedule so retries and dead-lettering happen within a test. */
export const FAST_SETTINGS: Partial<WebhookSettings> = {
  allowPrivate: true,
  timeoutMs: 1_500,
  maxAttempts: 3,
  backoffBaseMs: 100,
  backoffCapMs: 400,
  disableAfter: 5,
  relayIntervalMs: 100,
  claimLeaseMs: 5_000,
};

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver answers on a path: status + body, optionally after a delay. */
export type Responder = (count: number) => { status: number; body?: string; delayMs?: number };

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = "";

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        this.requests.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          at: Date.now(),
        });
        const responder: Responder = this.responders.get(path) ?? (() => ({ status: 200 }));
        const answer = responder(this.on(path).length);
        const reply = () => {
          if (!res.destroyed) res.writeHead(answer.status).end(answer.body ?? "ok");
        };
        if (!answer.delayMs) return reply();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          reply();
        }, answer.delayMs);
        this.timers.add(timer);
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  respond(path: string, responder: Responder): string {
    this.responders.set(path, responder);
    return `${this.url}${path}`;
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface WebhooksHarness {
  db: TestDatabase;
  prefix: string;
  connection: Redis;
  queues: QueueRegistry;
  receiver: Receiver;
  companyA: string;
  companyB: string;
  context(): WorkerContext;
  /** An enabled endpoint; returns its id and plain secret. */
  endpoint(companyId: string, url: string, events?: string[]): Promise<{ id: string; secret: string }>;
  /** Writes outbox rows the way a state change does: inside a transaction. */
  record(companyId: string, eventType: string, payload: Prisma.InputJsonObject): Promise<number>;
  close(): Promise<void>;
}

export async function createWebhooksHarness(label: string): Promise<WebhooksHarness> {
  const db = await createTestDatabase(label);
  const prefix = createTestPrefix(label);
  const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
  const queues = new QueueRegistry({ connection, prefix });
  const receiver = new Receiver();
  await receiver.listen();
  const [a, b] = await Promise.all(
    ["Acme", "Beta"].map((name) => db.prisma.company.create({ data: { name, slug: `${name}-${prefix}` } })),
  );
  if (!a || !b) throw new Error("companies not created");
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: prefix,
    NODE_ENV: "test",
  });
  let secrets = 0;

  return {
    db,
    prefix,
    connection,
    queues,
    receiver,
    companyA: a.id,
    companyB: b.id,
    context: () => ({
      config,
      workerId: `${config.workerId}-${Math.random().toString(36).slice(2, 8)}`,
      prisma: db.prisma,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      metrics: new Registry(),
      bus: new SessionBus(),
    }),
    async endpoint(companyId, url, events = []) {
      const secret = `whsec_test_${++secrets}_${prefix}`;
      const row = await db.prisma.webhookEndpoint.create({
        data: { companyId, url, events, secretEncrypted: new Uint8Array(encryptSecret(secret)) },
      });
      return { id: row.id, secret };
    },
    record: (companyId, eventType, payload) =>
      db.prisma.$transaction((tx) => recordWebhookEvent(tx, companyId, eventType, payload)),
    async close() {
      await receiver.close();
      await queues.close();
      connection.disconnect();
      await deleteRedisPrefix(prefix);
      await db.drop();
    },
  };
}

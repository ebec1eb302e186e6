// The real Baileys engine against loopback servers that misbehave during the handshake. Nothing
// here reaches WhatsApp: the point is that failures become `close` events, never crashes.
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import { createBaileysEngine } from "../src/baileys/engine";
import { record, waitFor } from "./helpers";

type Behaviour = "close" | "garbage" | "silent";
let behaviour: Behaviour = "close";
let server: WebSocketServer;
let url: string;
const sockets = new Set<WebSocket>();
let accepted = 0;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`;
  server.on("connection", (ws) => {
    accepted++;
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.once("message", () => {
      if (behaviour === "close") ws.close();
      if (behaviour === "garbage") ws.send(Buffer.from([0, 0, 5, 1, 2, 3, 4, 5, 0xff, 0xfe]));
    });
  });
});

afterEach(() => {
  expect(unhandled).toEqual([]);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  for (const ws of sockets) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

async function connectAndWaitForClose(kind: Behaviour, connectTimeoutMs = 2_000) {
  behaviour = kind;
  const engine = createBaileysEngine({ waWebSocketUrl: url, connectTimeoutMs, operationTimeoutMs: 1_000 });
  const session = engine.createSession({ sessionId: `b-${kind}`, authStore: new InMemoryAuthStore() });
  const rec = record(session);
  await session.connect();
  await waitFor(() => rec.closes.length > 0, connectTimeoutMs + 5_000, "close");
  return { session, rec };
}

describe("Baileys engine against a refusing server", () => {
  it("reports close when the server hangs up after the client hello, leaving no timers", async () => {
    const before = timers();
    const { rec, session } = await connectAndWaitForClose("close");
    await new Promise((r) => setTimeout(r, 50));
    expect(timers()).toBeLessThanOrEqual(before);
    expect(rec.states[0]).toBe("connecting");
    expect(rec.closes[0]).toMatchObject({ kind: "connection_closed", code: 428 });
    await session.close(); // already closed: idempotent, no second event
    expect(rec.closes).toHaveLength(1);
  });

  it("reports close when the server answers with garbage", async () => {
    const { rec } = await connectAndWaitForClose("garbage");
    expect(rec.closes[0]!.kind).toMatch(/connection_closed|server_error/);
    await waitFor(() => sockets.size === 0, 3_000, "server-side socket closed");
  });

  it("times out a silent server with 408", async () => {
    const { rec } = await connectAndWaitForClose("silent", 500);
    expect(rec.closes[0]).toMatchObject({ kind: "timed_out", code: 408 });
    await waitFor(() => sockets.size === 0, 3_000, "server-side socket closed");
  });

  it("close() while connecting ends the socket and leaves no timers behind", async () => {
    behaviour = "silent";
    const before = timers();
    const engine = createBaileysEngine({ waWebSocketUrl: url, connectTimeoutMs: 10_000 });
    const session = engine.createSession({ sessionId: "b-close", authStore: new InMemoryAuthStore() });
    const rec = record(session);
    await session.connect();
    await waitFor(() => sockets.size === 1, 3_000, "server saw the socket");
    await session.close();
    await session.close();
    expect(rec.closes).toEqual([{ kind: "closed_by_us" }]);
    await waitFor(() => sockets.size === 0, 3_000, "socket closed");
    await new Promise((r) => setTimeout(r, 50));
    expect(timers()).toBeLessThanOrEqual(before);
    await expect(
      session.send({
        to: "5511999999999@s.whatsapp.net",
        messageId: "X",
        content: { type: "text", text: "x" },
      }),
    ).rejects.toMatchObject({ kind: "not_connected" });
  });

  it("close() during connect() wins: no socket is opened", async () => {
    const engine = createBaileysEngine({ waWebSocketUrl: url });
    const session = engine.createSession({ sessionId: "b-race", authStore: new InMemoryAuthStore() });
    const before = accepted;
    const connecting = session.connect();
    await session.close();
    await connecting;
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted).toBe(before);
  });

  it("refuses a replaced root key in production unless explicitly allowed", () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      expect(() => createBaileysEngine({ trustedRootPublicKey: new Uint8Array(32) })).toThrow(/production/);
      expect(() =>
        createBaileysEngine({ trustedRootPublicKey: new Uint8Array(32), allowInProduction: true }),
      ).not.toThrow();
    } finally {
      process.env.NODE_ENV = previous;
    }
    expect(() => createBaileysEngine({ trustedRootPublicKey: new Uint8Array(31) })).toThrow(/32 bytes/);
  });
});

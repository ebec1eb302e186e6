// Real Baileys through the worker's session runner, against a loopback server that refuses every
// WebSocket handshake (HTTP 403 to the upgrade). Baileys 7 rc14 reports nothing in that case (it
// stays "connecting"), so the runner's connect watchdog turns the stall into a failure: it backs
// off, the breaker trips after N attempts — no crash, no unhandled rejection.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BreakerState, SessionStatus } from "@zapflow/db";
import { createBaileysEngine } from "@zapflow/whatsapp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionsHarness, type SessionsHarness } from "../src/testing";

let h: SessionsHarness;
let server: Server;
let handshakes = 0;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (_req, socket) => {
    handshakes++;
    socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/chat`;
  h = await createSessionsHarness("sessbaileys", {
    engine: createBaileysEngine({ waWebSocketUrl: url, connectTimeoutMs: 2_000 }),
    env: {
      RECONNECT_BASE_MS: "50",
      RECONNECT_MAX_MS: "200",
      BREAKER_THRESHOLD: "3",
      BREAKER_OPEN_MS: "60000",
      CONNECT_TIMEOUT_MS: "1000",
    },
  });
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await h?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe("Baileys engine, handshake refused", () => {
  it("backs off and opens the breaker after N failures, then stops trying", async () => {
    const id = await h.createSession("refused");
    await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });
    expect(await h.manager.startSession(id)).toBe("started");
    await h.waitForStatus(id, SessionStatus.FAILED, 20_000);
    const row = await h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
    expect(row.breakerState).toBe(BreakerState.OPEN);
    expect(row.consecutiveFailures).toBe(3);
    expect(row.lastFailureReason).toMatch(/connect stalled/);
    expect(
      await h.prisma.event.count({ where: { sessionId: id, type: "session.reconnecting" } }),
    ).toBeGreaterThanOrEqual(1);
    const attempts = handshakes;
    expect(attempts).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(handshakes).toBe(attempts); // OPEN: no more attempts
    expect(h.manager.isLocal(id)).toBe(true); // still owned, waiting for the half-open probe
    expect(h.bus.get(id)).toBeUndefined();
    expect(unhandled).toEqual([]);
  });
});

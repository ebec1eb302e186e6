// The worker's HTTP surface: /health (200/503 with its checks), /metrics, and the demo
// simulator controls (scan a QR, validation errors, refusals) — off unless enabled.
import { SessionStatus } from "@zapflow/db";
import { createRedisConnection } from "@zapflow/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerHttpServer } from "../src/http/server";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../src/testing";

let h: SessionsHarness;
const servers: WorkerHttpServer[] = [];

async function serve(opts: Partial<ConstructorParameters<typeof WorkerHttpServer>[0]> = {}): Promise<string> {
  const server = new WorkerHttpServer({
    port: 0,
    host: "127.0.0.1",
    metrics: h.ctx.metrics,
    health: {
      redis: h.connection,
      prisma: h.prisma,
      workerId: h.ctx.workerId,
      modules: () => [h.module],
      pool: () => h.manager.poolStats(),
    },
    ...opts,
  });
  servers.push(server);
  return `http://127.0.0.1:${await server.listen()}`;
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  h = await createSessionsHarness("sesshttp");
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await h?.close();
});

describe("worker HTTP", () => {
  it("/health reports redis, postgres and sessions; 503 when Redis is unreachable", async () => {
    const base = await serve();
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      ok: true,
      checks: { redis: true, postgres: true, sessions: true },
      sessions: { activeSessions: 0, maxSessions: 50, waitingQueue: 0, utilizationRate: 0 },
    });

    const deadRedis = createRedisConnection("redis://127.0.0.1:1", { forWorker: true });
    deadRedis.on("error", () => undefined);
    try {
      const down = await serve({
        health: {
          redis: deadRedis,
          prisma: h.prisma,
          workerId: "x",
          modules: () => [h.module],
          pool: () => undefined,
        },
      });
      const res = await fetch(`${down}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, checks: { redis: false, postgres: true } });
    } finally {
      deadRedis.disconnect();
    }
  });

  it("/metrics exposes the session pool and sessions by status", async () => {
    const base = await serve();
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('zapflow_worker_session_pool{kind="max"} 50');
    expect(text).toMatch(/zapflow_worker_sessions\{status="CONNECTED"\} \d+/);
  });

  it("/simulator/scan pairs a session (demo mode); bad input → 400, refusal → 409; off → 404", async () => {
    const base = await serve({ simulator: h.sim });
    const id = await h.createSession("demo");
    await h.prisma.whatsappSession.update({ where: { id }, data: { desiredState: "CONNECTED" } });

    const refused = await post(`${base}/simulator/scan`, { sessionId: id, phone: "5511912345678" });
    expect(refused.status).toBe(409); // no QR is waiting yet

    await h.manager.startSession(id);
    await waitFor(() => h.sim.sessionInfo(id).qr, { what: "QR" });
    const bad = await post(`${base}/simulator/scan`, { sessionId: id, phone: "abc" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: { path: string }[] }).fields[0]!.path).toBe("phone");

    const scanned = await post(`${base}/simulator/scan`, { sessionId: id, phone: "5511912345678" });
    expect(scanned.status).toBe(200);
    await h.waitForStatus(id, SessionStatus.CONNECTED);

    // The engine's inbound event reaches the bus (the messaging domain persists it from there).
    const seen: string[] = [];
    h.bus.on("inbound", (e) => {
      for (const m of e.messages)
        if (e.sessionId === id && m.content.type === "text") seen.push(m.content.text);
    });
    const inbound = await post(`${base}/simulator/inbound`, {
      sessionId: id,
      from: "5511933334444",
      text: "oi",
    });
    expect(inbound.status).toBe(200);
    await waitFor(() => seen.includes("oi"), { what: "inbound on the bus" });

    const off = await serve();
    expect((await post(`${off}/simulator/scan`, { sessionId: id, phone: "5511912345678" })).status).toBe(404);
  });
});

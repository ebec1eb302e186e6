// The same scenarios as the in-process engine, across the WebSocket to a SimulatorServer, plus
// what only the remote setup has: the HTTP admin API and a lost server connection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryAuthStore } from "../src/auth/memory-store";
import { createRemoteSimulatorEngine, SimulatorAdminClient, SimulatorServer } from "../src/simulator";
import { record, waitFor } from "./helpers";
import { coreScenarios, pairedSession, type SimAdmin } from "./simulator-core";

let server: SimulatorServer;
let client: SimulatorAdminClient;
let url: string;

beforeAll(async () => {
  server = new SimulatorServer({
    seed: 3,
    qrRotateMs: 1_000,
    latency: { ackMs: 2, deliveredMs: 5, readMs: 5 },
  });
  url = await server.start();
  client = new SimulatorAdminClient(url);
});
afterAll(() => server.stop());

const engine = () => createRemoteSimulatorEngine(url, { clientId: "remote-test" });
const admin = (): SimAdmin => ({
  scanQr: async (target, phone) => {
    await client.scanQr(target, phone);
  },
  confirmPairingCode: async (id, code) => {
    await client.confirmPairingCode(id, code);
  },
  disconnect: async (id, code) => {
    await client.disconnect(id, code);
  },
  injectInbound: async (id, input) => {
    await client.injectInbound(id, input);
  },
  failNextSends: (id, n, kind) => client.failNextSends(id, n, kind as never).then(() => {}),
  stall: (id, ms) => client.stall(id, ms).then(() => {}),
  sentLog: (id) => client.sentLog(id),
  connectionLog: (id) => client.connectionLog(id),
});

describe("remote simulator engine", () => {
  coreScenarios(engine, admin);

  it("admin API rejects bad input with 400 and refused actions with 409", async () => {
    const bad = await fetch(`${url}/admin/disconnect`, {
      method: "POST",
      body: JSON.stringify({ sessionId: "" }),
    });
    expect(bad.status).toBe(400);
    const refused = await fetch(`${url}/admin/scan`, {
      method: "POST",
      body: JSON.stringify({ target: "nobody", phone: "5511900000000" }),
    });
    expect(refused.status).toBe(409);
    expect((await fetch(`${url}/admin/nope`)).status).toBe(404);
  });

  it("media crosses the wire both ways", async () => {
    const { session, sessionId, rec } = await pairedSession(engine(), admin(), "5511900000200");
    await client.injectInbound(sessionId, {
      from: "5511933332222",
      media: {
        type: "document",
        data: new Uint8Array([9, 8, 7]),
        fileName: "a.pdf",
        mimeType: "application/pdf",
      },
    });
    await waitFor(() => rec.messages.length > 0);
    const content = rec.messages[0]!.content;
    if (content.type !== "document") throw new Error("expected a document");
    expect(content.fileName).toBe("a.pdf");
    expect([...(await session.downloadMedia(content.mediaRef))]).toEqual([9, 8, 7]);
    await session.send({
      to: "5511933332222@s.whatsapp.net",
      messageId: "DOC-1",
      content: { type: "image", data: new Uint8Array([1, 2]), mimeType: "image/png", caption: "pic" },
    });
    const [sent] = await client.sentLog(sessionId);
    expect(sent!.content).toMatchObject({ type: "image", caption: "pic", dataBase64: "AQI=" });
    await session.close();
  });

  it("reports close (428) when the simulator server goes away, and refuses to connect while it is down", async () => {
    const own = new SimulatorServer({ seed: 9 });
    const ownUrl = await own.start();
    const remote = createRemoteSimulatorEngine(ownUrl);
    const session = remote.createSession({ sessionId: "gone", authStore: new InMemoryAuthStore() });
    const rec = record(session);
    await session.connect();
    await waitFor(() => rec.qrs.length > 0);
    await own.stop();
    await waitFor(() => rec.closes.length > 0);
    expect(rec.closes[0]!.kind).toMatch(/server_error|connection_closed/);
    await session.connect();
    await waitFor(() => rec.closes.length > 1);
    expect(rec.closes[1]).toMatchObject({ kind: "connection_closed", code: 428 });
  });
});

describe("remote admin reset", () => {
  beforeEach(() => client.reset());
  it("forgets devices: stored creds no longer log in (401)", async () => {
    const { store, session, sessionId } = await pairedSession(engine(), admin(), "5511900000300");
    await session.close();
    await client.reset();
    const again = engine().createSession({ sessionId, authStore: store });
    const rec = record(again);
    await again.connect();
    await waitFor(() => rec.closes.length > 0);
    expect(rec.closes[0]).toMatchObject({ kind: "logged_out", code: 401 });
    expect(await client.connectionLog(sessionId)).toHaveLength(1);
  });
});

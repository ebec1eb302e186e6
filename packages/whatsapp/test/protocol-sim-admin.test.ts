import type { WASocket } from "@whiskeysockets/baileys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ConnectionRecord,
  type PendingPairing,
  ProtocolSimulator,
  type RunningSimulator,
  type SentMessage,
} from "../src/protocol-sim";
import {
  closeCode,
  isClose,
  login,
  memoryAuthState,
  openSocket,
  trustSimulator,
  waitForConnection,
} from "./protocol-sim-helpers";

describe("protocol simulator admin HTTP API", () => {
  const sim = new ProtocolSimulator();
  let running: RunningSimulator;
  let admin: string;
  const auth = memoryAuthState();
  let sock: WASocket | undefined;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${admin}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    trustSimulator();
    running = await sim.start({ port: 0, adminPort: 0, seed: 5 });
    admin = running.adminUrl ?? "";
  });

  afterAll(async () => {
    sock?.end(undefined);
    await running?.close();
  });

  it("pairs through POST /devices/:pendingId/scan with the QR Baileys emitted and lists the device", async () => {
    const pairing = openSocket(running, auth);
    const { qr } = await waitForConnection(pairing, (u) => Boolean(u.qr));
    const pending = (await call("GET", "/devices")).json.pending as PendingPairing[];
    expect(pending).toHaveLength(1);
    expect((await call("POST", "/devices/pairing-99/scan", { qr })).status).toBe(404);
    const restarted = waitForConnection(pairing, isClose);
    const scanned = await call("POST", `/devices/${pending[0]?.id}/scan`, { qr, phone: "15559990400" });
    expect(scanned).toMatchObject({ status: 200, json: { id: "15559990400:1", method: "qr" } });
    expect(closeCode(await restarted)).toBe(515);
    sock = await login(running, auth);
    const { json } = await call("GET", "/devices");
    expect(json.devices).toMatchObject([{ id: "15559990400:1", online: true, status: "paired" }]);
  });

  it("a contact sends through POST /contacts/:phone/send and the device's own sends show in /sent", async () => {
    const received = new Promise<string>((resolve) =>
      sock?.ev.on("messages.upsert", ({ messages }) => {
        const text = messages[0]?.message?.conversation;
        if (text) resolve(text);
      }),
    );
    const sent = await call("POST", "/contacts/15550004001/send", { to: "15559990400:1", text: "via admin" });
    expect(sent.status).toBe(200);
    expect(await received).toBe("via admin");
    await sock?.sendMessage("15550004001@s.whatsapp.net", { text: "answer" }, { messageId: "ADMIN0001" });
    await sim.waitForSent("15559990400:1", (m) => m.id === "ADMIN0001");
    const { json } = await call("GET", "/devices/15559990400:1/sent");
    expect((json.sent as SentMessage[]).map((m) => m.text)).toEqual(["answer"]);
  });

  it("POST /devices/:id/disconnect ends the socket with the code; /connections shows no overlapping logins", async () => {
    const closed = sock ? waitForConnection(sock, isClose) : Promise.reject(new Error("no socket"));
    expect((await call("POST", "/devices/15559990400:1/disconnect", { code: 428 })).status).toBe(200);
    expect(closeCode(await closed)).toBe(428);
    sock = await login(running, auth);
    const { json } = await call("GET", "/connections");
    const records = (json.connections as ConnectionRecord[]).filter((c) => c.deviceId === "15559990400:1");
    expect(records.map((c) => c.kind)).toEqual(["registration", "login", "login"]);
    const [, first, second] = records;
    expect(first?.endedBy).toBe("forced 428");
    expect(Date.parse(first?.closedAt ?? "")).toBeLessThanOrEqual(Date.parse(second?.loggedInAt ?? ""));
    expect(second?.closedAt).toBeUndefined();
  });

  it("rejects bad input with 4xx and field messages, never 500", async () => {
    expect(await call("POST", "/devices/15559990400:1/disconnect", { code: 999 })).toMatchObject({
      status: 400,
      json: { details: { code: [expect.stringContaining("one of")] } },
    });
    expect((await call("POST", "/contacts/15550004001/send", { to: "nobody:1", text: "x" })).status).toBe(
      404,
    );
    expect((await call("POST", "/scan", { qr: "not a qr" })).status).toBe(409);
    expect((await call("POST", "/latency", { frameMs: -5 })).status).toBe(400);
    expect((await call("GET", "/nowhere")).status).toBe(404);
  });

  it("POST /numbers/:phone/restrict and /latency change behaviour; /reset forgets everything", async () => {
    expect((await call("POST", "/numbers/15559990400/restrict", {})).json).toEqual({
      phone: "15559990400",
      restricted: true,
    });
    expect((await call("POST", "/latency", { deliveredMs: 5 })).json).toMatchObject({ deliveredMs: 5 });
    const { json } = await call("GET", "/devices");
    expect(json.devices).toMatchObject([{ restricted: true }]);
    const closed = sock ? waitForConnection(sock, isClose) : Promise.reject(new Error("no socket"));
    expect((await call("POST", "/reset")).status).toBe(200);
    await closed;
    expect((await call("GET", "/devices")).json).toEqual({ devices: [], pending: [] });
  });
});

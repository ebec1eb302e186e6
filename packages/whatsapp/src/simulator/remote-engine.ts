// Simulator engine whose sessions reach a SimulatorServer over a WebSocket, so several worker
// processes share ONE simulated WhatsApp. Protocol: see wire.ts.
import WebSocket from "ws";
import { type EngineSession, type EngineSessionOptions, SendError, type WhatsappEngine } from "../engine";
import { type SimTransport, SimulatorEngineSession } from "./client-session";
import type { SimulatorEngineOptions } from "./engine";
import type { SimulatorLink } from "./simulator";
import type { ClientCall, ClientFrame, ServerFrame, SimEvent, WireSendResult } from "./wire";

/** `url` is the server's base URL (http://127.0.0.1:port) or its ws://…/ws endpoint. */
export function createRemoteSimulatorEngine(
  url: string,
  options: SimulatorEngineOptions = {},
): WhatsappEngine {
  const wsUrl = url.startsWith("ws") ? url : `${url.replace(/^http/, "ws").replace(/\/$/, "")}/ws`;
  const clientId = options.clientId ?? `pid-${process.pid}`;
  const timeoutMs = options.operationTimeoutMs ?? 30_000;
  const transport: SimTransport = {
    open: (sessionId, creds, sink) =>
      openRemoteLink(wsUrl, { op: "hello", sessionId, clientId, creds }, sink, timeoutMs),
  };
  return {
    name: "simulator",
    createSession: (session: EngineSessionOptions): EngineSession =>
      new SimulatorEngineSession(transport, { ...session, operationTimeoutMs: timeoutMs }),
  };
}

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

async function openRemoteLink(
  wsUrl: string,
  hello: ClientFrame,
  sink: (event: SimEvent) => void,
  timeoutMs: number,
): Promise<SimulatorLink> {
  const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.on("error", () => {}); // a 'close' always follows
  const pending = new Map<number, Pending>();
  let nextRid = 1;
  let serverClosed = false;
  let clientClosed = false;

  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString()) as ServerFrame;
    if ("ev" in frame) {
      if (frame.ev.t === "closed") serverClosed = true;
      sink(frame.ev);
      return;
    }
    const waiter = pending.get(frame.rid);
    pending.delete(frame.rid);
    if (frame.ok) waiter?.resolve(frame.result);
    else
      waiter?.reject(
        new SendError(frame.error.kind as SendError["kind"], frame.error.message, frame.error.code),
      );
  });
  ws.on("close", () => {
    for (const waiter of pending.values())
      waiter.reject(new SendError("not_connected", "simulator socket closed"));
    pending.clear();
    if (!serverClosed && !clientClosed)
      sink({ t: "closed", code: 428, message: "connection to the simulator lost" });
  });

  const call = <T>(frame: ClientCall): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN)
        return reject(new SendError("not_connected", "simulator socket closed"));
      const rid = nextRid++;
      pending.set(rid, { resolve: resolve as (value: unknown) => void, reject });
      ws.send(JSON.stringify({ ...frame, rid }));
    });

  ws.send(JSON.stringify(hello));
  return {
    send: (request) => call<WireSendResult>({ op: "send", request }),
    requestPairingCode: (phone) => call<string>({ op: "pairingCode", phone }),
    download: async (mediaRef) =>
      new Uint8Array(Buffer.from(await call<string>({ op: "download", mediaRef }), "base64")),
    logout: () => call<void>({ op: "logout" }),
    close: () => {
      clientClosed = true;
      ws.close();
    },
  };
}

// The in-process simulator engine: sessions talk to a WhatsappSimulator in the same process.
import type { EngineSession, EngineSessionOptions, WhatsappEngine } from "../engine";
import { type SimTransport, SimulatorEngineSession } from "./client-session";
import type { WhatsappSimulator } from "./simulator";

export interface SimulatorEngineOptions {
  /** Shown in the simulator's connection log (e.g. the worker id). */
  clientId?: string;
  /** Limit for every socket call unless the request sets its own (default 30 s). */
  operationTimeoutMs?: number;
}

export function createSimulatorEngine(
  sim: WhatsappSimulator,
  options: SimulatorEngineOptions = {},
): WhatsappEngine {
  const clientId = options.clientId ?? `pid-${process.pid}`;
  const transport: SimTransport = {
    open: async (sessionId, creds, sink) => sim.connect(sessionId, clientId, creds, sink),
  };
  return {
    name: "simulator",
    createSession: (session: EngineSessionOptions): EngineSession =>
      new SimulatorEngineSession(transport, {
        ...session,
        operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
      }),
  };
}

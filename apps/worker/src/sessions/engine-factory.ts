// Picks the WhatsApp engine from the config:
//   WA_ENGINE=baileys   → real Baileys (WA_WEBSOCKET_URL may point at the protocol simulator,
//                         whose root key WA_TRUSTED_ROOT_KEY (base64) is trusted — never in production;
//                         WA_PROTOCOL_SIM_ADMIN_URL adds its demo controls: "simulate scan" etc.)
//   WA_ENGINE=simulator → a SimulatorServer at WA_SIMULATOR_URL (several worker processes share it),
//                         or an in-process WhatsappSimulator when no URL is set.
import { createBaileysEngine, type EngineLogger, type WhatsappEngine } from "@zapflow/whatsapp";
import {
  createRemoteSimulatorEngine,
  createSimulatorEngine,
  SimulatorAdminClient,
  WhatsappSimulator,
} from "@zapflow/whatsapp/simulator";
import type { WorkerConfig } from "../config";
import { ProtocolSimControls } from "./protocol-sim-controls";

/** Demo/test controls of a simulator ("the phone scans the QR"), in-process or over HTTP. */
export interface SimulatorControls {
  scanQr(target: string, phone: string, pushName?: string): unknown;
  confirmPairingCode(sessionId: string, code: string, pushName?: string): unknown;
  injectInbound(sessionId: string, input: { from: string; text?: string }): unknown;
  disconnect(sessionId: string, code: number): unknown;
}

export interface EngineSelection {
  engine: WhatsappEngine;
  /** Present in simulator mode. */
  simulator?: SimulatorControls;
  /** The in-process simulator, if any (stopped on shutdown). */
  inProcess?: WhatsappSimulator;
}

export function selectEngine(config: WorkerConfig, logger?: EngineLogger): EngineSelection {
  if (config.WA_ENGINE === "baileys") {
    const root = config.WA_TRUSTED_ROOT_KEY ? Buffer.from(config.WA_TRUSTED_ROOT_KEY, "base64") : undefined;
    const engine = createBaileysEngine({
      waWebSocketUrl: config.WA_WEBSOCKET_URL,
      trustedRootPublicKey: root,
      operationTimeoutMs: config.SEND_TIMEOUT_MS,
      logger,
    });
    if (!config.WA_PROTOCOL_SIM_ADMIN_URL) return { engine };
    const controls = new ProtocolSimControls(config.WA_PROTOCOL_SIM_ADMIN_URL);
    return { engine: controls.track(engine), simulator: controls };
  }
  const options = { clientId: config.workerId, operationTimeoutMs: config.SEND_TIMEOUT_MS };
  if (config.WA_SIMULATOR_URL) {
    return {
      engine: createRemoteSimulatorEngine(config.WA_SIMULATOR_URL, options),
      simulator: new SimulatorAdminClient(config.WA_SIMULATOR_URL),
    };
  }
  const sim = new WhatsappSimulator({ seed: config.WA_SIMULATOR_SEED });
  return { engine: createSimulatorEngine(sim, options), simulator: sim, inProcess: sim };
}

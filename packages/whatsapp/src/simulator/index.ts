export { InMemoryAuthStore } from "../auth/memory-store";
export { SimulatorAdminClient } from "./admin-client";
export { createSimulatorEngine, type SimulatorEngineOptions } from "./engine";
export type { AutoReply, InboundInput } from "./messaging";
export { createRemoteSimulatorEngine } from "./remote-engine";
export { SimulatorServer, type SimulatorServerOptions } from "./server";
export { type SessionInfo, type SimulatorLink, type SimulatorOptions, WhatsappSimulator } from "./simulator";
export type { ConnectionLogEntry, Latency, SentRecord } from "./state";
export { isSimulatorCreds, type SimulatorCreds } from "./wire";

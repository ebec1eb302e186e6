export { buildCertChain, simulatorRootPublicKey, trustSimulatorRoot } from "./cert-chain";
export {
  closeCode,
  isClose,
  isOpen,
  login,
  memoryAuthState,
  openSocket,
  pairByQr,
  type SimulatorEndpoint,
  trustSimulator,
  waitForConnection,
} from "./client";
export { DISCONNECT_CODES, type DisconnectCode } from "./disconnect";
export { type ContactContent, RESTRICTED_ACK_ERROR } from "./messaging";
export { ProtocolSimulator, type ProtocolSimulatorOptions, type RunningSimulator } from "./simulator";
export type {
  ConnectionRecord,
  DeviceSummary,
  Latency,
  PendingPairing,
  SentMessage,
} from "./types";

/**
 * WhatsApp Web protocol simulator: a loopback server the unmodified Baileys connects to.
 *
 *   const sim = new ProtocolSimulator();
 *   const running = await sim.start({ port: 0, seed: 1 });   // { wsUrl, adminUrl, mediaCertificate, close }
 *   // Baileys side: WA_CERT_DETAILS.PUBLIC_KEY = simulatorRootPublicKey(); waWebSocketUrl = running.wsUrl;
 *   // fetchAgent = new https.Agent({ ca: running.mediaCertificate }); shouldSyncHistoryMessage = () => false
 *   await sim.scan(qrFromBaileys, "15550001111");             // the simulated phone scans → pair-success → 515
 *
 * The client helpers (memoryAuthState, openSocket, pairByQr, login …) drive Baileys for tests and the bench.
 */
export { simulatorRootPublicKey, trustSimulatorRoot } from "./cert-chain";
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

import { Agent } from "node:https";
import makeWASocket, {
  type AuthenticationCreds,
  type AuthenticationState,
  type ConnectionState,
  initAuthCreds,
  type SignalDataSet,
  type SignalDataTypeMap,
  type UserFacingSocketConfig,
  WA_CERT_DETAILS,
  type WASocket,
} from "@whiskeysockets/baileys";
import pino from "pino";
import { trustSimulatorRoot } from "./cert-chain";

/**
 * Drives the real Baileys against the simulator, for tests and the bench (not for production code:
 * the Baileys engine has its own auth store and options).
 */

/** An in-memory Baileys auth state that keeps every key type it is given (v7 adds lid-mapping etc.). */
export function memoryAuthState(): AuthenticationState & { creds: AuthenticationCreds } {
  const store = new Map<string, unknown>();
  return {
    creds: initAuthCreds(),
    keys: {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const value = store.get(`${type}:${id}`);
          if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
        }
        return out;
      },
      set: async (data: SignalDataSet) => {
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) store.delete(`${type}:${id}`);
            else store.set(`${type}:${id}`, value);
          }
        }
      },
    },
  };
}

/** What the Baileys engine does in simulator mode: trust the simulator's root certificate key. */
export function trustSimulator(): void {
  trustSimulatorRoot(WA_CERT_DETAILS);
}

export interface SimulatorEndpoint {
  wsUrl: string;
  /** PEM of the media server's certificate, to trust for uploads; omit if no media is sent. */
  mediaCertificate?: string;
}

const silent = pino({ level: "silent" });

export function openSocket(
  endpoint: SimulatorEndpoint,
  auth: AuthenticationState,
  extra: Partial<UserFacingSocketConfig> = {},
): WASocket {
  const sock = makeWASocket({
    waWebSocketUrl: endpoint.wsUrl,
    auth,
    logger: silent,
    syncFullHistory: false,
    // the simulator sends no history-sync notification: without this Baileys buffers messages.* for 20 s
    shouldSyncHistoryMessage: () => false,
    markOnlineOnConnect: false,
    ...(endpoint.mediaCertificate ? { fetchAgent: new Agent({ ca: endpoint.mediaCertificate }) } : {}),
    ...extra,
  });
  sock.ev.on("creds.update", (update) => Object.assign(auth.creds, update));
  return sock;
}

export function waitForConnection(
  sock: WASocket,
  predicate: (update: Partial<ConnectionState>) => boolean,
  timeoutMs = 20_000,
): Promise<Partial<ConnectionState>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for connection.update")), timeoutMs);
    sock.ev.on("connection.update", (update) => {
      if (!predicate(update)) return;
      clearTimeout(timer);
      resolve(update);
    });
  });
}

export const closeCode = (update: Partial<ConnectionState>): number | undefined =>
  (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

export const isClose = (update: Partial<ConnectionState>) => update.connection === "close";
export const isOpen = (update: Partial<ConnectionState>) => update.connection === "open";

/**
 * QR pairing end to end: QR → `scan(qr)` (the simulated phone) → pair-success → 515.
 * Returns what `scan` returned and the code the pairing socket closed with.
 */
export async function pairByQr<T>(
  endpoint: SimulatorEndpoint,
  auth: AuthenticationState,
  scan: (qr: string) => Promise<T>,
): Promise<{ scanned: T; restartCode: number | undefined }> {
  const sock = openSocket(endpoint, auth);
  const { qr } = await waitForConnection(sock, (u) => Boolean(u.qr));
  const closed = waitForConnection(sock, isClose);
  const scanned = await scan(qr ?? "");
  return { scanned, restartCode: closeCode(await closed) };
}

/** A new socket with saved credentials, resolved once Baileys reports `open`. */
export async function login(
  endpoint: SimulatorEndpoint,
  auth: AuthenticationState,
  extra: Partial<UserFacingSocketConfig> = {},
): Promise<WASocket> {
  const sock = openSocket(endpoint, auth, extra);
  await waitForConnection(sock, isOpen);
  return sock;
}

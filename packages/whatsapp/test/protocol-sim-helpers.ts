import { Agent } from "node:https";
import makeWASocket, {
  type WAMessage,
  type WAMessageUpdate,
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
import { type ProtocolSimulator, type RunningSimulator, trustSimulatorRoot } from "../src/protocol-sim";

/** An in-memory Baileys auth state that persists every key type it is given (v7 adds lid-mapping etc.). */
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

const silent = pino({ level: "silent" });

export function openSocket(
  running: RunningSimulator,
  auth: AuthenticationState,
  extra: Partial<UserFacingSocketConfig> = {},
): WASocket {
  const sock = makeWASocket({
    waWebSocketUrl: running.wsUrl,
    auth,
    logger: silent,
    printQRInTerminal: false,
    syncFullHistory: false,
    // the simulator sends no history-sync notification: without this Baileys buffers messages.* for 20 s
    shouldSyncHistoryMessage: () => false,
    markOnlineOnConnect: false,
    fetchAgent: new Agent({ ca: running.mediaCertificate }),
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

/** QR pairing end to end: QR → simulated phone scan → pair-success → 515. Returns the device id. */
export async function pairByQr(
  sim: ProtocolSimulator,
  running: RunningSimulator,
  auth: AuthenticationState,
  phone?: string,
): Promise<{ deviceId: string; restartCode: number | undefined }> {
  const sock = openSocket(running, auth);
  const { qr } = await waitForConnection(sock, (u) => Boolean(u.qr));
  const closed = waitForConnection(sock, isClose);
  const device = await sim.scan(qr ?? "", phone);
  const restartCode = closeCode(await closed);
  return { deviceId: device.id, restartCode };
}

/** A new socket with saved credentials, resolved once Baileys reports `open`. */
export async function login(running: RunningSimulator, auth: AuthenticationState): Promise<WASocket> {
  const sock = openSocket(running, auth);
  await waitForConnection(sock, isOpen);
  return sock;
}

export function waitForEvent<T>(
  sock: WASocket,
  event: "messages.upsert" | "messages.update",
  predicate: (payload: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    sock.ev.on(event, (payload: unknown) => {
      if (!predicate(payload as T)) return;
      clearTimeout(timer);
      resolve(payload as T);
    });
  });
}

/**
 * Every status Baileys reports for one message id, from updates and from its own-message upsert
 * (Baileys merges an ack or receipt that arrives before its ~100 ms upsert flush into the upsert).
 */
export function watchStatus(sock: WASocket, id: string) {
  const statuses: number[] = [];
  const waiters: { status: number; resolve: () => void }[] = [];
  const seen = (status: number | null | undefined) => {
    if (status === null || status === undefined) return;
    statuses.push(status);
    for (const w of waiters.filter((w) => w.status === status)) w.resolve();
  };
  sock.ev.on("messages.upsert", ({ messages }: { messages: WAMessage[] }) => {
    for (const m of messages) if (m.key.id === id) seen(m.status);
  });
  sock.ev.on("messages.update", (updates: WAMessageUpdate[]) => {
    for (const u of updates) if (u.key.id === id) seen(u.update.status);
  });
  return {
    statuses,
    reached: (status: number, timeoutMs = 15_000) =>
      statuses.includes(status)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${id} never reached status ${status}`)), timeoutMs);
            waiters.push({
              status,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
  };
}

/** Polls until `check` holds: for simulator state that changes after a fire-and-forget frame. */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import type { AuthenticationState, WAMessage, WAMessageUpdate, WASocket } from "@whiskeysockets/baileys";
import type { Latency, ProtocolSimulator, RunningSimulator } from "../src/protocol-sim";
import { login, memoryAuthState, pairByQr as pairWith, trustSimulator } from "../src/protocol-sim/client";

export {
  closeCode,
  isClose,
  isOpen,
  login,
  memoryAuthState,
  openSocket,
  trustSimulator,
  waitForConnection,
} from "../src/protocol-sim/client";

/** QR pairing with the in-process simulator's phone. Returns the device id and the restart code (515). */
/** Starts `sim`, pairs one real Baileys client by QR and logs it in: the setup of most tests. */
export async function startWithPairedClient(
  sim: ProtocolSimulator,
  options: { seed: number; latency?: Partial<Latency>; phone?: string },
) {
  trustSimulator();
  const running = await sim.start({ port: 0, adminPort: null, seed: options.seed, latency: options.latency });
  const auth = memoryAuthState();
  const { deviceId } = await pairByQr(sim, running, auth, options.phone);
  const sock = await login(running, auth);
  return { running, auth, sock, deviceId };
}

export async function pairByQr(
  sim: ProtocolSimulator,
  running: RunningSimulator,
  auth: AuthenticationState,
  phone?: string,
): Promise<{ deviceId: string; restartCode: number | undefined }> {
  const { scanned, restartCode } = await pairWith(running, auth, (qr) => sim.scan(qr, phone));
  return { deviceId: scanned.id, restartCode };
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
            const timer = setTimeout(
              () => reject(new Error(`${id} never reached status ${status}`)),
              timeoutMs,
            );
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

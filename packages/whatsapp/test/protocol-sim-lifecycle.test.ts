import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useMultiFileAuthState, type WAMessage, type WASocket } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DisconnectCode, ProtocolSimulator, type RunningSimulator } from "../src/protocol-sim";
import {
  closeCode,
  eventually,
  isClose,
  isOpen,
  login,
  memoryAuthState,
  openSocket,
  pairByQr,
  trustSimulator,
  waitForConnection,
  waitForEvent,
  watchStatus,
} from "./protocol-sim-helpers";

describe("protocol simulator: pairing, logins and disconnects with real Baileys", () => {
  const sim = new ProtocolSimulator();
  let running: RunningSimulator;
  const sockets: WASocket[] = [];
  const track = (sock: WASocket) => {
    sockets.push(sock);
    return sock;
  };

  beforeAll(async () => {
    trustSimulator();
    running = await sim.start({ port: 0, adminPort: null, seed: 3 });
  });

  afterEach(() => {
    for (const sock of sockets.splice(0)) sock.end(undefined);
  });

  afterAll(async () => {
    await running?.close();
  });

  it("pairs by pairing code (companion hello → primary hello → finish → 515) and logs in", async () => {
    const auth = memoryAuthState();
    const sock = track(openSocket(running, auth));
    await waitForConnection(sock, (u) => Boolean(u.qr));
    const code = await sock.requestPairingCode("15559990100");
    const restarted = waitForConnection(sock, isClose);
    const device = await sim.confirmPairingCode("15559990100", code);
    expect(closeCode(await restarted)).toBe(515);
    expect(device).toMatchObject({ id: "15559990100:1", method: "pairing-code" });
    expect(auth.creds.me?.id).toBe("15559990100:1@s.whatsapp.net");
    track(await login(running, auth));
    expect(sim.devices().find((d) => d.id === device.id)?.online).toBe(true);
  });

  it("a wrong pairing code never pairs", async () => {
    const auth = memoryAuthState();
    const sock = track(openSocket(running, auth));
    await waitForConnection(sock, (u) => Boolean(u.qr));
    await sock.requestPairingCode("15559990101");
    await expect(sim.confirmPairingCode("15559990101", "AAAAAAAA")).rejects.toThrow(/pairing failed/);
    expect(sim.devices().some((d) => d.phone === "15559990101")).toBe(false);
  });

  it("QR pairing closes with 515 and saved credentials log in again without pairing", async () => {
    const auth = memoryAuthState();
    const { deviceId, restartCode } = await pairByQr(sim, running, auth, "15559990200");
    expect(restartCode).toBe(515);
    const first = track(await login(running, auth));
    first.end(undefined);
    await waitForConnection(first, isClose).catch(() => undefined);
    track(await login(running, auth));
    const logins = sim.connections().filter((c) => c.deviceId === deviceId && c.kind === "login");
    expect(logins).toHaveLength(2);
    expect(sim.devices().filter((d) => d.phone === "15559990200")).toHaveLength(1);
  });

  it("credentials saved to disk log in from a fresh process-like load without pairing again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "protocol-sim-auth-"));
    try {
      const saved = await useMultiFileAuthState(dir);
      const sock = track(openSocket(running, saved.state));
      sock.ev.on("creds.update", saved.saveCreds);
      const { qr } = await waitForConnection(sock, (u) => Boolean(u.qr));
      const restarted = waitForConnection(sock, isClose);
      const device = await sim.scan(qr ?? "", "15559990250");
      expect(closeCode(await restarted)).toBe(515);
      await saved.saveCreds();
      const pairedCount = sim.devices().length;
      // a "restarted worker": nothing in memory, everything read back from the folder
      const reloaded = await useMultiFileAuthState(dir);
      const again = track(openSocket(running, reloaded.state));
      again.ev.on("creds.update", reloaded.saveCreds);
      await waitForConnection(again, isOpen);
      expect(reloaded.state.creds.me?.id).toBe(`${device.id}@s.whatsapp.net`);
      expect(sim.devices()).toHaveLength(pairedCount);
      expect(sim.devices().find((d) => d.id === device.id)?.online).toBe(true);
    } finally {
      for (const sock of sockets.splice(0)) sock.end(undefined);
      // Baileys may still be writing key files as its socket ends
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });

  it("a message sent while the device is offline arrives at its next login", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const sock = await login(running, auth);
    const closed = waitForConnection(sock, isClose);
    sock.end(undefined);
    await closed;
    await eventually(() => sim.devices().find((d) => d.id === deviceId)?.online === false);
    const { id } = await sim.contactSend("15550003002", deviceId, { text: "while you were away" });
    const again = track(openSocket(running, auth));
    const arrived = waitForEvent<{ messages: WAMessage[] }>(again, "messages.upsert", (u) =>
      u.messages.some((m) => m.key.id === id),
    );
    await waitForConnection(again, isOpen);
    const { messages } = await arrived;
    expect(messages.find((m) => m.key.id === id)?.message?.conversation).toBe("while you were away");
  });

  it("a forced 515 closes with 515 and the next socket logs in", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const sock = track(await login(running, auth));
    const closed = waitForConnection(sock, isClose);
    await sim.disconnect(deviceId, 515);
    expect(closeCode(await closed)).toBe(515);
    track(await login(running, auth));
  });

  it("401 unlinks the device: Baileys closes with 401 and the old credentials are refused", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const sock = track(await login(running, auth));
    const closed = waitForConnection(sock, isClose);
    await sim.disconnect(deviceId, 401);
    expect(closeCode(await closed)).toBe(401);
    const retry = track(openSocket(running, auth));
    expect(closeCode(await waitForConnection(retry, isClose))).toBe(401);
    expect(sim.devices().find((d) => d.id === deviceId)?.status).toBe("logged-out");
  });

  it("Baileys' logout() removes the companion; its credentials no longer log in", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const sock = track(await login(running, auth));
    const closed = waitForConnection(sock, isClose);
    await sock.logout();
    expect(closeCode(await closed)).toBe(401);
    await eventually(() => sim.devices().find((d) => d.id === deviceId)?.status === "logged-out");
    const retry = track(openSocket(running, auth));
    expect(closeCode(await waitForConnection(retry, isClose))).toBe(401);
  });

  it("a second socket for the same device replaces the first, which closes with 440", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const first = track(await login(running, auth));
    const firstClosed = waitForConnection(first, isClose);
    track(await login(running, auth));
    expect(closeCode(await firstClosed)).toBe(440);
    const logins = sim.connections().filter((c) => c.deviceId === deviceId && c.kind === "login");
    expect(logins[0]?.endedBy).toMatch(/replaced/);
  });

  it.each<[DisconnectCode, number]>([
    [440, 440],
    [408, 408],
    [428, 428],
    [500, 500],
    [463, 463],
  ])("a forced %i reaches Baileys as close code %i", async (code, expected) => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth);
    const sock = track(await login(running, auth));
    const closed = waitForConnection(sock, isClose);
    await sim.disconnect(deviceId, code);
    expect(closeCode(await closed)).toBe(expected);
  });

  it("a restricted number's messages are refused with ack error 463 and never delivered", async () => {
    const auth = memoryAuthState();
    const { deviceId } = await pairByQr(sim, running, auth, "15559990300");
    const sock = track(await login(running, auth));
    sim.restrict("15559990300");
    const status = watchStatus(sock, "RESTRICTED1");
    await sock.sendMessage("15550003001@s.whatsapp.net", { text: "blocked" }, { messageId: "RESTRICTED1" });
    await status.reached(0); // ERROR
    expect((await sim.waitForSent(deviceId, (m) => m.id === "RESTRICTED1")).ack).toBe("463");
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the default delivered latency
    expect(status.statuses).not.toContain(3);
  });

  it("a client that never finishes the handshake is logged and never counted as logged in", async () => {
    const auth = memoryAuthState();
    const sock = track(openSocket(running, auth, { connectTimeoutMs: 2_000 }));
    await waitForConnection(sock, (u) => Boolean(u.qr));
    sock.end(undefined);
    await waitForConnection(sock, isClose).catch(() => undefined);
    const registration = sim.connections().at(-1);
    expect(registration?.kind).toBe("registration");
    expect(registration?.loggedInAt).toBeUndefined();
    expect(isOpen({ connection: "close" })).toBe(false);
  });
});

// The worker's sessions + messages domains with the UNMODIFIED Baileys engine, connected over a
// loopback WebSocket to the protocol simulator (the only stand-in: WhatsApp's servers). The
// engine comes from the worker's own engine factory (WA_ENGINE=baileys), so the demo controls
// ("simulate scan") are the ones the dashboard uses.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionStatus } from "@zapflow/db";
import { LocalDiskStorage } from "@zapflow/db/storage";
import { enqueueSessionLifecycle } from "@zapflow/queue";
import { ProtocolSimulator, type RunningSimulator } from "@zapflow/whatsapp/protocol-sim";
import { loadConfig } from "../../src/config";
import { createMessagesModule } from "../../src/messages/module";
import { type SimulatorControls, selectEngine } from "../../src/sessions/engine-factory";
import { createSessionsHarness, type SessionsHarness, waitFor } from "../../src/testing";
import { LIMITS_OFF } from "./messaging-harness";

export interface BaileysHarness {
  h: SessionsHarness;
  sim: ProtocolSimulator;
  running: RunningSimulator;
  controls: SimulatorControls;
  storage: LocalDiskStorage;
  /** A new session started through the lifecycle queue, its real Baileys QR scanned through the
   *  demo controls; resolves with the session id once CONNECTED with its identity. */
  pairByQr(label: string, phone: string): Promise<string>;
  close(): Promise<void>;
}

export async function createBaileysHarness(
  label: string,
  opts: { env?: Record<string, string>; seed?: number; messages?: boolean } = {},
): Promise<BaileysHarness> {
  Object.assign(process.env, LIMITS_OFF);
  // Baileys moves media with global fetch, which takes no CA option: a worker process gets
  // NODE_EXTRA_CA_CERTS (the simulator's media certificate); this test process trusts loopback.
  const previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  const sim = new ProtocolSimulator();
  const running = await sim.start({
    port: 0,
    adminPort: 0,
    seed: opts.seed ?? 1,
    latency: { deliveredMs: 50, readMs: 50 },
  });
  const engineEnv = {
    DATABASE_URL: "postgres://unused",
    WA_ENGINE: "baileys",
    NODE_ENV: "test",
    WA_WEBSOCKET_URL: running.wsUrl,
    WA_TRUSTED_ROOT_KEY: sim.rootPublicKey.toString("base64"),
    WA_PROTOCOL_SIM_ADMIN_URL: running.adminUrl ?? "",
    SEND_TIMEOUT_MS: "10000",
  };
  const selection = selectEngine(loadConfig(engineEnv));
  if (!selection.simulator) throw new Error("engine factory gave no protocol-sim controls");
  const h = await createSessionsHarness(label, {
    engine: selection.engine,
    env: { STATUS_DEBOUNCE_MS: "0", WA_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", ...opts.env },
  });
  const mediaDir = await mkdtemp(join(tmpdir(), "zf-baileys-media-"));
  const storage = new LocalDiskStorage(mediaDir);
  const messages =
    opts.messages === false
      ? undefined
      : createMessagesModule({
          connection: h.connection,
          queues: h.queues,
          storage,
          receiptFlushMs: 100,
          policyTtlMs: 500,
        });
  await messages?.start(h.ctx);
  return {
    h,
    sim,
    running,
    controls: selection.simulator,
    storage,
    async pairByQr(sessionLabel, phone) {
      const id = await h.createSession(sessionLabel);
      await enqueueSessionLifecycle(h.queues, { action: "start", sessionId: id, companyId: h.companyId });
      const row = () => h.prisma.whatsappSession.findUniqueOrThrow({ where: { id } });
      await waitFor(async () => (await row()).qrCode, {
        what: "QR from Baileys on the row",
        timeoutMs: 20_000,
      });
      await selection.simulator!.scanQr(id, phone);
      await h.waitForStatus(id, SessionStatus.CONNECTED, 20_000);
      await waitFor(async () => (await row()).phone === phone, { what: "identity on the row" });
      return id;
    },
    async close() {
      await messages?.stop();
      await h.close();
      await running.close();
      await rm(mediaDir, { recursive: true, force: true });
      if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
    },
  };
}

// Demo/test controls for WA_ENGINE=baileys against the protocol simulator: the same "the phone
// scans the QR" actions as the in-process simulator, forwarded to the simulator's admin HTTP API.
// The admin API speaks in QR strings, phones and device ids, the dashboard in session ids, so the
// engine is wrapped to remember, per session, the last QR, the pairing-code phone and the account.
import type { EngineSession, WhatsappEngine } from "@zapflow/whatsapp";
import { LRUCache } from "lru-cache";
import type { SimulatorControls } from "./engine-factory";

const ADMIN_TIMEOUT_MS = 35_000;
const PENDING_WAIT_MS = 5_000;

interface SessionTrace {
  qr?: string;
  pairingPhone?: string;
  phone?: string;
}

interface PendingPairing {
  pairingCodePhone?: string;
}

interface SimDevice {
  id: string;
  phone: string;
  status: string;
  online: boolean;
}

const digits = (phone: string) => phone.replace(/\D/g, "");

export class ProtocolSimControls implements SimulatorControls {
  private readonly traces = new LRUCache<string, SessionTrace>({ max: 10_000, ttl: 24 * 3_600_000 });

  constructor(private readonly adminUrl: string) {}

  /** The engine whose sessions are traced; sessions behave exactly as the wrapped engine's. */
  track(engine: WhatsappEngine): WhatsappEngine {
    return {
      name: engine.name,
      createSession: (options) => this.traceSession(engine.createSession(options)),
    };
  }

  scanQr(target: string, phone: string): Promise<unknown> {
    const qr = this.traces.get(target)?.qr ?? (target.includes(",") ? target : undefined);
    if (!qr) throw new Error(`session ${target} has shown no QR code`);
    return this.post("/scan", { qr, phone: digits(phone) });
  }

  async confirmPairingCode(sessionId: string, code: string): Promise<unknown> {
    const phone = this.traces.get(sessionId)?.pairingPhone;
    if (!phone) throw new Error(`session ${sessionId} has requested no pairing code`);
    // Baileys shows the code before its companion_hello has reached the server: wait for it there.
    const deadline = Date.now() + PENDING_WAIT_MS;
    for (;;) {
      const { pending } = (await this.request("GET", "/devices")) as { pending: PendingPairing[] };
      if (pending.some((p) => p.pairingCodePhone === phone) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.post("/pairing-code/confirm", { phone, code: code.replace(/[^0-9A-Za-z]/g, "") });
  }

  async injectInbound(sessionId: string, input: { from: string; text?: string }): Promise<unknown> {
    const device = await this.device(sessionId);
    return this.post(`/contacts/${digits(input.from)}/send`, { to: device.id, text: input.text ?? "" });
  }

  async disconnect(sessionId: string, code: number): Promise<unknown> {
    const device = await this.device(sessionId);
    return this.post(`/devices/${encodeURIComponent(device.id)}/disconnect`, { code });
  }

  private traceSession(session: EngineSession): EngineSession {
    const trace = () => {
      const existing = this.traces.get(session.sessionId);
      if (existing) return existing;
      const created: SessionTrace = {};
      this.traces.set(session.sessionId, created);
      return created;
    };
    session.on("qr", (qr) => {
      trace().qr = qr;
    });
    session.on("identity", (me) => {
      trace().phone = me.phone;
    });
    const requestPairingCode = session.requestPairingCode.bind(session);
    session.requestPairingCode = (phone: string) => {
      trace().pairingPhone = digits(phone);
      return requestPairingCode(phone);
    };
    return session;
  }

  /** The simulator's paired device of this session's account. */
  private async device(sessionId: string): Promise<SimDevice> {
    const phone = this.traces.get(sessionId)?.phone;
    if (!phone) throw new Error(`session ${sessionId} has not logged in on this worker`);
    const { devices } = (await this.request("GET", "/devices")) as { devices: SimDevice[] };
    const mine = devices.filter((d) => d.phone === phone && d.status === "paired");
    const device = mine.find((d) => d.online) ?? mine[0];
    if (!device) throw new Error(`the protocol simulator has no paired device for ${phone}`);
    return device;
  }

  private post(path: string, body: unknown): Promise<unknown> {
    return this.request("POST", path, body);
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.adminUrl.replace(/\/$/, "")}${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
    });
    const payload = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) throw new Error(`protocol simulator ${method} ${path}: ${payload.error ?? res.status}`);
    return payload;
  }
}

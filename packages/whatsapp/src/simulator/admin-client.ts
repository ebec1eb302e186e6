// Typed client for SimulatorServer's admin API, for tests and tools in other processes.
import type { SendErrorKind } from "../engine";
import type { SessionInfo } from "./simulator";
import type { ConnectionLogEntry, Latency, SentRecord } from "./state";

export class SimulatorAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async request<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`simulator admin ${path}: ${res.status} ${json.error ?? ""}`);
    return json;
  }

  scanQr(target: string, phone: string, pushName?: string) {
    return this.request<{ ok: true }>("POST", "/admin/scan", { target, phone, pushName });
  }
  confirmPairingCode(sessionId: string, code: string, pushName?: string) {
    return this.request<{ ok: true }>("POST", "/admin/confirm-code", { sessionId, code, pushName });
  }
  async injectInbound(
    sessionId: string,
    input: {
      from: string;
      text?: string;
      pushName?: string;
      id?: string;
      media?: { type: string; data: Uint8Array; mimeType?: string; caption?: string; fileName?: string };
    },
  ): Promise<string> {
    const { media, ...rest } = input;
    const wireMedia = media && {
      ...media,
      data: undefined,
      dataBase64: Buffer.from(media.data).toString("base64"),
    };
    return (
      await this.request<{ id: string }>("POST", "/admin/inbound", { sessionId, ...rest, media: wireMedia })
    ).id;
  }
  async disconnect(sessionId: string, code: number): Promise<boolean> {
    return (await this.request<{ closed: boolean }>("POST", "/admin/disconnect", { sessionId, code })).closed;
  }
  restrict(phone: string, code?: 403 | 463) {
    return this.request<{ ok: true }>("POST", "/admin/restrict", { phone, code });
  }
  unrestrict(phone: string) {
    return this.request<{ ok: true }>("POST", "/admin/unrestrict", { phone });
  }
  failNextSends(sessionId: string, count: number, kind: SendErrorKind = "server_error") {
    return this.request<{ ok: true }>("POST", "/admin/fail", { sessionId, count, kind });
  }
  stall(sessionId: string, ms: number) {
    return this.request<{ ok: true }>("POST", "/admin/stall", { sessionId, ms });
  }
  setLatency(latency: Partial<Latency>) {
    return this.request<{ latency: Latency }>("POST", "/admin/latency", latency);
  }
  setAutoReply(autoReply: { text?: string; afterMs?: number } | null) {
    return this.request<{ ok: true }>("POST", "/admin/auto-reply", { autoReply });
  }
  markNotOnWhatsapp(phone: string) {
    return this.request<{ ok: true }>("POST", "/admin/not-on-whatsapp", { phone });
  }
  reset() {
    return this.request<{ ok: true }>("POST", "/admin/reset", {});
  }
  sentLog(sessionId?: string) {
    return this.request<SentRecord[]>("GET", `/admin/sent${query(sessionId)}`);
  }
  connectionLog(sessionId?: string) {
    return this.request<ConnectionLogEntry[]>("GET", `/admin/connections${query(sessionId)}`);
  }
  sessionInfo(sessionId: string) {
    return this.request<SessionInfo>("GET", `/admin/session${query(sessionId)}`);
  }
}

function query(sessionId?: string): string {
  return sessionId ? `?sessionId=${encodeURIComponent(sessionId)}` : "";
}

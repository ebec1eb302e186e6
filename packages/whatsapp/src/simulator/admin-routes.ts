// HTTP admin API of SimulatorServer (JSON in, JSON out). Tests and the demo drive the shared
// simulator through it:
//   POST /admin/scan {target, phone, pushName?}            POST /admin/confirm-code {sessionId, code}
//   POST /admin/inbound {sessionId, from, text?, media?}   → {id}   (media.dataBase64)
//   POST /admin/disconnect {sessionId, code}               → {closed}
//   POST /admin/restrict {phone, code?: 403|463}           POST /admin/unrestrict {phone}
//   POST /admin/fail {sessionId, count, kind}              POST /admin/stall {sessionId, ms}
//   POST /admin/latency {ackMs?, deliveredMs?, readMs?}    POST /admin/auto-reply {autoReply: {text?, afterMs?} | null}
//   POST /admin/not-on-whatsapp {phone}                    POST /admin/reset
//   GET  /admin/sent?sessionId=   /admin/connections?sessionId=   /admin/session?sessionId=
// Bad input → 400 {error}; a request the simulator refuses (no QR to scan, wrong code) → 409 {error}.
import { z } from "zod";
import type { WhatsappSimulator } from "./simulator";

const sessionId = z.string().min(1);
const phone = z.string().regex(/^\+?[\d\s()-]{7,20}$/);
const sendErrorKind = z.enum([
  "timeout",
  "not_connected",
  "invalid_recipient",
  "rate_limited",
  "restricted",
  "media_error",
  "server_error",
]);
const latencyMs = z.number().int().min(0).max(600_000);

const routes: Record<string, (sim: WhatsappSimulator, body: unknown, query: URLSearchParams) => unknown> = {
  "POST /admin/scan": (sim, body) => {
    const b = z.object({ target: z.string().min(1), phone, pushName: z.string().optional() }).parse(body);
    sim.scanQr(b.target, b.phone, b.pushName);
    return { ok: true };
  },
  "POST /admin/confirm-code": (sim, body) => {
    const b = z.object({ sessionId, code: z.string().min(1), pushName: z.string().optional() }).parse(body);
    sim.confirmPairingCode(b.sessionId, b.code, b.pushName);
    return { ok: true };
  },
  "POST /admin/inbound": (sim, body) => {
    const mediaSchema = z.object({
      type: z.enum(["image", "video", "audio", "document", "sticker"]),
      dataBase64: z.string(),
      mimeType: z.string().optional(),
      caption: z.string().optional(),
      fileName: z.string().optional(),
    });
    const b = z
      .object({
        sessionId,
        from: z.string().min(5),
        text: z.string().optional(),
        media: mediaSchema.optional(),
        pushName: z.string().optional(),
        id: z.string().optional(),
      })
      .parse(body);
    const { dataBase64, ...mediaRest } = b.media ?? { dataBase64: "" };
    const media = b.media && { ...mediaRest, type: b.media.type, data: Buffer.from(dataBase64, "base64") };
    const id = sim.injectInbound(b.sessionId, { ...b, media });
    return { id };
  },
  "POST /admin/disconnect": (sim, body) => {
    const b = z.object({ sessionId, code: z.number().int().min(100).max(999) }).parse(body);
    return { closed: sim.disconnect(b.sessionId, b.code) };
  },
  "POST /admin/restrict": (sim, body) => {
    const b = z.object({ phone, code: z.union([z.literal(403), z.literal(463)]).optional() }).parse(body);
    sim.restrict(b.phone, b.code);
    return { ok: true };
  },
  "POST /admin/unrestrict": (sim, body) => {
    sim.unrestrict(z.object({ phone }).parse(body).phone);
    return { ok: true };
  },
  "POST /admin/fail": (sim, body) => {
    const b = z.object({ sessionId, count: z.number().int().min(0), kind: sendErrorKind }).parse(body);
    sim.failNextSends(b.sessionId, b.count, b.kind);
    return { ok: true };
  },
  "POST /admin/stall": (sim, body) => {
    const b = z.object({ sessionId, ms: latencyMs }).parse(body);
    sim.stall(b.sessionId, b.ms);
    return { ok: true };
  },
  "POST /admin/latency": (sim, body) => {
    sim.setLatency(
      z
        .object({
          ackMs: latencyMs.optional(),
          deliveredMs: latencyMs.nullable().optional(),
          readMs: latencyMs.nullable().optional(),
        })
        .parse(body),
    );
    return { latency: sim.latency };
  },
  "POST /admin/auto-reply": (sim, body) => {
    const b = z
      .object({
        autoReply: z.object({ text: z.string().optional(), afterMs: latencyMs.optional() }).nullable(),
      })
      .parse(body);
    sim.setAutoReply(b.autoReply);
    return { ok: true };
  },
  "POST /admin/not-on-whatsapp": (sim, body) => {
    sim.markNotOnWhatsapp(z.object({ phone }).parse(body).phone);
    return { ok: true };
  },
  "POST /admin/reset": (sim) => {
    sim.reset();
    return { ok: true };
  },
  "GET /admin/sent": (sim, _body, query) => sim.sentLog(query.get("sessionId") ?? undefined),
  "GET /admin/connections": (sim, _body, query) => sim.connectionLog(query.get("sessionId") ?? undefined),
  "GET /admin/session": (sim, _body, query) => sim.sessionInfo(sessionId.parse(query.get("sessionId"))),
  "GET /health": () => ({ ok: true }),
};

export interface AdminResponse {
  status: number;
  body: unknown;
}

export function handleAdmin(sim: WhatsappSimulator, method: string, url: URL, body: unknown): AdminResponse {
  const route = routes[`${method} ${url.pathname}`];
  if (!route) return { status: 404, body: { error: `no route ${method} ${url.pathname}` } };
  try {
    return { status: 200, body: route(sim, body, url.searchParams) };
  } catch (err) {
    if (err instanceof z.ZodError)
      return { status: 400, body: { error: "invalid request", issues: err.issues } };
    return { status: 409, body: { error: (err as Error).message } };
  }
}

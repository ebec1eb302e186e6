// Demo/test controls of the simulator (never in production): the dashboard's demo mode "scans"
// the QR, confirms a pairing code, or makes a contact write, through these worker endpoints.
//   POST /simulator/scan {sessionId, phone, pushName?}       (sessionId or the QR string)
//   POST /simulator/pairing-confirm {sessionId, code, pushName?}
//   POST /simulator/inbound {sessionId, from, text}
//   POST /simulator/disconnect {sessionId, code}
import { z } from "zod";
import type { SimulatorControls } from "../sessions/engine-factory";

const phone = z.string().regex(/^\+?[\d\s()-]{7,20}$/, "phone must be digits with the country code");
const schemas = {
  scan: z.object({ sessionId: z.string().min(1), phone, pushName: z.string().max(100).optional() }),
  "pairing-confirm": z.object({ sessionId: z.string().min(1), code: z.string().min(4).max(16), pushName: z.string().optional() }),
  inbound: z.object({ sessionId: z.string().min(1), from: phone, text: z.string().min(1).max(4096) }),
  disconnect: z.object({ sessionId: z.string().min(1), code: z.number().int().min(400).max(599) }),
};

export type SimulatorRoute = keyof typeof schemas;

export async function handleSimulatorRoute(
  sim: SimulatorControls,
  route: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  if (!(route in schemas)) return { status: 404, body: { error: `unknown simulator action ${route}` } };
  const parsed = schemas[route as SimulatorRoute].safeParse(body);
  if (!parsed.success) {
    return {
      status: 400,
      body: { error: "invalid request", fields: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
    };
  }
  try {
    const input = parsed.data;
    let result: unknown;
    if ("phone" in input) result = await sim.scanQr(input.sessionId, input.phone, input.pushName);
    else if ("code" in input && typeof input.code === "string") {
      result = await sim.confirmPairingCode(input.sessionId, input.code, input.pushName);
    } else if ("from" in input) result = await sim.injectInbound(input.sessionId, { from: input.from, text: input.text });
    else if ("code" in input) result = await sim.disconnect(input.sessionId, input.code);
    return { status: 200, body: { ok: true, result: result ?? null } };
  } catch (error) {
    // The simulator refused (no QR waiting, wrong code): a conflict with its state, not a crash.
    return { status: 409, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}

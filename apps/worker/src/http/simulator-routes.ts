// Demo/test controls of the simulator (never in production): the dashboard's demo mode "scans"
// the QR, confirms a pairing code, or makes a contact write, through these worker endpoints.
//   POST /simulator/scan {sessionId, phone, pushName?}       (sessionId or the QR string)
//   POST /simulator/pairing-confirm {sessionId, code, pushName?}
//   POST /simulator/inbound {sessionId, from, text}
//   POST /simulator/disconnect {sessionId, code}
// With WA_ENGINE=baileys + WA_PROTOCOL_SIM_ADMIN_URL the same actions go to the protocol simulator's
// admin API (sessions/protocol-sim-controls.ts).
import { z } from "zod";
import type { SimulatorControls } from "../sessions/engine-factory";

const phone = z.string().regex(/^\+?[\d\s()-]{7,20}$/, "phone must be digits with the country code");
const id = z.string().min(1);

/** Each action: its body schema and what it asks of the simulator. */
const actions = {
  scan: (sim: SimulatorControls, body: unknown) => {
    const b = z.object({ sessionId: id, phone, pushName: z.string().max(100).optional() }).parse(body);
    return sim.scanQr(b.sessionId, b.phone, b.pushName);
  },
  "pairing-confirm": (sim: SimulatorControls, body: unknown) => {
    const b = z
      .object({ sessionId: id, code: z.string().min(4).max(16), pushName: z.string().max(100).optional() })
      .parse(body);
    return sim.confirmPairingCode(b.sessionId, b.code, b.pushName);
  },
  inbound: (sim: SimulatorControls, body: unknown) => {
    const b = z.object({ sessionId: id, from: phone, text: z.string().min(1).max(4096) }).parse(body);
    return sim.injectInbound(b.sessionId, { from: b.from, text: b.text });
  },
  disconnect: (sim: SimulatorControls, body: unknown) => {
    const b = z.object({ sessionId: id, code: z.number().int().min(400).max(599) }).parse(body);
    return sim.disconnect(b.sessionId, b.code);
  },
};

export async function handleSimulatorRoute(
  sim: SimulatorControls,
  route: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const action = actions[route as keyof typeof actions];
  if (!action) return { status: 404, body: { error: `unknown simulator action ${route}` } };
  try {
    const result = await action(sim, body);
    return { status: 200, body: { ok: true, result: result ?? null } };
  } catch (error) {
    if (error instanceof z.ZodError) {
      const fields = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      return { status: 400, body: { error: "invalid request", fields } };
    }
    // The simulator refused (no QR waiting, wrong code): a conflict with its state, not a crash.
    return { status: 409, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}

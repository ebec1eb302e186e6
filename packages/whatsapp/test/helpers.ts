// Records everything an EngineSession emits, and waits for conditions on it.
import type { DisconnectInfo, EngineSession, InboundMessage, MessageReceipt } from "../src/engine";

export interface Recorded {
  states: string[];
  closes: DisconnectInfo[];
  qrs: string[];
  codes: string[];
  identities: { jid: string; phone: string; lid?: string }[];
  messages: InboundMessage[];
  receipts: MessageReceipt[];
  lids: { lid: string; phoneJid: string }[];
}

export function record(session: EngineSession): Recorded {
  const rec: Recorded = {
    states: [],
    closes: [],
    qrs: [],
    codes: [],
    identities: [],
    messages: [],
    receipts: [],
    lids: [],
  };
  session.on("connection", (state, info) => {
    rec.states.push(state);
    if (info) rec.closes.push(info);
  });
  session.on("qr", (qr) => rec.qrs.push(qr));
  session.on("pairingCode", (code) => rec.codes.push(code));
  session.on("identity", (me) => rec.identities.push(me));
  session.on("messages", (m) => rec.messages.push(...m));
  session.on("receipts", (r) => rec.receipts.push(...r));
  session.on("lidMappings", (l) => rec.lids.push(...l));
  return rec;
}

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

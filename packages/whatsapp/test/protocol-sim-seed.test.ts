import { afterEach, describe, expect, it } from "vitest";
import { ProtocolSimulator, type RunningSimulator, simulatorRootPublicKey } from "../src/protocol-sim";
import { memoryAuthState, pairByQr, trustSimulator } from "./protocol-sim-helpers";

/** Pairs one real Baileys client without naming a phone: the simulator picks number and LID from its seed. */
async function pairOnce(seed: number) {
  const sim = new ProtocolSimulator();
  const running = await sim.start({ port: 0, adminPort: null, seed });
  opened.push(running);
  const auth = memoryAuthState();
  await pairByQr(sim, running, auth);
  return { device: sim.devices()[0], me: auth.creds.me };
}

const opened: RunningSimulator[] = [];

describe("protocol simulator determinism", () => {
  afterEach(async () => {
    for (const running of opened.splice(0)) await running.close();
  });

  it("the same seed gives the same phone number, device and LID; another seed does not", async () => {
    trustSimulator();
    const a = await pairOnce(42);
    const b = await pairOnce(42);
    const c = await pairOnce(43);
    expect(a.device?.id).toBe(b.device?.id);
    expect(a.me?.lid).toBe(b.me?.lid);
    expect(c.device?.id).not.toBe(a.device?.id);
    expect(c.me?.lid).not.toBe(a.me?.lid);
  });

  it("the root key is fixed across instances, so another process can trust it", () => {
    expect(new ProtocolSimulator().rootPublicKey.equals(simulatorRootPublicKey())).toBe(true);
    expect(simulatorRootPublicKey()).toHaveLength(32);
  });
});

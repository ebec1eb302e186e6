// Memory hygiene: 1,000 connect/disconnect cycles through the session manager (in-process
// simulator, real Postgres + Redis) leave no runner, timer, listener, lease or pending write
// behind, and the heap after GC does not grow beyond a small bound.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { SessionStatus } from "@zapflow/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionsHarness, type SessionsHarness } from "../src/testing";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const PARALLEL = 10;
const CYCLES = 1_000;

let h: SessionsHarness;
const ids: string[] = [];

beforeAll(async () => {
  h = await createSessionsHarness("sessmem", {
    env: { RECONCILE_INTERVAL_MS: "600000", BREAKER_STABLE_MS: "600000" },
    simulator: { logLimit: 10 }, // the simulator's own logs stay small: we measure the worker side
  });
  for (let i = 0; i < PARALLEL; i++) {
    const id = await h.createSession(`m${i}`);
    await h.pairByQr(id, String(5511960000000 + i));
    await h.manager.stopSession(id);
    ids.push(id);
  }
});

afterAll(async () => {
  await h?.close();
});

async function cycles(n: number): Promise<void> {
  for (let done = 0; done < n; done += PARALLEL) {
    await Promise.all(
      ids.map(async (id) => {
        expect(await h.manager.startSession(id)).toBe("started");
        await waitConnected(id);
        expect(await h.manager.stopSession(id)).toBe("done");
      }),
    );
  }
}

async function waitConnected(id: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (h.bus.get(id)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`session ${id} did not connect`);
}

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

describe("session memory hygiene", () => {
  it(`${CYCLES} connect/disconnect cycles leave nothing behind`, async () => {
    const busListeners = () =>
      h.bus
        .eventNames()
        .map((e) => h.bus.listenerCount(e))
        .reduce((a, b) => a + b, 0);
    const listenersBefore = busListeners();
    await cycles(100); // warm-up: JIT, pools, caches reach their steady size
    const before = heapAfterGc();
    const started = Date.now();
    await cycles(CYCLES);
    const elapsedMs = Date.now() - started;
    const after = heapAfterGc();
    const growthMb = (after - before) / 1024 / 1024;
    console.info(
      `memory: ${CYCLES} cycles in ${elapsedMs} ms; heap after GC ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MB (${growthMb.toFixed(2)} MB)`,
    );

    expect(h.manager.localRunners()).toHaveLength(0);
    expect(h.manager.poolStats()).toMatchObject({ activeSessions: 0, waitingQueue: 0 });
    expect(h.manager.leases.heldIds()).toEqual([]);
    expect(h.manager.status.pendingCount()).toBe(0);
    expect(h.bus.liveSessionIds()).toEqual([]);
    expect(busListeners()).toBe(listenersBefore);
    for (const id of ids) expect(h.manager.isBusy(id)).toBe(false);
    const rows = await h.prisma.whatsappSession.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === SessionStatus.DISCONNECTED && r.ownerWorkerId === null)).toBe(true);
    // 1,000 cycles of a leak of even ~3 KB per cycle would show up as ≥ 3 MB.
    expect(growthMb).toBeLessThan(3);
  }, 240_000);
});

// Commit → delivery latency with the relay at its production poll (2 s): rows written without a
// nudge wait for the poll; rows written through the EventOutbox (NOTIFY on commit) start at once,
// through each of its write paths. Also: the LISTEN connection comes back after Postgres drops it.
import { EventCategory, pgPoolOf, withTransaction } from "@zapflow/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DomainEvent, EventOutbox } from "../src/events/outbox";
import { waitFor } from "../src/testing/wait";
import { createWebhooksModule } from "../src/webhooks/module";
import { createWebhooksHarness, FAST_SETTINGS, type WebhooksHarness } from "./support/webhooks-harness";

const PRODUCTION_POLL_MS = 2_000;
const SAMPLES = 6;

let h: WebhooksHarness;
let webhooks: ReturnType<typeof createWebhooksModule>;
let outbox: EventOutbox;
let endpointId: string;
let seq = 0;

beforeAll(async () => {
  h = await createWebhooksHarness("webhooknudge");
  endpointId = (
    await h.endpoint(
      h.companyA,
      h.receiver.respond("/hook", () => ({ status: 200 })),
    )
  ).id;
  outbox = new EventOutbox(h.db.prisma);
  webhooks = createWebhooksModule({
    connection: h.connection,
    queues: h.queues,
    settings: { ...FAST_SETTINGS, relayIntervalMs: PRODUCTION_POLL_MS },
  });
  await webhooks.start(h.context());
  await waitFor(() => webhooks.healthy?.(), { what: "first relay pass" });
});

afterAll(async () => {
  await webhooks?.stop();
  await h?.close();
});

function event(): DomainEvent {
  return {
    companyId: h.companyA,
    category: EventCategory.MESSAGE,
    type: "message.sent",
    message: "Message sent",
    data: { n: ++seq },
  };
}

type Writer = (e: DomainEvent) => Promise<unknown>;

const writers: Record<string, Writer> = {
  // What every writer did before: rows in the transaction, nobody told the relay.
  "no nudge (poll only)": (e) =>
    h.db.prisma.$transaction((tx) =>
      tx.webhookDelivery.createMany({
        data: [{ endpointId, companyId: e.companyId, eventType: e.type, payload: e.data }],
      }),
    ),
  "EventOutbox.writeIn": (e) => h.db.prisma.$transaction((tx) => outbox.writeIn(tx, [e])),
  "EventOutbox.writeSql": (e) =>
    withTransaction(pgPoolOf(h.db.prisma), (tx) => outbox.writeSql(tx, [e], new Date())),
  "EventOutbox.commit": (e) => outbox.commit([], [e]),
};

/** Milliseconds from the write's commit to the receiver seeing the POST, per sample. */
async function latencies(write: Writer, spreadMs = 200): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // A random phase against the poll, so "poll only" samples spread over its interval.
    await new Promise((r) => setTimeout(r, Math.random() * spreadMs));
    const e = event();
    const before = h.receiver.on("/hook").length;
    await write(e);
    const committed = Date.now();
    await waitFor(() => h.receiver.on("/hook").length > before, { timeoutMs: 5_000, what: "delivery" });
    const req = h.receiver.on("/hook").at(-1)!;
    expect(JSON.parse(req.body).data.n).toBe(e.data.n);
    out.push(req.at - committed);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

describe("relay nudge", () => {
  for (const [name, write] of Object.entries(writers)) {
    it(`commit → delivery: ${name}`, async () => {
      const pollOnly = name.startsWith("no nudge");
      const xs = await latencies(write, pollOnly ? PRODUCTION_POLL_MS : 200);
      console.info(`${name}: median ${median(xs)} ms, max ${Math.max(...xs)} ms (${xs.join(", ")})`);
      if (pollOnly) expect(median(xs)).toBeGreaterThan(100);
      else expect(median(xs)).toBeLessThan(200);
    });
  }

  it("the LISTEN connection comes back after Postgres drops it", async () => {
    const killed = await h.db.prisma.$queryRaw<{ pid: number }[]>`
      SELECT pg_terminate_backend(pid) AS ok, pid FROM pg_stat_activity
      WHERE datname = current_database() AND query LIKE 'LISTEN %'`;
    expect(killed).toHaveLength(1);
    await waitFor(
      async () =>
        (
          await h.db.prisma.$queryRaw<{ n: bigint }[]>`
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> ${killed[0]?.pid}`
        )[0]?.n === 1n,
      { timeoutMs: 10_000, what: "LISTEN again" },
    );
    expect(median(await latencies(writers["EventOutbox.writeIn"]!))).toBeLessThan(200);
  });
});

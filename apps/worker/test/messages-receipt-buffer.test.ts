// The receipt buffer turns many sessions' receipts into few message-status jobs (real Redis/BullMQ).
import { createRedisConnection, QueueName, QueueRegistry } from "@zapflow/queue";
import { createTestPrefix, deleteRedisPrefix, testRedisUrl } from "@zapflow/queue/testing";
import type { MessageReceipt } from "@zapflow/whatsapp";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ReceiptBuffer } from "../src/messages/receipt-buffer";

const prefix = createTestPrefix("receipts");
const connection = createRedisConnection(testRedisUrl(), { forWorker: true });
let queues: QueueRegistry;

beforeAll(() => {
  queues = new QueueRegistry({ connection, prefix });
});
afterAll(async () => {
  await queues.close();
  connection.disconnect();
  await deleteRedisPrefix(prefix);
});

const receipts = (session: string, n: number): MessageReceipt[] =>
  Array.from({ length: n }, (_, i) => ({
    messageId: `${session}-m${i}`,
    chat: "5511900000000@s.whatsapp.net",
    status: "delivered",
    timestamp: new Date(0),
  }));

it("packs every session's receipts of one interval into jobs of at most 2,000 receipts", async () => {
  const buffer = new ReceiptBuffer(queues, pino({ level: "silent" }), 60_000);
  for (let s = 0; s < 30; s++) buffer.add(`s${s}`, "c1", receipts(`s${s}`, 10)); // 300 receipts
  buffer.add("big", "c1", receipts("big", 1_900)); // crosses 2,000: flushes at once
  await buffer.close();
  const jobs = await queues.get(QueueName.messageStatus).getJobs(["waiting"]);
  const sizes = jobs
    .map((j) => j.data.sessions.reduce((n: number, s: { receipts: unknown[] }) => n + s.receipts.length, 0))
    .sort((a, b) => b - a);
  expect(sizes).toEqual([2_000, 200]);
  // Every receipt arrives exactly once, under its own session.
  const all = jobs.flatMap((j) =>
    j.data.sessions.flatMap((s: { sessionId: string; receipts: { messageId: string }[] }) =>
      s.receipts.map((r) => `${s.sessionId}/${r.messageId}`),
    ),
  );
  expect(new Set(all).size).toBe(2_200);
  expect(all.filter((k: string) => k.startsWith("big/"))).toHaveLength(1_900);
});

// Coalesces receipts per session for a few milliseconds so a burst becomes one message-status job
// (and one UPDATE per status) instead of one job per receipt.
import { enqueueMessageStatus, type QueueRegistry } from "@zapflow/queue";
import type { MessageReceipt } from "@zapflow/whatsapp";
import type { Logger } from "pino";

const MAX_BATCH = 500;

export class ReceiptBuffer {
  private readonly pending = new Map<string, { companyId: string; receipts: MessageReceipt[] }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly queues: QueueRegistry,
    private readonly logger: Logger,
    private readonly flushMs = 200,
  ) {}

  add(sessionId: string, companyId: string, receipts: MessageReceipt[]): void {
    const entry = this.pending.get(sessionId) ?? { companyId, receipts: [] };
    entry.receipts.push(...receipts);
    this.pending.set(sessionId, entry);
    if (entry.receipts.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    this.flushing = this.flushing.then(() => this.enqueue(batches));
    return this.flushing;
  }

  private async enqueue(
    batches: [string, { companyId: string; receipts: MessageReceipt[] }][],
  ): Promise<void> {
    for (const [sessionId, { companyId, receipts }] of batches) {
      for (let i = 0; i < receipts.length; i += MAX_BATCH) {
        const chunk = receipts
          .slice(i, i + MAX_BATCH)
          .map((r) => ({ ...r, timestamp: r.timestamp.toISOString() }));
        try {
          await enqueueMessageStatus(this.queues, { sessionId, companyId, receipts: chunk });
        } catch (err) {
          // Redis down: statuses of these messages stay at SENT; the send itself is safe.
          this.logger.warn({ err, sessionId, receipts: chunk.length }, "receipts dropped: queue unavailable");
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

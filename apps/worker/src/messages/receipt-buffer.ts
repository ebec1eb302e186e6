// Gathers the receipts of every session of this worker for a short interval, so a burst becomes a
// few message-status jobs (and a few UPDATEs) per interval instead of one job per session or receipt.
import { enqueueMessageStatus, type QueueRegistry, type SessionReceipts } from "@zapflow/queue";
import type { MessageReceipt } from "@zapflow/whatsapp";
import type { Logger } from "pino";

/** Receipts per job: bounds a job's payload and the statement that applies it. */
const MAX_PER_JOB = 2_000;

export class ReceiptBuffer {
  private readonly pending = new Map<string, { companyId: string; receipts: MessageReceipt[] }>();
  private size = 0;
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
    this.size += receipts.length;
    if (this.size >= MAX_PER_JOB) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const jobs = toJobs(this.pending);
    this.pending.clear();
    this.size = 0;
    this.flushing = this.flushing.then(() => this.enqueue(jobs));
    return this.flushing;
  }

  private async enqueue(jobs: SessionReceipts[][]): Promise<void> {
    for (const sessions of jobs) {
      try {
        await enqueueMessageStatus(this.queues, { sessions });
      } catch (err) {
        // Redis down: statuses of these messages stay at SENT; the send itself is safe.
        const receipts = sessions.reduce((n, s) => n + s.receipts.length, 0);
        this.logger.warn({ err, sessions: sessions.length, receipts }, "receipts dropped: queue unavailable");
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

/** Splits the pending receipts into job payloads of at most MAX_PER_JOB receipts each. */
function toJobs(
  pending: Map<string, { companyId: string; receipts: MessageReceipt[] }>,
): SessionReceipts[][] {
  const jobs: SessionReceipts[][] = [];
  let current: SessionReceipts[] = [];
  let room = MAX_PER_JOB;
  for (const [sessionId, { companyId, receipts }] of pending) {
    for (let i = 0; i < receipts.length; ) {
      if (room === 0) {
        jobs.push(current);
        current = [];
        room = MAX_PER_JOB;
      }
      const chunk = receipts.slice(i, i + room);
      current.push({
        sessionId,
        companyId,
        receipts: chunk.map((r) => ({ ...r, timestamp: r.timestamp.toISOString() })),
      });
      room -= chunk.length;
      i += chunk.length;
    }
  }
  if (current.length) jobs.push(current);
  return jobs;
}

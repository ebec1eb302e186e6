// Coalesces concurrent requests into one batch call: requests made while the event loop is busy
// (e.g. many sessions' jobs arriving in one socket read) share one database statement. Each caller
// gets its own result, and only once the batch has completed.
export class Coalescer<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (err: unknown) => void }[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly max = 500,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.max) void this.flush();
      else this.scheduled ??= setImmediate(() => void this.flush());
    });
  }

  /** Runs what is pending now (also on shutdown). */
  async flush(): Promise<void> {
    clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.pending.splice(0);
    if (!batch.length) return;
    try {
      const results = await this.run(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(results[i] as O);
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }
}

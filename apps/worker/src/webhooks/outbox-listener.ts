// LISTENs on the outbox channel over one dedicated Postgres connection: every transaction that
// wrote webhook deliveries NOTIFYs it, and Postgres delivers that only once the transaction has
// committed, so a nudge never races the rows it announces. Losing the connection (Postgres
// restarting) only costs latency: the relay's poll still finds the rows; we reconnect after a pause.
import { createPgPool } from "@zapflow/db";
import { WEBHOOK_OUTBOX_CHANNEL } from "@zapflow/queue/services/webhooks";
import type { Logger } from "pino";

type Pool = ReturnType<typeof createPgPool>;
const checkOut = (pool: Pool) => pool.connect();
type Client = Awaited<ReturnType<typeof checkOut>>;

const RECONNECT_MS = 2_000;

export class OutboxListener {
  private readonly pool: Pool;
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    databaseUrl: string,
    private readonly onCommit: () => void,
    private readonly logger: Logger,
  ) {
    this.pool = createPgPool({ url: databaseUrl, max: 1 });
  }

  async start(): Promise<void> {
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  private async connect(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return;
    let client: Client | undefined;
    try {
      client = await checkOut(this.pool);
      const current = client;
      current.on("notification", () => this.onCommit());
      current.on("error", (err: Error) => this.lost(current, err));
      current.on("end", () => this.lost(current, new Error("connection ended")));
      await current.query(`LISTEN ${WEBHOOK_OUTBOX_CHANNEL}`);
      if (this.stopped) return current.release();
      this.client = current;
      this.onCommit(); // rows committed while nobody listened
    } catch (err) {
      client?.release(err instanceof Error ? err : true);
      this.logger.warn({ err }, "webhook outbox LISTEN failed; polling only until it reconnects");
      this.reconnectLater();
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(err);
    if (!this.stopped) this.logger.warn({ err }, "webhook outbox LISTEN connection lost; reconnecting");
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    client?.release(true); // destroy rather than return a LISTENing connection to the pool
    await this.pool.end().catch(() => undefined);
  }
}

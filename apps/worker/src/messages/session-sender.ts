// Per-session send state of the owner worker: its BullMQ Worker on send-<sessionId>, the open
// engine, and the human pacing clock. Nothing here is shared between sessions.
import { humanDelayMs } from "@zapflow/queue";
import type { EngineSession } from "@zapflow/whatsapp";
import type { Worker } from "bullmq";
import type { CompanyPolicy } from "../limits/policy-loader";

export class SessionSender {
  /** Last policy seen by the processor (pacing and typing follow it). */
  policy: CompanyPolicy | undefined;
  private nextSendAt = 0;
  private bullWorker: Worker | undefined;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    readonly sessionId: string,
    readonly companyId: string,
    public engine: EngineSession,
    /** Warm-up: the number's age counts from its pairing. */
    readonly pairedAt: Date | null,
  ) {}

  attach(worker: Worker): void {
    this.bullWorker = worker;
  }

  worker(): Worker {
    if (!this.bullWorker) throw new Error(`send worker of ${this.sessionId} is not running`);
    return this.bullWorker;
  }

  /** Waits out the random human delay since this number's previous message. */
  async pace(): Promise<void> {
    const wait = this.nextSendAt - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      this.sleeping = { timer: setTimeout(resolve, wait), resolve };
    });
    this.sleeping = undefined;
  }

  afterSend(): void {
    const delay = this.policy ? humanDelayMs(this.policy.policy) : 0;
    this.nextSendAt = Date.now() + delay;
  }

  /** Cuts a pacing wait short on shutdown so the in-flight job finishes promptly. */
  wake(): void {
    if (!this.sleeping) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.resolve();
  }
}

// Session ownership: one Redis key per session holding the owner's workerId with a TTL.
// Acquire with SET NX PX; the owner renews every lease/3 with a compare-and-pexpire script, so a
// worker that lost the key (expired while it stalled) can never extend someone else's lease.
// A failed or refused renewal means the session may already run elsewhere: the owner must close
// its socket at once (onLost).
import type { createRedisConnection } from "@zapflow/queue";
import { sessionKeys } from "./redis-keys";

type RedisClient = ReturnType<typeof createRedisConnection>;

const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface LeaseManagerOptions {
  redis: RedisClient;
  prefix: string;
  workerId: string;
  leaseMs: number;
  /** Called once per session whose lease could not be renewed. */
  onLost: (sessionId: string) => void;
  /** Called after each renewal round with the sessions still held (to mirror on the rows). */
  onRenewed?: (sessionIds: string[], expiresAt: Date) => void;
  onError?: (error: unknown) => void;
}

export class LeaseManager {
  private readonly held = new Map<string, number>(); // sessionId → last confirmed renewal (ms)
  private timer?: NodeJS.Timeout;
  private renewing = false;

  constructor(private readonly opts: LeaseManagerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(
      () => {
        this.dropStale();
        void this.renewAll();
      },
      Math.max(50, Math.floor(this.opts.leaseMs / 3)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  isHeld(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  async acquire(sessionId: string): Promise<boolean> {
    const key = sessionKeys.lease(this.opts.prefix, sessionId);
    const ok = await this.opts.redis.set(key, this.opts.workerId, "PX", this.opts.leaseMs, "NX");
    if (ok === "OK") {
      this.held.set(sessionId, Date.now());
      return true;
    }
    // Already ours (e.g. a retried job after we took it): keep it.
    return this.held.has(sessionId) && (await this.owner(sessionId)) === this.opts.workerId;
  }

  async release(sessionId: string): Promise<void> {
    if (!this.held.delete(sessionId)) return;
    await this.opts.redis.eval(
      RELEASE_SCRIPT,
      1,
      sessionKeys.lease(this.opts.prefix, sessionId),
      this.opts.workerId,
    );
  }

  /** Forget a session without touching Redis (it was lost: the key may belong to another worker). */
  forget(sessionId: string): void {
    this.held.delete(sessionId);
  }

  async owner(sessionId: string): Promise<string | null> {
    return this.opts.redis.get(sessionKeys.lease(this.opts.prefix, sessionId));
  }

  /** Owners of many sessions in one round trip (null = no live lease). */
  async owners(sessionIds: string[]): Promise<(string | null)[]> {
    if (sessionIds.length === 0) return [];
    return this.opts.redis.mget(sessionIds.map((id) => sessionKeys.lease(this.opts.prefix, id)));
  }

  async renewAll(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const ids = [...this.held.keys()];
    const now = Date.now();
    try {
      const pipeline = this.opts.redis.pipeline();
      for (const id of ids) {
        pipeline.eval(
          RENEW_SCRIPT,
          1,
          sessionKeys.lease(this.opts.prefix, id),
          this.opts.workerId,
          this.opts.leaseMs,
        );
      }
      const results = (await pipeline.exec()) ?? [];
      const renewed: string[] = [];
      ids.forEach((id, i) => {
        if (!this.held.has(id)) return; // released meanwhile
        const [error, value] = results[i] ?? [new Error("no reply"), 0];
        if (!error && value === 1) {
          this.held.set(id, now);
          renewed.push(id);
        } else if (!error) {
          this.lose(id); // the key expired or belongs to another worker
        }
      });
      if (renewed.length) this.opts.onRenewed?.(renewed, new Date(now + this.opts.leaseMs));
    } catch (error) {
      this.opts.onError?.(error);
    } finally {
      this.renewing = false;
    }
  }

  /** A renewal may hang while Redis is unreachable: leases unconfirmed for a whole period are gone. */
  private dropStale(): void {
    const now = Date.now();
    for (const [id, confirmedAt] of this.held) if (now - confirmedAt >= this.opts.leaseMs) this.lose(id);
  }

  private lose(sessionId: string): void {
    this.held.delete(sessionId);
    this.opts.onLost(sessionId);
  }
}

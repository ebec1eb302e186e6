// Cross-worker commands. Lifecycle jobs land on any worker, but only a session's owner holds its
// socket, so stop/logout/restart/pairing-code for a session owned elsewhere are PUBLISHed on the
// owner's channel `${prefix}:session-control:${ownerWorkerId}` (owner read from the lease).
// PUBLISH returns how many subscribers got it: 0 means the owner is gone (crashed, lease not yet
// expired) and the caller retries later. `${prefix}:session-released` tells every worker that
// leases were given up (shutdown), so they reconcile at once instead of at their next tick.
import type { createRedisConnection } from "@zapflow/queue";
import { z } from "zod";
import { sessionKeys } from "./redis-keys";

type RedisClient = ReturnType<typeof createRedisConnection>;

export const controlCommand = z.discriminatedUnion("action", [
  z.object({ action: z.enum(["stop", "logout", "restart"]), sessionId: z.string() }),
  z.object({ action: z.literal("pairing-code"), sessionId: z.string(), phone: z.string() }),
]);
export type ControlCommand = z.infer<typeof controlCommand>;

export const releasedChannel = (prefix: string) => `${prefix}:session-released`;

export interface ControlChannelOptions {
  redis: RedisClient;
  prefix: string;
  workerId: string;
  onCommand: (command: ControlCommand) => void;
  onReleased: () => void;
  onError: (error: unknown) => void;
}

export class ControlChannel {
  private subscriber?: RedisClient;

  constructor(private readonly opts: ControlChannelOptions) {}

  async start(): Promise<void> {
    const { redis, prefix, workerId } = this.opts;
    const subscriber = redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on("error", (error) => this.opts.onError(error));
    subscriber.on("message", (channel: string, raw: string) => {
      if (channel === releasedChannel(prefix)) return this.opts.onReleased();
      try {
        this.opts.onCommand(controlCommand.parse(JSON.parse(raw)));
      } catch (error) {
        this.opts.onError(error);
      }
    });
    await subscriber.subscribe(sessionKeys.controlChannel(prefix, workerId), releasedChannel(prefix));
  }

  /** Sends a command to the owner; returns false when nobody listens on its channel. */
  async send(ownerWorkerId: string, command: ControlCommand): Promise<boolean> {
    const receivers = await this.opts.redis.publish(
      sessionKeys.controlChannel(this.opts.prefix, ownerWorkerId),
      JSON.stringify(command),
    );
    return receivers > 0;
  }

  async announceReleased(): Promise<void> {
    await this.opts.redis.publish(releasedChannel(this.opts.prefix), this.opts.workerId);
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    subscriber.removeAllListeners("message");
    await subscriber.quit().catch(() => subscriber.disconnect());
  }
}

// Live session updates for the dashboard: one Redis subscriber per web process on
// `${prefix}:session-updates` (published by the worker), fanned out to SSE streams in memory.
import { EventEmitter } from "node:events";
import { createRedisConnection } from "@zapflow/queue";
import type { Redis } from "ioredis";
import QRCode from "qrcode";
import type { SessionView } from "./service";

export function sessionUpdatesChannel(prefix: string): string {
  return `${prefix}:session-updates`;
}

interface Hub {
  emitter: EventEmitter;
  subscriber: Redis;
}

const holder = globalThis as unknown as { __zapflowSessionHub?: Hub };

/** Calls `onUpdate` whenever the worker publishes a change of `sessionId`; returns the unsubscribe. */
export function onSessionUpdate(prefix: string, sessionId: string, onUpdate: () => void): () => void {
  if (!holder.__zapflowSessionHub) {
    // A worker-kind connection: reconnects forever and ioredis re-subscribes after a Redis restart.
    const subscriber = createRedisConnection(process.env.REDIS_URL, {
      forWorker: true,
      name: "web-session-updates",
    });
    subscriber.on("error", () => undefined);
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0); // one listener per open dashboard tab; each removes itself on close
    subscriber.on("message", (_channel: string, raw: string) => {
      try {
        const update = JSON.parse(raw) as { sessionId?: unknown };
        if (typeof update.sessionId === "string") emitter.emit(update.sessionId);
      } catch {
        // Malformed messages are ignored: the row poll still delivers the truth.
      }
    });
    void subscriber.subscribe(sessionUpdatesChannel(prefix)).catch(() => undefined);
    holder.__zapflowSessionHub = { emitter, subscriber };
  }
  const { emitter } = holder.__zapflowSessionHub;
  emitter.on(sessionId, onUpdate);
  return () => emitter.off(sessionId, onUpdate);
}

export type LiveSessionView = SessionView & { qrDataUrl: string | null };

/** Adds the QR as a PNG data URL (rendered server-side so the browser needs no QR library). */
export async function withQrImage(view: SessionView): Promise<LiveSessionView> {
  const qrDataUrl = view.qrCode ? await QRCode.toDataURL(view.qrCode, { margin: 1, width: 264 }) : null;
  return { ...view, qrDataUrl };
}

/** Closes the shared subscriber (tests, shutdown); the next listener opens a new one. */
export function closeSessionUpdates(): void {
  const hub = holder.__zapflowSessionHub;
  if (!hub) return;
  holder.__zapflowSessionHub = undefined;
  hub.emitter.removeAllListeners();
  hub.subscriber.disconnect();
}

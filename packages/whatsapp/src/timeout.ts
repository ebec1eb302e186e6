// Time limits for socket operations: a stalled WhatsApp call must never block a session forever.
import { SendError } from "./engine";

/** Rejects with SendError{kind:"timeout"} when `promise` takes longer than `ms`; clears its timer. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendError("timeout", `${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms`, or rejects with SendError{kind:"not_connected"} as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SendError("not_connected", "session closed"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new SendError("not_connected", "session closed"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

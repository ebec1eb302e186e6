// What the worker does when a socket closes, by DisconnectInfo.kind (already classified by the engine).
import { EventSeverity, SessionStatus } from "@zapflow/db";
import type { DisconnectKind } from "@zapflow/whatsapp";

export type DisconnectAction =
  /** Wipe auth, LOGGED_OUT, desired DISCONNECTED, stop. */
  | { do: "logged_out" }
  /** Stop with a final status and desired DISCONNECTED (never reconnect on our own). */
  | { do: "stop"; status: SessionStatus; reason: string; severity: EventSeverity; restricted: boolean }
  /** Reconnect now, not a failure (515 after pairing, WhatsApp asking for a restart). */
  | { do: "reconnect_now" }
  /** Mark restricted, pause outbound, keep the session (logins still work) with backoff. */
  | { do: "restricted_reconnect"; reason: string }
  /** A failure: counts for the breaker, reconnect with backoff and jitter. */
  | { do: "backoff"; reason: string }
  /** We closed it ourselves: the caller already handles state. */
  | { do: "none" };

export function decideDisconnect(kind: DisconnectKind, code?: number, message?: string): DisconnectAction {
  const detail = `${code ?? "?"}${message ? ` ${message}` : ""}`;
  switch (kind) {
    case "closed_by_us":
      return { do: "none" };
    case "logged_out":
      return { do: "logged_out" };
    case "connection_replaced":
      return {
        do: "stop",
        status: SessionStatus.DISCONNECTED,
        reason: `Connection replaced by another client (${detail}); not reconnecting to avoid a tug of war`,
        severity: EventSeverity.WARN,
        restricted: false,
      };
    case "forbidden":
      return {
        do: "stop",
        status: SessionStatus.RESTRICTED,
        reason: `Account banned or forbidden by WhatsApp (${detail}); outbound paused`,
        severity: EventSeverity.CRITICAL,
        restricted: true,
      };
    case "restricted":
      return {
        do: "restricted_reconnect",
        reason: `Account restricted by WhatsApp (${detail}); outbound paused`,
      };
    case "restart_required":
      return { do: "reconnect_now" };
    case "timed_out":
    case "connection_closed":
    case "server_error":
      return { do: "backoff", reason: `${kind.replace(/_/g, " ")} (${detail})` };
  }
}

/** Exponential backoff with full jitter in [50 %, 100 %] of the capped delay. */
export function reconnectDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped * (0.5 + random() * 0.5));
}

// The row changes that go with each session state (what a status write carries besides the status).
import { BreakerState, EventSeverity, type Prisma, SessionDesiredState, SessionStatus } from "@zapflow/db";
import type { StatusChange } from "./status-writer";

/** How long a QR / pairing code is shown as valid (WhatsApp rotates QRs every ~20 s). */
const QR_VALID_MS = 20_000;
const PAIRING_CODE_VALID_MS = 180_000;

/** The session ends on this worker: the row no longer names an owner. */
export const RELEASED_OWNER = {
  ownerWorkerId: null,
  leaseExpiresAt: null,
} satisfies Prisma.WhatsappSessionUpdateInput;

export const CLEARED_PAIRING = {
  qrCode: null,
  qrExpiresAt: null,
  pairingCode: null,
  pairingCodeExpiresAt: null,
} satisfies Prisma.WhatsappSessionUpdateInput;

export const BREAKER_CLOSED = {
  breakerState: BreakerState.CLOSED,
  consecutiveFailures: 0,
  breakerOpenedAt: null,
} satisfies Prisma.WhatsappSessionUpdateInput;

/** The account's identity, written when the engine reports a login. */
export function identityPatch(
  me: { jid: string; phone: string; lid?: string },
  firstPairing: boolean,
): Prisma.WhatsappSessionUpdateInput {
  return {
    jid: me.jid,
    phone: me.phone,
    lid: me.lid ?? null,
    ...(firstPairing ? { pairedAt: new Date() } : {}),
  };
}

/** Final states: the session will not reconnect on its own. */
const ENDED = { ...CLEARED_PAIRING, ...RELEASED_OWNER, desiredState: SessionDesiredState.DISCONNECTED };

export const statusChanges = {
  qr: (qr: string): StatusChange => ({
    status: SessionStatus.AWAITING_QR,
    patch: { qrCode: qr, qrExpiresAt: new Date(Date.now() + QR_VALID_MS), pairingCode: null },
  }),

  pairingCode: (code: string): StatusChange => ({
    status: SessionStatus.AWAITING_PAIRING_CODE,
    patch: {
      pairingCode: code,
      pairingCodeExpiresAt: new Date(Date.now() + PAIRING_CODE_VALID_MS),
      qrCode: null,
      qrExpiresAt: null,
    },
  }),

  connected: (): StatusChange => ({
    status: SessionStatus.CONNECTED,
    patch: { ...CLEARED_PAIRING, pairingPhone: null, connectedAt: new Date(), reconnectAttempts: 0 },
  }),

  stopped: (reason: string): StatusChange => ({
    status: SessionStatus.DISCONNECTED,
    reason,
    patch: { ...CLEARED_PAIRING, ...RELEASED_OWNER },
  }),

  handedOver: (): StatusChange => ({
    status: SessionStatus.RECONNECTING,
    reason: "Worker shutting down; handing the session to another worker",
    prompt: true,
    patch: RELEASED_OWNER,
  }),

  loggedOut: (reason: string, code: number | null): StatusChange => ({
    status: SessionStatus.LOGGED_OUT,
    reason,
    severity: EventSeverity.WARN,
    patch: { ...ENDED, lastDisconnectCode: code, pairedAt: null, connectedAt: null },
  }),

  /** Ended by WhatsApp (replaced, banned): never reconnect on our own. */
  endedByDisconnect: (
    status: SessionStatus,
    reason: string,
    severity: EventSeverity,
    code: number | null,
    pauseOutbound: boolean,
  ): StatusChange => ({
    status,
    reason,
    severity,
    patch: {
      ...ENDED,
      lastDisconnectCode: code,
      lastFailureAt: new Date(),
      lastFailureReason: reason,
      ...(pauseOutbound ? { outboundPausedAt: new Date(), outboundPausedReason: reason } : {}),
    },
  }),

  restricted: (reason: string, code: number | null): StatusChange => ({
    status: SessionStatus.RESTRICTED,
    reason,
    severity: EventSeverity.CRITICAL,
    patch: { lastDisconnectCode: code, outboundPausedAt: new Date(), outboundPausedReason: reason },
  }),

  pairingTimedOut: (code: number | null): StatusChange => ({
    status: SessionStatus.DISCONNECTED,
    reason: "Pairing timed out (QR not scanned)",
    patch: { ...ENDED, lastDisconnectCode: code },
  }),

  halfOpen: (): StatusChange => ({
    status: SessionStatus.RECONNECTING,
    reason: "Circuit breaker half-open: one probe connection",
    eventType: "session.breaker_half_open",
    prompt: true,
    patch: { breakerState: BreakerState.HALF_OPEN },
  }),

  breakerOpened: (
    failures: number,
    lastReason: string,
    openMs: number,
    patch: Prisma.WhatsappSessionUpdateInput,
  ): StatusChange => ({
    status: SessionStatus.FAILED,
    reason: `Circuit breaker open after ${failures} consecutive failures (last: ${lastReason}); retrying in ${Math.round(openMs / 1000)} s`,
    eventType: "session.breaker_opened",
    severity: EventSeverity.ERROR,
    patch,
  }),

  pairingCodeFailed: (error: unknown): StatusChange => ({
    status: SessionStatus.AWAITING_QR,
    reason: `Pairing code request failed: ${error instanceof Error ? error.message : String(error)}`,
    eventType: "session.pairing_code_failed",
    severity: EventSeverity.WARN,
  }),
};

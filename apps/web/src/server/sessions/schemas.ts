// Input/output schemas of the sessions API (outputs are what the REST/OpenAPI layer documents).
import { BreakerState, SessionDesiredState, SessionStatus, WhatsappEngine } from "@zapflow/db";
import { z } from "zod";

export const sessionIdInput = z.object({ id: z.string().min(1, "id is required") });

export const sessionLabel = z
  .string({ error: "label is required" })
  .trim()
  .min(1, "label is required")
  .max(60, "label must be at most 60 characters");

export const pairingPhone = z
  .string({ error: "phone is required" })
  .transform((v) => v.replace(/[\s().+-]/g, ""))
  .pipe(
    z
      .string()
      .regex(/^\d{8,15}$/, "phone must be 8–15 digits including the country code, e.g. 5511987654321"),
  );

const date = z.date().nullable();

export const sessionOutput = z.object({
  id: z.string(),
  label: z.string(),
  phone: z.string().nullable(),
  jid: z.string().nullable(),
  engine: z.enum(WhatsappEngine),
  status: z.enum(SessionStatus),
  desiredState: z.enum(SessionDesiredState),
  qrCode: z.string().nullable(),
  qrExpiresAt: date,
  pairingCode: z.string().nullable(),
  pairingPhone: z.string().nullable(),
  pairingCodeExpiresAt: date,
  ownerWorkerId: z.string().nullable(),
  leaseExpiresAt: date,
  breakerState: z.enum(BreakerState),
  consecutiveFailures: z.number().int(),
  reconnectAttempts: z.number().int(),
  lastFailureAt: date,
  lastFailureReason: z.string().nullable(),
  lastDisconnectCode: z.number().int().nullable(),
  breakerOpenedAt: date,
  outboundPausedAt: date,
  outboundPausedReason: z.string().nullable(),
  pairedAt: date,
  connectedAt: date,
  lastSeenAt: date,
  createdAt: z.date(),
  updatedAt: z.date(),
});

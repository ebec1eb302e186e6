// Webhook body and signature: Zapflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
// The body is fixed per delivery (same bytes on every retry); only the timestamp changes.
import { createHmac } from "node:crypto";

export const SIGNATURE_HEADER = "Zapflow-Signature";
export const EVENT_HEADER = "Zapflow-Event";
export const DELIVERY_HEADER = "Zapflow-Delivery";

export interface DeliveryEnvelope {
  id: string;
  eventType: string;
  createdAt: Date;
  companyId: string;
  payload: unknown;
}

/** The JSON body receivers get: { id, type, createdAt, companyId, data }. */
export function serializeDelivery(d: DeliveryEnvelope): string {
  return JSON.stringify({
    id: d.id,
    type: d.eventType,
    createdAt: d.createdAt.toISOString(),
    companyId: d.companyId,
    data: d.payload,
  });
}

export function signatureHeader(secret: Buffer, rawBody: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** Every header of one attempt (the delivery id lets receivers drop duplicates). */
export function deliveryHeaders(
  d: DeliveryEnvelope,
  secret: Buffer,
  rawBody: string,
): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": "Zapflow-Webhooks/1",
    [SIGNATURE_HEADER]: signatureHeader(secret, rawBody),
    [EVENT_HEADER]: d.eventType,
    [DELIVERY_HEADER]: d.id,
  };
}

// Webhook endpoints: the signing secret is encrypted at rest (AES-256-GCM) and shown once.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@zapflow/db";
import { encryptSecret } from "@zapflow/db/crypto";
import { NotFoundError, ValidationError } from "@zapflow/queue/services/errors";
import {
  checkWebhookTarget,
  WebhookUrlError,
  webhookAllowPrivate,
} from "@zapflow/queue/services/webhook-url";
import { audit } from "../audit";

/** Event types offered in the UI filter (an empty filter means every event). */
export const WEBHOOK_EVENT_TYPES = [
  "message.received",
  "message.sent",
  "message.delivered",
  "message.read",
  "message.failed",
  "message.dead_lettered",
  "session.connected",
  "session.disconnected",
  "session.logged_out",
  "session.restricted",
  "session.outbound_paused",
  "campaign.started",
  "campaign.paused",
  "campaign.completed",
  "contact.opted_out",
] as const;

export const endpointSelect = {
  id: true,
  url: true,
  description: true,
  events: true,
  enabled: true,
  consecutiveFailures: true,
  disabledAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Prisma's Bytes type wants a Uint8Array over a plain ArrayBuffer. */
function encrypted(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encryptSecret(secret));
}

function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

/** The company's endpoint (no secret); another company's id is the same 404 as an unknown one. */
export async function getEndpoint(prisma: PrismaClient, companyId: string, id: string) {
  const row = await prisma.webhookEndpoint.findFirst({ where: { id, companyId }, select: endpointSelect });
  if (!row) throw new NotFoundError("Webhook endpoint", id);
  return row;
}

export function listEndpoints(prisma: PrismaClient, companyId: string) {
  return prisma.webhookEndpoint.findMany({
    where: { companyId },
    orderBy: { createdAt: "asc" },
    select: endpointSelect,
  });
}

/**
 * The same SSRF guard deliveries apply, at save time: a refused URL is a BAD_REQUEST on `url`
 * instead of an endpoint whose every delivery fails. WEBHOOK_ALLOW_PRIVATE is the shared escape hatch.
 */
async function assertDeliverableUrl(url: string): Promise<void> {
  try {
    await checkWebhookTarget(url, webhookAllowPrivate());
  } catch (err) {
    if (!(err instanceof WebhookUrlError)) throw err;
    throw new ValidationError([
      { path: "url", message: `${err.message}; use a public http(s) address your receiver listens on` },
    ]);
  }
}

export interface EndpointInput {
  url: string;
  description?: string | null;
  events: string[];
  enabled?: boolean;
}

export async function createEndpoint(prisma: PrismaClient, companyId: string, input: EndpointInput) {
  await assertDeliverableUrl(input.url);
  const secret = newSecret();
  const row = await prisma.webhookEndpoint.create({
    data: {
      companyId,
      url: input.url,
      description: input.description ?? null,
      events: [...new Set(input.events)],
      enabled: input.enabled ?? true,
      secretEncrypted: encrypted(secret),
    },
    select: endpointSelect,
  });
  await audit(prisma, {
    companyId,
    category: "WEBHOOK",
    type: "webhook.created",
    message: `Webhook endpoint ${input.url} created`,
    data: { endpointId: row.id },
  });
  return { ...row, secret };
}

export async function updateEndpoint(
  prisma: PrismaClient,
  companyId: string,
  id: string,
  input: Partial<EndpointInput>,
) {
  await getEndpoint(prisma, companyId, id);
  if (input.url !== undefined) await assertDeliverableUrl(input.url);
  return prisma.webhookEndpoint.update({
    where: { id },
    data: {
      url: input.url,
      description: input.description,
      events: input.events ? [...new Set(input.events)] : undefined,
      enabled: input.enabled,
      // Re-enabling clears the automatic disable after repeated failures.
      ...(input.enabled ? { disabledAt: null, consecutiveFailures: 0 } : {}),
    },
    select: endpointSelect,
  });
}

export async function rotateSecret(prisma: PrismaClient, companyId: string, id: string) {
  await getEndpoint(prisma, companyId, id);
  const secret = newSecret();
  await prisma.webhookEndpoint.update({ where: { id }, data: { secretEncrypted: encrypted(secret) } });
  await audit(prisma, {
    companyId,
    category: "WEBHOOK",
    type: "webhook.secret_rotated",
    message: "Webhook signing secret rotated",
    data: { endpointId: id },
  });
  return { id, secret };
}

export async function deleteEndpoint(prisma: PrismaClient, companyId: string, id: string) {
  const row = await getEndpoint(prisma, companyId, id);
  await prisma.webhookEndpoint.delete({ where: { id } });
  await audit(prisma, {
    companyId,
    category: "WEBHOOK",
    type: "webhook.deleted",
    message: `Webhook endpoint ${row.url} deleted`,
    data: { endpointId: id },
  });
}

export async function listDeliveries(
  prisma: PrismaClient,
  companyId: string,
  input: { endpointId?: string; cursor?: string; limit: number },
) {
  const rows = await prisma.webhookDelivery.findMany({
    where: { companyId, endpointId: input.endpointId, ...(input.cursor ? { id: { lt: input.cursor } } : {}) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
    select: {
      id: true,
      endpointId: true,
      eventType: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      lastStatusCode: true,
      lastError: true,
      createdAt: true,
      deliveredAt: true,
    },
  });
  const page = rows.slice(0, input.limit);
  return { items: page, nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}

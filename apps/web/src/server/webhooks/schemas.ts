// Input/output shapes of the webhooks API (dashboard tRPC and REST). The outputs also strip what
// must never leave: an endpoint's view has no secret; only create and rotate add it.
import { WebhookDeliveryStatus } from "@zapflow/db";
import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./service";

const url = z
  .url({ protocol: /^https?$/, error: "url must be an http(s) URL" })
  .max(2048, "url must be at most 2048 characters")
  .describe("Where deliveries are POSTed; internal addresses are refused in production");
const events = z
  .array(z.string().regex(/^[a-z_]+\.[a-z_]+$/, "event types look like message.sent"))
  .max(50, "at most 50 event types")
  .describe("Event types to deliver (see GET /webhooks/event-types); empty = every event");
const description = z.string().trim().max(200, "description must be at most 200 characters").nullish();

export const endpointId = z.object({ id: z.string().min(1, "id is required") });

export const createEndpointInput = z.object({
  url,
  description,
  events: events.default([]),
  enabled: z.boolean().optional(),
});

export const updateEndpointInput = endpointId.extend({
  url: url.optional(),
  description,
  events: events.optional(),
  enabled: z.boolean().optional().describe("true also clears an automatic disable after repeated failures"),
});

/** Query strings carry numbers as text, so `limit` is coerced (REST); tRPC sends numbers anyway. */
export const deliveryPage = {
  cursor: z.string().optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

export const eventTypesOutput = z.array(z.enum(WEBHOOK_EVENT_TYPES));

export const endpointOutput = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  consecutiveFailures: z.number().int(),
  disabledAt: z.date().nullable().describe("Set when repeated failures disabled the endpoint"),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const secret = z.string().describe("Signing secret (whsec_…): shown only here, store it now");

export const createdEndpointOutput = endpointOutput.extend({ secret });

export const rotatedSecretOutput = z.object({ id: z.string(), secret });

export const deliveryPageOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      endpointId: z.string(),
      eventType: z.string(),
      status: z.enum(WebhookDeliveryStatus),
      attempts: z.number().int(),
      nextAttemptAt: z.date(),
      lastStatusCode: z.number().int().nullable(),
      lastError: z.string().nullable(),
      createdAt: z.date(),
      deliveredAt: z.date().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

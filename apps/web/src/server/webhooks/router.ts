// Webhook endpoints: dashboard (tRPC, company owners/admins) and integrators (REST via
// trpc-to-openapi, API keys with scope webhooks:manage).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { type CompanyRole, companyProcedure, createTRPCRouter } from "../trpc";
import {
  createdEndpointOutput,
  createEndpointInput,
  deliveryPage,
  deliveryPageOutput,
  endpointId,
  endpointOutput,
  eventTypesOutput,
  rotatedSecretOutput,
  updateEndpointInput,
} from "./schemas";
import * as webhooks from "./service";

const MANAGERS: ReadonlySet<CompanyRole> = new Set(["OWNER", "ADMIN", "API_KEY"]);

/**
 * Endpoints receive every event of the company and their secrets sign them, so dashboard members
 * are refused; API keys get here only holding webhooks:manage (companyProcedure checks the scope).
 */
const manage = companyProcedure.meta({ scope: "webhooks:manage" }).use(({ ctx, next }) => {
  if (!MANAGERS.has(ctx.role)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only company owners and admins can do this" });
  }
  return next();
});

const tags = ["webhooks"];

export const webhooksRouter = createTRPCRouter({
  // Registered before `get`: REST matches routes in order and /webhooks/{id} would take this path.
  eventTypes: manage
    .meta({
      openapi: { method: "GET", path: "/webhooks/event-types", tags, summary: "List webhook event types" },
    })
    .output(eventTypesOutput)
    .query(() => [...webhooks.WEBHOOK_EVENT_TYPES]),

  list: manage
    .meta({ openapi: { method: "GET", path: "/webhooks", tags, summary: "List webhook endpoints" } })
    .output(z.object({ items: z.array(endpointOutput) })) // { items } like every other list route
    .query(async ({ ctx }) => ({ items: await webhooks.listEndpoints(ctx.prisma, ctx.companyId) })),

  get: manage
    .meta({ openapi: { method: "GET", path: "/webhooks/{id}", tags, summary: "Get a webhook endpoint" } })
    .input(endpointId)
    .output(endpointOutput)
    .query(({ ctx, input }) => webhooks.getEndpoint(ctx.prisma, ctx.companyId, input.id)),

  create: manage
    .meta({
      openapi: {
        method: "POST",
        path: "/webhooks",
        tags,
        summary: "Create a webhook endpoint (answers its signing secret, once)",
      },
    })
    .input(createEndpointInput)
    .output(createdEndpointOutput)
    .mutation(({ ctx, input }) => webhooks.createEndpoint(ctx.prisma, ctx.companyId, input)),

  update: manage
    .meta({
      openapi: { method: "PATCH", path: "/webhooks/{id}", tags, summary: "Edit a webhook endpoint" },
    })
    .input(updateEndpointInput)
    .output(endpointOutput)
    .mutation(({ ctx, input }) => webhooks.updateEndpoint(ctx.prisma, ctx.companyId, input.id, input)),

  rotateSecret: manage
    .meta({
      openapi: {
        method: "POST",
        path: "/webhooks/{id}/rotate-secret",
        tags,
        summary: "Replace the signing secret (answers the new one, once)",
      },
    })
    .input(endpointId)
    .output(rotatedSecretOutput)
    .mutation(({ ctx, input }) => webhooks.rotateSecret(ctx.prisma, ctx.companyId, input.id)),

  delete: manage
    .meta({
      openapi: { method: "DELETE", path: "/webhooks/{id}", tags, summary: "Delete a webhook endpoint" },
    })
    .input(endpointId)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await webhooks.deleteEndpoint(ctx.prisma, ctx.companyId, input.id);
      return { ok: true as const };
    }),

  /** Dashboard delivery log: every endpoint's, or one's. */
  deliveries: manage
    .input(z.object({ endpointId: z.string().optional(), ...deliveryPage }))
    .output(deliveryPageOutput)
    .query(({ ctx, input }) => webhooks.listDeliveries(ctx.prisma, ctx.companyId, input)),

  /** The same log for one endpoint, as REST wants it: the endpoint in the path (a path id is required). */
  endpointDeliveries: manage
    .meta({
      openapi: {
        method: "GET",
        path: "/webhooks/{id}/deliveries",
        tags,
        summary: "List an endpoint's recent deliveries (newest first)",
      },
    })
    .input(endpointId.extend(deliveryPage))
    .output(deliveryPageOutput)
    .query(async ({ ctx, input }) => {
      // An id that is not the company's is a 404 here, not an empty page.
      await webhooks.getEndpoint(ctx.prisma, ctx.companyId, input.id);
      return webhooks.listDeliveries(ctx.prisma, ctx.companyId, { ...input, endpointId: input.id });
    }),
});

import { z } from "zod";
import { companyAdminProcedure, createTRPCRouter } from "../trpc";
import * as webhooks from "./service";

const url = z
  .url({ protocol: /^https?$/, error: "url must be an http(s) URL" })
  .max(2048, "url must be at most 2048 characters");
const events = z
  .array(z.string().regex(/^[a-z_]+\.[a-z_]+$/, "event types look like message.sent"))
  .max(50, "at most 50 event types");
const idInput = z.object({ id: z.string().min(1) });

export const webhooksRouter = createTRPCRouter({
  eventTypes: companyAdminProcedure.query(() => webhooks.WEBHOOK_EVENT_TYPES),
  list: companyAdminProcedure.query(({ ctx }) => webhooks.listEndpoints(ctx.prisma, ctx.companyId)),
  create: companyAdminProcedure
    .input(
      z.object({
        url,
        description: z.string().trim().max(200).nullish(),
        events: events.default([]),
        enabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => webhooks.createEndpoint(ctx.prisma, ctx.companyId, input)),
  update: companyAdminProcedure
    .input(
      idInput.extend({
        url: url.optional(),
        description: z.string().trim().max(200).nullish(),
        events: events.optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .mutation(({ ctx, input }) => webhooks.updateEndpoint(ctx.prisma, ctx.companyId, input.id, input)),
  rotateSecret: companyAdminProcedure
    .input(idInput)
    .mutation(({ ctx, input }) => webhooks.rotateSecret(ctx.prisma, ctx.companyId, input.id)),
  delete: companyAdminProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await webhooks.deleteEndpoint(ctx.prisma, ctx.companyId, input.id);
    return { ok: true as const };
  }),
  deliveries: companyAdminProcedure
    .input(
      z.object({
        endpointId: z.string().optional(),
        cursor: z.string().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => webhooks.listDeliveries(ctx.prisma, ctx.companyId, input)),
});

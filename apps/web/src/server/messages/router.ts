import { MessageSource } from "@zapflow/db";
import { acceptOutboundMessage, acceptOutboundMessages } from "@zapflow/queue/services/messages";
import { z } from "zod";
import type { CompanyRole } from "../trpc";
import { companyProcedure, createTRPCRouter } from "../trpc";
import { dlqRouter } from "./dlq-router";
import { acceptOutput, listInput, messageOutput, sendBody } from "./schemas";
import * as messages from "./service";

const read = companyProcedure.meta({ scope: "messages:read" });
const write = companyProcedure.meta({ scope: "messages:write" });

const sourceOf = (role: CompanyRole) => (role === "API_KEY" ? MessageSource.API : MessageSource.DASHBOARD);

const bulkItemResult = z.object({
  index: z.number().int(),
  messageId: z.string().optional(),
  waMessageId: z.string().optional(),
  duplicate: z.boolean().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const messagesRouter = createTRPCRouter({
  dlq: dlqRouter,

  send: write
    .meta({
      scope: "messages:write",
      openapi: {
        method: "POST",
        path: "/messages",
        tags: ["messages"],
        summary: "Send a message (queued, idempotent with idempotencyKey)",
      },
    })
    .input(sendBody)
    .output(acceptOutput)
    .mutation(async ({ ctx, input }) => {
      const result = await acceptOutboundMessage(ctx, ctx.companyId, input, { source: sourceOf(ctx.role) });
      return { ...result, message: messages.toMessageView(result.message) };
    }),

  sendBulk: write
    .meta({
      scope: "messages:write",
      openapi: {
        method: "POST",
        path: "/messages/bulk",
        tags: ["messages"],
        summary: "Send up to 1,000 messages at once",
      },
    })
    .input(
      z.object({
        messages: z
          .array(sendBody)
          .min(1, "messages must not be empty")
          .max(1000, "at most 1,000 messages per call"),
      }),
    )
    .output(
      z.object({
        results: z.array(bulkItemResult),
        accepted: z.number().int(),
        refused: z.number().int(),
        enqueued: z.boolean(),
      }),
    )
    .mutation(({ ctx, input }) =>
      acceptOutboundMessages(ctx, ctx.companyId, input.messages, { source: sourceOf(ctx.role) }),
    ),

  get: read
    .meta({
      scope: "messages:read",
      openapi: { method: "GET", path: "/messages/{id}", tags: ["messages"], summary: "Get a message" },
    })
    .input(z.object({ id: z.string().min(1) }))
    .output(messageOutput)
    .query(({ ctx, input }) => messages.getMessage(ctx.prisma, ctx.companyId, input.id)),

  list: read
    .meta({
      scope: "messages:read",
      openapi: {
        method: "GET",
        path: "/messages",
        tags: ["messages"],
        summary: "List messages (newest first)",
      },
    })
    .input(listInput)
    .output(z.object({ items: z.array(messageOutput), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => messages.listMessages(ctx.prisma, ctx.companyId, input)),

  chats: read
    .input(z.object({ sessionId: z.string().min(1) }))
    .query(({ ctx, input }) => messages.listChats(ctx.prisma, ctx.companyId, input.sessionId)),

  queueDepths: read.query(({ ctx }) => messages.sendQueueDepths(ctx, ctx.companyId)),

  stats: read
    .input(z.object({ hours: z.number().int().min(1).max(168).default(24) }).optional())
    .query(async ({ ctx, input }) => ({
      hourly: await messages.hourlyStats(ctx.prisma, ctx.companyId, input?.hours ?? 24),
      byStatus: await messages.statusCounts(ctx.prisma, ctx.companyId),
    })),
});

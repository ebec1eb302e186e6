// Dead-letter queue of the company: list with filters, retry or discard one or many.
import {
  discardDeadLetters,
  dlqFilter,
  listDeadLetters,
  retryDeadLetters,
} from "@zapflow/queue/services/dlq";
import { z } from "zod";
import { companyProcedure, createTRPCRouter } from "../trpc";

const ids = z.object({
  ids: z.array(z.string().min(1)).min(1, "select at least one message").max(1000, "at most 1000 at once"),
});

export const dlqRouter = createTRPCRouter({
  list: companyProcedure
    .meta({ scope: "messages:read" })
    .input(dlqFilter)
    .query(({ ctx, input }) => listDeadLetters(ctx, ctx.companyId, input)),
  retry: companyProcedure
    .meta({ scope: "messages:write" })
    .input(ids)
    .mutation(async ({ ctx, input }) => ({ retried: await retryDeadLetters(ctx, ctx.companyId, input.ids) })),
  discard: companyProcedure
    .meta({ scope: "messages:write" })
    .input(ids)
    .mutation(async ({ ctx, input }) => ({
      discarded: await discardDeadLetters(ctx, ctx.companyId, input.ids),
    })),
});

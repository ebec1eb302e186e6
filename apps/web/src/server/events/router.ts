import { EventCategory, EventSeverity } from "@zapflow/db";
import { z } from "zod";
import { companyProcedure, createTRPCRouter } from "../trpc";
import { listEvents } from "./service";

export const eventsRouter = createTRPCRouter({
  list: companyProcedure
    .meta({ scope: "events:read" })
    .input(
      z.object({
        category: z.enum(EventCategory).optional(),
        severity: z.enum(EventSeverity).optional(),
        sessionId: z.string().optional(),
        type: z.string().max(100).optional(),
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        cursor: z.string().regex(/^\d+$/, "cursor must be an event id").optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => listEvents(ctx.prisma, ctx.companyId, input)),
});

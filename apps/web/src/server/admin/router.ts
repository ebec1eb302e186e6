import { rateLimitPolicyInput } from "@zapflow/queue";
import { z } from "zod";
import { getPolicy, updatePolicy } from "../limits/service";
import { adminProcedure, createTRPCRouter } from "../trpc";
import * as admin from "./service";

const companyIdInput = z.object({ companyId: z.string().min(1, "companyId is required") });

export const adminRouter = createTRPCRouter({
  companies: adminProcedure.query(({ ctx }) => admin.listCompanies(ctx.prisma)),
  stats: adminProcedure.query(({ ctx }) => admin.platformStats(ctx.prisma)),
  queueMetrics: adminProcedure.query(({ ctx }) => admin.queueMetrics(ctx.queues)),
  pauseAllQueues: adminProcedure.mutation(({ ctx }) =>
    admin.setAllQueuesPaused(ctx.prisma, ctx.queues, true, ctx.user.userId),
  ),
  resumeAllQueues: adminProcedure.mutation(({ ctx }) =>
    admin.setAllQueuesPaused(ctx.prisma, ctx.queues, false, ctx.user.userId),
  ),
  companyPolicy: adminProcedure
    .input(companyIdInput)
    .query(({ ctx, input }) => getPolicy(ctx.prisma, input.companyId)),
  updateCompanyPolicy: adminProcedure
    .input(companyIdInput.extend({ policy: rateLimitPolicyInput }))
    .mutation(({ ctx, input }) => updatePolicy(ctx, input.companyId, input.policy, ctx.user.userId)),
});

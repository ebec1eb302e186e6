import { companyProcedure, createTRPCRouter } from "../trpc";
import * as limits from "./service";

/** Company side (read-only). Platform admins edit policies in the admin router. */
export const limitsRouter = createTRPCRouter({
  policy: companyProcedure.query(({ ctx }) => limits.getPolicy(ctx.prisma, ctx.companyId)),
  usage: companyProcedure.query(({ ctx }) => limits.getUsage(ctx, ctx.companyId)),
});

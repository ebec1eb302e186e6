import { z } from "zod";
import { API_SCOPES } from "../auth/scopes";
import { companyAdminProcedure, createTRPCRouter } from "../trpc";
import * as apiKeys from "./service";

export const apiKeysRouter = createTRPCRouter({
  scopes: companyAdminProcedure.query(() => API_SCOPES),
  list: companyAdminProcedure.query(({ ctx }) => apiKeys.listApiKeys(ctx.prisma, ctx.companyId)),
  create: companyAdminProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, "name is required").max(80, "name must be at most 80 characters"),
        scopes: z.array(z.enum(API_SCOPES, { error: "unknown scope" })).min(1, "choose at least one scope"),
        expiresAt: z.coerce
          .date({ error: "expiresAt must be a date" })
          .refine((d) => d.getTime() > Date.now(), "expiresAt must be in the future")
          .nullish(),
      }),
    )
    .mutation(({ ctx, input }) => apiKeys.createApiKey(ctx.prisma, ctx.companyId, input, ctx.userId)),
  revoke: companyAdminProcedure
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => apiKeys.revokeApiKey(ctx.prisma, ctx.companyId, input.id, ctx.userId)),
});

// tRPC building blocks for every router. Procedures:
// - publicProcedure: anyone.
// - protectedProcedure: a signed-in dashboard user.
// - companyProcedure: acts on ONE company — the user's verified membership (company chosen with
//   the switcher, re-checked against the DB on every call) or the API key's company. API keys may
//   only call procedures whose meta names a scope they hold: `.meta({ scope: "messages:write" })`.
// - companyAdminProcedure: companyProcedure for OWNER/ADMIN users only (keys, webhooks, settings).
// - adminProcedure: platform admins (cross-company tools under /admin).
import { initTRPC, TRPCError } from "@trpc/server";
import type { MembershipRole } from "@zapflow/db";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { ApiScope } from "./auth/scopes";
import type { TRPCContext } from "./context";
import { fieldErrorsOf, toTRPCError } from "./errors";

export type CompanyRole = MembershipRole | "API_KEY";
export type ProcedureMeta = OpenApiMeta<{ scope?: ApiScope }>;

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      return {
        ...shape,
        data: {
          ...shape.data,
          fieldErrors: error.code === "BAD_REQUEST" ? fieldErrorsOf(error.cause) : null,
          stack: process.env.NODE_ENV === "production" ? undefined : shape.data.stack,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain/Prisma/Redis errors from services become 4xx/503 instead of 500. */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

const rejectBadCredentials = t.middleware(({ ctx, next }) => {
  if (ctx.authError) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError });
  return next();
});

export const publicProcedure = t.procedure.use(mapServiceErrors).use(rejectBadCredentials);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const principal = ctx.principal;
  if (principal?.kind !== "user") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, user: principal } });
});

export const companyProcedure = publicProcedure.use(async ({ ctx, meta, next }) => {
  const principal = ctx.principal;
  if (!principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API key" });
  if (principal.kind === "apiKey") {
    if (!meta?.scope) throw new TRPCError({ code: "FORBIDDEN", message: "Not available to API keys" });
    if (!principal.scopes.includes(meta.scope)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `API key lacks scope ${meta.scope}` });
    }
    return next({
      ctx: {
        ...ctx,
        companyId: principal.companyId,
        userId: undefined as string | undefined,
        role: "API_KEY" as CompanyRole,
        apiKeyId: principal.apiKeyId as string | undefined,
      },
    });
  }
  const membership = await activeMembership(ctx, principal.userId, principal.activeCompanyId);
  if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any company" });
  return next({
    ctx: {
      ...ctx,
      companyId: membership.companyId,
      userId: principal.userId as string | undefined,
      role: membership.role as CompanyRole,
      apiKeyId: undefined as string | undefined,
    },
  });
});

/** The chosen company if the user still belongs to it, else their oldest membership. */
async function activeMembership(ctx: TRPCContext, userId: string, companyId: string | null) {
  if (companyId) {
    const chosen = await ctx.prisma.membership.findUnique({
      where: { userId_companyId: { userId, companyId } },
    });
    if (chosen) return chosen;
  }
  return ctx.prisma.membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" } });
}

export const companyAdminProcedure = companyProcedure.use(({ ctx, next }) => {
  if (ctx.role !== "OWNER" && ctx.role !== "ADMIN") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only company owners and admins can do this" });
  }
  return next();
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isPlatformAdmin) throw new TRPCError({ code: "FORBIDDEN", message: "Platform admins only" });
  return next();
});

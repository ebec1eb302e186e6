import { z } from "zod";
import { companyAdminProcedure, companyProcedure, createTRPCRouter } from "../trpc";
import { pairingPhone, sessionIdInput, sessionLabel, sessionOutput } from "./schemas";
import * as sessions from "./service";

const read = companyProcedure.meta({ scope: "sessions:read" });
const write = companyProcedure.meta({ scope: "sessions:write" });

function lifecycle(action: "start" | "stop" | "logout" | "restart") {
  return write
    .meta({
      scope: "sessions:write",
      openapi: {
        method: "POST",
        path: `/sessions/{id}/${action}`,
        tags: ["sessions"],
        summary: `${action} a session`,
      },
    })
    .input(sessionIdInput)
    .output(sessionOutput)
    .mutation(({ ctx, input }) => sessions.requestLifecycle(ctx, ctx.companyId, input.id, action));
}

export const sessionsRouter = createTRPCRouter({
  list: read
    .meta({
      scope: "sessions:read",
      openapi: { method: "GET", path: "/sessions", tags: ["sessions"], summary: "List sessions" },
    })
    .input(z.object({}).optional())
    .output(z.object({ items: z.array(sessionOutput) }))
    .query(async ({ ctx }) => ({ items: await sessions.listSessions(ctx.prisma, ctx.companyId) })),

  get: read
    .meta({
      scope: "sessions:read",
      openapi: { method: "GET", path: "/sessions/{id}", tags: ["sessions"], summary: "Get a session" },
    })
    .input(sessionIdInput)
    .output(sessionOutput)
    .query(({ ctx, input }) => sessions.getSession(ctx.prisma, ctx.companyId, input.id)),

  create: write
    .meta({
      scope: "sessions:write",
      openapi: { method: "POST", path: "/sessions", tags: ["sessions"], summary: "Create a session" },
    })
    .input(z.object({ label: sessionLabel }))
    .output(sessionOutput)
    .mutation(({ ctx, input }) => sessions.createSession(ctx.prisma, ctx.companyId, input.label)),

  rename: write
    .input(sessionIdInput.extend({ label: sessionLabel }))
    .mutation(({ ctx, input }) => sessions.renameSession(ctx.prisma, ctx.companyId, input.id, input.label)),

  delete: companyAdminProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
    await sessions.deleteSession(ctx, ctx.companyId, input.id);
    return { ok: true as const };
  }),

  start: lifecycle("start"),
  stop: lifecycle("stop"),
  logout: lifecycle("logout"),
  restart: lifecycle("restart"),

  requestPairingCode: write
    .input(sessionIdInput.extend({ phone: pairingPhone }))
    .mutation(({ ctx, input }) => sessions.requestPairingCode(ctx, ctx.companyId, input.id, input.phone)),

  breaker: read
    .input(sessionIdInput)
    .query(({ ctx, input }) => sessions.breakerStats(ctx.prisma, ctx.companyId, input.id)),

  resetBreaker: companyAdminProcedure
    .input(sessionIdInput)
    .mutation(({ ctx, input }) => sessions.resetBreaker(ctx.prisma, ctx.companyId, input.id)),
});

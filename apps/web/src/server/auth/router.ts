import { createTRPCRouter, protectedProcedure } from "../trpc";

export const authRouter = createTRPCRouter({
  /** The signed-in user and the companies they can switch to. */
  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await ctx.prisma.user.findUniqueOrThrow({
      where: { id: ctx.user.userId },
      select: { id: true, email: true, name: true, isPlatformAdmin: true },
    });
    const memberships = await ctx.prisma.membership.findMany({
      where: { userId: ctx.user.userId },
      orderBy: { createdAt: "asc" },
      select: { role: true, company: { select: { id: true, name: true, slug: true } } },
    });
    const activeId = memberships.some((m) => m.company.id === ctx.user.activeCompanyId)
      ? ctx.user.activeCompanyId
      : (memberships[0]?.company.id ?? null);
    return { user, memberships, activeCompanyId: activeId };
  }),
});

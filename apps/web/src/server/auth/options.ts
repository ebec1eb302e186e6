// next-auth 4: email + password (bcrypt) → JWT session. The JWT carries the user id, the
// platform-admin flag and the company chosen with the switcher (membership verified here).
import { getPrisma } from "@zapflow/db";
import { verifyPassword } from "@zapflow/db/passwords";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";

const credentialsInput = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1),
});

declare module "next-auth" {
  interface Session {
    user: {
      id: string;
      email: string;
      name: string | null;
      isPlatformAdmin: boolean;
      activeCompanyId: string | null;
    };
  }
  interface User {
    isPlatformAdmin: boolean;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    userId?: string;
    isPlatformAdmin?: boolean;
    activeCompanyId?: string | null;
  }
}

async function firstCompanyId(userId: string): Promise<string | null> {
  const m = await getPrisma().membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" } });
  return m?.companyId ?? null;
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/signin" },
  secret:
    process.env.NEXTAUTH_SECRET ?? (process.env.NODE_ENV === "production" ? undefined : "zapflow-dev-secret"),
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(raw) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) return null;
        const prisma = getPrisma();
        const user = await prisma.user.findUnique({ where: { email: parsed.data.email } });
        if (!user || !(await verifyPassword(parsed.data.password, user.passwordHash))) return null;
        await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        return { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user, trigger, session }) {
      if (user) {
        token.userId = user.id;
        token.isPlatformAdmin = user.isPlatformAdmin;
        token.activeCompanyId = await firstCompanyId(user.id);
      }
      // Company switcher: accept the requested company only if the user is a member of it.
      if (trigger === "update" && token.userId) {
        const requested = (session as { companyId?: unknown } | undefined)?.companyId;
        if (typeof requested === "string") {
          const membership = await getPrisma().membership.findUnique({
            where: { userId_companyId: { userId: token.userId, companyId: requested } },
          });
          if (membership) token.activeCompanyId = requested;
        }
      }
      return token;
    },
    session({ session, token }) {
      session.user = {
        id: token.userId ?? "",
        email: token.email ?? "",
        name: token.name ?? null,
        isPlatformAdmin: token.isPlatformAdmin ?? false,
        activeCompanyId: token.activeCompanyId ?? null,
      };
      return session;
    },
  },
};

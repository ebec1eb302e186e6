// Server-side session helpers for pages and route handlers (guards).
import { getServerSession } from "next-auth";
import { getServerDeps } from "../deps";
import { authOptions } from "./options";

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  activeCompanyId: string | null;
}

/** The signed-in user with the admin flag re-read from the DB; null when signed out or deleted. */
export async function currentUser(): Promise<SignedInUser | null> {
  const session = await getServerSession(authOptions);
  if (!session?.user?.id) return null;
  const row = await getServerDeps().prisma.user.findUnique({
    where: { id: session.user.id },
    select: { id: true, email: true, name: true, isPlatformAdmin: true },
  });
  return row ? { ...row, activeCompanyId: session.user.activeCompanyId } : null;
}

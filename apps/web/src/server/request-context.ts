// Builds the tRPC context for an HTTP request: an API key (Authorization: Bearer zf_...) wins;
// otherwise the next-auth session cookie, when the endpoint accepts sessions.
import { getServerSession } from "next-auth";
import { bearerApiKey, resolveApiKey } from "./auth/api-key";
import { authOptions } from "./auth/options";
import { createInnerContext, type TRPCContext } from "./context";
import { getServerDeps, type ServerDeps } from "./deps";

export async function createRequestContext(
  req: Request,
  opts: { allowSession: boolean },
  deps: ServerDeps = getServerDeps(),
): Promise<TRPCContext> {
  const key = bearerApiKey(req.headers.get("authorization"));
  if (key) {
    const resolved = await resolveApiKey(deps.prisma, key);
    return resolved.ok
      ? createInnerContext(deps, resolved.principal)
      : createInnerContext(deps, null, resolved.reason);
  }
  if (!opts.allowSession) return createInnerContext(deps, null);
  const session = await getServerSession(authOptions);
  const user = session?.user;
  if (!user?.id) return createInnerContext(deps, null);
  // The JWT lives for days: the admin flag (and the user's existence) come from the DB, not the token.
  const row = await deps.prisma.user.findUnique({
    where: { id: user.id },
    select: { isPlatformAdmin: true },
  });
  if (!row) return createInnerContext(deps, null);
  return createInnerContext(deps, {
    kind: "user",
    userId: user.id,
    isPlatformAdmin: row.isPlatformAdmin,
    activeCompanyId: user.activeCompanyId,
  });
}

import { getBullBoard } from "@/server/admin/bull-board";
import { currentUser } from "@/server/auth/session";
import { getServerDeps } from "@/server/deps";

export const dynamic = "force-dynamic";

/** Bull Board has no auth of its own: platform admins only. */
async function handler(req: Request): Promise<Response> {
  const user = await currentUser();
  if (!user) {
    const signin = new URL("/signin", req.url);
    signin.searchParams.set("callbackUrl", new URL(req.url).pathname);
    return Response.redirect(signin, 303);
  }
  if (!user.isPlatformAdmin) return new Response("Platform admins only", { status: 403 });
  const board = getBullBoard(getServerDeps());
  await board.refresh().catch(() => undefined);
  return board.app.fetch(req);
}

export { handler as GET, handler as POST, handler as PUT, handler as DELETE, handler as PATCH };

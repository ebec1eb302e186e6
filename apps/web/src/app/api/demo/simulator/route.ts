import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { createRequestContext } from "@/server/request-context";
import { createCaller } from "@/server/root";
import { demoModeEnabled, runDemoAction } from "@/server/sessions/demo";

export const dynamic = "force-dynamic";

const body = z.discriminatedUnion("action", [
  z.object({ action: z.literal("scan"), sessionId: z.string().min(1) }),
  z.object({ action: z.literal("confirm-code"), sessionId: z.string().min(1) }),
]);

export async function POST(req: Request) {
  if (!demoModeEnabled()) return Response.json({ error: "Demo mode is off" }, { status: 404 });
  const parsed = body.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: z.prettifyError(parsed.error) }, { status: 400 });
  const caller = createCaller(await createRequestContext(req, { allowSession: true }));
  try {
    // Tenancy: the session must belong to the caller's company.
    const session = await caller.sessions.get({ id: parsed.data.sessionId });
    if (parsed.data.action === "scan") {
      const result = await runDemoAction({ action: "scan", sessionId: session.id, label: session.label });
      return Response.json(result, { status: result.status });
    }
    if (!session.pairingCode) return Response.json({ error: "No pairing code is waiting" }, { status: 409 });
    const result = await runDemoAction({
      action: "confirm-code",
      sessionId: session.id,
      code: session.pairingCode,
    });
    return Response.json(result, { status: result.status });
  } catch (err) {
    if (err instanceof TRPCError)
      return Response.json({ error: err.message }, { status: getHTTPStatusCodeFromError(err) });
    throw err;
  }
}

// Server-sent events: the session's state (status, QR image, pairing code) whenever the worker
// publishes a change, plus a row poll as a fallback when pub/sub is down or a message was missed.

import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getServerDeps } from "@/server/deps";
import { createRequestContext } from "@/server/request-context";
import { createCaller } from "@/server/root";
import { onSessionUpdate, withQrImage } from "@/server/sessions/live";

export const dynamic = "force-dynamic";

const POLL_MS = 3_000;
const HEARTBEAT_MS = 15_000;

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const deps = getServerDeps();
  const caller = createCaller(await createRequestContext(req, { allowSession: true }, deps));
  // Membership and tenancy are checked by the same procedure the dashboard uses.
  const load = async () => withQrImage(await caller.sessions.get({ id }));
  let first: Awaited<ReturnType<typeof load>>;
  try {
    first = await load();
  } catch (err) {
    const status = err instanceof TRPCError ? getHTTPStatusCodeFromError(err) : 500;
    return new Response(err instanceof Error ? err.message : "error", { status });
  }

  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let last = "";
      let closed = false;
      const send = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      const push = (view: typeof first) => {
        const json = JSON.stringify(view);
        if (json === last) return;
        last = json;
        send(`event: session\ndata: ${json}\n\n`);
      };
      let refreshing = false;
      const refresh = async () => {
        if (refreshing || closed) return;
        refreshing = true;
        try {
          push(await load());
        } catch {
          send(`event: gone\ndata: {}\n\n`); // deleted, or the user lost access
          cleanup();
        } finally {
          refreshing = false;
        }
      };
      const unsubscribe = onSessionUpdate(deps.prefix, id, () => void refresh());
      const poll = setInterval(() => void refresh(), POLL_MS);
      const heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(poll);
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      req.signal.addEventListener("abort", () => cleanup());
      push(first);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
    },
  });
}

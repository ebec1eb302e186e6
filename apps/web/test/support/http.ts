// Calls the real HTTP handlers (tRPC fetch adapter with the app's error formatter; the REST
// handler) in-process with a Request, so tests see exactly what a browser or integrator gets.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import type { Principal } from "@/server/auth/principal";
import { createInnerContext } from "@/server/context";
import type { ServerDeps } from "@/server/deps";
import { handleRestRequest } from "@/server/rest";
import { appRouter } from "@/server/root";

export interface TrpcErrorBody {
  message: string;
  data: { code: string; httpStatus: number; fieldErrors: Record<string, string[]> | null };
}

export async function trpcMutation(deps: ServerDeps, principal: Principal, path: string, input: unknown) {
  const req = new Request(`http://test/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(superjson.serialize(input)),
  });
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createInnerContext(deps, principal),
  });
  const body = (await res.json()) as {
    error?: { json: TrpcErrorBody };
    result?: { data: { json: unknown } };
  };
  return { status: res.status, error: body.error?.json, data: body.result?.data.json };
}

export async function rest(
  deps: ServerDeps,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const req = new Request(`http://test/api/v1${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const res = await handleRestRequest(req, deps);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

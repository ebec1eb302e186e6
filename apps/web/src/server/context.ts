// tRPC context: server dependencies + who is calling. The company a call acts on is derived in
// trpc.ts from this principal (session membership or API key), never from client input.
import type { Principal } from "./auth/principal";
import type { ServerDeps } from "./deps";

export interface TRPCContext extends ServerDeps {
  principal: Principal | null;
  /** Why credentials that were presented were rejected (e.g. "API key revoked"): answered as 401. */
  authError: string | null;
}

export function createInnerContext(
  deps: ServerDeps,
  principal: Principal | null,
  authError: string | null = null,
): TRPCContext {
  return { ...deps, principal, authError };
}

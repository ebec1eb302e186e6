// The upload route is a plain route handler (its body is a file, not JSON), so it authorizes through
// a companyProcedure: API keys need scope messages:write, sessions a verified membership, exactly as
// for POST /messages. Not mounted on the app router: only the route handler calls it.
import type { TRPCContext } from "../context";
import { companyProcedure, createCallerFactory, createTRPCRouter } from "../trpc";

const uploadAuthRouter = createTRPCRouter({
  company: companyProcedure.meta({ scope: "messages:write" }).query(({ ctx }) => ctx.companyId),
});

const createUploadAuthCaller = createCallerFactory(uploadAuthRouter);

/** The company the caller uploads for; throws UNAUTHORIZED / FORBIDDEN like every procedure. */
export function uploadCompanyId(ctx: TRPCContext): Promise<string> {
  return createUploadAuthCaller(ctx).company();
}

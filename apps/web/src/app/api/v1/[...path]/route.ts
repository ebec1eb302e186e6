import { handleRestRequest } from "@/server/rest";

export const dynamic = "force-dynamic";

const handler = (req: Request) => handleRestRequest(req);

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };

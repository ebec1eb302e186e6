import { getServerDeps } from "@/server/deps";
import { checkHealth } from "@/server/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth(getServerDeps());
  return Response.json(
    { status: health.ok ? "ok" : "unhealthy", ...health },
    { status: health.ok ? 200 : 503 },
  );
}

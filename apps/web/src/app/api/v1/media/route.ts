import { handleMediaUpload } from "@/server/media/handler";

export const dynamic = "force-dynamic";

export const POST = (req: Request) => handleMediaUpload(req);

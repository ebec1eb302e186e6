// Background download of inbound media into storage (retried by BullMQ; only the session's owner
// holds the socket that can fetch it). mediaStatus PENDING → DOWNLOADED, or FAILED when out of tries.
import { MediaStatus, type PrismaClient } from "@zapflow/db";
import { inboundMediaKey, type MediaStorage } from "@zapflow/db/storage";
import type { MediaDownloadJob } from "@zapflow/queue";
import type { Job } from "bullmq";
import type { SessionBus } from "../session-bus";

export async function processMediaDownload(
  deps: { prisma: PrismaClient; bus: SessionBus; storage: MediaStorage },
  data: MediaDownloadJob,
  job: Job,
): Promise<"downloaded" | "skipped"> {
  const { prisma } = deps;
  const row = await prisma.message.findFirst({
    where: { id: data.messageId, companyId: data.companyId },
    select: { id: true, payload: true, mediaStatus: true },
  });
  if (!row || row.mediaStatus !== MediaStatus.PENDING) return "skipped";
  try {
    const owned = deps.bus.get(data.sessionId);
    if (!owned) throw new Error(`session ${data.sessionId} is not connected on this worker`);
    const payload = row.payload as { mediaRef?: unknown; mimeType?: string };
    const bytes = await owned.engine.downloadMedia(payload.mediaRef);
    const key = inboundMediaKey(data.companyId, row.id);
    await deps.storage.write(key, bytes, payload.mimeType);
    await prisma.message.updateMany({
      where: { id: row.id, mediaStatus: MediaStatus.PENDING },
      data: { mediaStatus: MediaStatus.DOWNLOADED, mediaStorageKey: key },
    });
    return "downloaded";
  } catch (err) {
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      await prisma.message.updateMany({
        where: { id: row.id, mediaStatus: MediaStatus.PENDING },
        data: {
          mediaStatus: MediaStatus.FAILED,
          lastError: err instanceof Error ? err.message : String(err),
        },
      });
    }
    throw err;
  }
}

// Operator action: resume a number whose outbound traffic a ban signal paused.
import { EventCategory, type PrismaClient } from "@zapflow/db";
import type { QueueRegistry } from "../queues";
import { NotFoundError } from "./errors";

export async function resumeSessionOutbound(
  deps: { prisma: PrismaClient; queues: QueueRegistry },
  companyId: string,
  sessionId: string,
  actor?: string,
): Promise<void> {
  const { prisma, queues } = deps;
  const session = await prisma.whatsappSession.findFirst({
    where: { id: sessionId, companyId },
    select: { id: true },
  });
  if (!session) throw new NotFoundError("Session", sessionId);
  await prisma.$transaction([
    prisma.whatsappSession.update({
      where: { id: sessionId },
      data: { outboundPausedAt: null, outboundPausedReason: null },
    }),
    prisma.event.create({
      data: {
        companyId,
        sessionId,
        category: EventCategory.SESSION,
        type: "session.outbound_resumed",
        message: "Outbound messages resumed by an operator",
        data: { actor: actor ?? null },
      },
    }),
  ]);
  await queues.send(sessionId).resume();
}

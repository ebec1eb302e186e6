// Finished deliveries (SUCCEEDED, DEAD) are kept for the delivery log, then deleted in bounded
// batches so the outbox table does not grow without limit. Safe to run on every worker at once.
import type { PrismaClient } from "@zapflow/db";

const BATCH = 5_000;

/** Deletes finished deliveries created before now − retentionMs; returns how many. */
export async function purgeFinishedDeliveries(prisma: PrismaClient, retentionMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionMs);
  let total = 0;
  for (;;) {
    const deleted = await prisma.$executeRaw`
      DELETE FROM "WebhookDelivery" WHERE id IN (
        SELECT id FROM "WebhookDelivery"
        WHERE status IN ('SUCCEEDED', 'DEAD') AND "createdAt" < ${cutoff}
        LIMIT ${BATCH}
      )`;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

// Expansion: the audience (lists, tags, contact ids) becomes CampaignRecipient rows, in keyset
// chunks over contacts. Each chunk is one transaction that also advances Campaign.expansionCursor,
// so a crash resumes at the next chunk and the unique (campaign, contact) makes a replay harmless.
// Sending number (rotation) and variant are fixed per recipient here, by position.
import { CampaignStatus, Prisma, type PrismaClient } from "@zapflow/db";
import { type Audience, audienceSchema } from "@zapflow/db/domain";

export const EXPANSION_CHUNK = 5_000;

export type ExpansionResult = "expanded" | "not-running" | "no-senders";

interface ChunkOutcome {
  last: string | null;
  seen: bigint;
  optedOut: bigint;
  invalid: bigint;
  inserted: bigint;
}

/** SQL condition for "contact c is in the audience"; empty parts are left out so the planner
 *  does not probe list memberships for a tags-only audience. */
function audienceCondition(audience: Audience): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (audience.tags.length) parts.push(Prisma.sql`c."tags" && ${audience.tags}::text[]`);
  if (audience.contactIds.length) parts.push(Prisma.sql`c."id" = ANY(${audience.contactIds}::text[])`);
  if (audience.listIds.length) {
    parts.push(Prisma.sql`EXISTS (SELECT 1 FROM "ContactListMember" m
      WHERE m."contactId" = c."id" AND m."listId" = ANY(${audience.listIds}::text[]))`);
  }
  return parts.length ? Prisma.sql`(${Prisma.join(parts, " OR ")})` : Prisma.sql`FALSE`;
}

export async function expandCampaign(
  prisma: PrismaClient,
  campaignId: string,
  companyId: string,
  chunkSize = EXPANSION_CHUNK,
): Promise<ExpansionResult> {
  const campaign = await prisma.campaign.findFirst({
    where: { id: campaignId, companyId },
    include: { senders: { select: { sessionId: true }, orderBy: { sessionId: "asc" } } },
  });
  if (!campaign || campaign.status !== CampaignStatus.RUNNING) return "not-running";
  if (campaign.expandedAt) return "expanded";
  const senders = campaign.senders.map((s) => s.sessionId);
  if (senders.length === 0) return "no-senders";
  const audience = audienceSchema.parse(campaign.audience);
  const variantCount = Math.max(1, campaign.variants.length);
  const condition = audienceCondition(audience);

  for (;;) {
    const done = await prisma.$transaction(
      async (tx) => {
        // The lock serialises expansion with pause/cancel and with a second copy of this job.
        const [locked] = await tx.$queryRaw<
          { status: CampaignStatus; cursor: string | null; total: number }[]
        >`
          SELECT "status", "expansionCursor" AS cursor, "totalRecipients" AS total
          FROM "Campaign" WHERE "id" = ${campaignId} FOR UPDATE`;
        if (!locked || locked.status !== CampaignStatus.RUNNING) return true;
        const [chunk] = await tx.$queryRaw<ChunkOutcome[]>`
          WITH chunk AS (
            SELECT c."id", c."optedOut", c."jid"
            FROM "Contact" c
            WHERE c."companyId" = ${companyId} AND c."id" > ${locked.cursor ?? ""}
              AND ${condition}
            ORDER BY c."id"
            LIMIT ${chunkSize}
          ),
          eligible AS (
            SELECT "id", row_number() OVER (ORDER BY "id") - 1 AS n
            FROM chunk WHERE NOT "optedOut" AND "jid" IS NOT NULL
          ),
          ins AS (
            INSERT INTO "CampaignRecipient"
              ("id", "campaignId", "contactId", "sessionId", "variantIndex", "status", "createdAt", "updatedAt")
            SELECT gen_random_uuid()::text, ${campaignId}, e."id",
                   (${senders}::text[])[((${locked.total} + e.n) % ${senders.length}) + 1],
                   ((${locked.total} + e.n) % ${variantCount})::int,
                   'PENDING'::"RecipientStatus", now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
            FROM eligible e
            ON CONFLICT ("campaignId", "contactId") DO NOTHING
            RETURNING 1
          )
          SELECT (SELECT max("id") FROM chunk) AS last,
                 (SELECT count(*) FROM chunk) AS seen,
                 (SELECT count(*) FROM chunk WHERE "optedOut") AS "optedOut",
                 (SELECT count(*) FROM chunk WHERE NOT "optedOut" AND "jid" IS NULL) AS invalid,
                 (SELECT count(*) FROM ins) AS inserted`;
        if (!chunk || chunk.seen === 0n) {
          await tx.campaign.update({ where: { id: campaignId }, data: { expandedAt: new Date() } });
          return true;
        }
        await tx.campaign.update({
          where: { id: campaignId },
          data: {
            expansionCursor: chunk.last,
            totalRecipients: { increment: Number(chunk.inserted) },
            excludedOptedOut: { increment: Number(chunk.optedOut) },
            excludedInvalid: { increment: Number(chunk.invalid) },
          },
        });
        return false;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
    if (done) break;
  }
  const after = await prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  return after.expandedAt ? "expanded" : "not-running";
}

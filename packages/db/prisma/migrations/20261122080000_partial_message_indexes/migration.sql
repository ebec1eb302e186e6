-- Most messages carry neither an idempotency key nor a campaign (API and dashboard sends), yet
-- every insert and every status change wrote a NULL entry into these three indexes. Partial
-- indexes skip those rows. ON CONFLICT DO NOTHING and every query that uses them name a key or a
-- campaign, so the planner still picks them.
-- (No semicolons in comments: prisma migrate deploy splits the script on them.)
DROP INDEX "Message_companyId_idempotencyKey_key";
CREATE UNIQUE INDEX "Message_companyId_idempotencyKey_key" ON "Message"("companyId", "idempotencyKey") WHERE "idempotencyKey" IS NOT NULL;

DROP INDEX "Message_campaignId_status_idx";
CREATE INDEX "Message_campaignId_status_idx" ON "Message"("campaignId", "status") WHERE "campaignId" IS NOT NULL;

DROP INDEX "Message_campaignId_createdAt_idx";
CREATE INDEX "Message_campaignId_createdAt_idx" ON "Message"("campaignId", "createdAt") WHERE "campaignId" IS NOT NULL;

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "maxPerMinute" INTEGER;

-- AlterTable
ALTER TABLE "RateLimitPolicy" ADD COLUMN     "perCampaignPerMinute" INTEGER;

-- CreateIndex
CREATE INDEX "Message_campaignId_createdAt_idx" ON "Message"("campaignId", "createdAt");


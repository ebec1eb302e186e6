// What a platform admin may change on a company's policy: the per-message limits of the send path
// (rateLimitPolicyInput) plus the campaign dispatcher's per-campaign release cap.
import { rateLimitPolicyInput } from "@zapflow/queue";
import { policyPerCampaignInput } from "@zapflow/queue/services/campaign-rate";
import type { z } from "zod";

/** Every field optional: undefined = unchanged, null = back to the default. */
export const companyPolicyInput = rateLimitPolicyInput.safeExtend({
  perCampaignPerMinute: policyPerCampaignInput,
});
export type CompanyPolicyInput = z.infer<typeof companyPolicyInput>;

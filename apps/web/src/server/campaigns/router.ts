// Campaigns API: dashboard (tRPC) and integrators (REST via trpc-to-openapi, scoped API keys).
import { audienceSchema } from "@zapflow/db/domain";
import { z } from "zod";
import { companyProcedure, createTRPCRouter } from "../trpc";
import {
  campaignOutput,
  createCampaignInput,
  listCampaignsInput,
  previewInput,
  progressOutput,
  recipientsInput,
  startCampaignInput,
  updateCampaignInput,
} from "./schemas";
import * as campaigns from "./service";

const read = companyProcedure.meta({ scope: "campaigns:read" });
const write = companyProcedure.meta({ scope: "campaigns:write" });
const byId = z.object({ id: z.string().trim().min(1, "id is required") });
const tags = ["campaigns"];

const stateChange = (action: "pause" | "resume" | "cancel") =>
  write
    .meta({
      scope: "campaigns:write",
      openapi: { method: "POST", path: `/campaigns/{id}/${action}`, tags, summary: `${action} a campaign` },
    })
    .input(byId)
    .output(campaignOutput)
    .mutation(({ ctx, input }) => campaigns.changeState(ctx, ctx.companyId, input.id, action));

export const campaignsRouter = createTRPCRouter({
  list: read
    .meta({
      scope: "campaigns:read",
      openapi: { method: "GET", path: "/campaigns", tags, summary: "List campaigns" },
    })
    .input(listCampaignsInput)
    .output(z.object({ items: z.array(campaignOutput), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => campaigns.listCampaigns(ctx.prisma, ctx.companyId, input)),

  get: read
    .meta({
      scope: "campaigns:read",
      openapi: { method: "GET", path: "/campaigns/{id}", tags, summary: "Get a campaign" },
    })
    .input(byId)
    .output(campaignOutput)
    .query(({ ctx, input }) => campaigns.getCampaign(ctx.prisma, ctx.companyId, input.id)),

  create: write
    .meta({
      scope: "campaigns:write",
      openapi: { method: "POST", path: "/campaigns", tags, summary: "Create a draft campaign" },
    })
    .input(createCampaignInput)
    .output(campaignOutput)
    .mutation(({ ctx, input }) => campaigns.createCampaign(ctx.prisma, ctx.companyId, ctx.userId, input)),

  update: write
    .meta({
      scope: "campaigns:write",
      openapi: {
        method: "PATCH",
        path: "/campaigns/{id}",
        tags,
        summary: "Edit a draft or scheduled campaign",
      },
    })
    .input(updateCampaignInput)
    .output(campaignOutput)
    .mutation(({ ctx, input }) => campaigns.updateCampaign(ctx, ctx.companyId, input)),

  delete: write
    .meta({
      scope: "campaigns:write",
      openapi: { method: "DELETE", path: "/campaigns/{id}", tags, summary: "Delete a campaign" },
    })
    .input(byId)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => campaigns.deleteCampaign(ctx.prisma, ctx.companyId, input.id)),

  audienceCount: read
    .input(z.object({ audience: audienceSchema }))
    .query(({ ctx, input }) => campaigns.countAudience(ctx.prisma, ctx.companyId, input.audience)),

  preview: read
    .input(previewInput)
    .query(({ ctx, input }) =>
      campaigns.previewCampaign(ctx.prisma, ctx.companyId, input.id, input.contactId),
    ),

  start: write
    .meta({
      scope: "campaigns:write",
      openapi: {
        method: "POST",
        path: "/campaigns/{id}/start",
        tags,
        summary: "Start now or schedule (scheduledAt)",
      },
    })
    .input(startCampaignInput)
    .output(campaignOutput)
    .mutation(({ ctx, input }) => campaigns.startCampaign(ctx, ctx.companyId, input.id, input.scheduledAt)),

  pause: stateChange("pause"),
  resume: stateChange("resume"),
  cancel: stateChange("cancel"),

  progress: read
    .meta({
      scope: "campaigns:read",
      openapi: { method: "GET", path: "/campaigns/{id}/progress", tags, summary: "Live progress" },
    })
    .input(byId)
    .output(progressOutput)
    .query(({ ctx, input }) => campaigns.campaignProgress(ctx.prisma, ctx.companyId, input.id)),

  recipients: read
    .input(recipientsInput)
    .query(({ ctx, input }) => campaigns.listRecipients(ctx.prisma, ctx.companyId, input)),
});

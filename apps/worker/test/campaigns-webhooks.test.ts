// Campaign lifecycle webhooks: campaign.started / campaign.paused (shared state service, used by the
// web app and the worker) and campaign.completed (the worker's dispatcher) write their outbox rows
// in the transaction of the state change, with the payload shape of every other domain event.
import { CampaignStatus, EventCategory } from "@zapflow/db";
import { encryptSecret } from "@zapflow/db/crypto";
import { pauseCampaign, resumeCampaign, startCampaign } from "@zapflow/queue/services/campaigns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaignsModule } from "../src/campaigns/module";
import { createHarness, type Harness, waitFor } from "./support/messaging-harness";

let h: Harness;
let campaigns: ReturnType<typeof createCampaignsModule>;
let sender: string;
const deps = () => ({ prisma: h.db.prisma, queues: h.queues });

beforeAll(async () => {
  h = await createHarness("campaignhooks");
  sender = await h.connectSession("a", "5511900000301");
  campaigns = createCampaignsModule({ connection: h.connection, queues: h.queues, sweepMs: 200, pollMs: 50 });
  await campaigns.start(h.ctx);
}, 60_000);

afterAll(async () => {
  await campaigns?.stop();
  await h?.close();
});

async function endpoint(events: string[], enabled = true) {
  return h.db.prisma.webhookEndpoint.create({
    data: {
      companyId: h.companyId,
      url: "https://example.test/hook",
      events,
      enabled,
      secretEncrypted: new Uint8Array(encryptSecret("whsec_test")),
    },
  });
}

/** An endpoint's campaign deliveries (the campaign's messages produce message.* ones too). */
const deliveries = (endpointId: string) =>
  h.db.prisma.webhookDelivery.findMany({
    where: { endpointId, eventType: { startsWith: "campaign." } },
    orderBy: { createdAt: "asc" },
  });

describe("campaign lifecycle webhooks", () => {
  it("started, paused and completed reach subscribed endpoints; resume and refused changes do not", async () => {
    const all = await endpoint([]);
    const pausedOnly = await endpoint(["campaign.paused"]);
    const disabled = await endpoint([], false);
    await h.db.prisma.contact.createMany({
      data: Array.from({ length: 6 }, (_, i) => {
        const digits = `551197300000${i}`;
        return {
          companyId: h.companyId,
          phone: `+${digits}`,
          jid: `${digits}@s.whatsapp.net`,
          tags: ["hooks"],
        };
      }),
    });
    const campaign = await h.db.prisma.campaign.create({
      data: {
        companyId: h.companyId,
        name: "Hooks",
        variants: ["Oi"],
        audience: { listIds: [], tags: ["hooks"], contactIds: [] },
        batchSize: 2,
        batchPauseSec: 0,
        minDelayMs: 0,
        maxDelayMs: 5,
        scheduledAt: null,
        senders: { create: [{ sessionId: sender }] },
      },
    });
    const base = { sessionId: null, campaignId: campaign.id, name: "Hooks" };

    // Scheduled far ahead, then paused and resumed before it starts: only the pause is a webhook.
    await startCampaign(deps(), h.companyId, campaign.id, { at: new Date(Date.now() + 3_600_000) });
    await pauseCampaign(deps(), h.companyId, campaign.id, "Checking the list");
    await resumeCampaign(deps(), h.companyId, campaign.id);
    expect((await deliveries(all.id)).map((d) => d.eventType)).toEqual(["campaign.paused"]);
    expect((await deliveries(all.id))[0]?.payload).toEqual({
      type: "campaign.paused",
      ...base,
      status: CampaignStatus.PAUSED,
      reason: "Checking the list",
    });

    // Resumed a not-yet-started campaign: it is RUNNING now and runs to the end.
    await waitFor(
      async () =>
        (await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status ===
        CampaignStatus.COMPLETED,
      30_000,
    );
    // A refused change (pause a completed campaign) writes nothing.
    await expect(pauseCampaign(deps(), h.companyId, campaign.id)).rejects.toMatchObject({
      code: "CAMPAIGN_STATE",
    });

    const received = await deliveries(all.id);
    expect(received.map((d) => d.eventType)).toEqual(["campaign.paused", "campaign.completed"]);
    expect(received[1]?.payload).toMatchObject({
      type: "campaign.completed",
      ...base,
      status: CampaignStatus.COMPLETED,
      sentCount: 6,
      failedCount: 0,
      totalRecipients: 6,
    });
    expect((await deliveries(pausedOnly.id)).map((d) => d.eventType)).toEqual(["campaign.paused"]);
    expect(await deliveries(disabled.id)).toEqual([]);

    // A campaign started from a draft: campaign.started, with its start time.
    const second = await h.db.prisma.campaign.create({
      data: {
        companyId: h.companyId,
        name: "Hooks 2",
        variants: ["Oi"],
        audience: { listIds: [], tags: ["nobody"], contactIds: [] },
        senders: { create: [{ sessionId: sender }] },
      },
    });
    const running = await startCampaign(deps(), h.companyId, second.id);
    const started = (await deliveries(all.id)).find((d) => d.eventType === "campaign.started");
    expect(started?.payload).toEqual({
      type: "campaign.started",
      sessionId: null,
      campaignId: second.id,
      name: "Hooks 2",
      status: CampaignStatus.RUNNING,
      startedAt: running.startedAt?.toISOString(),
    });

    // Every change is in the event log too, each with its campaign.
    const events = await h.db.prisma.event.findMany({
      where: { companyId: h.companyId, category: EventCategory.CAMPAIGN },
      orderBy: { createdAt: "asc" },
    });
    expect(
      events.filter((e) => (e.data as { campaignId?: string }).campaignId === campaign.id).map((e) => e.type),
    ).toEqual(["campaign.scheduled", "campaign.paused", "campaign.resumed", "campaign.completed"]);
  });
});

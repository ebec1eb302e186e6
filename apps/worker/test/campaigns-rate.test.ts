// Per-campaign release cap through the real dispatcher (real Postgres + Redis, the messaging
// pipeline, the in-process simulator), with the window shortened from a minute to WINDOW_MS:
// two dispatchers racing on one campaign, two campaign modules (two workers) running one to the
// end, and the company policy's cap vs the campaign's own (the stricter wins).
import { CampaignStatus, MessageStatus } from "@zapflow/db";
import { policyDefaultsFromEnv } from "@zapflow/queue";
import { campaignRateCap } from "@zapflow/queue/services/campaign-rate";
import { startCampaign } from "@zapflow/queue/services/campaigns";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CampaignDeps, dispatchStep } from "../src/campaigns/dispatcher";
import { expandCampaign } from "../src/campaigns/expansion";
import { createCampaignsModule } from "../src/campaigns/module";
import { EventOutbox } from "../src/events/outbox";
import { createHarness, type Harness, waitFor } from "./support/messaging-harness";

const WINDOW_MS = 1_500;

let h: Harness;
let sender: string;

beforeAll(async () => {
  delete process.env.LIMIT_PER_CAMPAIGN_PER_MINUTE;
  h = await createHarness("campaignrate");
  sender = await h.connectSession("a", "5511900000201");
}, 60_000);

afterAll(async () => {
  await h?.close();
});

afterEach(async () => {
  // Leftover running campaigns must not be dispatched by a later test's modules.
  await h.db.prisma.campaign.updateMany({
    where: { status: CampaignStatus.RUNNING },
    data: { status: CampaignStatus.CANCELLED },
  });
  await h.db.prisma.rateLimitPolicy.deleteMany({});
});

let seq = 0;
async function makeCampaign(count: number, extra: { maxPerMinute?: number | null } = {}) {
  const tag = `rate-${++seq}`;
  await h.db.prisma.contact.createMany({
    data: Array.from({ length: count }, (_, i) => {
      const digits = `55119720${String(seq).padStart(2, "0")}${String(i).padStart(3, "0")}`;
      return { companyId: h.companyId, phone: `+${digits}`, jid: `${digits}@s.whatsapp.net`, tags: [tag] };
    }),
  });
  return h.db.prisma.campaign.create({
    data: {
      companyId: h.companyId,
      name: tag,
      variants: ["Oi {nome|cliente}"],
      audience: { listIds: [], tags: [tag], contactIds: [] },
      batchSize: 50,
      batchPauseSec: 0,
      minDelayMs: 0,
      maxDelayMs: 5,
      senders: { create: [{ sessionId: sender }] },
      ...extra,
    },
  });
}

/** Running and expanded, with no dispatch job: the test drives dispatchStep itself. */
async function readyToDispatch(campaignId: string) {
  await h.db.prisma.campaign.update({
    where: { id: campaignId },
    data: { status: CampaignStatus.RUNNING, startedAt: new Date() },
  });
  expect(await expandCampaign(h.db.prisma, campaignId, h.companyId)).toBe("expanded");
}

/** One worker's dispatcher (its own outbox, env default of the per-campaign cap), the window shortened. */
const dispatcher = (envCap = 0): CampaignDeps => ({
  prisma: h.db.prisma,
  queues: h.queues,
  outbox: new EventOutbox(h.db.prisma),
  policyDefaults: policyDefaultsFromEnv({ LIMIT_PER_CAMPAIGN_PER_MINUTE: String(envCap) }),
  pollMs: 50,
  rateWindowMs: WINDOW_MS,
});

const releasedAt = async (campaignId: string) =>
  (
    await h.db.prisma.message.findMany({
      where: { campaignId },
      select: { createdAt: true },
      orderBy: { createdAt: "asc" },
    })
  ).map((m) => m.createdAt.getTime());

const allSent = (campaignId: string) =>
  waitFor(async () => {
    const open = await h.db.prisma.message.count({
      where: { campaignId, status: { in: [MessageStatus.QUEUED, MessageStatus.PROCESSING] } },
    });
    return open === 0;
  });

describe("per-campaign release cap", () => {
  it("two dispatchers racing on one campaign release at most N per window, the rest after it", async () => {
    const campaign = await makeCampaign(12, { maxPerMinute: 4 });
    await readyToDispatch(campaign.id);
    const job = { campaignId: campaign.id, companyId: h.companyId };
    const [a, b] = [dispatcher(), dispatcher()];

    await Promise.all([dispatchStep(a, job, {}), dispatchStep(b, job, {})]);
    const first = await releasedAt(campaign.id);
    expect(first).toHaveLength(4);
    await allSent(campaign.id);

    // Same window: both are held back, with the time until the oldest release leaves it.
    const held = await Promise.all([dispatchStep(a, job, {}), dispatchStep(b, job, {})]);
    for (const step of held) {
      expect(step).toMatchObject({ kind: "wait", reason: "per-campaign rate limit" });
      expect(step.kind === "wait" && step.ms).toBeLessThanOrEqual(WINDOW_MS);
    }
    expect(await releasedAt(campaign.id)).toHaveLength(4);

    const wait = held[0]?.kind === "wait" ? held[0].ms : 0;
    await new Promise((r) => setTimeout(r, wait + 20));
    await Promise.all([dispatchStep(a, job, {}), dispatchStep(b, job, {})]);
    const second = (await releasedAt(campaign.id)).slice(4);
    expect(second).toHaveLength(4);
    expect(Math.min(...second) - Math.max(...first)).toBeGreaterThanOrEqual(WINDOW_MS);
  });

  it("two campaign modules (two workers) finish a capped campaign; no window holds more than N", async () => {
    await h.db.prisma.rateLimitPolicy.create({ data: { companyId: h.companyId, perCampaignPerMinute: 3 } });
    const workers = [1, 2].map(() =>
      createCampaignsModule({ pollMs: 50, sweepMs: 200, rateWindowMs: WINDOW_MS }),
    );
    for (const w of workers) await w.start(h.ctx);
    try {
      const campaign = await makeCampaign(10);
      const started = Date.now();
      await startCampaign({ prisma: h.db.prisma, queues: h.queues }, h.companyId, campaign.id);
      await waitFor(
        async () =>
          (await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status ===
          CampaignStatus.COMPLETED,
        30_000,
      );
      const times = await releasedAt(campaign.id);
      expect(times).toHaveLength(10);
      for (const t of times) {
        expect(times.filter((u) => u >= t && u < t + WINDOW_MS).length).toBeLessThanOrEqual(3);
      }
      // 10 at 3 per window: the fourth window opens at least 3 windows after the first release.
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * WINDOW_MS);
      const sent = await h.db.prisma.message.count({
        where: {
          campaignId: campaign.id,
          status: { in: [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ] },
        },
      });
      expect(sent).toBe(10);
    } finally {
      for (const w of workers) await w.stop();
    }
  });

  it("the stricter of the company policy's cap and the campaign's own wins; 0 and null mean none", async () => {
    expect(campaignRateCap(3, 10)).toBe(3);
    expect(campaignRateCap(10, 2)).toBe(2);
    expect(campaignRateCap(5, null)).toBe(5);
    expect(campaignRateCap(0, null)).toBe(0);
    expect(campaignRateCap(0, 7)).toBe(7);

    const cases = [
      { policy: 3, campaign: 10, env: 0, released: 3 },
      { policy: 10, campaign: 2, env: 0, released: 2 },
      { policy: null, campaign: null, env: 5, released: 5 },
      { policy: null, campaign: 4, env: 6, released: 4 },
      { policy: 6, campaign: null, env: 2, released: 6 },
      { policy: 0, campaign: null, env: 5, released: 8 },
    ];
    for (const c of cases) {
      await h.db.prisma.rateLimitPolicy.upsert({
        where: { companyId: h.companyId },
        create: { companyId: h.companyId, perCampaignPerMinute: c.policy },
        update: { perCampaignPerMinute: c.policy },
      });
      const campaign = await makeCampaign(8, { maxPerMinute: c.campaign });
      await readyToDispatch(campaign.id);
      await dispatchStep(dispatcher(c.env), { campaignId: campaign.id, companyId: h.companyId }, {});
      expect({ ...c, released: (await releasedAt(campaign.id)).length }).toEqual(c);
    }
  });
});

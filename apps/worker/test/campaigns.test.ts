// Campaigns end to end: real Postgres + Redis, the messaging pipeline, the in-process simulator.
import { CampaignStatus, MessageStatus, RecipientStatus } from "@zapflow/db";
import { QueueName } from "@zapflow/queue";
import {
  campaignProgress,
  cancelCampaign,
  pauseCampaign,
  resumeCampaign,
  startCampaign,
} from "@zapflow/queue/services/campaigns";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaignsModule } from "../src/campaigns/module";
import { createHarness, type Harness, waitFor } from "./support/messaging-harness";

let h: Harness;
let campaigns: ReturnType<typeof createCampaignsModule>;
let senderA: string;
let senderB: string;
const deps = () => ({ prisma: h.db.prisma, queues: h.queues });

beforeAll(async () => {
  h = await createHarness("campaigns");
  senderA = await h.connectSession("a", "5511900000101");
  senderB = await h.connectSession("b", "5511900000102");
  campaigns = createCampaignsModule({
    connection: h.connection,
    queues: h.queues,
    sweepMs: 500,
    pollMs: 100,
  });
  await campaigns.start(h.ctx);
}, 60_000);

afterAll(async () => {
  await campaigns?.stop();
  await h?.close();
});

let phoneSeq = 0;
/** Contacts tagged `tag`, phones +55 11 97xxx-xxxx, each with custom fields. */
async function makeContacts(tag: string, count: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const digits = `5511970${String(++phoneSeq).padStart(6, "0")}`;
    return {
      companyId: h.companyId,
      phone: `+${digits}`,
      jid: `${digits}@s.whatsapp.net`,
      name: i % 5 === 4 ? null : `Pessoa ${phoneSeq}`,
      customFields: i % 3 === 0 ? { condominio: `Cond ${phoneSeq}` } : {},
      tags: [tag],
    };
  });
  await h.db.prisma.contact.createMany({ data: rows });
  return h.db.prisma.contact.findMany({ where: { companyId: h.companyId, tags: { has: tag } } });
}

async function makeCampaign(tag: string, extra: Record<string, unknown> = {}, senders = [senderA, senderB]) {
  return h.db.prisma.campaign.create({
    data: {
      companyId: h.companyId,
      name: `c-${tag}`,
      variants: [
        "Olá {nome|cliente}! Condomínio: {condominio|-}",
        "Oi {nome|cliente}, tudo bem? ({condominio|sem})",
      ],
      audience: { listIds: [], tags: [tag], contactIds: [] },
      batchSize: 10,
      batchPauseSec: 0,
      minDelayMs: 0,
      maxDelayMs: 5,
      senders: { create: senders.map((sessionId) => ({ sessionId })) },
      ...extra,
    },
  });
}

/** Sends recorded by the simulator per recipient JID, for this set of contacts. */
function sendsTo(contacts: { jid: string | null }[]) {
  const jids = new Set(contacts.map((c) => c.jid));
  const log = [...h.sim.sentLog(senderA), ...h.sim.sentLog(senderB)].filter((s) => jids.has(s.to));
  const perJid = new Map<string, number>();
  for (const s of log) perJid.set(s.to, (perJid.get(s.to) ?? 0) + 1);
  return { log, perJid };
}

const statusOf = async (id: string) =>
  (await h.db.prisma.campaign.findUniqueOrThrow({ where: { id } })).status;

describe("campaign run", () => {
  it("renders every recipient's text, rotates variants and numbers, completes with a summary", async () => {
    const contacts = await makeContacts("render", 30);
    const optedOut = contacts[0]!;
    await h.db.prisma.contact.update({ where: { id: optedOut.id }, data: { optedOut: true } });
    const campaign = await makeCampaign("render");
    await startCampaign(deps(), h.companyId, campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.COMPLETED, 30_000);

    const recipients = await h.db.prisma.campaignRecipient.findMany({
      where: { campaignId: campaign.id },
      include: { contact: true, message: true },
    });
    expect(recipients).toHaveLength(29);
    const { perJid, log } = sendsTo(contacts);
    expect(perJid.has(optedOut.jid!)).toBe(false);
    expect([...perJid.values()].every((n) => n === 1)).toBe(true);
    expect(perJid.size).toBe(29);
    for (const r of recipients) {
      const name = r.contact.name ?? "cliente";
      const cond = (r.contact.customFields as { condominio?: string }).condominio;
      const expected =
        r.variantIndex === 0
          ? `Olá ${name}! Condomínio: ${cond ?? "-"}`
          : `Oi ${name}, tudo bem? (${cond ?? "sem"})`;
      const sent = log.find((s) => s.to === r.contact.jid)!;
      expect((sent.content as { text: string }).text).toBe(expected);
      expect(sent.sessionId ?? r.sessionId).toBe(r.sessionId);
      expect(r.message?.sessionId).toBe(r.sessionId);
    }
    // Rotation: variants and numbers alternate by position.
    expect(recipients.filter((r) => r.variantIndex === 0).length).toBeGreaterThanOrEqual(14);
    expect(recipients.filter((r) => r.sessionId === senderA).length).toBeGreaterThanOrEqual(14);
    expect(recipients.filter((r) => r.sessionId === senderB).length).toBeGreaterThanOrEqual(14);

    const done = await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(done).toMatchObject({ totalRecipients: 29, excludedOptedOut: 1, sentCount: 29, failedCount: 0 });
    expect(done.completedAt).not.toBeNull();
    const progress = await campaignProgress(h.db.prisma, campaign.id);
    expect(progress.total).toBe(29);
    expect(progress.pending).toBe(0);
    expect(progress.bySession.map((s) => s.sessionId).sort()).toEqual([senderA, senderB].sort());
    expect(progress.etaSeconds).toBe(0);
  });
});

describe("pause / resume / cancel", () => {
  it("pause stops new sends within seconds; resume continues where it stopped; nobody twice", async () => {
    const contacts = await makeContacts("pause", 80);
    const campaign = await makeCampaign("pause", { minDelayMs: 60, maxDelayMs: 80, batchSize: 10 });
    await startCampaign(deps(), h.companyId, campaign.id);
    await waitFor(async () => sendsTo(contacts).log.length >= 15, 20_000);

    // Two users click pause at once: exactly one wins, the other gets a state conflict.
    const pauses = await Promise.allSettled([
      pauseCampaign(deps(), h.companyId, campaign.id),
      pauseCampaign(deps(), h.companyId, campaign.id),
    ]);
    expect(pauses.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    expect(pauses.find((c) => c.status === "rejected")).toMatchObject({ reason: { code: "CAMPAIGN_STATE" } });
    expect(await statusOf(campaign.id)).toBe(CampaignStatus.PAUSED);
    // In-flight sends (at most one per number) may finish; then nothing more goes out.
    await new Promise((r) => setTimeout(r, 500));
    const atPause = sendsTo(contacts).log.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sendsTo(contacts).log.length).toBe(atPause);
    expect(atPause).toBeLessThan(80);
    expect(
      await h.db.prisma.message.count({ where: { campaignId: campaign.id, status: MessageStatus.QUEUED } }),
    ).toBe(0);

    const resumes = await Promise.allSettled([
      resumeCampaign(deps(), h.companyId, campaign.id),
      resumeCampaign(deps(), h.companyId, campaign.id),
    ]);
    expect(resumes.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.COMPLETED, 30_000);
    const { perJid } = sendsTo(contacts);
    expect(perJid.size).toBe(80);
    expect([...perJid.values()].every((n) => n === 1)).toBe(true);
  });

  it("cancel marks the rest cancelled and sends nothing more", async () => {
    const contacts = await makeContacts("cancel", 60);
    const campaign = await makeCampaign("cancel", { minDelayMs: 60, maxDelayMs: 80, batchSize: 10 });
    await startCampaign(deps(), h.companyId, campaign.id);
    await waitFor(async () => sendsTo(contacts).log.length >= 10, 20_000);
    await cancelCampaign(deps(), h.companyId, campaign.id);
    await new Promise((r) => setTimeout(r, 500));
    const atCancel = sendsTo(contacts).log.length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(contacts).log.length).toBe(atCancel);
    const recipients = await h.db.prisma.campaignRecipient.groupBy({
      by: ["status"],
      where: { campaignId: campaign.id },
      _count: { _all: true },
    });
    const cancelled = recipients.find((g) => g.status === RecipientStatus.CANCELLED)?._count._all ?? 0;
    const withMessage = await h.db.prisma.campaignRecipient.count({
      where: { campaignId: campaign.id, messageId: { not: null } },
    });
    expect(cancelled + withMessage).toBe(60);
    expect(withMessage).toBe(atCancel);
    expect(await statusOf(campaign.id)).toBe(CampaignStatus.CANCELLED);
    await expect(resumeCampaign(deps(), h.companyId, campaign.id)).rejects.toMatchObject({
      code: "CAMPAIGN_STATE",
    });
  });

  it("auto-pauses with a reason when a sending number is restricted", async () => {
    await makeContacts("restricted", 40);
    const campaign = await makeCampaign("restricted", { minDelayMs: 100, maxDelayMs: 120 });
    await startCampaign(deps(), h.companyId, campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.RUNNING);
    h.ctx.bus.emit("restricted", { sessionId: senderB, companyId: h.companyId, reason: "463 restricted" });
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.PAUSED, 5_000);
    const row = await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row.pausedReason).toBe("Sending number restricted: 463 restricted");
    await cancelCampaign(deps(), h.companyId, campaign.id);
  });
});

describe("failure", () => {
  it("a campaign whose sending numbers are gone fails with a reason instead of hanging", async () => {
    await makeContacts("nosender", 2);
    const campaign = await makeCampaign("nosender", {}, []);
    await startCampaign(deps(), h.companyId, campaign.id);
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.FAILED, 10_000);
    const row = await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row.pausedReason).toBe("No sending number left");
  });
});

describe("scheduling", () => {
  it("starts a scheduled campaign within a few seconds of its time", async () => {
    const contacts = await makeContacts("scheduled", 5);
    const campaign = await makeCampaign("scheduled");
    const at = new Date(Date.now() + 2_000);
    await startCampaign(deps(), h.companyId, campaign.id, { at });
    expect(await statusOf(campaign.id)).toBe(CampaignStatus.SCHEDULED);
    await waitFor(
      async () => (await statusOf(campaign.id)) === CampaignStatus.RUNNING || undefined,
      10_000,
      20,
    );
    const started = (await h.db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).startedAt!;
    expect(started.getTime()).toBeGreaterThanOrEqual(at.getTime() - 50);
    expect(started.getTime() - at.getTime()).toBeLessThan(3_000);
    await waitFor(async () => (await statusOf(campaign.id)) === CampaignStatus.COMPLETED, 20_000);
    expect(sendsTo(contacts).perJid.size).toBe(5);
  });

  it("a lost start job is caught by the sweep", async () => {
    await makeContacts("lost", 3);
    const campaign = await makeCampaign("lost");
    await startCampaign(deps(), h.companyId, campaign.id, { at: new Date(Date.now() + 60_000) });
    await h.queues.get(QueueName.campaign).remove(`campaign-start-${campaign.id}`);
    // As if the time had come while the job was gone.
    await h.db.prisma.campaign.update({ where: { id: campaign.id }, data: { scheduledAt: new Date() } });
    await waitFor(async () => (await statusOf(campaign.id)) !== CampaignStatus.SCHEDULED || undefined, 5_000);
  });

  it("holds sends during quiet hours in the campaign's time zone until the window ends", async () => {
    const contacts = await makeContacts("quiet", 5);
    const zone = "America/Sao_Paulo";
    const local = DateTime.now().setZone(zone);
    const start = local.minus({ hours: 1 }).toFormat("HH:mm");
    const end = local.plus({ hours: 2 }).toFormat("HH:mm");
    const campaign = await makeCampaign("quiet", {
      timeZone: zone,
      quietHoursStart: start,
      quietHoursEnd: end,
    });
    await startCampaign(deps(), h.companyId, campaign.id);
    const windowEnd = local.plus({ hours: 2 }).startOf("minute").toMillis();
    // Held back until the end of the window: the delayed-set score encodes the due time (ms × 0x1000).
    const dueAt = async () => {
      const score = await h.connection.zscore(
        `${h.prefix}:${QueueName.campaign}:delayed`,
        `campaign-dispatch-${campaign.id}`,
      );
      return score === null ? undefined : Math.floor(Number(score) / 0x1000);
    };
    await waitFor(async () => {
      const due = await dueAt();
      return due !== undefined && Math.abs(due - windowEnd) < 2_000;
    }, 10_000);
    const job = (await h.queues.get(QueueName.campaign).getJob(`campaign-dispatch-${campaign.id}`))!;
    expect(job.attemptsMade).toBe(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(contacts).log).toHaveLength(0);
    expect(await statusOf(campaign.id)).toBe(CampaignStatus.RUNNING);
    await cancelCampaign(deps(), h.companyId, campaign.id);
  });
});

// Editing campaigns (drafts and scheduled ones only, over tRPC and REST), the per-campaign rate
// limit's validation and display (campaign field, company policy field, limits usage), and the
// lifecycle webhooks written when the dashboard changes a campaign's state.
import { CampaignStatus } from "@zapflow/db";
import { encryptSecret } from "@zapflow/db/crypto";
import { QueueName } from "@zapflow/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createTestWorld, type TestWorld } from "./support/fixture";
import { rest, trpcMutation } from "./support/http";

let w: TestWorld;
let owner: Principal;
let admin: Principal;
let senders: string[];
let listId: string;

beforeAll(async () => {
  w = await createTestWorld("campaignedit");
  owner = { kind: "user", userId: w.a.ownerId, isPlatformAdmin: false, activeCompanyId: w.a.companyId };
  admin = { kind: "user", userId: w.platformAdmin, isPlatformAdmin: true, activeCompanyId: null };
  senders = [];
  for (const label of ["one", "two"]) {
    senders.push((await w.prisma.whatsappSession.create({ data: { companyId: w.a.companyId, label } })).id);
  }
  listId = (await w.prisma.contactList.create({ data: { companyId: w.a.companyId, name: "L" } })).id;
});
afterAll(async () => {
  await w?.close();
});

const draftInput = () => ({
  name: "Draft",
  variants: ["Oi {nome}"],
  audience: { listIds: [], tags: ["t"], contactIds: [] },
  sessionIds: [senders[0]!],
});

const campaignRow = (id: string) =>
  w.prisma.campaign.findUniqueOrThrow({ where: { id }, include: { senders: true } });

describe("editing a campaign", () => {
  it("a draft: every setting, including the per-minute cap, is saved", async () => {
    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const draft = await caller.campaigns.create({ ...draftInput(), maxPerMinute: 30 });
    expect(draft.maxPerMinute).toBe(30);
    const settings = {
      name: "Edited",
      variants: ["Olá {nome}", "Oi {nome|cliente}"],
      audience: { listIds: [listId], tags: [], contactIds: [] },
      batchSize: 7,
      batchPauseSec: 5,
      minDelayMs: 100,
      maxDelayMs: 200,
      quietHoursStart: "21:00",
      quietHoursEnd: "08:00",
      maxPerMinute: 12,
    };
    const edited = await caller.campaigns.update({ id: draft.id, ...settings, sessionIds: senders });
    expect(edited).toMatchObject({ ...settings, status: CampaignStatus.DRAFT });
    // Stored, not only echoed.
    expect(await campaignRow(draft.id)).toMatchObject({ ...settings, status: CampaignStatus.DRAFT });
    expect(edited.sessionIds.sort()).toEqual([...senders].sort());
    // null clears the campaign's own cap (only the company's applies then).
    expect((await caller.campaigns.update({ id: draft.id, maxPerMinute: null })).maxPerMinute).toBeNull();
  });

  it("a scheduled campaign: settings and its start time; the delayed start job moves with it", async () => {
    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const draft = await caller.campaigns.create(draftInput());
    await caller.campaigns.start({ id: draft.id, scheduledAt: "2099-01-15T09:30" });
    const edited = await caller.campaigns.update({
      id: draft.id,
      name: "Rescheduled",
      sessionIds: [senders[1]!],
      scheduledAt: "2099-02-01T10:00",
    });
    expect(edited).toMatchObject({ name: "Rescheduled", status: CampaignStatus.SCHEDULED });
    expect(edited.sessionIds).toEqual([senders[1]]);
    expect(edited.scheduledAt?.toISOString()).toBe("2099-02-01T10:00:00.000Z");
    const job = await w.deps.queues.get(QueueName.campaign).getJob(`campaign-start-${draft.id}`);
    expect(job?.opts.delay).toBeGreaterThan(new Date("2099-01-31").getTime() - Date.now());

    const past = await trpcMutation(w.deps, owner, "campaigns.update", {
      id: draft.id,
      scheduledAt: "2001-01-01T10:00",
    });
    expect(past.status).toBe(400);
    expect(past.error?.data.fieldErrors?.scheduledAt?.[0]).toMatch(/past/);
  });

  it("started or finished campaigns cannot be edited: 400 saying why, nothing changed", async () => {
    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const cases = [
      { status: CampaignStatus.RUNNING, why: /already started sending/ },
      { status: CampaignStatus.PAUSED, why: /already started sending/ },
      { status: CampaignStatus.COMPLETED, why: /has finished/ },
      { status: CampaignStatus.CANCELLED, why: /has finished/ },
    ];
    for (const c of cases) {
      const created = await caller.campaigns.create(draftInput());
      await w.prisma.campaign.update({ where: { id: created.id }, data: { status: c.status } });
      const before = await campaignRow(created.id);
      const r = await trpcMutation(w.deps, owner, "campaigns.update", {
        id: created.id,
        name: "changed",
        sessionIds: [senders[1]],
      });
      expect(r.status, c.status).toBe(400);
      expect(r.error?.data.fieldErrors?.status?.[0]).toMatch(c.why);
      expect(r.error?.message).toMatch(/only draft and scheduled campaigns can be edited/);
      expect(await campaignRow(created.id)).toEqual(before);
    }
  });

  it("bad values are a 400 with a field message: cap negative or fractional, half quiet hours, a draft's time", async () => {
    const created = await w.asUser(w.a.ownerId, w.a.companyId).campaigns.create(draftInput());
    const before = await campaignRow(created.id);
    const count = await w.prisma.campaign.count();
    for (const maxPerMinute of [-1, 2.5, 0]) {
      const create = await trpcMutation(w.deps, owner, "campaigns.create", { ...draftInput(), maxPerMinute });
      expect(create.status, `create ${maxPerMinute}`).toBe(400);
      expect(create.error?.data.fieldErrors?.maxPerMinute?.[0]).toMatch(/whole number|at least 1/);
      const update = await trpcMutation(w.deps, owner, "campaigns.update", { id: created.id, maxPerMinute });
      expect(update.status, `update ${maxPerMinute}`).toBe(400);
      expect(update.error?.data.fieldErrors?.maxPerMinute?.[0]).toMatch(/whole number|at least 1/);
    }
    const halfQuiet = await trpcMutation(w.deps, owner, "campaigns.update", {
      id: created.id,
      quietHoursStart: "22:00",
    });
    expect(halfQuiet.error?.data.fieldErrors?.quietHoursEnd?.[0]).toMatch(/both/);
    const draftTime = await trpcMutation(w.deps, owner, "campaigns.update", {
      id: created.id,
      scheduledAt: "2099-01-01T10:00",
    });
    expect(draftTime.error?.data.fieldErrors?.scheduledAt?.[0]).toMatch(/only a scheduled campaign/);
    expect(await campaignRow(created.id)).toEqual(before);
    expect(await w.prisma.campaign.count()).toBe(count);
  });

  it("REST: PATCH /campaigns/{id} edits a draft; a bad cap is a 400", async () => {
    const created = await w.asUser(w.a.ownerId, w.a.companyId).campaigns.create(draftInput());
    const ok = await rest(w.deps, "PATCH", `/campaigns/${created.id}`, {
      key: w.a.apiKey,
      body: { name: "Via REST", maxPerMinute: 9 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ name: "Via REST", maxPerMinute: 9 });
    const bad = await rest(w.deps, "PATCH", `/campaigns/${created.id}`, {
      key: w.a.apiKey,
      body: { maxPerMinute: -3 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/maxPerMinute/);
    expect(
      (await rest(w.deps, "PATCH", `/campaigns/${created.id}`, { key: w.b.apiKey, body: { name: "x" } }))
        .status,
    ).toBe(404);
  });
});

describe("campaign media", () => {
  it("only the company's own uploads: another tenant's or an unsafe key is a 400 on media.storageKey", async () => {
    const media = (storageKey: string) => ({ type: "image" as const, storageKey });
    for (const storageKey of [`${w.b.companyId}/outbound/x.png`, "../etc/passwd"]) {
      const r = await trpcMutation(w.deps, owner, "campaigns.create", {
        ...draftInput(),
        media: media(storageKey),
      });
      expect(r.status).toBe(400);
      expect(r.error?.data.fieldErrors?.["media.storageKey"]?.[0]).toBeTruthy();
    }
    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const own = await caller.campaigns.create({
      ...draftInput(),
      media: media(`${w.a.companyId}/outbound/y.png`),
    });
    const edit = await trpcMutation(w.deps, owner, "campaigns.update", {
      id: own.id,
      media: media(`${w.b.companyId}/inbound/m1`),
    });
    expect(edit.status).toBe(400);
    expect((await campaignRow(own.id)).media).toMatchObject({
      storageKey: `${w.a.companyId}/outbound/y.png`,
    });
  });
});

describe("per-campaign limit in the company policy", () => {
  it("platform admins set it (whole number ≥ 0); the limits page shows it and each running campaign's usage", async () => {
    for (const perCampaignPerMinute of [-1, 1.5]) {
      const r = await trpcMutation(w.deps, admin, "admin.updateCompanyPolicy", {
        companyId: w.a.companyId,
        policy: { perCampaignPerMinute },
      });
      expect(r.status).toBe(400);
      expect(r.error?.data.fieldErrors?.["policy.perCampaignPerMinute"]?.[0]).toBeTruthy();
    }
    expect(await w.prisma.rateLimitPolicy.count({ where: { companyId: w.a.companyId } })).toBe(0);

    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const before = await caller.limits.policy();
    expect(before.defaults.perCampaignPerMinute).toBe(0);
    expect(before.effective.perCampaignPerMinute).toBe(0);
    // The env default (LIMIT_PER_CAMPAIGN_PER_MINUTE, read with every other policy default) applies
    // while the company has no override.
    const envBefore = process.env.LIMIT_PER_CAMPAIGN_PER_MINUTE;
    process.env.LIMIT_PER_CAMPAIGN_PER_MINUTE = "9";
    try {
      const fromEnv = await caller.limits.policy();
      expect(fromEnv.defaults.perCampaignPerMinute).toBe(9);
      expect(fromEnv.effective.perCampaignPerMinute).toBe(9);
    } finally {
      if (envBefore === undefined) delete process.env.LIMIT_PER_CAMPAIGN_PER_MINUTE;
      else process.env.LIMIT_PER_CAMPAIGN_PER_MINUTE = envBefore;
    }

    await w.asUser(w.platformAdmin).admin.updateCompanyPolicy({
      companyId: w.a.companyId,
      policy: { perCampaignPerMinute: 20 },
    });
    const after = await caller.limits.policy();
    expect(after.effective.perCampaignPerMinute).toBe(20);
    expect(after.overrides?.perCampaignPerMinute).toBe(20);

    // Two running campaigns: one under the policy's cap only, one with a stricter own cap.
    const mk = async (name: string, maxPerMinute: number | null) => {
      const c = await caller.campaigns.create({ ...draftInput(), name, maxPerMinute });
      await w.prisma.campaign.update({ where: { id: c.id }, data: { status: CampaignStatus.RUNNING } });
      return c.id;
    };
    const loose = await mk("Loose", null);
    const strict = await mk("Strict", 5);
    const contact = await w.prisma.contact.create({
      data: { companyId: w.a.companyId, phone: "+5511911110000", jid: "5511911110000@s.whatsapp.net" },
    });
    const message = (campaignId: string, i: number, createdAt: Date) => ({
      companyId: w.a.companyId,
      sessionId: senders[0]!,
      contactId: contact.id,
      campaignId,
      chatJid: contact.jid!,
      direction: "OUTBOUND" as const,
      type: "TEXT" as const,
      payload: { text: "x" },
      status: "SENT" as const,
      source: "CAMPAIGN" as const,
      waMessageId: `${campaignId}-${i}`,
      createdAt,
    });
    await w.prisma.message.createMany({
      data: [
        message(loose, 1, new Date()),
        message(loose, 2, new Date()),
        message(loose, 3, new Date(Date.now() - 120_000)), // outside the minute
        message(strict, 1, new Date()),
      ],
    });
    const usage = await caller.limits.usage();
    // (Earlier tests left other RUNNING campaigns behind: look at these two.)
    expect(usage.campaigns.filter((c) => c.id === loose || c.id === strict)).toEqual([
      { id: loose, name: "Loose", used: 2, limit: 20 },
      { id: strict, name: "Strict", used: 1, limit: 5 },
    ]);
  });
});

describe("lifecycle webhooks from the dashboard", () => {
  it("start and pause write campaign.started / campaign.paused outbox rows with the change", async () => {
    const endpoint = await w.prisma.webhookEndpoint.create({
      data: {
        companyId: w.a.companyId,
        url: "https://example.test/hook",
        events: ["campaign.started", "campaign.paused", "campaign.completed"],
        secretEncrypted: new Uint8Array(encryptSecret("whsec_x")),
      },
    });
    const caller = w.asUser(w.a.ownerId, w.a.companyId);
    const created = await caller.campaigns.create({ ...draftInput(), name: "Hooked" });
    await caller.campaigns.start({ id: created.id });
    await caller.campaigns.pause({ id: created.id });
    // A refused change (resume twice) writes no second row.
    await caller.campaigns.resume({ id: created.id });
    await expect(caller.campaigns.resume({ id: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
    const rows = await w.prisma.webhookDelivery.findMany({
      where: { endpointId: endpoint.id },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((r) => [r.eventType, r.status])).toEqual([
      ["campaign.started", "PENDING"],
      ["campaign.paused", "PENDING"],
    ]);
    expect(rows[1]?.payload).toEqual({
      type: "campaign.paused",
      sessionId: null,
      campaignId: created.id,
      name: "Hooked",
      status: CampaignStatus.PAUSED,
      reason: "Paused by a user",
    });
  });
});

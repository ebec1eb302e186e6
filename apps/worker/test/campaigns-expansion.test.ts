// Expansion of an audience (lists ∪ tags ∪ contact ids) into recipients, in keyset chunks.
import { CampaignStatus, type PrismaClient } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandCampaign } from "../src/campaigns/expansion";

let db: TestDatabase;
let prisma: PrismaClient;
let companyId: string;
let otherCompanyId: string;
let sessions: string[];

beforeAll(async () => {
  db = await createTestDatabase("campaignexpansion");
  prisma = db.prisma;
  companyId = (await prisma.company.create({ data: { name: "A", slug: "a" } })).id;
  otherCompanyId = (await prisma.company.create({ data: { name: "B", slug: "b" } })).id;
  sessions = await Promise.all(
    ["s1", "s2", "s3"].map(
      async (label) => (await prisma.whatsappSession.create({ data: { companyId, label } })).id,
    ),
  );
});
afterAll(async () => {
  await db?.drop();
});

async function contact(
  company: string,
  n: number,
  extra: { tags?: string[]; optedOut?: boolean; jid?: null } = {},
) {
  const digits = `55119700${String(n).padStart(5, "0")}`;
  return prisma.contact.create({
    data: {
      companyId: company,
      phone: `+${digits}`,
      jid: extra.jid === null ? null : `${digits}@s.whatsapp.net`,
      ...extra,
    },
  });
}

describe("expansion", () => {
  it("takes the union of lists, tags and ids once, excludes opted-out and invalid, rotates numbers and variants", async () => {
    const list = await prisma.contactList.create({ data: { companyId, name: "L" } });
    const inList = await Promise.all([1, 2, 3, 4].map((n) => contact(companyId, n)));
    await prisma.contactListMember.createMany({
      data: inList.map((c) => ({ listId: list.id, contactId: c.id })),
    });
    const tagged = await Promise.all(
      [3, 4, 5, 6, 7].map((n) => contact(companyId, n + 100, { tags: ["vip"] })),
    );
    // Contact 1 is also tagged: counted once.
    await prisma.contact.update({ where: { id: inList[0]!.id }, data: { tags: ["vip"] } });
    const byId = await contact(companyId, 200);
    const optedOut = await contact(companyId, 201, { tags: ["vip"], optedOut: true });
    const invalid = await contact(companyId, 202, { tags: ["vip"], jid: null });
    await contact(companyId, 203, { tags: ["other"] });
    const foreign = await contact(otherCompanyId, 300, { tags: ["vip"] });

    const campaign = await prisma.campaign.create({
      data: {
        companyId,
        name: "x",
        status: CampaignStatus.RUNNING,
        variants: ["a", "b"],
        audience: { listIds: [list.id], tags: ["vip"], contactIds: [byId.id, foreign.id] },
        senders: { create: sessions.map((sessionId) => ({ sessionId })) },
      },
    });
    expect(await expandCampaign(prisma, campaign.id, companyId, 3)).toBe("expanded");
    // A second run (a retried job) changes nothing.
    expect(await expandCampaign(prisma, campaign.id, companyId, 3)).toBe("expanded");

    const recipients = await prisma.campaignRecipient.findMany({
      where: { campaignId: campaign.id },
      orderBy: { contactId: "asc" },
    });
    const expected = [...inList, ...tagged, byId].map((c) => c.id).sort();
    expect(recipients.map((r) => r.contactId)).toEqual(expected);
    const row = await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(row).toMatchObject({ totalRecipients: 10, excludedOptedOut: 1, excludedInvalid: 1 });
    expect(recipients.some((r) => r.contactId === optedOut.id || r.contactId === invalid.id)).toBe(false);
    // Position n → number n mod 3, variant n mod 2 (positions follow contact id order).
    expect(recipients.map((r) => r.sessionId)).toEqual(recipients.map((_, i) => [...sessions].sort()[i % 3]));
    expect(recipients.map((r) => r.variantIndex)).toEqual(recipients.map((_, i) => i % 2));
  });

  it("resumes from the cursor a crash left behind, and does nothing while paused", async () => {
    for (let n = 0; n < 20; n++) await contact(companyId, 500 + n, { tags: ["resume"] });
    const all = await prisma.contact.findMany({
      where: { companyId, tags: { has: "resume" } },
      orderBy: { id: "asc" },
    });
    const campaign = await prisma.campaign.create({
      data: {
        companyId,
        name: "resume",
        status: CampaignStatus.PAUSED,
        variants: ["a", "b"],
        audience: { listIds: [], tags: ["resume"], contactIds: [] },
        senders: { create: sessions.slice(0, 2).map((sessionId) => ({ sessionId })) },
      },
    });
    expect(await expandCampaign(prisma, campaign.id, companyId, 4)).toBe("not-running");
    expect(await prisma.campaignRecipient.count({ where: { campaignId: campaign.id } })).toBe(0);

    // The state after two committed chunks of 3 (each chunk commits recipients + cursor together).
    const done = all.slice(0, 6);
    const senders = sessions.slice(0, 2).sort();
    await prisma.campaignRecipient.createMany({
      data: done.map((c, i) => ({
        campaignId: campaign.id,
        contactId: c.id,
        sessionId: senders[i % 2],
        variantIndex: i % 2,
      })),
    });
    await prisma.campaign.update({
      where: { id: campaign.id },
      data: { status: CampaignStatus.RUNNING, expansionCursor: done.at(-1)!.id, totalRecipients: 6 },
    });
    expect(await expandCampaign(prisma, campaign.id, companyId, 4)).toBe("expanded");
    const recipients = await prisma.campaignRecipient.findMany({
      where: { campaignId: campaign.id },
      orderBy: { contactId: "asc" },
    });
    expect(recipients.map((r) => r.contactId)).toEqual(all.map((c) => c.id));
    // Positions continue after the crash: rotation is unbroken.
    expect(recipients.map((r) => r.variantIndex)).toEqual(all.map((_, i) => i % 2));
    expect(recipients.map((r) => r.sessionId)).toEqual(all.map((_, i) => senders[i % 2]));
    expect((await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).totalRecipients).toBe(
      20,
    );
  });
});

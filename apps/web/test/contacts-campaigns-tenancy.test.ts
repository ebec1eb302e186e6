// Tenancy wall for every contacts.* and campaigns.* procedure: company B's owner and B's API key
// aim each procedure at company A's ids. Each call is refused or answers without A's data, and
// A's rows are unchanged afterwards. A new procedure without a case fails the coverage test.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { CampaignStatus } from "@zapflow/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "@/server/root";
import { createTestWorld, type TestWorld } from "./support/fixture";

const NAMESPACES = ["contacts.", "campaigns."];

interface Seed {
  contactId: string;
  phone: string;
  listId: string;
  listName: string;
  importId: string;
  storageKey: string;
  sessionId: string;
  draftId: string;
  runningId: string;
  bListId: string;
  bCampaignId: string;
}

type Inputs = (s: Seed) => unknown[];
const none: Inputs = () => [undefined];
const byId =
  (key: keyof Seed, extra: Record<string, unknown> = {}): Inputs =>
  (s) => [{ id: s[key], ...extra }];
const csv = Buffer.from("nome;telefone\nB;11987650001\n").toString("base64");

const cases: Record<string, Inputs> = {
  "contacts.list": (s) => [{}, { search: s.phone.slice(3) }, { listId: s.listId }, { tag: "vip-a" }],
  "contacts.get": byId("contactId"),
  "contacts.create": (s) => [{ phone: s.phone, name: "B's copy" }],
  "contacts.update": byId("contactId", { name: "stolen", optedOut: true, customFields: { x: "y" } }),
  "contacts.delete": byId("contactId"),
  "contacts.tags": none,
  "contacts.lists": none,
  "contacts.createList": (s) => [{ name: s.listName }],
  "contacts.deleteList": byId("listId"),
  "contacts.addToList": (s) => [
    { listId: s.listId, contactIds: [s.contactId] },
    { listId: s.bListId, contactIds: [s.contactId] },
  ],
  "contacts.removeFromList": (s) => [{ listId: s.listId, contactIds: [s.contactId] }],
  "contacts.importPreview": () => [{ fileName: "b.csv", contentBase64: csv }],
  "contacts.importStart": (s) => [
    { storageKey: s.storageKey, fileName: "a.csv", mapping: { phone: "telefone" } },
    { storageKey: `imports/x/../${s.storageKey}`, fileName: "a.csv", mapping: { phone: "telefone" } },
  ],
  "contacts.importGet": byId("importId"),
  "contacts.importList": none,
  "contacts.importCancel": byId("importId"),
  "campaigns.list": () => [{}, { status: CampaignStatus.RUNNING }],
  "campaigns.get": byId("draftId"),
  "campaigns.create": (s) => [
    { name: "x", variants: ["hi"], audience: { listIds: [s.listId] }, sessionIds: [s.bCampaignId] },
    { name: "x", variants: ["hi"], audience: { tags: ["vip-a"] }, sessionIds: [s.sessionId] },
  ],
  "campaigns.update": (s) => [
    { id: s.draftId, name: "stolen" },
    { id: s.draftId, maxPerMinute: 1, scheduledAt: "2099-01-01T10:00" },
    { id: s.runningId, name: "stolen" },
    { id: s.bCampaignId, sessionIds: [s.sessionId] },
    { id: s.bCampaignId, audience: { listIds: [s.listId] } },
  ],
  "campaigns.delete": byId("draftId"),
  "campaigns.audienceCount": (s) => [
    { audience: { listIds: [s.listId] } },
    { audience: { tags: ["vip-a"], contactIds: [s.contactId] } },
  ],
  "campaigns.preview": (s) => [{ id: s.draftId }, { id: s.bCampaignId, contactId: s.contactId }],
  "campaigns.start": byId("draftId"),
  "campaigns.pause": byId("runningId"),
  "campaigns.resume": byId("runningId"),
  "campaigns.cancel": byId("runningId"),
  "campaigns.progress": byId("runningId"),
  "campaigns.recipients": byId("runningId"),
};

const REFUSALS = new Set(["NOT_FOUND", "FORBIDDEN", "BAD_REQUEST"]);

const procedurePaths = () =>
  Object.keys(appRouter._def.procedures).filter((p) => NAMESPACES.some((ns) => p.startsWith(ns)));

function callPath(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

let w: TestWorld;
let s: Seed;
let storage: string;

async function snapshotA(): Promise<string> {
  const companyId = w.a.companyId;
  const [contacts, lists, members, imports, campaigns, senders] = await Promise.all([
    w.prisma.contact.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    w.prisma.contactList.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    w.prisma.contactListMember.findMany({ where: { list: { companyId } }, orderBy: { contactId: "asc" } }),
    w.prisma.contactImport.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    w.prisma.campaign.findMany({ where: { companyId }, orderBy: { id: "asc" } }),
    w.prisma.campaignSender.findMany({ where: { campaign: { companyId } }, orderBy: { campaignId: "asc" } }),
  ]);
  return JSON.stringify({ contacts, lists, members, imports, campaigns, senders });
}

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), "zf-web-storage-"));
  process.env.STORAGE_DIR = storage;
  w = await createTestWorld("contactstenancy");
  const companyId = w.a.companyId;
  const session = await w.prisma.whatsappSession.create({ data: { companyId, label: "A sender" } });
  const contact = await w.prisma.contact.create({
    data: {
      companyId,
      phone: "+5511912340001",
      jid: "5511912340001@s.whatsapp.net",
      name: "Alice A",
      tags: ["vip-a"],
    },
  });
  const list = await w.prisma.contactList.create({ data: { companyId, name: "A list" } });
  await w.prisma.contactListMember.create({ data: { listId: list.id, contactId: contact.id } });
  const storageKey = `imports/${companyId}/a.csv`;
  const imp = await w.prisma.contactImport.create({
    data: { companyId, fileName: "a.csv", storageKey, mapping: { phone: "telefone" }, status: "RUNNING" },
  });
  const campaignData = {
    companyId,
    variants: ["Olá {nome}"],
    audience: { listIds: [list.id], tags: [], contactIds: [] },
    senders: { create: [{ sessionId: session.id }] },
  };
  const draft = await w.prisma.campaign.create({ data: { ...campaignData, name: "A draft" } });
  const running = await w.prisma.campaign.create({
    data: { ...campaignData, name: "A running", status: CampaignStatus.RUNNING, startedAt: new Date() },
  });
  const bSession = await w.prisma.whatsappSession.create({
    data: { companyId: w.b.companyId, label: "B sender" },
  });
  const bList = await w.prisma.contactList.create({ data: { companyId: w.b.companyId, name: "B list" } });
  const bCampaign = await w.prisma.campaign.create({
    data: {
      companyId: w.b.companyId,
      name: "B draft",
      variants: ["hi"],
      audience: { listIds: [bList.id], tags: [], contactIds: [] },
      senders: { create: [{ sessionId: bSession.id }] },
    },
  });
  s = {
    contactId: contact.id,
    phone: contact.phone,
    listId: list.id,
    listName: list.name,
    importId: imp.id,
    storageKey,
    sessionId: session.id,
    draftId: draft.id,
    runningId: running.id,
    bListId: bList.id,
    bCampaignId: bCampaign.id,
  };
});

afterAll(async () => {
  await w?.close();
  await rm(storage, { recursive: true, force: true });
});

describe("contacts/campaigns tenancy wall", () => {
  it("has a case for every contacts/campaigns procedure", () => {
    expect(procedurePaths().filter((p) => !cases[p])).toEqual([]);
    expect(procedurePaths().length).toBeGreaterThan(20);
  });

  const actors = [
    { name: "B's owner", caller: () => w.asUser(w.b.ownerId, w.b.companyId) },
    { name: "B's owner claiming A as active company", caller: () => w.asUser(w.b.ownerId, w.a.companyId) },
    { name: "B's API key (all scopes)", caller: () => w.asKey(w.b) },
  ];

  for (const actor of actors) {
    it(`${actor.name} cannot read or change A's contacts and campaigns`, async () => {
      // B's own rows from an earlier actor (its copy of A's phone, a list named like A's) would
      // answer CONFLICT for B's own data: start each actor from a clean B.
      await w.prisma.contact.deleteMany({ where: { companyId: w.b.companyId } });
      await w.prisma.contactList.deleteMany({ where: { companyId: w.b.companyId, id: { not: s.bListId } } });
      const before = await snapshotA();
      const secrets = [
        w.a.companyId,
        s.contactId,
        s.listId,
        s.importId,
        s.sessionId,
        s.draftId,
        s.runningId,
        "Alice A",
      ];
      const leaks: string[] = [];
      for (const path of procedurePaths()) {
        for (const input of cases[path]?.(s) ?? []) {
          try {
            const result = await callPath(actor.caller(), path, input);
            const json = JSON.stringify(result) ?? "";
            const leaked = secrets.filter((secret) => json.includes(secret));
            if (leaked.length) leaks.push(`${path}(${JSON.stringify(input)}) returned ${leaked.join(", ")}`);
          } catch (err) {
            if (!(err instanceof TRPCError) || !REFUSALS.has(err.code)) {
              leaks.push(`${path}(${JSON.stringify(input)}) failed unexpectedly: ${String(err)}`);
            }
          }
        }
      }
      expect(leaks).toEqual([]);
      expect(await snapshotA()).toEqual(before);
      // A's contact never joined B's list.
      expect(await w.prisma.contactListMember.count({ where: { listId: s.bListId } })).toBe(0);
    });
  }

  it("A's owner sees A's data through the same inputs (the cases are meaningful)", async () => {
    const owner = w.asUser(w.a.ownerId, w.a.companyId);
    expect(((await callPath(owner, "contacts.get", { id: s.contactId })) as { id: string }).id).toBe(
      s.contactId,
    );
    expect(((await callPath(owner, "campaigns.get", { id: s.draftId })) as { id: string }).id).toBe(
      s.draftId,
    );
    expect(((await callPath(owner, "contacts.importGet", { id: s.importId })) as { id: string }).id).toBe(
      s.importId,
    );
    const preview = (await callPath(owner, "campaigns.preview", { id: s.draftId })) as {
      rendered: { text: string }[];
    };
    expect(preview.rendered[0]?.text).toBe("Olá Alice A");
  });

  it("audience counts only see the caller's own contacts", async () => {
    const audience = { listIds: [s.listId], tags: ["vip-a"] };
    const mine = (await callPath(w.asUser(w.a.ownerId, w.a.companyId), "campaigns.audienceCount", {
      audience,
    })) as { total: number };
    expect(mine.total).toBeGreaterThan(0);
    for (const caller of [w.asUser(w.b.ownerId, w.b.companyId), w.asKey(w.b)]) {
      const theirs = (await callPath(caller, "campaigns.audienceCount", { audience })) as { total: number };
      expect(theirs.total).toBe(0);
    }
  });

  it("API keys need the contacts/campaigns scopes", async () => {
    const key = w.asKey(w.b, ["messages:read"]);
    for (const path of ["contacts.list", "campaigns.list"]) {
      const err = await callPath(key, path, {}).catch((e) => e);
      expect((err as TRPCError).code).toBe("FORBIDDEN");
    }
  });
});

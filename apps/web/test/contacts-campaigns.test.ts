// Contacts and campaigns through the tRPC procedures: CSV preview + import job, field-level
// validation, contact search, previews with missing variables, scheduling in the company zone.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TRPCError } from "@trpc/server";
import { CampaignStatus } from "@zapflow/db";
import { QueueName } from "@zapflow/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestWorld, type TestWorld } from "./support/fixture";

const fixture = join(import.meta.dirname, "../../worker/test/fixtures/contacts-messy.csv");
let w: TestWorld;
let storage: string;
let owner: ReturnType<TestWorld["asUser"]>;
let sessionId: string;

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), "zf-web-storage-"));
  process.env.STORAGE_DIR = storage;
  w = await createTestWorld("contactscampaigns");
  owner = w.asUser(w.a.ownerId, w.a.companyId);
  await w.prisma.company.update({ where: { id: w.a.companyId }, data: { timeZone: "America/Sao_Paulo" } });
  sessionId = (await w.prisma.whatsappSession.create({ data: { companyId: w.a.companyId, label: "s1" } })).id;
});
afterAll(async () => {
  await w?.close();
  await rm(storage, { recursive: true, force: true });
});

const fieldErrors = (err: unknown) => (err as TRPCError & { cause?: { issues?: { path: string }[] } }).cause;

describe("contacts", () => {
  it("previews a messy CSV (BOM, semicolons, quotes) and queues the import job", async () => {
    const content = await readFile(fixture);
    const preview = await owner.contacts.importPreview({
      fileName: "messy.csv",
      contentBase64: content.toString("base64"),
    });
    expect(preview).toMatchObject({
      encoding: "utf8",
      delimiter: ";",
      headers: ["Nome", "Telefone", "Condomínio", "Endereço", "Cargo"],
    });
    expect(preview.rows[0]).toEqual([
      "João Silva",
      "(11) 98765-4321",
      "Solar das Flores",
      "Rua das Acácias, 10; apto 5",
      "Síndico",
    ]);
    expect(preview.storageKey.startsWith(`imports/${w.a.companyId}/`)).toBe(true);
    expect(await readFile(join(storage, preview.storageKey))).toEqual(content);

    const started = await owner.contacts.importStart({
      storageKey: preview.storageKey,
      fileName: "messy.csv",
      mapping: { phone: "Telefone", name: "Nome", customFields: { condominio: "Condomínio" } },
    });
    expect(started.status).toBe("QUEUED");
    const job = await w.deps.queues.get(QueueName.contactImport).getJob(`import-${started.id}`);
    expect(job?.data).toEqual({ importId: started.id, companyId: w.a.companyId });
    const cancelled = await owner.contacts.importCancel({ id: started.id });
    expect(cancelled.status).toBe("CANCELLED");
    await expect(owner.contacts.importCancel({ id: started.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("creates, searches, paginates and opts out contacts with field-level errors on bad input", async () => {
    const bad = await owner.contacts.create({ phone: "12" }).catch((e) => e);
    expect(bad).toBeInstanceOf(TRPCError);
    expect(bad.code).toBe("BAD_REQUEST");
    expect(fieldErrors(bad)?.issues?.[0]?.path).toBe("phone");
    for (let i = 0; i < 5; i++)
      await owner.contacts.create({ phone: `(21) 99999-000${i}`, name: `Zé ${i}`, tags: ["t"] });
    await expect(owner.contacts.create({ phone: "+55 21 99999-0000" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const page1 = await owner.contacts.list({ search: "zé", limit: 3 });
    expect(page1.items).toHaveLength(3);
    const page2 = await owner.contacts.list({ search: "zé", limit: 3, cursor: page1.nextCursor! });
    expect(page2.items).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    expect((await owner.contacts.list({ search: "99999-0003" })).items.map((c) => c.name)).toEqual(["Zé 3"]);
    const target = page1.items[0]!;
    const queued = await w.prisma.message.create({
      data: {
        companyId: w.a.companyId,
        sessionId,
        contactId: target.id,
        chatJid: `${target.phone.slice(1)}@s.whatsapp.net`,
        direction: "OUTBOUND",
        type: "TEXT",
        payload: { text: "campaign batch" },
        status: "QUEUED",
        source: "CAMPAIGN",
        waMessageId: "3EB0OPTOUT000000000000",
      },
    });
    const updated = await owner.contacts.update({
      id: target.id,
      optedOut: true,
      customFields: { cargo: "síndico" },
    });
    expect(updated).toMatchObject({ optedOut: true, customFields: { cargo: "síndico" } });
    expect(updated.optedOutAt).not.toBeNull();
    // What was still queued to the contact is cancelled (the send processor skips cancelled rows).
    expect(await w.prisma.message.findUniqueOrThrow({ where: { id: queued.id } })).toMatchObject({
      status: "CANCELLED",
      lastError: "Contact opted out",
    });
    expect(await owner.contacts.tags()).toEqual([{ tag: "t", count: 5 }]);
  });

  it("shows when a contact last wrote and was last written to", async () => {
    const contact = await owner.contacts.create({ phone: "(21) 98888-0001", name: "Ativa" });
    expect(contact).toMatchObject({ lastInboundAt: null, lastOutboundAt: null });
    const inbound = new Date("2026-05-01T12:00:00.000Z");
    const outbound = new Date("2026-05-01T12:05:00.000Z");
    // What the worker writes on a received message and on a SENT batch.
    await w.prisma.contact.update({
      where: { id: contact.id },
      data: { lastInboundAt: inbound, lastOutboundAt: outbound },
    });
    const [listed] = (await owner.contacts.list({ search: "Ativa" })).items;
    expect(listed).toMatchObject({ lastInboundAt: inbound, lastOutboundAt: outbound });
  });
});

describe("campaigns", () => {
  it("rejects bad drafts with field-level messages and writes nothing", async () => {
    const before = await w.prisma.campaign.count();
    const err = await owner.campaigns
      .create({
        name: "",
        variants: [],
        audience: { listIds: [], tags: [], contactIds: [] },
        sessionIds: [],
        quietHoursStart: "25:00",
        minDelayMs: 10,
        maxDelayMs: 5,
      } as never)
      .catch((e) => e);
    expect(err.code).toBe("BAD_REQUEST");
    const paths = (err.cause.issues as { path: (string | number)[] }[]).map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["name", "variants", "audience", "sessionIds", "quietHoursStart"]),
    );
    expect(await w.prisma.campaign.count()).toBe(before);
  });

  it("previews with a real contact, counts exclusions, flags missing variables, schedules in the zone", async () => {
    const draft = await owner.campaigns.create({
      name: "Promo",
      variants: ["Olá {nome}, do {condominio}!", "Oi {nome|vizinho} ({cargo|morador})"],
      audience: { listIds: [], tags: ["t"], contactIds: [] },
      sessionIds: [sessionId],
    });
    expect(draft).toMatchObject({
      status: CampaignStatus.DRAFT,
      timeZone: "America/Sao_Paulo",
      batchSize: 50,
    });
    const preview = await owner.campaigns.preview({ id: draft.id });
    expect(preview.audience).toEqual({ total: 5, eligible: 4, optedOut: 1, invalid: 0 });
    expect(preview.rendered[0]).toEqual({
      text: `Olá ${preview.contact?.name}, do !`,
      missing: ["condominio"],
    });
    expect(preview.missingVariables.contacts).toBe(4);

    const scheduled = await owner.campaigns.start({ id: draft.id, scheduledAt: "2099-01-15T09:30" });
    expect(scheduled.status).toBe(CampaignStatus.SCHEDULED);
    expect(scheduled.scheduledAt?.toISOString()).toBe("2099-01-15T12:30:00.000Z");
    const job = await w.deps.queues.get(QueueName.campaign).getJob(`campaign-start-${draft.id}`);
    expect(job?.opts.delay).toBeGreaterThan(0);
    // Scheduled, not started yet: still editable (started ones are not: campaigns-edit-limits.test.ts).
    expect((await owner.campaigns.update({ id: draft.id, name: "x" })).name).toBe("x");
    await expect(owner.campaigns.start({ id: draft.id, scheduledAt: "yesterday" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const cancelled = await owner.campaigns.cancel({ id: draft.id });
    expect(cancelled.status).toBe(CampaignStatus.CANCELLED);
    const progress = await owner.campaigns.progress({ id: draft.id });
    expect(progress).toMatchObject({ status: CampaignStatus.CANCELLED, total: 0, pending: 0 });
  });
});

describe("REST (trpc-to-openapi)", () => {
  it("documents the integrator endpoints and serves them to API keys, walled by company", async () => {
    const { handleRestRequest, openApiDocument } = await import("@/server/rest");
    const doc = openApiDocument("http://localhost:3000");
    for (const path of [
      "/contacts",
      "/contacts/{id}",
      "/contacts/imports/{id}",
      "/campaigns",
      "/campaigns/{id}/start",
      "/campaigns/{id}/progress",
    ]) {
      expect(Object.keys(doc.paths ?? {}), path).toContain(path);
    }
    const contact = await w.prisma.contact.findFirstOrThrow({ where: { companyId: w.a.companyId } });
    const get = (key: string, path: string) =>
      handleRestRequest(
        new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${key}` } }),
        w.deps,
      );
    const own = await get(w.a.apiKey, `/contacts/${contact.id}`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { phone: string }).phone).toBe(contact.phone);
    expect((await get(w.b.apiKey, `/contacts/${contact.id}`)).status).toBe(404);
    const list = await get(w.b.apiKey, "/contacts?limit=10");
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });
});

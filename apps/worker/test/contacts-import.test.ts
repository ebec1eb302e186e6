import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ImportStatus, type PrismaClient } from "@zapflow/db";
import { createTestDatabase, type TestDatabase } from "@zapflow/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processContactImport } from "../src/contacts/import-processor";

/** A full GC on demand (the test measures live memory, not garbage awaiting collection). */
function collectGarbage(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const logger = pino({ level: "silent" });

let db: TestDatabase;
let prisma: PrismaClient;
let storage: string;
let env: NodeJS.ProcessEnv;
let companyId: string;

beforeAll(async () => {
  db = await createTestDatabase("contactsimport");
  prisma = db.prisma;
  storage = await mkdtemp(join(tmpdir(), "zf-import-"));
  env = { STORAGE_DIR: storage };
  companyId = (await prisma.company.create({ data: { name: "Acme", slug: "acme" } })).id;
});

afterAll(async () => {
  await db?.drop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

async function stageImport(
  fixture: string,
  mapping: object,
  extra: { listId?: string; company?: string } = {},
) {
  const key = `imports/${Date.now()}-${Math.random().toString(36).slice(2)}-${fixture}`;
  await mkdir(dirname(join(storage, key)), { recursive: true });
  await copyFile(join(fixtures, fixture), join(storage, key));
  return prisma.contactImport.create({
    data: {
      companyId: extra.company ?? companyId,
      listId: extra.listId,
      fileName: fixture,
      storageKey: key,
      mapping,
      defaultCountry: "BR",
    },
  });
}

const messyMapping = {
  phone: "Telefone",
  name: "Nome",
  customFields: { condominio: "Condomínio", endereco: "Endereço", cargo: "Cargo" },
  tags: ["importado"],
};

describe("CSV import of real-world exports", () => {
  it("imports the messy UTF-8/BOM/semicolon file with exact counts and per-line errors", async () => {
    // An existing, opted-out contact that the file updates: fields merged, opt-out kept.
    await prisma.contact.create({
      data: {
        companyId,
        phone: "+5511976543210",
        name: "Maria",
        customFields: { bloco: "B" },
        optedOut: true,
      },
    });
    const list = await prisma.contactList.create({ data: { companyId, name: "Síndicos" } });
    for (const batchSize of [1_000, 3]) {
      await prisma.contact.deleteMany({ where: { companyId, phone: { not: "+5511976543210" } } });
      const job = await stageImport("contacts-messy.csv", messyMapping, { listId: list.id });
      const status = await processContactImport(
        { prisma, logger, env, batchSize },
        { importId: job.id, companyId },
      );
      expect(status).toBe(ImportStatus.COMPLETED);
      const done = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });
      expect({
        total: done.totalRows,
        processed: done.processedRows,
        imported: done.importedRows,
        updated: done.updatedRows,
        duplicates: done.duplicateRows,
        invalid: done.invalidRows,
      }).toEqual({ total: 10, processed: 10, imported: 4, updated: 1, duplicates: 2, invalid: 3 });
      expect(done.rowErrors).toEqual([
        { line: 5, reason: '"abc" is not a phone number', value: "abc" },
        { line: 7, reason: "phone is empty", value: "" },
        { line: 9, reason: '"123" is not a valid phone number for BR', value: "123" },
      ]);
    }

    const contacts = await prisma.contact.findMany({ where: { companyId }, orderBy: { phone: "asc" } });
    expect(contacts.map((c) => c.phone)).toEqual([
      "+551134567890",
      "+5511912345678",
      "+5511976543210",
      "+5511987654321",
      "+5521998765432",
    ]);
    const byPhone = new Map(contacts.map((c) => [c.phone, c]));
    // Duplicate rows merge: later non-empty values win, earlier fields are kept.
    expect(byPhone.get("+5511987654321")).toMatchObject({
      name: 'Pedro "Pedrinho" Souza',
      jid: "5511987654321@s.whatsapp.net",
      customFields: {
        condominio: "Solar das Flores",
        endereco: "Rua das Acácias, 10; apto 5",
        cargo: "Morador",
      },
      tags: ["importado"],
    });
    expect(byPhone.get("+551134567890")).toMatchObject({
      name: "José Santos",
      customFields: { endereco: "Rua B", cargo: "Zelador Chefe" },
    });
    expect(byPhone.get("+5511976543210")).toMatchObject({
      name: "Maria Conceição",
      optedOut: true,
      customFields: { bloco: "B", condominio: "Vila Verde", endereco: "Av. Brasil 200" },
    });
    expect(await prisma.contactListMember.count({ where: { listId: list.id } })).toBe(5);
  });

  it("reads a Latin-1 comma file", async () => {
    const job = await stageImport("contacts-latin1.csv", {
      phone: "telefone",
      name: "nome",
      customFields: { cidade: "cidade" },
    });
    expect(await processContactImport({ prisma, logger, env }, { importId: job.id, companyId })).toBe(
      ImportStatus.COMPLETED,
    );
    const done = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });
    expect([done.importedRows, done.duplicateRows, done.invalidRows]).toEqual([2, 1, 1]);
    expect(done.rowErrors).toEqual([
      { line: 5, reason: '"12" is not a valid phone number for BR', value: "12" },
    ]);
    expect(await prisma.contact.findFirst({ where: { companyId, phone: "+5521988887777" } })).toMatchObject({
      name: "Inês",
      customFields: { cidade: "Niterói" },
    });
    expect(await prisma.contact.findFirst({ where: { companyId, phone: "+14155552671" } })).toMatchObject({
      name: "Ação, Ltda",
      customFields: { cidade: "São José" },
    });
  });

  it("fails clearly when a mapped column is missing, writing nothing", async () => {
    const other = await prisma.company.create({ data: { name: "Other", slug: "other-missing-col" } });
    const job = await stageImport("contacts-messy.csv", { phone: "Celular" }, { company: other.id });
    expect(
      await processContactImport({ prisma, logger, env }, { importId: job.id, companyId: other.id }),
    ).toBe(ImportStatus.FAILED);
    const done = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });
    expect(done.error).toBe('column "Celular" (phone) is not in the file\'s header');
    expect(await prisma.contact.count({ where: { companyId: other.id } })).toBe(0);
  });

  it("never touches another company's import", async () => {
    const job = await stageImport("contacts-latin1.csv", { phone: "telefone" });
    const stranger = await prisma.company.create({ data: { name: "Stranger", slug: "stranger" } });
    expect(
      await processContactImport({ prisma, logger, env }, { importId: job.id, companyId: stranger.id }),
    ).toBe(ImportStatus.FAILED);
    expect((await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } })).status).toBe(
      ImportStatus.QUEUED,
    );
  });
});

describe("100,000-row import", () => {
  const ROWS = 100_000;

  async function writeBigFile(): Promise<string> {
    const key = "imports/big.csv";
    await mkdir(join(storage, "imports"), { recursive: true });
    const lines = ["nome;telefone;condominio"];
    // 119xxxxxxxx mobile numbers: all valid and distinct.
    for (let i = 0; i < ROWS; i++)
      lines.push(`Contato ${i};(11) 9${String(10_000_000 + i).slice(0, 8)};Cond ${i % 50}`);
    await writeFile(join(storage, key), `${lines.join("\n")}\n`);
    return key;
  }

  it("streams in bounded memory, can be cancelled, and resumes without double counting", async () => {
    const company = await prisma.company.create({ data: { name: "Big", slug: "big" } });
    const key = await writeBigFile();
    const fileMb = (await stat(join(storage, key))).size / 2 ** 20;
    const job = await prisma.contactImport.create({
      data: {
        companyId: company.id,
        fileName: "big.csv",
        storageKey: key,
        mapping: { phone: "telefone", name: "nome", customFields: { condominio: "condominio" } },
      },
    });

    // Cancel once about a third is in: the processor stops between batches.
    const cancelAt = 30_000;
    const watcher = setInterval(() => {
      void prisma.contactImport
        .updateMany({
          where: { id: job.id, processedRows: { gte: cancelAt }, status: ImportStatus.RUNNING },
          data: { status: ImportStatus.CANCELLED },
        })
        .then(() => undefined); // Prisma queries are lazy: then() runs it
    }, 20);
    const first = await processContactImport(
      { prisma, logger, env },
      { importId: job.id, companyId: company.id },
    );
    clearInterval(watcher);
    expect(first).toBe(ImportStatus.CANCELLED);
    const cancelled = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });
    expect(cancelled.processedRows).toBeGreaterThanOrEqual(cancelAt);
    expect(cancelled.processedRows).toBeLessThan(ROWS);
    expect(await prisma.contact.count({ where: { companyId: company.id } })).toBe(cancelled.processedRows);

    // The row as a crash would leave it (RUNNING, partly done): a rerun resumes from processedRows.
    await prisma.contactImport.update({ where: { id: job.id }, data: { status: ImportStatus.RUNNING } });
    // Live heap (after full collections) is what must stay bounded; peak heapUsed also counts garbage.
    const gc = collectGarbage();
    gc();
    const baseline = process.memoryUsage();
    let peakHeap = baseline.heapUsed;
    let peakRss = baseline.rss;
    let peakLive = baseline.heapUsed;
    let ticks = 0;
    const sampler = setInterval(() => {
      if (++ticks % 25 === 0) {
        gc();
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
      }
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 20);
    const started = performance.now();
    const second = await processContactImport(
      { prisma, logger, env },
      { importId: job.id, companyId: company.id },
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    expect(second).toBe(ImportStatus.COMPLETED);

    const done = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });
    expect([
      done.totalRows,
      done.processedRows,
      done.importedRows,
      done.updatedRows,
      done.duplicateRows,
    ]).toEqual([ROWS, ROWS, ROWS, 0, 0]);
    expect(await prisma.contact.count({ where: { companyId: company.id } })).toBe(ROWS);
    // The upload is removed once imported.
    await expect(stat(join(storage, key))).rejects.toMatchObject({ code: "ENOENT" });
    const heapGrowthMb = (peakHeap - baseline.heapUsed) / 2 ** 20;
    const liveGrowthMb = (peakLive - baseline.heapUsed) / 2 ** 20;
    const rssGrowthMb = (peakRss - baseline.rss) / 2 ** 20;
    const resumedRows = ROWS - cancelled.processedRows;
    console.info(
      `[100k import] resumed ${resumedRows} rows in ${seconds.toFixed(1)} s (${Math.round(resumedRows / seconds)} rows/s); ` +
        `live heap growth ${liveGrowthMb.toFixed(1)} MB, peak heapUsed growth ${heapGrowthMb.toFixed(1)} MB, RSS growth ${rssGrowthMb.toFixed(1)} MB (file ${fileMb.toFixed(1)} MB)`,
    );
    // Streaming + 1,000-row batches: live memory does not scale with the file (70k rows ≈ 3.5 MB of CSV,
    // ≈ 20 MB as JS strings if it were all held).
    expect(liveGrowthMb).toBeLessThan(16);
  }, 240_000);
});

// Campaign part of `pnpm bench`: CSV import rows/s (100k rows, streamed, 1,000-row batches) and the
// time to expand a 100k-recipient audience into campaign recipients (target < 10 s).
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CampaignStatus } from "@zapflow/db";
import { createTestDatabase } from "@zapflow/db/testing";
import pino from "pino";
import { expandCampaign } from "../../apps/worker/src/campaigns/expansion";
import { processContactImport } from "../../apps/worker/src/contacts/import-processor";

const ROWS = Number(process.env.BENCH_CAMPAIGN_ROWS ?? 100_000);

async function writeCsv(dir: string): Promise<string> {
  const lines = ["Nome;Telefone;Condomínio;Cargo"];
  for (let i = 0; i < ROWS; i++) {
    lines.push(
      `Pessoa ${i};(11) 9${String(10_000_000 + i).slice(0, 8)};Condomínio ${i % 300};${i % 7 ? "morador" : "síndico"}`,
    );
  }
  const path = join(dir, "bench.csv");
  await writeFile(path, `${lines.join("\n")}\n`);
  return "bench.csv";
}

function memorySampler() {
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  let live = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    // With --expose-gc, a full collection every second measures live memory (not garbage).
    if (global.gc && ++ticks % 50 === 0) {
      global.gc();
      live = Math.max(live, process.memoryUsage().heapUsed - start.heapUsed);
    }
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 20);
  return () => {
    clearInterval(timer);
    const mb = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);
    return {
      peakRssGrowthMB: mb(rss - start.rss),
      peakHeapGrowthMB: mb(heap - start.heapUsed),
      peakLiveHeapGrowthMB: global.gc ? mb(live) : "run with NODE_OPTIONS=--expose-gc",
    };
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const db = await createTestDatabase("benchcampaigns");
  const storage = await mkdtemp(join(tmpdir(), "zf-bench-campaigns-"));
  try {
    const prisma = db.prisma;
    const company = await prisma.company.create({ data: { name: "Bench", slug: "bench-campaigns" } });
    const key = await writeCsv(storage);
    const fileBytes = (await stat(join(storage, key))).size;
    const job = await prisma.contactImport.create({
      data: {
        companyId: company.id,
        fileName: key,
        storageKey: key,
        mapping: {
          phone: "Telefone",
          name: "Nome",
          customFields: { condominio: "Condomínio", cargo: "Cargo" },
          tags: ["bench"],
        },
      },
    });
    global.gc?.();
    const stopMemory = memorySampler();
    const importStarted = performance.now();
    const status = await processContactImport(
      { prisma, logger: pino({ level: "silent" }), env: { STORAGE_DIR: storage } },
      { importId: job.id, companyId: company.id },
    );
    const importSeconds = (performance.now() - importStarted) / 1000;
    const memory = stopMemory();
    const imported = await prisma.contactImport.findUniqueOrThrow({ where: { id: job.id } });

    const senders = await Promise.all(
      ["bench-a", "bench-b"].map((label) =>
        prisma.whatsappSession.create({ data: { companyId: company.id, label, engine: "SIMULATOR" } }),
      ),
    );
    const campaign = await prisma.campaign.create({
      data: {
        companyId: company.id,
        name: "bench",
        status: CampaignStatus.RUNNING,
        startedAt: new Date(),
        variants: ["Olá {nome}, {condominio}", "Oi {nome|vizinho} ({cargo|morador})"],
        audience: { listIds: [], tags: ["bench"], contactIds: [] },
        senders: { create: senders.map((s) => ({ sessionId: s.id })) },
      },
    });
    const expansionStarted = performance.now();
    const expansion = await expandCampaign(prisma, campaign.id, company.id);
    const expansionSeconds = (performance.now() - expansionStarted) / 1000;
    const expanded = await prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });

    return {
      import: {
        rows: ROWS,
        fileMB: +(fileBytes / 2 ** 20).toFixed(1),
        status,
        importedRows: imported.importedRows,
        seconds: +importSeconds.toFixed(2),
        rowsPerSecond: Math.round(ROWS / importSeconds),
        ...memory,
      },
      expansion: {
        result: expansion,
        recipients: expanded.totalRecipients,
        seconds: +expansionSeconds.toFixed(2),
        recipientsPerSecond: Math.round(expanded.totalRecipients / expansionSeconds),
        targetSeconds: 10,
        withinTarget: expansionSeconds < 10,
      },
    };
  } finally {
    await db.drop();
    await rm(storage, { recursive: true, force: true });
  }
}

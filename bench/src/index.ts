// `pnpm bench`: runs every benchmark part in sequence and prints one JSON document.
// Each part measures its own baseline in the same run (e.g. raw BullMQ on the same Redis).
// Select parts with BENCH_PARTS=send-throughput,sessions-rss (default: all).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const parts = ["send-throughput", "sessions-rss", "campaigns", "real-baileys"] as const;
const here = dirname(fileURLToPath(import.meta.url));

async function main() {
  const selected = process.env.BENCH_PARTS?.split(",").map((s) => s.trim()) ?? [...parts];
  const results: Record<string, unknown> = {
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    startedAt: new Date().toISOString(),
  };
  for (const part of selected) {
    const file = join(here, `${part}.ts`);
    if (!existsSync(file)) {
      results[part] = { skipped: "not implemented" };
      continue;
    }
    const started = Date.now();
    try {
      const mod = (await import(file)) as { run: () => Promise<Record<string, unknown>> };
      results[part] = { ...(await mod.run()), durationMs: Date.now() - started };
    } catch (error) {
      results[part] = { error: error instanceof Error ? error.message : String(error) };
      process.exitCode = 1;
    }
    process.stderr.write(`bench: ${part} done in ${Date.now() - started} ms\n`);
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  process.exit();
}

void main();

// Usage: node scripts/generate-secrets.mjs FILE...
// Creates each missing FILE with 32 random bytes (base64) readable only by its owner; existing files
// are kept, so secrets survive restarts. Used by `pnpm start` (.data/) and docker compose (/secrets).
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/generate-secrets.mjs FILE...");
  process.exit(2);
}
for (const file of files) {
  if (existsSync(file)) continue;
  mkdirSync(dirname(file), { recursive: true });
  // Temp file + hard link: a concurrent run never sees a half-written secret, and the first one wins.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, file);
    console.log(`generated ${file}`);
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
  } finally {
    unlinkSync(tmp);
  }
}

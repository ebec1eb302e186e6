import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Browser end-to-end tests: a real `next build` + `next start`, the real worker, Chromium.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 120_000,
    // The build alone takes a few minutes on two shared cores.
    hookTimeout: 600_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});

import type { NextConfig } from "next";

const config: NextConfig = {
  // Workspace packages export TypeScript source.
  transpilePackages: ["@zapflow/db", "@zapflow/queue"],
  // Node-only libraries loaded at run time instead of being bundled.
  serverExternalPackages: [
    "bullmq",
    "ioredis",
    "pg",
    "@prisma/adapter-pg",
    "bcryptjs",
    "@bull-board/api",
    "@bull-board/hono",
    "@bull-board/ui",
  ],
  poweredByHeader: false,
  // The build checks the app only; `tsc -p apps/web` checks tests and e2e too.
  typescript: { tsconfigPath: "tsconfig.build.json" },
};

export default config;

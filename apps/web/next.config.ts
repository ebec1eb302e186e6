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
};

export default config;

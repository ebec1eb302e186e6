import type { PrismaClient } from "@zapflow/db";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { WorkerConfig } from "./config";
import type { SessionBus } from "./session-bus";

/** What every module receives. Built once in main.ts (or by tests with their own DB/prefix). */
export interface WorkerContext {
  config: WorkerConfig;
  workerId: string;
  prisma: PrismaClient;
  logger: Logger;
  metrics: Registry;
  bus: SessionBus;
}

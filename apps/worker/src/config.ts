import { hostname } from "node:os";
import { checkMediaStorageEnv, mediaStorageEnvShape } from "@zapflow/db/storage";
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required"),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().default("zapflow"),
  WORKER_ID: z.string().optional(),
  WORKER_PORT: z.coerce.number().int().default(3001),
  LOG_LEVEL: z.string().default("info"),
  /** Level of the engine's own logs (Baileys is chatty below warn). */
  WA_LOG_LEVEL: z.string().default("warn"),
  /** baileys (real WhatsApp or the protocol simulator) | simulator (in-process) */
  WA_ENGINE: z.enum(["baileys", "simulator"]).default("baileys"),
  /** Baileys: WebSocket URL; point at the protocol simulator for demos/tests. */
  WA_WEBSOCKET_URL: z.string().optional(),
  /** Baileys against the protocol simulator: its root public key (base64). Refused in production. */
  WA_TRUSTED_ROOT_KEY: z.string().optional(),
  /** Baileys against the protocol simulator: its admin API, for the demo "simulate scan" controls. */
  WA_PROTOCOL_SIM_ADMIN_URL: z.string().optional(),
  MAX_SESSIONS: z.coerce.number().int().positive().default(50),
  SESSION_LEASE_MS: z.coerce.number().int().positive().default(15_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(10_000),
  BREAKER_THRESHOLD: z.coerce.number().int().positive().default(5),
  BREAKER_OPEN_MS: z.coerce.number().int().positive().default(300_000),
  /** A connection must stay open this long to count as a breaker success (reconnect-storm guard). */
  BREAKER_STABLE_MS: z.coerce.number().int().positive().default(30_000),
  RECONNECT_BASE_MS: z.coerce.number().int().positive().default(2_000),
  RECONNECT_MAX_MS: z.coerce.number().int().positive().default(60_000),
  /** A new socket that shows no progress (QR, code, open, close) in this time counts as a failure. */
  CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  STATUS_DEBOUNCE_MS: z.coerce.number().int().nonnegative().default(5_000),
  SEND_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  STUCK_PROCESSING_MS: z.coerce.number().int().positive().default(300_000),
  MESSAGE_EXPIRY_HOURS: z.coerce.number().positive().default(24),
  ENABLE_SIMULATOR_API: bool.default(false),
  /** WA_ENGINE=simulator: a SimulatorServer's URL (multi-process); absent = in-process simulator. */
  WA_SIMULATOR_URL: z.string().optional(),
  /** In-process simulator seed (deterministic ids, QR refs, pairing codes). */
  WA_SIMULATOR_SEED: z.coerce.number().int().default(1),
  /** MEDIA_STORAGE, MEDIA_DIR, S3_*: parsed as the web app parses them. */
  ...mediaStorageEnvShape,
});

export type WorkerConfig = z.infer<typeof schema> & { workerId: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = schema.superRefine(checkMediaStorageEnv).safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid worker configuration: ${issues}`);
  }
  return { ...parsed.data, workerId: parsed.data.WORKER_ID ?? `${hostname()}-${process.pid}` };
}

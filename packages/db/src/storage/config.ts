// Media storage settings from the environment, parsed the same way by web (uploads) and worker
// (downloads, sends). Each app composes `mediaStorageEnvShape` into its own schema and adds
// `checkMediaStorageEnv` (superRefine) for the rules that span several variables.
import { z } from "zod";
import { isSafeKey } from "./storage";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
/** Empty counts as unset (compose files pass `S3_ENDPOINT=` for "none"). */
const emptyAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema);

export const mediaStorageEnvShape = {
  /** Where media is kept: local disk (MEDIA_DIR) or an S3-compatible bucket (S3_*). */
  MEDIA_STORAGE: emptyAsUnset(z.enum(["local", "s3"], { error: 'must be "local" or "s3"' }).default("local")),
  /** Absolute, or relative to the repository root; default <repo>/.data/media (see create.ts). */
  MEDIA_DIR: emptyAsUnset(z.string().optional()),
  S3_BUCKET: emptyAsUnset(z.string().optional()),
  /** MinIO, R2 and other S3-compatible servers; absent = AWS S3. */
  S3_ENDPOINT: emptyAsUnset(
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. http://127.0.0.1:9000" }).optional(),
  ),
  S3_REGION: emptyAsUnset(z.string().default("us-east-1")),
  /** Both or neither; neither = the AWS SDK's default credential chain (instance role, …). */
  S3_ACCESS_KEY_ID: emptyAsUnset(z.string().optional()),
  S3_SECRET_ACCESS_KEY: emptyAsUnset(z.string().optional()),
  /** Default: true when S3_ENDPOINT is set (most S3-compatible servers have no per-bucket DNS). */
  S3_FORCE_PATH_STYLE: emptyAsUnset(bool.optional()),
  S3_KEY_PREFIX: emptyAsUnset(
    z
      .string()
      .refine((v) => isSafeKey(v.replace(/\/+$/, "")), 'must be key segments such as "zapflow/media"')
      .optional(),
  ),
};

export const mediaStorageEnv = z.object(mediaStorageEnvShape);
export type MediaStorageConfig = z.output<typeof mediaStorageEnv>;

/** Settings that only matter together (MEDIA_STORAGE=s3). */
export function checkMediaStorageEnv(env: MediaStorageConfig, ctx: z.RefinementCtx): void {
  if (env.MEDIA_STORAGE !== "s3") return;
  if (!env.S3_BUCKET)
    ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required with MEDIA_STORAGE=s3" });
  if (!env.S3_ACCESS_KEY_ID !== !env.S3_SECRET_ACCESS_KEY) {
    ctx.addIssue({
      code: "custom",
      path: [env.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"],
      message: "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together (or set neither)",
    });
  }
}

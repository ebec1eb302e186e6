// Upload settings of the web process: the media storage (same variables and parsing as the worker's,
// from @zapflow/db/storage) and the size limit. Parsed once, kept on globalThis like the server deps.
import {
  checkMediaStorageEnv,
  createMediaStorage,
  type MediaStorage,
  mediaStorageEnvShape,
} from "@zapflow/db/storage";
import { z } from "zod";

export interface MediaSettings {
  storage: MediaStorage;
  maxBytes: number;
}

const uploadEnv = z
  .object({
    ...mediaStorageEnvShape,
    /** Largest accepted upload; WhatsApp itself takes up to 16 MB for video and audio. */
    MEDIA_MAX_UPLOAD_MB: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.coerce.number({ error: "must be a number of megabytes" }).positive("must be above 0").default(16),
    ),
  })
  .superRefine(checkMediaStorageEnv);

export function loadMediaSettings(env: Record<string, string | undefined> = process.env): MediaSettings {
  const parsed = uploadEnv.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid media configuration: ${issues}`);
  }
  return {
    storage: createMediaStorage(parsed.data),
    maxBytes: Math.floor(parsed.data.MEDIA_MAX_UPLOAD_MB * 1024 * 1024),
  };
}

const holder = globalThis as unknown as { __zapflowMedia?: MediaSettings };

export function getMediaSettings(): MediaSettings {
  holder.__zapflowMedia ??= loadMediaSettings();
  return holder.__zapflowMedia;
}

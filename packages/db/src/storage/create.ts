// Picks the media storage from its settings (MEDIA_STORAGE; validated in config.ts).
import { S3Client } from "@aws-sdk/client-s3";
import { dataDir } from "../domain/storage";
import type { MediaStorageConfig } from "./config";
import { LocalDiskStorage } from "./local";
import { S3Storage } from "./s3";
import type { MediaStorage } from "./storage";

export function createMediaStorage(config: MediaStorageConfig): MediaStorage {
  if (config.MEDIA_STORAGE === "local") return new LocalDiskStorage(dataDir(config.MEDIA_DIR, "media"));
  // The config schema already refuses s3 without a bucket; this narrows the type for a hand-made config.
  if (!config.S3_BUCKET) throw new Error("S3_BUCKET is required with MEDIA_STORAGE=s3");
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  const client = new S3Client({
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE ?? Boolean(config.S3_ENDPOINT),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  });
  return new S3Storage({ client, bucket: config.S3_BUCKET, keyPrefix: config.S3_KEY_PREFIX });
}

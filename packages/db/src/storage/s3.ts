// S3-compatible media storage (AWS S3, MinIO, Cloudflare R2, …): one object per key, under an
// optional key prefix so several deployments or apps can share a bucket.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { assertSafeKey, MediaNotFoundError, type MediaStorage } from "./storage";

export interface S3StorageOptions {
  client: S3Client;
  bucket: string;
  /** Safe key segments ("zapflow/media"); a trailing "/" is optional. */
  keyPrefix?: string;
}

/** The SDK's error shape: `name` is the S3 error code, `$metadata` the HTTP status. */
type S3Error = Error & { $metadata?: { httpStatusCode?: number } };

export class S3Storage implements MediaStorage {
  readonly kind = "s3";
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(opts: S3StorageOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    const prefix = opts.keyPrefix?.replace(/\/+$/, "");
    if (prefix) assertSafeKey(prefix);
    this.prefix = prefix ? `${prefix}/` : "";
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return `${this.prefix}${key}`;
  }

  private where(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  /** SDK errors say what failed ("Access Denied") but not on which object: add it. */
  private async call<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof MediaNotFoundError) throw err;
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new Error(`S3 ${op} ${this.where(key)} failed: ${reason}`, { cause: err });
    }
  }

  async write(key: string, data: Uint8Array, contentType?: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.call("PutObject", key, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentType: contentType }),
      ),
    );
  }

  async read(key: string): Promise<Uint8Array> {
    const Key = this.objectKey(key);
    return this.call("GetObject", key, async () => {
      try {
        const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        if (!object.Body) throw new Error("response has no body");
        return await object.Body.transformToByteArray();
      } catch (err) {
        // Only NoSuchKey: a missing bucket is also a 404 (NoSuchBucket) but a configuration error.
        if ((err as S3Error).name === "NoSuchKey") {
          throw new MediaNotFoundError(key, `s3://${this.bucket}/${this.prefix}`);
        }
        throw err;
      }
    });
  }

  /** HEAD has no error body: any 404 (NotFound) is "absent"; 403 and the like are thrown. */
  async exists(key: string): Promise<boolean> {
    const Key = this.objectKey(key);
    return this.call("HeadObject", key, async () => {
      try {
        await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
        return true;
      } catch (err) {
        const e = err as S3Error;
        if (e.name === "NotFound" || e.$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    });
  }

  /** Deleting an absent object succeeds, as the local driver's rm --force does. */
  async remove(key: string): Promise<void> {
    const Key = this.objectKey(key);
    await this.call("DeleteObject", key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }
}

// Media storage drivers: local disk, and S3 against a real S3-compatible HTTP server (s3rver on
// loopback): objects, content types, key prefix, key safety, S3 errors, and the configuration.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { createMediaStorage, MediaNotFoundError, type MediaStorage } from "@zapflow/db/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { startTestS3, type TestS3 } from "./support/s3-server";

const BUCKET = "media";
// loadConfig validates the whole worker config; the database is never opened here.
const storageFrom = (env: Record<string, string>): MediaStorage =>
  createMediaStorage(loadConfig({ DATABASE_URL: "postgresql://127.0.0.1/unused", ...env }));
const configError = (env: Record<string, string>): string => {
  try {
    storageFrom(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("configuration was accepted");
};

const UNSAFE_KEYS = ["../secrets", "/abs", "a//b", "a/./b", "", "a b", "a/../../b"];
let s3: TestS3;
/** S3 storage on the test server's bucket, no key prefix. */
let storage: MediaStorage;
let localDir: string;

beforeAll(async () => {
  localDir = await mkdtemp(join(tmpdir(), "zf-media-"));
  s3 = await startTestS3();
  await s3.createBucket(BUCKET);
  storage = storageFrom(s3.env(BUCKET));
});
afterAll(async () => {
  await s3?.close();
  if (localDir) await rm(localDir, { recursive: true, force: true });
});

// Local disk and S3 keep the same promises: the code that uses MediaStorage never asks which.
describe.each(["local", "s3"])("%s media storage", (kind) => {
  let driver: MediaStorage;
  beforeAll(() => {
    driver = kind === "s3" ? storage : storageFrom({ MEDIA_DIR: localDir });
  });

  it("writes, overwrites, reads, checks and removes", async () => {
    expect(driver.kind).toBe(kind);
    const key = "company-1/inbound/msg-1";
    await driver.write(key, new Uint8Array([0x89, 0x50, 0, 255]), "image/png");
    expect(await driver.exists(key)).toBe(true);
    expect([...(await driver.read(key))]).toEqual([0x89, 0x50, 0, 255]);
    await driver.write(key, new Uint8Array([1, 2])); // a retried download writes the same key
    expect([...(await driver.read(key))]).toEqual([1, 2]);
    await driver.remove(key);
    expect(await driver.exists(key)).toBe(false);
    await expect(driver.remove(key)).resolves.toBeUndefined();
  });

  it("a missing key: exists is false, read rejects with MediaNotFoundError naming the key", async () => {
    expect(await driver.exists("company-1/inbound/nothing")).toBe(false);
    const err = await driver.read("company-1/inbound/nothing").catch((e) => e);
    expect(err).toBeInstanceOf(MediaNotFoundError);
    expect(err.message).toMatch(/^media "company-1\/inbound\/nothing" not found in /);
  });

  it("rejects unsafe keys", async () => {
    for (const key of UNSAFE_KEYS) {
      await expect(driver.write(key, new Uint8Array([1]))).rejects.toThrow(`invalid storage key "${key}"`);
      await expect(driver.read(key)).rejects.toThrow("invalid storage key");
      await expect(driver.exists(key)).rejects.toThrow("invalid storage key");
      await expect(driver.remove(key)).rejects.toThrow("invalid storage key");
    }
  });
});

describe("S3 media storage", () => {
  it("stores the content type it is given", async () => {
    const key = "company-1/inbound/typed";
    await storage.write(key, new Uint8Array([7, 7, 7]), "image/png");
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ContentType: "image/png", ContentLength: 3 });
    await storage.remove(key);
  });

  it("says where a missing object was looked for", async () => {
    const err = await storage.read("company-1/inbound/nothing").catch((e) => e);
    expect(err.message).toBe('media "company-1/inbound/nothing" not found in s3://media/');
  });

  it("puts every object under S3_KEY_PREFIX", async () => {
    const prefixed = storageFrom(s3.env(BUCKET, { S3_KEY_PREFIX: "tenant-a/media/" }));
    await prefixed.write("uploads/a.jpg", new Uint8Array([9]), "image/jpeg");
    expect(await s3.listKeys(BUCKET)).toContain("tenant-a/media/uploads/a.jpg");
    expect(await prefixed.exists("uploads/a.jpg")).toBe(true);
    expect(await storage.exists("uploads/a.jpg")).toBe(false);
    expect([...(await prefixed.read("uploads/a.jpg"))]).toEqual([9]);
    await prefixed.remove("uploads/a.jpg");
    expect(await s3.listKeys(BUCKET)).not.toContain("tenant-a/media/uploads/a.jpg");
  });

  it("sends nothing for an unsafe key", async () => {
    const before = await s3.listKeys(BUCKET);
    for (const key of UNSAFE_KEYS) await storage.write(key, new Uint8Array([1])).catch(() => undefined);
    expect(await s3.listKeys(BUCKET)).toEqual(before);
  });

  it("throws S3's other errors (unknown access key, missing bucket) instead of reporting absence", async () => {
    await storage.write("company-1/x", new Uint8Array([1]));
    // s3rver checks the access key id (not V4 signatures), and answers 404 before that for an
    // absent key: hence an existing key.
    const wrongKey = storageFrom(s3.env(BUCKET, { S3_ACCESS_KEY_ID: "NOT-A-KEY" }));
    await expect(wrongKey.exists("company-1/x")).rejects.toThrow(
      /^S3 HeadObject s3:\/\/media\/company-1\/x failed: /,
    );
    await expect(wrongKey.write("company-1/y", new Uint8Array([1]))).rejects.toThrow(
      /PutObject .*InvalidAccessKeyId/,
    );
    const noBucket = storageFrom(s3.env("no-such-bucket"));
    await expect(noBucket.write("k", new Uint8Array([1]))).rejects.toThrow(/PutObject .*NoSuchBucket/);
    const read = await noBucket.read("k").catch((e) => e);
    expect(read).not.toBeInstanceOf(MediaNotFoundError);
    expect(read.message).toMatch(/GetObject .*NoSuchBucket/);
    expect(await s3.listKeys(BUCKET)).not.toContain("company-1/y");
  });
});

describe("media storage configuration", () => {
  it("names the variable to fix", () => {
    const s3Env = { MEDIA_STORAGE: "s3", S3_BUCKET: "media" };
    expect(configError({ MEDIA_STORAGE: "gcs" })).toMatch(/MEDIA_STORAGE: must be "local" or "s3"/);
    expect(configError({ MEDIA_STORAGE: "s3" })).toMatch(/S3_BUCKET: required with MEDIA_STORAGE=s3/);
    expect(configError({ ...s3Env, S3_ENDPOINT: "minio:9000" })).toMatch(
      /S3_ENDPOINT: must be an http\(s\) URL/,
    );
    expect(configError({ ...s3Env, S3_ACCESS_KEY_ID: "id" })).toMatch(/S3_SECRET_ACCESS_KEY: .* go together/);
    expect(configError({ ...s3Env, S3_SECRET_ACCESS_KEY: "s" })).toMatch(/S3_ACCESS_KEY_ID: .* go together/);
    expect(configError({ ...s3Env, S3_KEY_PREFIX: "../up" })).toMatch(/S3_KEY_PREFIX: must be key segments/);
    expect(configError({ ...s3Env, S3_FORCE_PATH_STYLE: "yes" })).toMatch(/S3_FORCE_PATH_STYLE: /);
  });

  it("defaults: local disk, and for s3 region us-east-1 (empty values count as unset)", () => {
    expect(storageFrom({}).kind).toBe("local");
    expect(storageFrom({ MEDIA_STORAGE: "" }).kind).toBe("local");
    const config = loadConfig({
      DATABASE_URL: "postgresql://127.0.0.1/unused",
      MEDIA_STORAGE: "s3",
      S3_BUCKET: "media",
      S3_REGION: "",
      S3_ENDPOINT: "",
    });
    expect(config.S3_REGION).toBe("us-east-1");
    expect(config.S3_ENDPOINT).toBeUndefined();
  });
});

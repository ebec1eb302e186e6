// Messaging with MEDIA_STORAGE=s3 against a real S3-compatible server (s3rver): the messages module
// builds its storage from the config, the media-download job stores an inbound image in the bucket,
// and an outbound image is read from it by storageKey and reaches the (simulated) contact.
import { MessageStatus } from "@zapflow/db";
import { createMediaStorage, type MediaStorage } from "@zapflow/db/storage";
import { acceptOutboundMessage } from "@zapflow/queue/services/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { createHarness, type Harness, waitFor } from "./support/messaging-harness";
import { startTestS3, type TestS3 } from "./support/s3-server";

const BUCKET = "zapflow-media";
let s3: TestS3;
let h: Harness;
let sessionId: string;
/** The same settings as the worker's, to look at what it stored. */
let storage: MediaStorage;

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket(BUCKET);
  const env = s3.env(BUCKET, { S3_KEY_PREFIX: "prod" });
  // storage: undefined → the module creates it from the config (MEDIA_STORAGE=s3), as in production.
  h = await createHarness("storage-s3-messages", env, { storage: undefined });
  sessionId = await h.connectSession("main", "5511900000077");
  storage = createMediaStorage(loadConfig({ DATABASE_URL: h.db.url, ...env }));
});
afterAll(async () => {
  await h?.close();
  await s3?.close();
});

describe("media in S3", () => {
  it("the media-download job stores an inbound image in the bucket", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const waId = h.sim.injectInbound(sessionId, {
      from: "5511920000077",
      media: { type: "image", data: jpeg, mimeType: "image/jpeg", caption: "pic" },
    });
    const row = await waitFor(() =>
      h.db.prisma.message.findFirst({ where: { waMessageId: waId, mediaStatus: "DOWNLOADED" } }),
    );
    const key = `${h.companyId}/inbound/${row.id}`;
    expect(row.mediaStorageKey).toBe(key);
    expect(await s3.listKeys(BUCKET)).toContain(`prod/${key}`);
    expect([...(await storage.read(key))]).toEqual([...jpeg]);
    expect(await h.storage.exists(key)).toBe(false); // not on the harness's local disk
  });

  it("an outbound image is read from the bucket by storageKey and sent", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 42]);
    const key = `${h.companyId}/outbound/banner.png`; // accept refuses keys outside the company
    await storage.write(key, png, "image/png");
    const { message } = await acceptOutboundMessage({ prisma: h.db.prisma, queues: h.queues }, h.companyId, {
      sessionId,
      to: "5511930000077",
      type: "image",
      storageKey: key,
      mimeType: "image/png",
      caption: "from s3",
    });
    const sentStatuses: MessageStatus[] = [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ];
    await waitFor(async () => {
      const row = await h.db.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
      return sentStatuses.includes(row.status);
    });
    const sent = h.sim.sentLog(sessionId).find((s) => s.to === "5511930000077@s.whatsapp.net");
    expect(sent?.content).toMatchObject({
      type: "image",
      caption: "from s3",
      dataBase64: Buffer.from(png).toString("base64"),
    });
  });
});

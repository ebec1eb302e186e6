// POST /api/v1/media: auth (API key scope, dashboard session, tenant prefix of the key), validation
// (empty, size, mime type per message type) and the accept-time storageKey checks on send. Files go
// to a real local-disk storage in a temp dir; keys and sessions resolve against the real database.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalDiskStorage } from "@zapflow/db/storage";
import { acceptOutboundMessages } from "@zapflow/queue/services/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInnerContext } from "@/server/context";
import { SESSION_UPLOAD_HEADER } from "@/server/media/client";
import { handleMediaUpload } from "@/server/media/handler";
import { loadMediaSettings, type MediaSettings } from "@/server/media/settings";
import { createRequestContext } from "@/server/request-context";
import { type CompanyFixture, createTestWorld, insertApiKey, type TestWorld } from "./support/fixture";
import { rest } from "./support/http";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const MAX_BYTES = 1024;

let w: TestWorld;
let dir: string;
let media: MediaSettings;
let sessionA: string;

interface UploadResult {
  status: number;
  body: {
    storageKey?: string;
    mimeType?: string;
    size?: number;
    type?: string;
    message?: string;
    data?: { fieldErrors: Record<string, string[]> | null };
  };
}

type Auth = { key: string } | { userId: string; activeCompanyId?: string; noHeader?: boolean } | null;

async function upload(
  auth: Auth,
  init: { body?: BodyInit; headers?: Record<string, string>; query?: string },
) {
  const headers = new Headers(init.headers);
  if (auth && "key" in auth) headers.set("authorization", `Bearer ${auth.key}`);
  if (auth && "userId" in auth && !auth.noHeader) headers.set(SESSION_UPLOAD_HEADER, "fetch");
  const req = new Request(`http://test/api/v1/media${init.query ?? ""}`, {
    method: "POST",
    headers,
    body: init.body,
    duplex: "half",
  } as RequestInit);
  const createContext =
    auth && "userId" in auth
      ? async () =>
          createInnerContext(w.deps, {
            kind: "user",
            userId: auth.userId,
            isPlatformAdmin: false,
            activeCompanyId: auth.activeCompanyId ?? null,
          })
      : () => createRequestContext(req, { allowSession: false }, w.deps);
  const res = await handleMediaUpload(req, { createContext, media });
  return { status: res.status, body: (await res.json()) as UploadResult["body"] };
}

const raw = (auth: Auth, bytes: Uint8Array<ArrayBuffer>, contentType: string, query = "") =>
  upload(auth, { body: bytes, headers: { "content-type": contentType }, query });

function multipart(auth: Auth, file: File | null, type?: string) {
  const form = new FormData();
  if (file) form.set("file", file);
  if (type) form.set("type", type);
  return upload(auth, { body: form });
}

const keyOf = (c: CompanyFixture) => ({ key: c.apiKey });
const storedFiles = async (companyId: string) =>
  readdir(join(dir, companyId, "outbound")).catch(() => [] as string[]);

beforeAll(async () => {
  w = await createTestWorld("media-upload");
  dir = await mkdtemp(join(tmpdir(), "zf-web-media-"));
  media = { storage: new LocalDiskStorage(dir), maxBytes: MAX_BYTES };
  sessionA = (
    await w.prisma.whatsappSession.create({
      data: { companyId: w.a.companyId, label: "main", status: "CONNECTED" },
    })
  ).id;
});
afterAll(async () => {
  await w?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("upload", () => {
  it("stores a raw body under the API key's company and returns the key, type and size", async () => {
    const r = await raw(keyOf(w.a), PNG, "image/png");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ mimeType: "image/png", size: PNG.byteLength, type: "image" });
    expect(r.body.storageKey).toMatch(new RegExp(`^${w.a.companyId}/outbound/[0-9a-f-]{36}\\.png$`));
    expect([...(await media.storage.read(r.body.storageKey as string))]).toEqual([...PNG]);
  });

  it("takes multipart/form-data with a file field; type narrows the accepted mime types", async () => {
    const pdf = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], "invoice.pdf", {
      type: "application/pdf",
    });
    const r = await multipart(keyOf(w.b), pdf, "document");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ mimeType: "application/pdf", size: 4, type: "document" });
    expect(r.body.storageKey).toMatch(new RegExp(`^${w.b.companyId}/outbound/.+\\.pdf$`));
    const ogg = await raw(keyOf(w.b), PNG, "Audio/OGG; codecs=opus", "?type=audio");
    expect(ogg.body).toMatchObject({ mimeType: "audio/ogg", type: "audio" });
  });

  it("refuses empty, unknown and mismatched files with 400 naming the field, and writes nothing", async () => {
    const before = await storedFiles(w.a.companyId);
    const cases: [Promise<UploadResult>, string, RegExp][] = [
      [raw(keyOf(w.a), new Uint8Array(), "image/png"), "file", /the file is empty/],
      [multipart(keyOf(w.a), new File([], "a.png", { type: "image/png" })), "file", /the file is empty/],
      [multipart(keyOf(w.a), null, "image"), "file", /"file" field/],
      [
        raw(keyOf(w.a), PNG, "image/gif"),
        "mimeType",
        /"image\/gif" is not accepted; send one of image\/jpeg/,
      ],
      [raw(keyOf(w.a), PNG, "application/octet-stream"), "mimeType", /is not accepted/],
      [
        raw(keyOf(w.a), PNG, "application/pdf", "?type=image"),
        "mimeType",
        /for image; send one of image\/jpeg, image\/png$/,
      ],
      [raw(keyOf(w.a), PNG, "image/png", "?type=gif"), "type", /type must be one of image, video/],
      [
        upload(keyOf(w.a), {
          body: "--x\r\nbroken",
          headers: { "content-type": "multipart/form-data; boundary=y" },
        }),
        "file",
        /not valid multipart/,
      ],
    ];
    for (const [call, field, message] of cases) {
      const r = await call;
      expect(r.status).toBe(400);
      expect(r.body.data?.fieldErrors?.[field]?.[0]).toMatch(message);
    }
    expect(await storedFiles(w.a.companyId)).toEqual(before);
  });

  it("refuses files over MEDIA_MAX_UPLOAD_MB with 413, declared or streamed", async () => {
    const before = await storedFiles(w.a.companyId);
    const big = new Uint8Array(MAX_BYTES + 1);
    const declared = await raw(keyOf(w.a), big, "image/png");
    expect(declared.status).toBe(413);
    expect(declared.body.message).toMatch(/larger than 1 KB \(the server's MEDIA_MAX_UPLOAD_MB\)/);
    const streamed = await upload(keyOf(w.a), {
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(MAX_BYTES / 2));
          c.close();
        },
      }),
      headers: { "content-type": "image/png" },
    });
    expect(streamed.status).toBe(413);
    const form = await multipart(keyOf(w.a), new File([big], "big.png", { type: "image/png" }));
    expect(form.status).toBe(413);
    expect((await raw(keyOf(w.a), new Uint8Array(MAX_BYTES), "image/png")).status).toBe(200);
    expect((await storedFiles(w.a.companyId)).length).toBe(before.length + 1);
  });
});

describe("upload auth", () => {
  it("no credentials, an unknown key and a revoked key are 401; a key without messages:write is 403", async () => {
    const before = await storedFiles(w.a.companyId);
    expect((await raw(null, PNG, "image/png")).status).toBe(401);
    expect((await raw({ key: "zf_unknown" }, PNG, "image/png")).status).toBe(401);
    const revoked = await insertApiKey(w.prisma, w.a.companyId, {
      scopes: ["messages:write"],
      revokedAt: new Date(),
    });
    expect((await raw({ key: revoked.key }, PNG, "image/png")).status).toBe(401);
    const readOnly = await insertApiKey(w.prisma, w.a.companyId, { scopes: ["messages:read"] });
    const r = await raw({ key: readOnly.key }, PNG, "image/png");
    expect(r.status).toBe(403);
    expect(r.body.message).toBe("API key lacks scope messages:write");
    expect(await storedFiles(w.a.companyId)).toEqual(before);
    const writer = await insertApiKey(w.prisma, w.a.companyId, { scopes: ["messages:write"] });
    expect((await raw({ key: writer.key }, PNG, "image/png")).status).toBe(200);
  });

  it("a dashboard session uploads for its own company only, whatever company it claims", async () => {
    const asB = await raw({ userId: w.b.ownerId }, PNG, "image/png");
    expect(asB.body.storageKey?.startsWith(`${w.b.companyId}/outbound/`)).toBe(true);
    // A's owner claiming B as active company (not a member) still uploads into A.
    const claims = await raw({ userId: w.a.ownerId, activeCompanyId: w.b.companyId }, PNG, "image/png");
    expect(claims.status).toBe(200);
    expect(claims.body.storageKey?.startsWith(`${w.a.companyId}/outbound/`)).toBe(true);
    const member = await raw({ userId: w.memberOfA }, PNG, "image/png");
    expect(member.body.storageKey?.startsWith(`${w.a.companyId}/outbound/`)).toBe(true);
  });

  it("a session upload without the anti-CSRF header is 403", async () => {
    const r = await raw({ userId: w.a.ownerId, noHeader: true }, PNG, "image/png");
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/x-requested-with/);
  });
});

describe("send with a storageKey", () => {
  const send = (c: CompanyFixture, storageKey: string, sessionId = sessionA) =>
    rest(w.deps, "POST", "/messages", {
      key: c.apiKey,
      body: { sessionId, to: "+5511987650000", type: "image", storageKey, mimeType: "image/png" },
    });

  it("accepts the company's own uploaded key", async () => {
    const { body } = await raw(keyOf(w.a), PNG, "image/png");
    const r = await send(w.a, body.storageKey as string);
    expect(r.status).toBe(200);
    expect((r.body.message as { status: string }).status).toBe("QUEUED");
  });

  it("company B cannot send company A's key: 400 on storageKey, nothing written", async () => {
    const { body } = await raw(keyOf(w.a), PNG, "image/png");
    const sessionB = (
      await w.prisma.whatsappSession.create({
        data: { companyId: w.b.companyId, label: "b", status: "CONNECTED" },
      })
    ).id;
    const r = await send(w.b, body.storageKey as string, sessionB);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(
      /storageKey: storageKey must be a storageKey returned by POST \/api\/v1\/media/,
    );
    const inbound = await send(w.b, `${w.a.companyId}/inbound/some-message`, sessionB);
    expect(inbound.status).toBe(400);
    expect(await w.prisma.message.count({ where: { companyId: w.b.companyId } })).toBe(0);
  });

  it("unsafe keys are refused at accept, also in bulk (the whole call, before any insert)", async () => {
    for (const key of [
      "../etc/passwd",
      `${w.a.companyId}/../x`,
      `/${w.a.companyId}/a`,
      `${w.a.companyId}//a`,
    ]) {
      const r = await send(w.a, key);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/storageKey: storageKey must be a storage key of safe segments/);
    }
    const before = await w.prisma.message.count({ where: { companyId: w.a.companyId } });
    const own = (await raw(keyOf(w.a), PNG, "image/png")).body.storageKey as string;
    const item = (storageKey: string) => ({
      sessionId: sessionA,
      to: "+5511987650001",
      type: "image",
      storageKey,
    });
    await expect(
      acceptOutboundMessages(w.deps, w.a.companyId, [item(own), item(`${w.b.companyId}/outbound/x.png`)]),
    ).rejects.toMatchObject({
      name: "ValidationError",
      issues: [
        { path: "[1].storageKey", message: expect.stringMatching(/returned by POST \/api\/v1\/media/) },
      ],
    });
    expect(await w.prisma.message.count({ where: { companyId: w.a.companyId } })).toBe(before);
  });
});

describe("media settings", () => {
  it("the upload is in the OpenAPI document next to the generated operations", async () => {
    const { openApiDocument } = await import("@/server/rest");
    const paths = openApiDocument("http://localhost:3000").paths ?? {};
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/messages", "/media"]));
    expect(paths["/media"]?.post?.responses).toHaveProperty("413");
  });

  it("MEDIA_MAX_UPLOAD_MB defaults to 16 MB and must be a positive number", () => {
    expect(loadMediaSettings({ MEDIA_DIR: dir }).maxBytes).toBe(16 * 1024 * 1024);
    expect(loadMediaSettings({ MEDIA_DIR: dir, MEDIA_MAX_UPLOAD_MB: "0.5" }).maxBytes).toBe(512 * 1024);
    expect(() => loadMediaSettings({ MEDIA_MAX_UPLOAD_MB: "lots" })).toThrow(
      /MEDIA_MAX_UPLOAD_MB: must be a number/,
    );
    expect(() => loadMediaSettings({ MEDIA_MAX_UPLOAD_MB: "0" })).toThrow(
      /MEDIA_MAX_UPLOAD_MB: must be above 0/,
    );
  });

  it("parses the storage variables as the worker does", () => {
    expect(() => loadMediaSettings({ MEDIA_STORAGE: "s3" })).toThrow(
      /S3_BUCKET: required with MEDIA_STORAGE=s3/,
    );
    expect(loadMediaSettings({ MEDIA_STORAGE: "s3", S3_BUCKET: "m", S3_REGION: "" }).storage.kind).toBe("s3");
  });
});

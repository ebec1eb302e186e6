// Webhook endpoints over REST (/api/v1/webhooks…): API keys need scope webhooks:manage, company B's
// key cannot touch A's endpoints (404), the URL guard answers 400 on `url`, the signing secret is
// answered only by create and rotate, and the OpenAPI document lists the routes.
import { decryptSecret } from "@zapflow/db/crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { API_SCOPES } from "@/server/auth/scopes";
import { createTestWorld, insertApiKey, type TestWorld } from "./support/fixture";
import { rest, trpcMutation } from "./support/http";

let w: TestWorld;
/** A key of company A holding only webhooks:manage. */
let key: string;

beforeAll(async () => {
  w = await createTestWorld("webhooksrest");
  key = (await insertApiKey(w.prisma, w.a.companyId, { scopes: ["webhooks:manage"] })).key;
});
afterAll(async () => {
  await w?.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  secret?: string;
}

const endpointRow = (id: string) => w.prisma.webhookEndpoint.findUnique({ where: { id } });
const storedSecret = async (id: string) =>
  decryptSecret(
    (await w.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } })).secretEncrypted,
  ).toString("utf8");
const createVia = async (apiKey: string, url: string) => {
  const r = await rest(w.deps, "POST", "/webhooks", { key: apiKey, body: { url } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as unknown as EndpointView;
};

describe("scope webhooks:manage", () => {
  it("is offered for new keys (the dashboard form lists apiKeys.scopes)", async () => {
    const scopes = await w.asUser(w.a.ownerId, w.a.companyId).apiKeys.scopes();
    expect(scopes).toContain("webhooks:manage");
  });

  it("a key without it is 403 naming the scope on every route, and nothing is written", async () => {
    const others = API_SCOPES.filter((s) => s !== "webhooks:manage");
    const { key: noScope } = await insertApiKey(w.prisma, w.a.companyId, { scopes: [...others] });
    const existing = await createVia(key, "https://hooks.example.com/existing");
    const count = await w.prisma.webhookEndpoint.count();
    const calls: [string, string, unknown?][] = [
      ["GET", "/webhooks"],
      ["GET", "/webhooks/event-types"],
      ["POST", "/webhooks", { url: "https://hooks.example.com/x" }],
      ["GET", `/webhooks/${existing.id}`],
      ["PATCH", `/webhooks/${existing.id}`, { enabled: false }],
      ["POST", `/webhooks/${existing.id}/rotate-secret`],
      ["GET", `/webhooks/${existing.id}/deliveries`],
      ["DELETE", `/webhooks/${existing.id}`],
    ];
    const before = await endpointRow(existing.id);
    for (const [method, path, body] of calls) {
      const r = await rest(w.deps, method, path, { key: noScope, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(String(r.body.message), `${method} ${path}`).toMatch(/webhooks:manage/);
    }
    expect(await endpointRow(existing.id)).toEqual(before);
    expect(await w.prisma.webhookEndpoint.count()).toBe(count);
    await rest(w.deps, "DELETE", `/webhooks/${existing.id}`, { key });
  });

  it("dashboard: owners manage endpoints, members are still refused", async () => {
    const member = {
      kind: "user" as const,
      userId: w.memberOfA,
      isPlatformAdmin: false,
      activeCompanyId: null,
    };
    const refused = await trpcMutation(w.deps, member, "webhooks.create", {
      url: "https://hooks.example.com/m",
    });
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toMatch(/owners and admins/);
    await expect(w.asUser(w.memberOfA).webhooks.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const owner = w.asUser(w.a.ownerId, w.a.companyId);
    const created = await owner.webhooks.create({ url: "https://hooks.example.com/owner" });
    expect((await owner.webhooks.get({ id: created.id })).url).toBe("https://hooks.example.com/owner");
    await owner.webhooks.delete({ id: created.id });
  });
});

describe("CRUD with the scope", () => {
  it("lists event types (not taken for an endpoint id)", async () => {
    const r = await rest(w.deps, "GET", "/webhooks/event-types", { key });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expect.arrayContaining(["message.sent", "session.connected"]));
  });

  it("create → list → get → update → rotate → delete; the secret only at create and rotate", async () => {
    const created = await rest(w.deps, "POST", "/webhooks", {
      key,
      body: { url: "https://hooks.example.com/crm", description: "CRM", events: ["message.sent"] },
    });
    expect(created.status).toBe(200);
    const ep = created.body as unknown as EndpointView;
    expect(ep).toMatchObject({ url: "https://hooks.example.com/crm", description: "CRM", enabled: true });
    expect(ep.events).toEqual(["message.sent"]);
    expect(ep.secret).toMatch(/^whsec_/);
    expect(await storedSecret(ep.id)).toBe(ep.secret);
    const first = ep.secret as string;

    const list = await rest(w.deps, "GET", "/webhooks", { key });
    expect(list.status).toBe(200);
    expect((list.body as unknown as { items: EndpointView[] }).items.map((e) => e.id)).toEqual([ep.id]);
    const got = await rest(w.deps, "GET", `/webhooks/${ep.id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: ep.id, url: "https://hooks.example.com/crm" });

    const patched = await rest(w.deps, "PATCH", `/webhooks/${ep.id}`, {
      key,
      body: { url: "https://hooks.example.com/v2", events: [], enabled: false, description: null },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ url: "https://hooks.example.com/v2", events: [], enabled: false });
    expect(await endpointRow(ep.id)).toMatchObject({
      url: "https://hooks.example.com/v2",
      description: null,
    });

    const rotated = await rest(w.deps, "POST", `/webhooks/${ep.id}/rotate-secret`, { key });
    expect(rotated.status).toBe(200);
    const second = rotated.body.secret as string;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(await storedSecret(ep.id)).toBe(second);

    for (const r of [list, got, patched]) {
      const json = JSON.stringify(r.body);
      expect(json).not.toMatch(/secret/i);
      expect(json).not.toContain(first);
    }

    const deleted = await rest(w.deps, "DELETE", `/webhooks/${ep.id}`, { key });
    expect(deleted).toEqual({ status: 200, body: { ok: true } });
    expect(await endpointRow(ep.id)).toBeNull();
    expect((await rest(w.deps, "GET", `/webhooks/${ep.id}`, { key })).status).toBe(404);
  });

  it("GET /webhooks/{id}/deliveries pages through that endpoint's deliveries only, newest first", async () => {
    const ep = await createVia(key, "https://hooks.example.com/log");
    const other = await createVia(key, "https://hooks.example.com/other");
    const ids: string[] = [];
    for (const [endpointId, eventType] of [
      [ep.id, "message.sent"],
      [other.id, "message.read"],
      [ep.id, "message.delivered"],
      [ep.id, "message.read"],
    ] as const) {
      const d = await w.prisma.webhookDelivery.create({
        data: { companyId: w.a.companyId, endpointId, eventType, payload: {} },
      });
      if (endpointId === ep.id) ids.push(d.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = await rest(w.deps, "GET", `/webhooks/${ep.id}/deliveries${query}`, { key });
      expect(page.status).toBe(200);
      const items = page.body.items as { id: string; endpointId: string; status: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      expect(items.every((d) => d.endpointId === ep.id && d.status === "PENDING")).toBe(true);
      seen.push(...items.map((d) => d.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...ids].sort().reverse()); // newest first = highest uuidv7 first
    const bad = await rest(w.deps, "GET", `/webhooks/${ep.id}/deliveries?limit=500`, { key });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/limit/);
  });
});

describe("tenancy over REST", () => {
  it("company B's key (every scope) gets 404 for A's endpoint and changes nothing", async () => {
    const ep = await createVia(key, "https://hooks.example.com/a-only");
    await w.prisma.webhookDelivery.create({
      data: { companyId: w.a.companyId, endpointId: ep.id, eventType: "message.sent", payload: {} },
    });
    const before = await endpointRow(ep.id);
    const b = w.b.apiKey;
    const calls: [string, string, unknown?][] = [
      ["GET", `/webhooks/${ep.id}`],
      ["PATCH", `/webhooks/${ep.id}`, { url: "https://evil.example.com/steal", enabled: false }],
      ["POST", `/webhooks/${ep.id}/rotate-secret`],
      ["GET", `/webhooks/${ep.id}/deliveries`],
      ["DELETE", `/webhooks/${ep.id}`],
    ];
    for (const [method, path, body] of calls) {
      const r = await rest(w.deps, method, path, { key: b, body });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(r.body), `${method} ${path}`).not.toMatch(/whsec_|a-only/);
    }
    const listed = await rest(w.deps, "GET", "/webhooks", { key: b });
    expect(listed).toEqual({ status: 200, body: { items: [] } });
    expect(await endpointRow(ep.id)).toEqual(before);
  });
});

describe("URL guard over REST", () => {
  it("an internal or non-http(s) URL is a 400 on url, and nothing is written or changed", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
    const count = () => w.prisma.webhookEndpoint.count({ where: { companyId: w.a.companyId } });
    const before = await count();
    const internal = await rest(w.deps, "POST", "/webhooks", {
      key,
      body: { url: "http://169.254.169.254/latest/meta-data" },
    });
    expect(internal.status).toBe(400);
    const fieldErrors = (internal.body.data as { fieldErrors: Record<string, string[]> }).fieldErrors;
    expect(fieldErrors.url?.[0]).toMatch(/internal address.*public http\(s\) address/);
    const scheme = await rest(w.deps, "POST", "/webhooks", { key, body: { url: "ftp://example.com/x" } });
    expect(scheme.status).toBe(400);
    expect(JSON.stringify(scheme.body)).toMatch(/url must be an http\(s\) URL/);
    expect(await count()).toBe(before);

    const ep = await createVia(key, "https://hooks.example.com/keep");
    const bad = await rest(w.deps, "PATCH", `/webhooks/${ep.id}`, {
      key,
      body: { url: "http://10.0.0.5/h" },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.data as { fieldErrors: Record<string, string[]> }).fieldErrors.url?.[0]).toMatch(
      /internal address/,
    );
    expect((await endpointRow(ep.id))?.url).toBe("https://hooks.example.com/keep");
  });
});

describe("OpenAPI document", () => {
  it("lists every webhooks route; only create and rotate document a secret", async () => {
    const { openApiDocument } = await import("@/server/rest");
    const paths = openApiDocument("http://localhost:3000").paths as Record<string, Record<string, unknown>>;
    const expected: Record<string, string[]> = {
      "/webhooks": ["get", "post"],
      "/webhooks/event-types": ["get"],
      "/webhooks/{id}": ["delete", "get", "patch"],
      "/webhooks/{id}/rotate-secret": ["post"],
      "/webhooks/{id}/deliveries": ["get"],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(paths[path] ?? {}).sort(), path).toEqual(methods);
    }
    const response = (path: string, method: string) => {
      const operation = paths[path]?.[method] as { responses?: Record<string, unknown> } | undefined;
      return JSON.stringify(operation?.responses?.["200"] ?? null);
    };
    expect(response("/webhooks", "post")).toContain('"secret"');
    expect(response("/webhooks/{id}/rotate-secret", "post")).toContain('"secret"');
    for (const [path, method] of [
      ["/webhooks", "get"],
      ["/webhooks/{id}", "get"],
      ["/webhooks/{id}", "patch"],
    ] as const) {
      expect(response(path, method), `${method} ${path}`).not.toContain('"secret"');
    }
  });
});

// Endpoint URLs get the delivery's SSRF guard when saved: private, loopback, link-local and metadata
// targets are a 400 on `url` (nothing written) unless WEBHOOK_ALLOW_PRIVATE allows them.
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { isInternalAddress } from "@zapflow/queue/services/webhook-url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { createTestWorld, type TestWorld } from "./support/fixture";
import { trpcMutation } from "./support/http";

let w: TestWorld;
let owner: Principal;
/** This machine's name resolves to a loopback address here (/etc/hosts); checked, not assumed. */
let hostResolvesInternal = false;

beforeAll(async () => {
  w = await createTestWorld("webhookurls");
  owner = { kind: "user", userId: w.a.ownerId, isPlatformAdmin: false, activeCompanyId: w.a.companyId };
  const addresses = await lookup(hostname(), { all: true }).catch(() => []);
  hostResolvesInternal = addresses.length > 0 && addresses.every((a) => isInternalAddress(a.address));
});
afterAll(async () => {
  await w?.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const endpoints = () => w.prisma.webhookEndpoint.findMany({ where: { companyId: w.a.companyId } });
const create = (url: string) => trpcMutation(w.deps, owner, "webhooks.create", { url });

const INTERNAL = [
  "http://127.0.0.1:8080/hook",
  "http://localhost:3000/hook",
  "http://api.localhost/hook",
  "http://169.254.169.254/latest/meta-data",
  "http://10.0.0.5/hook",
  "http://192.168.1.20/hook",
  "http://[::1]/hook",
  "http://[::ffff:127.0.0.1]/hook",
  "http://[fd00:ec2::254]/latest",
  "http://2130706433/hook", // 127.0.0.1 written as one number
];

describe("webhooks.create / update URL guard (production settings)", () => {
  it.each(INTERNAL)("refuses %s with a 400 saying what to fix", async (url) => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
    const before = (await endpoints()).length;
    const r = await create(url);
    expect(r.status).toBe(400);
    expect(r.error?.data.code).toBe("BAD_REQUEST");
    expect(r.error?.data.fieldErrors?.url?.[0]).toMatch(/internal address.*public http\(s\) address/);
    expect(await endpoints()).toHaveLength(before);
  });

  it("refuses non-http(s) schemes", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
    for (const url of ["ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)"]) {
      const r = await create(url);
      expect(r.status, url).toBe(400);
      expect(r.error?.data.fieldErrors?.url?.[0], url).toMatch(/http/);
    }
  });

  it.runIf(() => hostResolvesInternal)(
    "refuses a hostname that resolves to an internal address",
    async () => {
      vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
      const r = await create(`http://${hostname()}:8080/hook`);
      expect(r.status).toBe(400);
      expect(r.error?.data.fieldErrors?.url?.[0]).toMatch(/resolves to an internal address/);
    },
  );

  it("accepts public addresses and names (a name that does not resolve yet too)", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
    for (const url of [
      "https://hooks.example.com/zapflow",
      "http://93.184.216.34/hook",
      "https://[2606:4700::1111]/h",
    ]) {
      const r = await create(url);
      expect(r.status, url).toBe(200);
      expect((r.data as { url: string }).url).toBe(url);
    }
  });

  it("update: an internal URL is refused and the row keeps its URL; a public one is saved", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "false");
    const created = (await create("https://before.example.com/h")).data as { id: string };
    const bad = await trpcMutation(w.deps, owner, "webhooks.update", {
      id: created.id,
      url: "http://169.254.169.254/",
    });
    expect(bad.status).toBe(400);
    expect(bad.error?.data.fieldErrors?.url?.[0]).toMatch(/internal address/);
    const row = await w.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.url).toBe("https://before.example.com/h");
    const good = await trpcMutation(w.deps, owner, "webhooks.update", {
      id: created.id,
      url: "https://after.example.com/h",
      enabled: false,
    });
    expect(good.status).toBe(200);
    expect((await w.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } })).url).toBe(
      "https://after.example.com/h",
    );
  });
});

describe("the same escape hatch as delivery (WEBHOOK_ALLOW_PRIVATE)", () => {
  it("production refuses private targets by default", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "");
    expect((await create("http://127.0.0.1:9000/hook")).status).toBe(400);
  });

  it("WEBHOOK_ALLOW_PRIVATE=true allows them, even in production", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("ENCRYPTION_KEY", "ab".repeat(32)); // production refuses to encrypt secrets without one
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "true");
    expect((await create("http://127.0.0.1:9000/hook")).status).toBe(200);
  });

  it("outside production they are allowed by default (local receivers in dev and tests)", async () => {
    vi.stubEnv("WEBHOOK_ALLOW_PRIVATE", "");
    expect((await create("http://localhost:9000/hook")).status).toBe(200);
  });
});

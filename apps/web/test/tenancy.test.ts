// Tenancy wall, table-driven over EVERY procedure of the app router: company B's user and B's API
// key (all scopes) call each procedure aimed at company A's ids. Each call must either be refused
// (NOT_FOUND / FORBIDDEN) or answer without any of A's data; A's rows must be unchanged after all.
// A procedure added without a row in `cases` fails the coverage test.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestWorld, type TestWorld } from "./support/fixture";
import { allProcedurePaths, callPath } from "./support/procedures";
import { type CompanyAData, seedCompanyA, snapshotCompanyA } from "./support/seed-a";

/** Namespaces owned by the campaigns helper, who tests their own procedures' tenancy. */
const OWNED_ELSEWHERE = ["contacts.", "campaigns."];

type Inputs = (a: CompanyAData, w: TestWorld) => unknown[];
const none: Inputs = () => [undefined];
const byId =
  (key: keyof CompanyAData, extra: Record<string, unknown> = {}): Inputs =>
  (a) => [{ id: a[key], ...extra }];
const textTo = (sessionId: string) => ({ sessionId, to: "+5511987650000", type: "text", text: "hello" });

const cases: Record<string, Inputs> = {
  "auth.me": none,
  "sessions.list": none,
  "sessions.get": byId("sessionId"),
  "sessions.create": () => [{ label: `B session ${crypto.randomUUID()}` }],
  "sessions.rename": byId("sessionId", { label: "stolen" }),
  "sessions.delete": byId("sessionId"),
  "sessions.start": byId("sessionId"),
  "sessions.stop": byId("sessionId"),
  "sessions.logout": byId("sessionId"),
  "sessions.restart": byId("sessionId"),
  "sessions.requestPairingCode": byId("sessionId", { phone: "5511987654321" }),
  "sessions.breaker": byId("sessionId"),
  "sessions.resetBreaker": byId("sessionId"),
  "messages.send": (a) => [textTo(a.sessionId)],
  "messages.sendBulk": (a) => [{ messages: [textTo(a.sessionId)] }],
  "messages.get": byId("messageId"),
  "messages.list": (a) => [{}, { sessionId: a.sessionId }, { chatJid: a.chatJid }],
  "messages.chats": (a) => [{ sessionId: a.sessionId }],
  "messages.stats": none,
  "messages.queueDepths": none,
  "messages.dlq.list": (a) => [{}, { sessionId: a.sessionId, includeFailed: true }],
  "messages.dlq.retry": (a) => [{ ids: [a.messageId] }],
  "messages.dlq.discard": (a) => [{ ids: [a.messageId] }],
  "limits.policy": none,
  "limits.usage": none,
  "apiKeys.scopes": none,
  "apiKeys.list": none,
  "apiKeys.create": () => [{ name: "B key", scopes: ["messages:read"] }],
  "apiKeys.revoke": (_a, w) => [{ id: w.a.apiKeyId }],
  "webhooks.eventTypes": none,
  "webhooks.list": none,
  "webhooks.get": byId("endpointId"),
  "webhooks.create": () => [{ url: "https://b.example/hook" }],
  "webhooks.update": byId("endpointId", { enabled: false, url: "https://evil.example" }),
  "webhooks.rotateSecret": byId("endpointId"),
  "webhooks.delete": byId("endpointId"),
  "webhooks.deliveries": (a) => [{}, { endpointId: a.endpointId }],
  "webhooks.endpointDeliveries": byId("endpointId", { limit: 5 }),
  "events.list": (a) => [{}, { sessionId: a.sessionId }],
  "admin.companies": none,
  "admin.stats": none,
  "admin.queueMetrics": none,
  "admin.pauseAllQueues": none,
  "admin.resumeAllQueues": none,
  "admin.companyPolicy": (_a, w) => [{ companyId: w.a.companyId }],
  "admin.updateCompanyPolicy": (_a, w) => [{ companyId: w.a.companyId, policy: { perNumberPerMinute: 1 } }],
};

const REFUSALS = new Set(["NOT_FOUND", "FORBIDDEN", "UNAUTHORIZED"]);

function procedurePaths(): string[] {
  return allProcedurePaths().filter((p) => !OWNED_ELSEWHERE.some((ns) => p.startsWith(ns)));
}

let w: TestWorld;
let a: CompanyAData;
let before: string;

beforeAll(async () => {
  w = await createTestWorld("tenancy");
  a = await seedCompanyA(w);
  before = await snapshotCompanyA(w);
});
afterAll(async () => {
  await w?.close();
});

describe("tenancy wall", () => {
  it("has a case for every procedure", () => {
    const missing = procedurePaths().filter((p) => !cases[p]);
    expect(missing, "procedures without a cross-tenant case").toEqual([]);
  });

  const actors = [
    { name: "B's owner", caller: () => w.asUser(w.b.ownerId, w.b.companyId) },
    // A foreign company id in the session's "active company" claim must not grant access either.
    { name: "B's owner claiming A as active company", caller: () => w.asUser(w.b.ownerId, w.a.companyId) },
    { name: "B's API key (all scopes)", caller: () => w.asKey(w.b) },
  ];

  for (const actor of actors) {
    it(`${actor.name} cannot read or change A's data through any procedure`, async () => {
      const secrets = () => [
        w.a.companyId,
        w.a.apiKeyId,
        a.sessionId,
        a.messageId,
        a.endpointId,
        a.deliveryId,
        a.eventMarker,
        "A secret text",
      ];
      const leaks: string[] = [];
      for (const path of procedurePaths()) {
        const inputs = cases[path]?.(a, w) ?? [];
        for (const input of inputs) {
          try {
            const result = await callPath(actor.caller(), path, input);
            const json = JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "";
            const leaked = secrets().filter((s) => json.includes(s));
            if (leaked.length) leaks.push(`${path}(${JSON.stringify(input)}) returned ${leaked.join(", ")}`);
          } catch (err) {
            if (!(err instanceof TRPCError) || !REFUSALS.has(err.code)) {
              leaks.push(`${path}(${JSON.stringify(input)}) failed unexpectedly: ${String(err)}`);
            }
          }
        }
      }
      expect(leaks).toEqual([]);
      expect(await snapshotCompanyA(w)).toEqual(before);
    });
  }

  it("A's own owner does see A's data (the table inputs are meaningful)", async () => {
    const owner = w.asUser(w.a.ownerId, w.a.companyId);
    const got = (await callPath(owner, "sessions.get", { id: a.sessionId })) as { id: string };
    expect(got.id).toBe(a.sessionId);
    const msg = (await callPath(owner, "messages.get", { id: a.messageId })) as { id: string };
    expect(msg.id).toBe(a.messageId);
    const deliveries = (await callPath(owner, "webhooks.deliveries", { endpointId: a.endpointId })) as {
      items: { id: string }[];
    };
    expect(deliveries.items.map((d) => d.id)).toEqual([a.deliveryId]);
  });
});

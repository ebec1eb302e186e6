// The unique constraints that make retries idempotent must reject duplicates at the database, and a
// rejected write must leave nothing behind (neither in a transaction nor in a nested create).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EventCategory,
  MessageDirection,
  MessageStatus,
  MessageType,
  Prisma,
  type PrismaClient,
} from "../src/index";
import { createTestDatabase, type TestDatabase } from "../src/testing/index";

type Tx = Prisma.TransactionClient;

let db: TestDatabase;
let prisma: PrismaClient;
const ids = {} as {
  acme: string;
  globex: string;
  user: string;
  session: string;
  contact: string;
  campaign: string;
};

/** The column list Postgres reported for a unique violation (adapter-pg quotes camelCase names). */
function violatedFields(err: unknown): string[] | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return undefined;
  const meta = err.meta as { driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } };
  return meta.driverAdapterError?.cause?.constraint?.fields?.map((f) => f.replace(/^"|"$/g, ""));
}

async function expectUniqueViolation(promise: Promise<unknown>, fields: string[]): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the duplicate write was accepted").toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
  expect((err as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
  expect(violatedFields(err)).toEqual(fields);
}

function message(overrides: Partial<Prisma.MessageUncheckedCreateInput>): Prisma.MessageUncheckedCreateInput {
  return {
    companyId: ids.acme,
    sessionId: ids.session,
    chatJid: "5511987654321@s.whatsapp.net",
    direction: MessageDirection.OUTBOUND,
    type: MessageType.TEXT,
    payload: { text: "hi" },
    status: MessageStatus.QUEUED,
    waMessageId: "3EB0AAAA",
    ...overrides,
  };
}

beforeAll(async () => {
  db = await createTestDatabase("unique");
  prisma = db.prisma;
  const acme = await prisma.company.create({ data: { name: "Acme", slug: "acme" } });
  const globex = await prisma.company.create({ data: { name: "Globex", slug: "globex" } });
  const user = await prisma.user.create({
    data: { email: "owner@acme.test", passwordHash: "x", memberships: { create: { companyId: acme.id } } },
  });
  const session = await prisma.whatsappSession.create({ data: { companyId: acme.id, label: "main" } });
  const contact = await prisma.contact.create({ data: { companyId: acme.id, phone: "+5511987654321" } });
  const campaign = await prisma.campaign.create({
    data: { companyId: acme.id, name: "c1", variants: ["oi"] },
  });
  await prisma.campaignRecipient.create({ data: { campaignId: campaign.id, contactId: contact.id } });
  await prisma.apiKey.create({
    data: { companyId: acme.id, name: "k", prefix: "zf_abc123", hashedKey: "h1", scopes: [] },
  });
  Object.assign(ids, {
    acme: acme.id,
    globex: globex.id,
    user: user.id,
    session: session.id,
    contact: contact.id,
    campaign: campaign.id,
  });
  await prisma.message.create({ data: message({ idempotencyKey: "order-1" }) });
});

afterAll(async () => {
  await db?.drop();
});

interface Case {
  name: string;
  fields: string[];
  count: (p: PrismaClient) => Promise<number>;
  duplicate: (tx: Tx) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: "company slug",
    fields: ["slug"],
    count: (p) => p.company.count(),
    duplicate: (tx) => tx.company.create({ data: { name: "Other Acme", slug: "acme" } }),
  },
  {
    name: "user email",
    fields: ["email"],
    count: (p) => p.user.count(),
    duplicate: (tx) => tx.user.create({ data: { email: "owner@acme.test", passwordHash: "y" } }),
  },
  {
    name: "membership user + company",
    fields: ["userId", "companyId"],
    count: (p) => p.membership.count(),
    duplicate: (tx) =>
      tx.membership.create({ data: { userId: ids.user, companyId: ids.acme, role: "ADMIN" } }),
  },
  {
    name: "message company + idempotencyKey",
    fields: ["companyId", "idempotencyKey"],
    count: (p) => p.message.count(),
    duplicate: (tx) =>
      tx.message.create({ data: message({ idempotencyKey: "order-1", waMessageId: "3EB0BBBB" }) }),
  },
  {
    name: "message session + waMessageId",
    fields: ["sessionId", "waMessageId"],
    count: (p) => p.message.count(),
    duplicate: (tx) => tx.message.create({ data: message({ idempotencyKey: "order-2" }) }),
  },
  {
    name: "campaign recipient campaign + contact",
    fields: ["campaignId", "contactId"],
    count: (p) => p.campaignRecipient.count(),
    duplicate: (tx) =>
      tx.campaignRecipient.create({ data: { campaignId: ids.campaign, contactId: ids.contact } }),
  },
  {
    name: "contact company + phone",
    fields: ["companyId", "phone"],
    count: (p) => p.contact.count(),
    duplicate: (tx) =>
      tx.contact.create({ data: { companyId: ids.acme, phone: "+5511987654321", name: "Dup" } }),
  },
  {
    name: "api key prefix",
    fields: ["prefix"],
    count: (p) => p.apiKey.count(),
    duplicate: (tx) =>
      tx.apiKey.create({
        data: { companyId: ids.acme, name: "k2", prefix: "zf_abc123", hashedKey: "h2", scopes: [] },
      }),
  },
];

describe("unique constraints", () => {
  it.each(cases)("$name: duplicate rejected with P2002, transaction leaves nothing", async (c) => {
    const before = await c.count(prisma);
    const marker = `marker-${c.name}`;
    await expectUniqueViolation(
      prisma.$transaction(async (tx) => {
        // Written first in the same transaction: must be rolled back with the failed insert.
        await tx.event.create({
          data: { category: EventCategory.SYSTEM, type: "test.marker", message: marker },
        });
        await c.duplicate(tx);
      }),
      c.fields,
    );
    expect(await c.count(prisma)).toBe(before);
    expect(await prisma.event.count({ where: { message: marker } })).toBe(0);
  });

  it("a nested create with a duplicate child writes neither parent nor children", async () => {
    const users = await prisma.user.count();
    const memberships = await prisma.membership.count();
    await expectUniqueViolation(
      prisma.user.create({
        data: {
          email: "new@acme.test",
          passwordHash: "z",
          memberships: { create: [{ companyId: ids.acme }, { companyId: ids.acme }] },
        },
      }),
      ["userId", "companyId"],
    );
    expect(await prisma.user.findUnique({ where: { email: "new@acme.test" } })).toBeNull();
    expect(await prisma.user.count()).toBe(users);
    expect(await prisma.membership.count()).toBe(memberships);
  });

  it("scopes are per tenant / per key: the same values elsewhere are accepted", async () => {
    // Same phone in another company, same idempotency key in another company, many keyless messages.
    await prisma.contact.create({ data: { companyId: ids.globex, phone: "+5511987654321" } });
    const globexSession = await prisma.whatsappSession.create({
      data: { companyId: ids.globex, label: "main" },
    });
    await prisma.message.create({
      data: message({ companyId: ids.globex, sessionId: globexSession.id, idempotencyKey: "order-1" }),
    });
    await prisma.message.create({ data: message({ waMessageId: "3EB0CCCC", idempotencyKey: null }) });
    await prisma.message.create({ data: message({ waMessageId: "3EB0DDDD", idempotencyKey: null }) });
    expect(await prisma.contact.count({ where: { phone: "+5511987654321" } })).toBe(2);
    expect(await prisma.message.count({ where: { idempotencyKey: null } })).toBe(2);
  });

  it("api key hashes are unique too", async () => {
    await expectUniqueViolation(
      prisma.apiKey.create({
        data: { companyId: ids.acme, name: "k3", prefix: "zf_other", hashedKey: "h1", scopes: [] },
      }),
      ["hashedKey"],
    );
  });
});

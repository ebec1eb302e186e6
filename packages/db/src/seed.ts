// Demo data: two companies, their users, a platform admin and a default rate-limit policy each.
// Idempotent (upserts on unique keys): `pnpm start` runs it on every start. Existing users keep
// their password; only new users get the seed password.
import { pathToFileURL } from "node:url";
import { createPrisma } from "./client";
import { MembershipRole, type PrismaClient } from "./generated/prisma/client";
import { hashPassword, verifyPassword } from "./passwords";

export const DEMO_PASSWORD = "zapflow-demo";

interface SeedCompany {
  slug: string;
  name: string;
  timeZone: string;
  members: Array<{ email: string; name: string; role: MembershipRole }>;
}

const companies: SeedCompany[] = [
  {
    slug: "acme",
    name: "Acme Condomínios",
    timeZone: "America/Sao_Paulo",
    members: [
      { email: "owner@acme.test", name: "Olivia Owner", role: MembershipRole.OWNER },
      { email: "member@acme.test", name: "Marcos Member", role: MembershipRole.MEMBER },
    ],
  },
  {
    slug: "globex",
    name: "Globex",
    timeZone: "America/Sao_Paulo",
    members: [{ email: "owner@globex.test", name: "Gabriel Owner", role: MembershipRole.OWNER }],
  },
];

const platformAdmin = { email: "admin@zapflow.test", name: "Platform Admin" };

export interface SeededUser {
  email: string;
  role: string;
  /** False when the user existed already: its password was left as it was. */
  created: boolean;
  /** Whether the seed password signs this user in (false if it was changed since). */
  passwordWorks: boolean;
}

export interface SeedResult {
  password: string;
  users: SeededUser[];
  companies: Array<{ id: string; slug: string; name: string }>;
}

export interface SeedOptions {
  /** Password for users created by this run; defaults to SEED_PASSWORD, or the demo one outside production. */
  password?: string;
  env?: NodeJS.ProcessEnv;
}

export function resolveSeedPassword(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEED_PASSWORD) return env.SEED_PASSWORD;
  if (env.NODE_ENV === "production") {
    throw new Error(
      "SEED_PASSWORD is required to seed in production (the demo password is for development only)",
    );
  }
  return DEMO_PASSWORD;
}

async function upsertUser(
  prisma: PrismaClient,
  user: { email: string; name: string; isPlatformAdmin?: boolean },
  password: string,
): Promise<{ id: string; created: boolean; passwordWorks: boolean }> {
  const existing = await prisma.user.findUnique({
    where: { email: user.email },
    select: { id: true, passwordHash: true },
  });
  if (existing) {
    return {
      id: existing.id,
      created: false,
      passwordWorks: await verifyPassword(password, existing.passwordHash),
    };
  }
  // Upsert, not create: a concurrent seed run may insert the same email between the two statements.
  const row = await prisma.user.upsert({
    where: { email: user.email },
    create: { ...user, passwordHash: await hashPassword(password) },
    update: {},
    select: { id: true },
  });
  return { id: row.id, created: true, passwordWorks: true };
}

export async function seed(prisma: PrismaClient, options: SeedOptions = {}): Promise<SeedResult> {
  const password = options.password ?? resolveSeedPassword(options.env);
  const result: SeedResult = { password, users: [], companies: [] };

  for (const c of companies) {
    const company = await prisma.company.upsert({
      where: { slug: c.slug },
      create: { slug: c.slug, name: c.name, timeZone: c.timeZone },
      update: {},
      select: { id: true, slug: true, name: true },
    });
    result.companies.push(company);
    // All-null policy = every limit comes from the env defaults; admins override per company.
    await prisma.rateLimitPolicy.upsert({
      where: { companyId: company.id },
      create: { companyId: company.id },
      update: {},
    });
    for (const m of c.members) {
      const user = await upsertUser(prisma, { email: m.email, name: m.name }, password);
      await prisma.membership.upsert({
        where: { userId_companyId: { userId: user.id, companyId: company.id } },
        create: { userId: user.id, companyId: company.id, role: m.role },
        // A role changed in the dashboard since seeding stays as it is.
        update: {},
      });
      const role = `${m.role.toLowerCase()} of ${c.name}`;
      result.users.push({ email: m.email, role, created: user.created, passwordWorks: user.passwordWorks });
    }
  }

  const admin = await upsertUser(prisma, { ...platformAdmin, isPlatformAdmin: true }, password);
  await prisma.user.updateMany({
    where: { id: admin.id, isPlatformAdmin: false },
    data: { isPlatformAdmin: true },
  });
  result.users.push({
    email: platformAdmin.email,
    role: "platform admin",
    created: admin.created,
    passwordWorks: admin.passwordWorks,
  });
  return result;
}

/** In production the password came from SEED_PASSWORD: name it rather than write it to logs. */
export function formatSeedResult(result: SeedResult, revealPassword = true): string {
  const width = Math.max(...result.users.map((u) => u.email.length));
  const shown = revealPassword ? result.password : "<SEED_PASSWORD>";
  const lines = result.users.map((u) => {
    const pw = u.passwordWorks ? shown : "(password changed since seeding)";
    return `  ${u.email.padEnd(width)}  ${pw}  — ${u.role}`;
  });
  return [`Seeded companies: ${result.companies.map((c) => c.name).join(", ")}`, "Sign-ins:", ...lines].join(
    "\n",
  );
}

async function main(): Promise<void> {
  process.env.DATABASE_URL ??= "postgresql://postgres@127.0.0.1:5432/zapflow";
  const prisma = createPrisma({ max: 2 });
  try {
    console.log(formatSeedResult(await seed(prisma), process.env.NODE_ENV !== "production"));
  } finally {
    await prisma.$disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`Seed failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

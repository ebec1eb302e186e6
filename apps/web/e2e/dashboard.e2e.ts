// The product through a browser: sign in, pair a number by QR (simulated scan), send a message
// and watch it go out, a platform admin edits a company's limits, Bull Board for admins only.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHandle, launchBrowser } from "./browser";
import { connectAndWaitForQr, createSession, signIn, simulateScan } from "./flows";
import { type Stack, startStack } from "./stack";

const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
let stack: Stack;
let browser: BrowserHandle;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signInAs(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, stack.baseUrl, email, stack.password);
  return page;
}

describe("dashboard", () => {
  let sessionId = "";

  it("rejects a wrong password with a message", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/`);
    await page.waitForURL(/\/signin/);
    await page.getByLabel("Email").fill("owner@acme.test");
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong email or password").waitFor();
    await context.close();
  });

  it("owner signs in, pairs a number by QR and sends a message", async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, "owner@acme.test");
    await page.screenshot({ path: join(shots, "overview-empty.png"), fullPage: true });

    await page.getByRole("link", { name: "Sessions" }).first().click();
    sessionId = await createSession(page, "E2E number", "enter");

    await connectAndWaitForQr(page);
    await page.screenshot({ path: join(shots, "session-qr.png"), fullPage: true });

    await simulateScan(page);
    await page.screenshot({ path: join(shots, "session-connected.png"), fullPage: true });
    const row = await stack.db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row.status).toBe("CONNECTED");
    expect(row.phone).toBeTruthy();

    await page.getByRole("link", { name: "Messages" }).first().click();
    await page.getByLabel("To").fill("+5511987654321");
    await page.getByLabel("Text").fill("Olá from the e2e test");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const messageRow = page
      .getByTestId("messages-table")
      .getByRole("row")
      .filter({ hasText: "Olá from the e2e test" });
    await messageRow.waitFor({ timeout: 20_000 });
    // The worker sends it through the simulator; the list refreshes itself.
    await messageRow.getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, "messages.png"), fullPage: true });
    const stored = await stack.db.prisma.message.findFirstOrThrow({ where: { sessionId } });
    expect(["SENT", "DELIVERED", "READ"]).toContain(stored.status);

    await page.getByRole("link", { name: "Overview" }).click();
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

    // Not a platform admin: no Bull Board, no admin API.
    const board = await page.goto(`${stack.baseUrl}/admin/queues`);
    expect(board?.status()).toBe(403);
    await context.close();
  });

  it("owner pairs a second number with a pairing code", async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, "owner@acme.test");
    await page.goto(`${stack.baseUrl}/sessions`);
    await createSession(page, "Code number", "button");
    await page.getByLabel("Phone number with country code").fill("12");
    await page.getByRole("button", { name: "Get pairing code" }).click();
    // Field-level message under the input (the toast repeats it).
    await page.locator("p[id$=-error]", { hasText: "8–15 digits" }).waitFor();
    await page.getByLabel("Phone number with country code").fill("+55 11 98888-7777");
    await page.getByRole("button", { name: "Get pairing code" }).click();
    const code = page.getByTestId("pairing-code");
    await code.waitFor({ timeout: 45_000 });
    expect((await code.textContent())?.trim().length).toBeGreaterThanOrEqual(8);
    await page.screenshot({ path: join(shots, "pairing-code.png"), fullPage: true });
    await page.getByRole("button", { name: "Simulate code confirmation" }).click();
    await page.getByTestId("session-status").getByText("Connected").waitFor({ timeout: 45_000 });
    await context.close();
  });

  it("platform admin edits a company's limits and opens Bull Board with the send queues", async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, "admin@zapflow.test");
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await page.getByRole("heading", { name: "Platform admin" }).waitFor();
    await page.getByRole("row", { name: /Acme/ }).getByRole("link").click();
    await page.getByLabel("Per number / minute").fill("7");
    await page.getByLabel("Per number / minute").press("Enter");
    await page.getByText(/Limits saved \(version \d+\)/).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "admin-limits.png"), fullPage: true });
    const acme = await stack.db.prisma.company.findUniqueOrThrow({
      where: { slug: "acme" },
      include: { rateLimitPolicy: true },
    });
    expect(acme.rateLimitPolicy?.perNumberPerMinute).toBe(7);
    expect(acme.rateLimitPolicy?.version).toBeGreaterThan(1);

    const board = await page.goto(`${stack.baseUrl}/admin/queues`);
    expect(board?.status()).toBe(200);
    const api = await page.request.get(
      `${stack.baseUrl}/admin/queues/api/queues?activeQueue=&page=1&jobsPerPage=10`,
    );
    expect(api.status()).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toContain("session-lifecycle");
    expect(names).toContain(`send-${sessionId}`);
    await page.screenshot({ path: join(shots, "bull-board.png") });
    await context.close();
  });

  it("anonymous visitors are sent to sign in; API docs are public", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/sessions`);
    await page.waitForURL(/\/signin/);
    const board = await page.goto(`${stack.baseUrl}/admin/queues`);
    expect(page.url()).toMatch(/\/signin/);
    expect(board?.status()).toBe(200);
    await page.goto(`${stack.baseUrl}/docs/api`);
    await page.getByRole("heading", { name: "Zapflow API" }).waitFor();
    await page.getByText("/messages/bulk").first().waitFor();
    await page.screenshot({ path: join(shots, "api-docs.png"), fullPage: true });
    await context.close();
  });
});

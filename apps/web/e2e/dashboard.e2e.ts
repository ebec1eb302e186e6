// The product through a browser: sign in, pair a number by QR (simulated scan), send a message
// and watch it go out, send an image with the keyboard alone, a platform admin edits a company's
// limits, Bull Board for admins only.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHandle, launchBrowser } from "./browser";
import { connectAndWaitForQr, createSession, signIn, simulateScan, tinyPng } from "./flows";
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

    // As in WhatsApp Web: Shift+Enter starts a new line, Enter sends (the field's hint says so).
    const text = page.getByLabel("Text");
    await text.pressSequentially("Linha um");
    await text.press("Shift+Enter");
    await text.pressSequentially("linha dois");
    expect(await stack.db.prisma.message.count({ where: { sessionId } })).toBe(1);
    await text.press("Enter");
    await page.getByText("Message queued").waitFor({ timeout: 20_000 });
    expect(await text.inputValue()).toBe("");
    const twoLines = await stack.db.prisma.message.findFirstOrThrow({
      where: { sessionId, payload: { path: ["text"], equals: "Linha um\nlinha dois" } },
    });
    expect(twoLines.type).toBe("TEXT");

    await page.getByRole("link", { name: "Overview" }).click();
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

    // Not a platform admin: no Bull Board, no admin API.
    const board = await page.goto(`${stack.baseUrl}/admin/queues`);
    expect(board?.status()).toBe(403);
    await context.close();
  });

  it("owner sends an image by keyboard alone: a wrong file is refused, the PNG goes out with its caption", async () => {
    const context = await browser.newContext();
    const page = await signInAs(context, "owner@acme.test");
    await page.goto(`${stack.baseUrl}/messages`);
    const typeSelect = page.getByLabel("Type", { exact: true });
    const file = page.getByLabel("File", { exact: true });
    const attached = page.getByTestId("attached-media");
    const caption = page.getByLabel("Caption (optional)");
    const send = page.getByRole("button", { name: "Send", exact: true });
    const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);
    /** Tab from the type select onto the file input and open it with Space, as a keyboard user would. */
    const pickFile = async (files: { name: string; mimeType: string; buffer: Buffer }) => {
      await typeSelect.focus();
      await page.keyboard.press("Tab");
      expect(await isFocused(file)).toBe(true);
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
      await chooser.setFiles(files);
    };

    await page.getByLabel("From number").selectOption(sessionId);
    await page.getByLabel("To").fill("+5511987654322");
    await typeSelect.selectOption("image");
    const sentBefore = await stack.db.prisma.message.count({ where: { sessionId } });

    // The upload checks the file against the chosen type; the refusal shows on the field, no send.
    await pickFile({ name: "notas.txt", mimeType: "text/plain", buffer: Buffer.from("oi") });
    await page
      .locator("p[id$=-error]", { hasText: '"text/plain" is not accepted for image' })
      .waitFor({ timeout: 20_000 });
    await send.click();
    await page.getByText("Choose a file to send").waitFor();
    expect(await stack.db.prisma.message.count({ where: { sessionId } })).toBe(sentBefore);

    await pickFile({ name: "foto.png", mimeType: "image/png", buffer: tinyPng });
    await attached.getByText("foto.png").waitFor({ timeout: 20_000 });
    await attached.getByText(`${tinyPng.length} B`).waitFor();
    // The input now hides behind Replace and leaves the Tab order: Replace, Remove, caption, Send.
    await typeSelect.focus();
    const tabOrder = [
      attached.getByRole("button", { name: "Replace" }),
      attached.getByRole("button", { name: "Remove" }),
      caption,
      send,
    ];
    for (const next of tabOrder) {
      await page.keyboard.press("Tab");
      expect(await isFocused(next)).toBe(true);
    }
    const captionText = "Foto da portaria, enviada pelo e2e";
    await caption.fill(captionText);
    // Twice in a row: the second press lands while the first send is pending and must not send again.
    await caption.press("Control+Enter"); // Ctrl+Enter sends too, as it did before Enter did
    await caption.press("Control+Enter");

    const messageRow = page.getByTestId("messages-table").getByRole("row").filter({ hasText: captionText });
    await messageRow.getByText("Image", { exact: true }).waitFor({ timeout: 20_000 });
    await messageRow.getByText(/^(Sent|Delivered|Read)$/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(shots, "messages-image.png"), fullPage: true });
    // The default stack's in-process simulator has no sent-log route, so the row is the evidence:
    // the worker reads the stored file to send it, and a missing or foreign key would fail the send.
    const { companyId } = await stack.db.prisma.whatsappSession.findUniqueOrThrow({
      where: { id: sessionId },
    });
    const images = await stack.db.prisma.message.findMany({ where: { sessionId, type: "IMAGE" } });
    expect(images.map((m) => m.status)).toEqual([expect.stringMatching(/^(SENT|DELIVERED|READ)$/)]);
    const payload = images[0]?.payload as { caption?: string; mimeType?: string; storageKey?: string };
    expect(payload).toMatchObject({ caption: captionText, mimeType: "image/png" });
    expect(payload.storageKey).toMatch(new RegExp(`^${companyId}/outbound/[0-9a-f-]+\\.png$`));
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

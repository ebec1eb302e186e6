// Contacts and campaigns through a browser: import a CSV (one bad row, reported by line), build a
// campaign with variables for that list, start it and watch the simulator deliver it to the end.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHandle, launchBrowser } from "./browser";
import { type Stack, startStack } from "./stack";

const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
let stack: Stack;
let browser: BrowserHandle;
let context: BrowserContext;
let page: Page;

const csv = [
  "\uFEFFNome;Telefone;Cargo;Condomínio",
  "Ana Souza;(11) 98765-0001;síndica;Jardim das Flores",
  "Bruno Lima;11 98765-0002;;Vila Nova",
  "Carla Dias;123;porteira;Jardim das Flores",
].join("\r\n");

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  stack = await startStack();
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

describe("contacts and campaigns", () => {
  it("owner signs in and pairs a sending number", async () => {
    await page.goto(`${stack.baseUrl}/signin`);
    await page.getByLabel("Email").fill("owner@acme.test");
    await page.getByLabel("Password").fill(stack.password);
    await page.getByLabel("Password").press("Enter");
    await page.getByRole("heading", { name: "Overview" }).waitFor({ timeout: 30_000 });
    await page.goto(`${stack.baseUrl}/sessions`);
    await page.getByLabel("New session label").fill("Campaign number");
    await page.getByLabel("New session label").press("Enter");
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/, { timeout: 20_000 });
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByAltText("WhatsApp pairing QR code").waitFor({ timeout: 45_000 });
    await page.getByRole("button", { name: "Simulate scan" }).click();
    await page.getByTestId("session-status").getByText("Connected").waitFor({ timeout: 45_000 });
  });

  it("imports a CSV into a list: mapping, live progress, the bad line reported", async () => {
    await page.getByRole("link", { name: "Contacts" }).first().click();
    await page.getByRole("heading", { name: "Contacts", exact: true }).waitFor();
    await page.getByText("No contacts yet").waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "contacts-empty.png"), fullPage: true });

    await page.getByLabel("New list name").fill("Síndicos");
    await page.getByLabel("New list name").press("Enter");
    await page.getByText("Síndicos · 0").waitFor({ timeout: 20_000 });

    await page.getByLabel("CSV file").setInputFiles({
      name: "condominios.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csv, "utf8"),
    });
    await page.getByText("Ana Souza").waitFor({ timeout: 20_000 });
    // Phone and name columns are guessed from the headers; the rest become template variables.
    expect(await page.getByLabel("Phone column").inputValue()).toBe("Telefone");
    expect(await page.getByLabel("Name column").inputValue()).toBe("Nome");
    await page.getByLabel("Variable name for column Cargo").fill("cargo");
    await page.getByLabel("Variable name for column Condomínio").fill("condominio");
    await page.getByLabel("Add to list").selectOption({ label: "Síndicos" });
    await page.screenshot({ path: join(shots, "contacts-import-mapping.png"), fullPage: true });
    await page.getByRole("button", { name: "Import", exact: true }).click();

    const result = page.getByTestId("import-progress");
    await result.getByText("Completed").waitFor({ timeout: 30_000 });
    await result.getByText("Line 4: ").waitFor();
    await expect(result.getByRole("progressbar").getAttribute("aria-valuenow")).resolves.toBe("3");
    await page.screenshot({ path: join(shots, "contacts-import-done.png"), fullPage: true });

    const rows = page.getByTestId("contacts-table").getByRole("row");
    await rows.filter({ hasText: "Ana Souza" }).waitFor({ timeout: 20_000 });
    await rows.filter({ hasText: "Bruno Lima" }).waitFor();
    expect(await rows.filter({ hasText: "Carla Dias" }).count()).toBe(0);
    await page.getByText("Síndicos · 2").waitFor({ timeout: 20_000 });
    const ana = await stack.db.prisma.contact.findFirstOrThrow({ where: { name: "Ana Souza" } });
    expect(ana.phone).toBe("+5511987650001");
    expect(ana.customFields).toMatchObject({ cargo: "síndica", condominio: "Jardim das Flores" });

    await page.getByLabel("Search contacts").fill("Bruno");
    await rows.filter({ hasText: "Ana Souza" }).waitFor({ state: "detached", timeout: 20_000 });
    await page.getByLabel("Search contacts").fill("");
    await page.screenshot({ path: join(shots, "contacts.png"), fullPage: true });
  });

  it("creates a campaign with variables, previews it and watches it complete", async () => {
    await page.getByRole("link", { name: "Campaigns" }).first().click();
    await page.getByText("No campaigns yet").waitFor({ timeout: 20_000 });
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByLabel("Campaign name").fill("Boas-vindas");
    await page.getByLabel("Variant 1").fill("Olá {nome}, {cargo|cliente} do {condominio}!");
    await page.getByRole("button", { name: /Síndicos/ }).click();
    await page.getByRole("button", { name: /Campaign number/ }).click();
    await page.getByTestId("audience-summary").getByText("2 will receive it").waitFor({ timeout: 20_000 });
    await page.getByLabel("Pause between batches (s)").fill("0");
    await page.getByLabel("Min delay between messages (ms)").fill("0");
    await page.getByLabel("Max delay (ms)").fill("200");
    await page.screenshot({ path: join(shots, "campaign-new.png"), fullPage: true });
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-z-]+$/, { timeout: 20_000 });

    const preview = page.getByTestId("campaign-preview");
    await preview.getByText(/Olá .+ do .+!/).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "campaign-draft.png"), fullPage: true });
    await page.getByRole("button", { name: "Start now" }).click();
    await page.getByTestId("campaign-status").getByText("Completed").waitFor({ timeout: 60_000 });
    await page.getByTestId("campaign-summary").waitFor({ timeout: 20_000 });
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "campaign-completed.png"), fullPage: true });

    const campaign = await stack.db.prisma.campaign.findFirstOrThrow({ where: { name: "Boas-vindas" } });
    expect(campaign.status).toBe("COMPLETED");
    expect(campaign.totalRecipients).toBe(2);
    const texts = (
      await stack.db.prisma.message.findMany({ where: { campaignId: campaign.id }, select: { payload: true } })
    )
      .map((m) => (m.payload as { text?: string }).text)
      .sort();
    expect(texts).toEqual(["Olá Ana Souza, síndica do Jardim das Flores!", "Olá Bruno Lima, cliente do Vila Nova!"]);
    await page.getByTestId("campaign-summary").getByText("2", { exact: true }).first().waitFor();
  });
});

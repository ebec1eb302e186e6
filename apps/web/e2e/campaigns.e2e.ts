// Contacts and campaigns through a browser: import a CSV (one bad row, reported by line), build a
// campaign with variables for that list, start it and watch the simulator deliver it to the end;
// then a larger list with one contact opted out in the UI, paused and resumed mid-way; then a
// campaign with an image attachment, each recipient's variant as its caption.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHandle, launchBrowser } from "./browser";
import { connectAndWaitForQr, createSession, signIn, simulateScan, tinyPng } from "./flows";
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

/** From the campaigns page: a new campaign's name, first variant, one list and the paired number. */
async function draftCampaign(page: Page, name: string, variant: string, list: RegExp): Promise<void> {
  await page.getByRole("link", { name: "New campaign" }).click();
  await page.getByLabel("Campaign name").fill(name);
  await page.getByLabel("Variant 1").fill(variant);
  await page.getByRole("button", { name: list }).click();
  await page.getByRole("button", { name: /Campaign number/ }).click();
}

/** The fastest pacing the form takes, so a two-recipient campaign completes in seconds. */
async function fastPacing(page: Page): Promise<void> {
  await page.getByLabel("Pause between batches (s)").fill("0");
  await page.getByLabel("Min delay between messages (ms)").fill("0");
  await page.getByLabel("Max delay (ms)").fill("200");
}

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
    await signIn(page, stack.baseUrl, "owner@acme.test", stack.password);
    await page.goto(`${stack.baseUrl}/sessions`);
    await createSession(page, "Campaign number", "enter");
    await connectAndWaitForQr(page);
    await simulateScan(page);
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
    await draftCampaign(page, "Boas-vindas", "Olá {nome}, {cargo|cliente} do {condominio}!", /Síndicos/);
    await page.getByTestId("audience-summary").getByText("2 will receive it").waitFor({ timeout: 20_000 });
    await fastPacing(page);
    await page.screenshot({ path: join(shots, "campaign-new.png"), fullPage: true });
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-z-]+$/, { timeout: 20_000 });

    const preview = page.getByTestId("campaign-preview");
    await preview
      .getByText(/Olá .+ do .+!/)
      .first()
      .waitFor({ timeout: 20_000 });
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
      await stack.db.prisma.message.findMany({
        where: { campaignId: campaign.id },
        select: { payload: true },
      })
    )
      .map((m) => (m.payload as { text?: string }).text)
      .sort();
    expect(texts).toEqual([
      "Olá Ana Souza, síndica do Jardim das Flores!",
      "Olá Bruno Lima, cliente do Vila Nova!",
    ]);
    await page.getByTestId("campaign-summary").getByText("2", { exact: true }).first().waitFor();
  });

  it("pauses and resumes a larger campaign; the opted-out contact is left out", async () => {
    const lote = Array.from({ length: 12 }, (_, i) => {
      const n = String(i + 1).padStart(2, "0");
      return `Contato ${n},(11) 98766-00${n}`;
    });
    await page.getByRole("link", { name: "Contacts" }).first().click();
    await page.getByLabel("New list name").fill("Lote");
    await page.getByLabel("New list name").press("Enter");
    await page.getByText("Lote · 0").waitFor({ timeout: 20_000 });
    await page.getByLabel("CSV file").setInputFiles({
      name: "lote.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(["name,phone", ...lote].join("\n"), "utf8"),
    });
    await page.getByText("Contato 01").first().waitFor({ timeout: 20_000 });
    await page.getByLabel("Add to list").selectOption({ label: "Lote" });
    await page.getByLabel("Tags for every imported contact").fill("lote, 2026");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByTestId("import-progress").getByText("Completed").waitFor({ timeout: 30_000 });
    await page.getByText("Lote · 12").waitFor({ timeout: 20_000 });

    await page.getByLabel("Tag", { exact: true }).selectOption({ label: "lote (12)" });
    await page.getByLabel("Search contacts").fill("Contato 07");
    const row07 = page.getByTestId("contacts-table").getByRole("row").filter({ hasText: "Contato 07" });
    await row07.getByText("2026").waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByTestId("contacts-table").getByRole("row").count()).toBe(2); // header + 1
    await page.getByRole("button", { name: "Opt out Contato 07" }).click();
    await page.getByRole("button", { name: "Opt back in Contato 07" }).waitFor({ timeout: 20_000 });

    await page.getByRole("link", { name: "Campaigns" }).first().click();
    await page.getByRole("link", { name: "New campaign" }).click();
    await page.getByLabel("Campaign name").fill("Lote grande");
    await page.getByLabel("Variant 1").fill("Oi {nome}!");
    await page.getByRole("button", { name: "Add a variant" }).click();
    await page.getByLabel("Variant 2").fill("Olá {nome}, tudo bem?");
    await page.getByRole("button", { name: /^Lote/ }).click();
    await page.getByRole("button", { name: /Campaign number/ }).click();
    const audience = page.getByTestId("audience-summary");
    await audience.getByText("11 will receive it").waitFor({ timeout: 20_000 });
    await audience.getByText(/1 opted out/).waitFor();
    await page.getByLabel("Pause between batches (s)").fill("0");
    await page.getByLabel("Min delay between messages (ms)").fill("600");
    await page.getByLabel("Max delay (ms)").fill("900");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-z-]+$/, { timeout: 20_000 });
    await page
      .getByTestId("campaign-preview")
      .getByText(/Oi Contato \d+!/)
      .waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Start now" }).click();

    const campaign = await stack.db.prisma.campaign.findFirstOrThrow({ where: { name: "Lote grande" } });
    const sent = () =>
      stack.db.prisma.message.count({ where: { campaignId: campaign.id, sentAt: { not: null } } });
    await expect.poll(sent, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByTestId("campaign-status").getByText("Paused").waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "campaign-paused.png"), fullPage: true });
    // In-flight sends finish within seconds; after that nothing more goes out while paused.
    await new Promise((r) => setTimeout(r, 4_000));
    const whilePaused = await sent();
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await sent()).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(11);

    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByTestId("campaign-status").getByText("Completed").waitFor({ timeout: 60_000 });
    await page.getByTestId("campaign-summary").waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "campaign-resumed-completed.png"), fullPage: true });
    const messages = await stack.db.prisma.message.findMany({
      where: { campaignId: campaign.id },
      select: { status: true, payload: true, contactId: true },
    });
    expect(messages).toHaveLength(11);
    expect(new Set(messages.map((m) => m.contactId)).size).toBe(11);
    expect(messages.every((m) => ["SENT", "DELIVERED", "READ"].includes(m.status))).toBe(true);
    const optedOut = await stack.db.prisma.contact.findFirstOrThrow({ where: { name: "Contato 07" } });
    expect(messages.some((m) => m.contactId === optedOut.id)).toBe(false);
    await page.goto(`${stack.baseUrl}/campaigns`);
    await page
      .getByRole("row", { name: /Lote grande/ })
      .getByText("Completed")
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, "campaigns.png"), fullPage: true });
  });

  it("flags contacts missing a variable that has no default in a draft's preview", async () => {
    await draftCampaign(page, "Rascunho", "{nome}, seu endereço é {endereco}?", /Síndicos/);
    await page.getByRole("button", { name: "Save draft" }).click();
    const preview = page.getByTestId("campaign-preview");
    await preview.getByText(/2 contacts\s+lack a variable/).waitFor({ timeout: 20_000 });
    await preview.getByRole("button", { name: /Ana Souza \(no endereco\)/ }).click();
    await preview.getByText("As Ana Souza would see it:").waitFor({ timeout: 20_000 });
    await preview.getByText("Missing for this contact: endereco").waitFor();
    await page.screenshot({ path: join(shots, "campaign-missing-variable.png"), fullPage: true });

    // Edit the draft in place with the same form: a default for the variable, a per-minute cap.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Campaign name").fill("Rascunho editado");
    await page.getByLabel("Variant 1").fill("{nome}, seu endereço é {endereco|o de sempre}?");
    await page.getByLabel("Max messages per minute").fill("2.5");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page
      .getByText(/whole number/)
      .first()
      .waitFor({ timeout: 20_000 });
    await page.getByLabel("Max messages per minute").fill("12");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("heading", { name: "Rascunho editado" }).waitFor({ timeout: 20_000 });
    await preview.getByText("Ana Souza, seu endereço é o de sempre?").waitFor({ timeout: 20_000 });
    expect(await preview.getByText(/lack a variable/).count()).toBe(0);
    const edited = await stack.db.prisma.campaign.findFirstOrThrow({ where: { name: "Rascunho editado" } });
    expect(edited).toMatchObject({ status: "DRAFT", maxPerMinute: 12 });
    expect(edited.variants).toEqual(["{nome}, seu endereço é {endereco|o de sempre}?"]);
    await page.screenshot({ path: join(shots, "campaign-edited.png"), fullPage: true });
  });

  it("sends an image campaign: the file uploads in the form, each recipient gets it with a caption", async () => {
    await page.getByRole("link", { name: "Campaigns" }).first().click();
    await draftCampaign(page, "Com imagem", "Oferta para {nome}: 10% no {condominio}!", /Síndicos/);
    await fastPacing(page);
    const file = page.getByLabel("File", { exact: true });
    // The upload checks the file against the chosen type; the refusal shows on the field.
    await file.setInputFiles({ name: "notas.txt", mimeType: "text/plain", buffer: Buffer.from("oi") });
    await page
      .getByText(/"text\/plain" is not accepted for image/)
      .first()
      .waitFor({ timeout: 20_000 });
    await file.setInputFiles({ name: "promo.png", mimeType: "image/png", buffer: tinyPng });
    const attached = page.getByTestId("attached-media");
    await attached.getByText("promo.png").waitFor({ timeout: 20_000 });
    await attached.getByText(`${tinyPng.length} B`).waitFor();
    await page.getByLabel("Variant 1 (caption)").waitFor();
    await page.screenshot({ path: join(shots, "campaign-new-attachment.png"), fullPage: true });
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-z-]+$/, { timeout: 20_000 });
    await page
      .getByTestId("campaign-attachment")
      .getByText(/promo\.png/)
      .waitFor({ timeout: 20_000 });

    const companyId = (await stack.db.prisma.contact.findFirstOrThrow({ where: { name: "Ana Souza" } }))
      .companyId;
    const saved = async () =>
      (await stack.db.prisma.campaign.findFirstOrThrow({ where: { name: "Com imagem" } })) as {
        id: string;
        media: { storageKey?: string } | null;
      };
    const first = await saved();
    expect(first.media).toMatchObject({ type: "image", mimeType: "image/png", fileName: "promo.png" });
    expect(first.media?.storageKey).toMatch(new RegExp(`^${companyId}/outbound/[0-9a-f-]+\\.png$`));

    // Editing shows the saved file; "Replace" uploads another in its place.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await attached.getByText("promo.png").waitFor({ timeout: 20_000 });
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      attached.getByRole("button", { name: "Replace" }).click(),
    ]);
    await chooser.setFiles({ name: "oferta.png", mimeType: "image/png", buffer: tinyPng });
    await attached.getByText("oferta.png").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Save changes" }).click();
    await page
      .getByTestId("campaign-attachment")
      .getByText(/oferta\.png/)
      .waitFor({ timeout: 20_000 });
    const media = (await saved()).media;
    expect(media).toMatchObject({ type: "image", fileName: "oferta.png" });
    expect(media?.storageKey).toMatch(new RegExp(`^${companyId}/outbound/`));
    expect(media?.storageKey).not.toBe(first.media?.storageKey);

    await page.getByRole("button", { name: "Start now" }).click();
    await page.getByTestId("campaign-status").getByText("Completed").waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, "campaign-attachment-completed.png"), fullPage: true });
    const messages = await stack.db.prisma.message.findMany({
      where: { campaignId: first.id },
      select: { type: true, status: true, payload: true },
    });
    expect(messages.map((m) => m.type)).toEqual(["IMAGE", "IMAGE"]);
    expect(messages.every((m) => ["SENT", "DELIVERED", "READ"].includes(m.status))).toBe(true);
    const payloads = messages.map((m) => m.payload as { caption?: string; storageKey?: string });
    expect(payloads.every((p) => p.storageKey === media?.storageKey)).toBe(true);
    expect(payloads.map((p) => p.caption).sort()).toEqual([
      "Oferta para Ana Souza: 10% no Jardim das Flores!",
      "Oferta para Bruno Lima: 10% no Vila Nova!",
    ]);
  });
});

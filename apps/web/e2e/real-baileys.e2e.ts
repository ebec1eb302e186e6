// The dashboard with the worker's REAL Baileys engine against the WhatsApp Web protocol simulator:
// the QR on screen is the one Baileys produced, "Simulate scan" makes the simulator's phone scan it
// (worker → simulator admin API), the session reaches Connected, and a message sent from the
// dashboard is encrypted by Baileys, decrypted by the simulated contact and reaches Delivered/Read.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserHandle, launchBrowser } from "./browser";
import { connectAndWaitForQr, createSession, signIn, simulateScan } from "./flows";
import { type Stack, startStack } from "./stack";

const shots = join(dirname(fileURLToPath(import.meta.url)), "screenshots");
let stack: Stack;
let browser: BrowserHandle;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  stack = await startStack({ engine: "protocol-sim" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface SimDevice {
  id: string;
  phone: string;
  method: string;
  status: string;
}

async function admin<T>(path: string): Promise<T> {
  const res = await fetch(`${stack.protocolSimAdminUrl}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe("dashboard with real Baileys", () => {
  it("pairs by QR through the protocol simulator and sends a message that is read", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack.baseUrl, "owner@acme.test", stack.password);

    await page.getByRole("link", { name: "Sessions" }).first().click();
    const sessionId = await createSession(page, "Real Baileys", "enter");

    await connectAndWaitForQr(page);
    // The QR shown is the one Baileys built from the simulator's pair-device refs.
    const { qrCode } = await stack.db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
    const ref = (qrCode?.split("#")[1] ?? qrCode ?? "").split(",")[0];
    const { pending } = await admin<{ pending: { refs: string[] }[] }>("/devices");
    expect(pending.some((p) => p.refs.includes(ref ?? ""))).toBe(true);
    await page.screenshot({ path: join(shots, "real-baileys-qr.png"), fullPage: true });

    await simulateScan(page);
    const session = await stack.db.prisma.whatsappSession.findUniqueOrThrow({ where: { id: sessionId } });
    const { devices } = await admin<{ devices: SimDevice[] }>("/devices");
    const device = devices.find((d) => d.phone === session.phone && d.status === "paired");
    expect(device?.method).toBe("qr");

    await page.getByRole("link", { name: "Messages" }).first().click();
    await page.getByLabel("To").fill("+5511987654321");
    await page.getByLabel("Text").fill("Olá from real Baileys");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const messageRow = page
      .getByTestId("messages-table")
      .getByRole("row")
      .filter({ hasText: "Olá from real Baileys" });
    await messageRow.waitFor({ timeout: 20_000 });
    await messageRow.getByText(/^(Delivered|Read)$/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, "real-baileys-messages.png"), fullPage: true });
    const { sent } = await admin<{ sent: { text?: string; ack: string }[] }>(
      `/devices/${encodeURIComponent(device!.id)}/sent`,
    );
    expect(sent.filter((m) => m.text === "Olá from real Baileys")).toEqual([
      expect.objectContaining({ ack: "ok" }),
    ]);
    const stored = await stack.db.prisma.message.findFirstOrThrow({ where: { sessionId } });
    expect(["DELIVERED", "READ"]).toContain(stored.status);
    await context.close();
  });

  it("pairs a second number with Baileys' pairing code, confirmed through the simulator", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, stack.baseUrl, "owner@acme.test", stack.password);
    await page.goto(`${stack.baseUrl}/sessions`);
    await createSession(page, "Real code", "button");
    await page.getByLabel("Phone number with country code").fill("+55 11 98888-7001");
    await page.getByRole("button", { name: "Get pairing code" }).click();
    const code = page.getByTestId("pairing-code");
    await code.waitFor({ timeout: 45_000 });
    expect((await code.textContent())?.replace(/[^0-9A-Z]/g, "")).toMatch(/^[0-9A-Z]{8}$/);
    await page.getByRole("button", { name: "Simulate code confirmation" }).click();
    await page.getByTestId("session-status").getByText("Connected").waitFor({ timeout: 45_000 });
    const { devices } = await admin<{ devices: SimDevice[] }>("/devices");
    expect(devices.find((d) => d.phone === "5511988887001")?.method).toBe("pairing-code");
    await context.close();
  });
});

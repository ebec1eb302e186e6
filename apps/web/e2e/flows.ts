// Browser steps every e2e file repeats: signing in and creating/pairing a WhatsApp number; the
// tiny PNG their upload steps pick.
import type { Page } from "playwright-core";

/** A 1×1 PNG: the smallest file the image upload accepts. */
export const tinyPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Password").press("Enter"); // keyboard submit
  await page.getByRole("heading", { name: "Overview" }).waitFor({ timeout: 30_000 });
}

/** Creates a session from the sessions page (already open) and returns its id from the URL. */
export async function createSession(page: Page, label: string, submit: "enter" | "button"): Promise<string> {
  await page.getByLabel("New session label").fill(label);
  if (submit === "enter") await page.getByLabel("New session label").press("Enter");
  else await page.getByRole("button", { name: "Create session" }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  return page.url().split("/").pop() ?? "";
}

export async function connectAndWaitForQr(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByAltText("WhatsApp pairing QR code").waitFor({ timeout: 45_000 });
}

export async function simulateScan(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Simulate scan" }).click();
  await page.getByTestId("session-status").getByText("Connected").waitFor({ timeout: 45_000 });
}

// Chromium from Debian (never `playwright install`), launched as stack-notes prescribe. Playwright
// gives every launch a fresh temporary profile (the fresh user-data-dir) and removes it on close.
import { type Browser, type BrowserContext, chromium } from "playwright-core";

export interface BrowserHandle {
  browser: Browser;
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserHandle> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    newContext: () => browser.newContext({ viewport: { width: 1360, height: 900 } }),
    async close() {
      await browser.close();
    },
  };
}

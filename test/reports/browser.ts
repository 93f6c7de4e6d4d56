/**
 * Launching Debian's chromium for the report's browser tests. A missing browser fails the test
 * with a clear message, unless QUORUMLAB_SKIP_BROWSER=1 says to skip browser tests.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";
export const skipBrowser = process.env.QUORUMLAB_SKIP_BROWSER === "1";

/** test-output/ at the repository root (git-ignored), for screenshots and generated reports. */
export const outputFolder = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-output");

export function ensureOutputFolder(): string {
  mkdirSync(outputFolder, { recursive: true });
  return outputFolder;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `the report browser tests need Chromium at ${chromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does), or set QUORUMLAB_SKIP_BROWSER=1 to skip them`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
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
}

/** A page that records console errors, page errors and every request URL. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
  readonly requests: string[];
}

export async function openWatched(browser: Browser, url: string): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return { page, errors, requests };
}

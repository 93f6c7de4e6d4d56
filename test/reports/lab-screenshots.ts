/**
 * The screenshots of the lab walkthrough in docs/reports.md, taken in Debian's chromium:
 * `npx tsx test/reports/lab-screenshots.ts` rewrites docs/images/lab-figure-8-*.png. The page is
 * the one `quorumlab run raft-figure-8-bug --report r.html` writes.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadScenario } from "../../cli/files.js";
import { reportAfterRun } from "../../cli/shared/report-file.js";
import { executeScenario } from "../../cli/shared/run-scenario.js";
import { buildModel } from "../../reports/model.js";
import { ensureOutputFolder, launchBrowser } from "./browser.js";

interface PageApi {
  traceHash(): string;
}
declare const window: { quorumlab: PageApi };

const images = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "images");

async function main(): Promise<void> {
  mkdirSync(images, { recursive: true });
  const { result } = executeScenario(loadScenario("raft-figure-8-bug"), { keepTrace: true });
  const path = join(ensureOutputFolder(), "walkthrough-r.html");
  reportAfterRun(result, { reportPath: path });
  const model = buildModel(result.records);
  const n5 = model.lanes.findIndex((lane) => lane.name === "n5");
  const crash = model.steps.findIndex((step) => step.kind === "crash" && step.lane === n5);

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1180 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(path).href);
  await page.waitForSelector("body[data-ready=true]");
  // Select n5's crash, and zoom around it on the first 100 ms, where Figure 8 happens.
  const mark = page.locator(`svg#diagram line.mark[data-s="${crash}"]`);
  await mark.dispatchEvent("mousedown", { button: 0, clientX: 10, clientY: 10 });
  await mark.dispatchEvent("mouseup", { button: 0, clientX: 10, clientY: 10 });
  await page.keyboard.press("+");
  await page.waitForTimeout(200);
  await page.locator("#diagram-section").evaluate((section) => section.scrollIntoView());
  await page.screenshot({ path: join(images, "lab-figure-8-before.png"), fullPage: false });

  const before = await page.evaluate(() => window.quorumlab.traceHash());
  await page.selectOption("#fork-node", "n5");
  await page.fill("#fork-at", "35ms");
  await page.click('button[data-fork="restart"]');
  await page.waitForFunction((hash) => window.quorumlab.traceHash() !== hash, before);
  for (let zoom = 0; zoom < 4; zoom++) await page.keyboard.press("+");
  await page.waitForTimeout(200);
  await page.locator("#diagram-section").evaluate((section) => section.scrollIntoView());
  await page.screenshot({ path: join(images, "lab-figure-8-after.png"), fullPage: false });
  await page.locator("#logs").evaluate((logs) => logs.scrollIntoView());
  await page.screenshot({ path: join(images, "lab-figure-8-state.png"), fullPage: false });
  await browser.close();
}

await main();

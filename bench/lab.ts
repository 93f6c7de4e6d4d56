/**
 * The lab page, measured in headless Chromium (Debian's, through playwright-core):
 * - the page bundle's size, and a small report's (`raft-figure-8-bug`);
 * - a report of about 100,000 kernel events (5-node Raft, 100 s, 4 clients at 100 operations/s):
 *   its size, against the size of the same report without the lab (the viewer's script only), and
 *   the time from opening it to the page being interactive (it unpacks the embedded page data and
 *   draws it; it simulates nothing until a fork), with where that time went (the page's
 *   `performance.mark`s) and the check that the page's own simulation gives the CLI's trace hash
 *   (asked for with the page's "check" button, after the page is interactive);
 * - re-simulating a 5 s, 5-node Raft run with a workload after a fork, as `window.quorumlab.fork`
 *   resolves (simulation, checks, page data and drawing), the median of several forks, and the
 *   page's split of the last one.
 *
 * Targets: bundle in a small report at most 1.5 MB; the large report at most 4 MB and interactive
 * within 3 s; a fork of the 5 s run at most 1 s. Runnable directly: `node dist/bench/lab.js`.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { loadScenario } from "../cli/files.js";
import { pageBundle, viewerBundle } from "../cli/shared/page-bundle.js";
import { gzipBase64, writeReport } from "../cli/shared/report-file.js";
import { executeScenario } from "../cli/shared/run-scenario.js";
import { renderReport } from "../reports/index.js";
import { parseScenario } from "../sim/scenario/load.js";

interface PageApi {
  traceHash(): string;
  fork(step: Record<string, unknown>): Promise<string>;
  undo(): Promise<string>;
}
declare const window: { quorumlab: PageApi };
declare const document: {
  body: { getAttribute(name: string): string | null };
  getElementById(id: string): { click(): void } | null;
};
declare const performance: {
  now(): number;
  getEntriesByType(type: string): Array<{ name: string; startTime: number }>;
};

export function raftLoadYaml(durationS: number, name: string): string {
  return `
name: ${name}
protocol: raft
nodes: 5
seed: 7
duration: ${durationS}s
network: { latency: {uniform: [1ms, 5ms]} }
workload: { clients: 4, rate: 100, mix: {read: 2, write: 1, cas: 1}, keys: [x, y, z], start: 300ms, stop: ${durationS - 0.5}s, timeout: 1s }
`;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/** Opens a report and waits until it is interactive. */
async function openReport(browser: Browser, path: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(pathToFileURL(path).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 120_000 });
  const readyMs = await page.evaluate(() => Number(document.body.getAttribute("data-ready-ms")));
  // Milliseconds from opening the page to each mark: script started, data unpacked, drawn.
  const marks = await page.evaluate(() =>
    Object.fromEntries(
      performance.getEntriesByType("mark").map((mark) => [mark.name, Math.round(mark.startTime)]),
    ),
  );
  return { page, readyMs, marks: marks as Record<string, number> };
}

export async function benchLab(): Promise<Record<string, unknown>> {
  const folder = mkdtempSync(join(tmpdir(), "quorumlab-lab-"));
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const bundleBytes = Buffer.byteLength(pageBundle({ protocol: "raft" }));
    const smallReport = smallReportFigures(folder);
    const largeReport = await largeReportFigures(browser, folder);
    const fork5sRaft = await forkFigures(browser, folder);
    return {
      // The machine is shared: a load average far above its core count slows every figure.
      loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      bundleBytes,
      smallReport,
      largeReport,
      fork5sRaft,
      targets: {
        smallReportBundleBytesMax: 1_500_000,
        largeReportBytesMax: 4_000_000,
        largeReportInteractiveMsMax: 3_000,
        fork5sRaftMsMax: 1_000,
      },
    };
  } finally {
    await browser.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A small report's size. */
function smallReportFigures(folder: string) {
  const small = executeScenario(loadScenario("raft-figure-8-bug"), { keepTrace: true }).result;
  const smallPath = join(folder, "small.html");
  writeReport(small.records, smallPath, { scenario: small.scenario, result: small });
  return { scenario: "raft-figure-8-bug", bytes: statSync(smallPath).size };
}

/** A report of about 100,000 kernel events: its size, with and without the lab, and its opening. */
async function largeReportFigures(browser: Browser, folder: string) {
  const large = parseScenario(raftLoadYaml(100, "raft-lab-large"), "large.yaml");
  const run = executeScenario(large, { keepTrace: true });
  const largePath = join(folder, "large.html");
  writeReport(run.result.records, largePath, { scenario: large, result: run.result });
  const viewer = { bundle: viewerBundle(), gzipBase64 };
  const staticBytes = Buffer.byteLength(renderReport(run.result.records, "html", { page: viewer }));
  const opened = await openReport(browser, largePath);
  // After it is interactive: the page's own simulation of the run, on request.
  await opened.page.evaluate(() => document.getElementById("lab-recheck")?.click());
  await opened.page.waitForSelector("#lab-hash-check.ok, #lab-hash-check.bad", { timeout: 300_000 });
  const largeHashChecked = (await opened.page.locator("#lab-hash-check.ok").count()) === 1;
  const largeHash = await opened.page.evaluate(() => window.quorumlab.traceHash());
  await opened.page.close();
  return {
    kernelEvents: run.result.events,
    traceRecords: run.result.records.length,
    operations: run.result.history.filter((event) => event.type === "invoke").length,
    cliWallMs: Math.round(run.wallMs),
    bytes: statSync(largePath).size,
    bytesWithoutLab: staticBytes,
    interactiveMs: Math.round(opened.readyMs),
    pageMarksMs: opened.marks,
    hashEqualsCli: largeHash === run.result.traceHash,
    pageSimulationHashEqualsCli: largeHashChecked,
  };
}

/** Forks of a 5 s run: the time of each, and the page's split of the last one. */
async function forkFigures(browser: Browser, folder: string) {
  const five = parseScenario(raftLoadYaml(5, "raft-lab-5s"), "five.yaml");
  const fiveRun = executeScenario(five, { keepTrace: true }).result;
  const fivePath = join(folder, "five.html");
  writeReport(fiveRun.records, fivePath, { scenario: five, result: fiveRun });
  const { page } = await openReport(browser, fivePath);
  // The page checks a short run by simulating it once drawn; forks start after that.
  await page.waitForSelector("#lab-hash-check.ok", { timeout: 120_000 });
  const forkMs: number[] = [];
  let forkPhasesMs: Record<string, number> = {};
  for (const [index, node] of ["n1", "n2", "n3", "n4", "n5"].entries()) {
    const started = Date.now();
    await page.evaluate((step) => window.quorumlab.fork(step), { at: `${1 + index * 0.5}s`, crash: node });
    forkMs.push(Date.now() - started);
    forkPhasesMs = await page.evaluate(() =>
      JSON.parse(document.body.getAttribute("data-phases-ms") ?? "{}"),
    );
    await page.evaluate(() => window.quorumlab.undo());
  }
  await page.close();
  return {
    kernelEvents: fiveRun.events,
    forks: forkMs.length,
    medianMs: median(forkMs),
    maxMs: Math.max(...forkMs),
    lastForkPhasesMs: forkPhasesMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchLab().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}

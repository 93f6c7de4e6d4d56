/**
 * The campaign report in a real browser (Debian's chromium through playwright-core): a page
 * written from a real guided campaign loads from file:// with no errors and no network, draws its
 * coverage, throughput and distribution charts, lists reached and never-reached probes and links
 * the counterexample's own report; hostile names show as text and never run.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CampaignReportInput, renderCampaignReport } from "../../reports/campaign.js";
import { evaluateJob, generatePlan, runCampaign } from "../../sim/fuzz/campaign.js";
import { CampaignGuide } from "../../sim/fuzz/guide.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings } from "../../sim/fuzz/settings.js";
import { forgetful, forgetfulRegistry } from "../fuzz/support/forgetful.js";
import { ensureOutputFolder, launchBrowser, openWatched, skipBrowser } from "./browser.js";
import { hostile } from "./hostile.js";

declare const window: { __pwned?: unknown };

async function campaignInput(): Promise<CampaignReportInput> {
  const settings = fuzzSettings(forgetful, { durationMs: 800, swarm: true });
  const runner = scenarioRunner(forgetfulRegistry, { liveness: false, coverage: true });
  const guide = new CampaignGuide({
    settings,
    seed: 3n,
    mutate: true,
    planOf: (index) => generatePlan(settings, 3n, index),
  });
  let clock = 0;
  const result = await runCampaign({
    settings,
    seed: 3n,
    runs: 192,
    now: () => (clock += 5),
    batchSize: 16,
    guide,
    evaluate: async (jobs) => jobs.map((job) => evaluateJob(settings, 3n, job, runner)),
  });
  const stats = guide.stats();
  return {
    protocol: "forgetful",
    bugs: [],
    seed: "0x3",
    search: "guided",
    runs: result.evaluated,
    wallMs: result.elapsedMs,
    runsPerSec: 100,
    coverage: stats.coverage,
    corpus: stats.corpus,
    corpusLoaded: 0,
    mutants: stats.mutants,
    sampled: stats.sampled,
    timeline: stats.timeline,
    faultKinds: stats.faultKinds,
    planSizes: stats.planSizes,
    themes: stats.themes,
    probes: { "leader-stepped-down": { runs: 4, firstRun: 17 }, [hostile.node]: { runs: 1, firstRun: 3 } },
    declaredProbes: ["leader-stepped-down", "never-seen-probe"],
    newCoverageBy: stats.newCoverageBy,
    counterexamples: [
      {
        invariant: hostile.node,
        message: hostile.client,
        run: 12,
        faultActions: 2,
        report: "cx dir/forgetful-cx.html",
        scenario: "cx dir/forgetful-cx.yaml",
        replay: "npx quorumlab run cx.yaml",
      },
    ],
    version: "test",
  };
}

describe.skipIf(skipBrowser)("campaign report in chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("draws coverage growth, throughput, distributions, probes and counterexample links, offline and inert", async () => {
    const input = await campaignInput();
    expect(input.coverage).toBeGreaterThan(0);
    const path = join(ensureOutputFolder(), "campaign.html");
    writeFileSync(path, renderCampaignReport(input));
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"))).toEqual([]);
    for (const chart of ["coverage-runs", "coverage-time", "throughput"]) {
      expect(await page.locator(`#${chart} svg path.line`).count()).toBe(1);
    }
    const coverageEnd = await page.locator("#coverage-runs svg text.tick").first().textContent();
    expect(coverageEnd?.replace(/,/g, "")).toBe(String(input.coverage));
    expect(await page.locator("#fault-kinds tr").count()).toBe(Object.keys(input.faultKinds).length);
    expect(await page.locator("#probes tr.reached").count()).toBe(2);
    expect(await page.locator("#probes tr.never").textContent()).toContain("never-seen-probe");
    const link = page.locator("#counterexamples a.report-link");
    expect(await link.getAttribute("href")).toBe("cx%20dir/forgetful-cx.html");
    expect(await page.locator("#counterexamples").textContent()).toContain(hostile.node);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await page.screenshot({ path: join(ensureOutputFolder(), "campaign.png"), fullPage: true });
    await page.close();
  });

  it("says coverage was not measured, with no coverage charts, for a uniform search without it", async () => {
    const input = { ...(await campaignInput()), search: "uniform" as const, coverage: null, mutants: 0 };
    const path = join(ensureOutputFolder(), "campaign-uniform.html");
    writeFileSync(path, renderCampaignReport(input));
    const { page, errors } = await openWatched(browser, pathToFileURL(path).href);
    expect(errors).toEqual([]);
    expect(await page.locator("#coverage-runs, #coverage-time").count()).toBe(0);
    expect(await page.locator("#throughput svg path.line").count()).toBe(1);
    expect(await page.locator("#no-coverage").textContent()).toContain("--coverage");
    const summary = await page.locator("#summary").textContent();
    expect(summary).toContain("coveragenot measured");
    expect(summary).toContain("new coverage fromnot measured");
    await page.close();
  });
});

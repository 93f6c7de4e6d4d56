/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): it loads from
 * file:// with no console errors and no network, draws one lane per node and client and one
 * arrow per message, highlights the first bad event, steps with the keyboard, filters lanes,
 * zooms, and never runs markup from the trace. Screenshots go to test-output/.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { protocols } from "../../protocols/index.js";
import { displayOf, renderReport } from "../../reports/index.js";
import { buildModel } from "../../reports/model.js";
import { runSteps } from "../../reports/page/run-steps.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { TraceLine } from "../../sim/trace.js";
import { heartbeatLimit, heartbeatProtocol } from "../support/heartbeat.js";
import { ensureOutputFolder, launchBrowser, openWatched, skipBrowser } from "./browser.js";
import { displayFor, splitBrainYaml, traceOf, viewerPage } from "./fixtures.js";
import { hostile, hostileTrace } from "./hostile.js";
import { traceOfAtLeast } from "./large.js";

// The page functions below run in the browser; the project compiles without the DOM library.
declare const document: { querySelectorAll(selector: string): { length: number } };
declare const window: { __pwned?: unknown; requestAnimationFrame(callback: () => void): void };
declare const performance: { now(): number };

function writeHtml(name: string, records: readonly TraceLine[]): string {
  const path = join(ensureOutputFolder(), name);
  writeFileSync(
    path,
    renderReport(records, "html", { version: "test", display: displayFor(records), page: viewerPage() }),
  );
  return pathToFileURL(path).href;
}

function onlyLocal(requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"));
}

describe.skipIf(skipBrowser)("HTML report in chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a non-linearizable run: lanes, arrows, the highlighted bad event, keyboard steps, filters", async () => {
    const records = traceOf(splitBrainYaml);
    const model = buildModel(records, { display: displayFor(records) });
    const sends = records.filter((record) => record.kind === "send" || record.kind === "duplicate").length;
    const url = writeHtml("report-failing.html", records);
    const { page, errors, requests } = await openWatched(browser, url);

    expect(errors).toEqual([]);
    expect(onlyLocal(requests)).toEqual([]);
    expect(await page.locator("svg#diagram g.lane").count()).toBe(6);
    expect(await page.locator("svg#diagram g.lane.node").count()).toBe(3);
    expect(await page.locator("svg#diagram g.lane.client").count()).toBe(3);
    expect(await page.locator("svg#diagram path.msg").count()).toBe(sends);
    expect(await page.locator("#outcome").textContent()).toContain("kv.linearizable");

    // The failing operation's bar is highlighted; the header link selects its event.
    const firstBad = model.violations[0]?.firstBadStep ?? -1;
    expect(firstBad).toBeGreaterThan(0);
    expect(await page.locator("svg#diagram rect.op.bad.failing").count()).toBe(1);
    await page.click("#first-bad-link");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(firstBad));
    expect(await page.locator("#step-info").textContent()).toContain("first bad event");
    expect(await page.locator("#step-info").getAttribute("class")).toBe("bad");
    await page.screenshot({ path: join(ensureOutputFolder(), "report-failing.png"), fullPage: true });

    // Keyboard stepping.
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(firstBad + 1));
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(firstBad - 1));
    await page.keyboard.press("Home");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe("0");
    await page.keyboard.press("b");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(firstBad));

    // Hiding n3 removes its lane and every arrow to or from it.
    const n3 = model.lanes.findIndex((lane) => lane.name === "n3");
    const withoutN3 = model.messages.filter((message) => message.from !== n3 && message.to !== n3).length;
    await page.locator('#filters input[data-lane="n3"]').uncheck();
    await page.waitForFunction(() => document.querySelectorAll("svg#diagram g.lane").length === 5);
    expect(await page.locator("svg#diagram path.msg").count()).toBe(withoutN3);
    await page.locator('#filters input[data-lane="n3"]').check();

    // Zooming in narrows the window: fewer arrows are drawn.
    await page.keyboard.press("0");
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await page.waitForFunction(
      (all) => document.querySelectorAll("svg#diagram path.msg").length < all,
      sends,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("tells Figure 8's timeline as run prints it, and each moment's time selects its event", async () => {
    const run = runScenario(loadScenario("raft-figure-8"), protocols, { keepTrace: true });
    const path = join(ensureOutputFolder(), "report-timeline.html");
    const display = displayOf(protocols.get("raft") as Protocol);
    writeFileSync(
      path,
      renderReport(run.records, "html", {
        version: "test",
        display,
        steps: runSteps(run),
        page: viewerPage(),
      }),
    );
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    const items = page.locator("ol.timeline li");
    const texts = (await items.allTextContents()).map((text) => text.trim());
    expect(texts.slice(0, 3)).toEqual([
      "0 # (a) n1 becomes leader of term 1",
      "0 timeout n1",
      "2ms n1 becomes leader (term 1)",
    ]);
    expect(texts).toContain('12ms c1 asks n1: write x = "b"');
    expect(texts).toContain("300ms c4 asks n5: read x");
    // The time of n1's crash selects the crash in the diagram.
    await items.filter({ hasText: "crash n1" }).first().locator("a.t").click();
    expect(await page.locator("#step-info").textContent()).toContain("n1 crashes");
    expect(errors).toEqual([]);
    expect(onlyLocal(requests)).toEqual([]);
    await page.close();
  });

  it("highlights the delivery that broke a protocol invariant", async () => {
    const scenario = parseScenario(
      "name: heartbeat-limit\nprotocol: heartbeat\nnodes: 3\nseed: 2\nduration: 1s\nnetwork: {latency: 2ms}\n",
      "limit.yaml",
    );
    const registry = new Map([["heartbeat", heartbeatProtocol([heartbeatLimit(6)]) as never]]);
    const records = [...runScenario(scenario, registry, { keepTrace: true }).records];
    const model = buildModel(records, { display: displayFor(records) });
    const violation = model.violations[0];
    expect(violation?.invariant).toBe("heartbeat.limit");
    expect(model.steps[violation?.firstBadStep ?? -1]?.kind).toBe("deliver");
    const { page, errors, requests } = await openWatched(
      browser,
      writeHtml("report-invariant.html", records),
    );
    expect(await page.locator("svg#diagram path.msg.bad").count()).toBe(1);
    expect(await page.locator("#outcome").textContent()).toContain("heartbeat.limit");
    await page.keyboard.press("b");
    // The redraw happens on the next animation frame.
    await page.waitForSelector("svg#diagram path.msg.bad.current", { timeout: 10_000 });
    expect(await page.locator("svg#diagram path.msg.bad.current").count()).toBe(1);
    expect(errors).toEqual([]);
    expect(onlyLocal(requests)).toEqual([]);
    await page.close();
  });

  /** A state's log as one term per entry, from its term starts (`logTerms` up to `lastIndex`). */
  function termsOf(state: { logTerms: Array<[number, number]>; lastIndex: number }): number[] {
    const { logTerms, lastIndex } = state;
    return logTerms.flatMap(([start, term], at) => {
      const end = at + 1 < logTerms.length ? (logTerms[at + 1] as [number, number])[0] - 1 : lastIndex;
      return Array.from({ length: end - start + 1 }, () => term);
    });
  }

  /** The same state in the form older traces have: runs of equal terms, `[[term, count], ...]`. */
  function asRuns(state: Record<string, unknown>): Record<string, unknown> {
    const { logTerms: _starts, lastIndex: _last, ...rest } = state;
    const runs: Array<[number, number]> = [];
    for (const term of termsOf(state as { logTerms: Array<[number, number]>; lastIndex: number })) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === term) last[1]++;
      else runs.push([term, 1]);
    }
    return { ...rest, logRuns: runs };
  }

  for (const form of ["logTerms", "logRuns"] as const) {
    it(`draws each Raft node's last 40 log entries from ${form} in the log panel`, async () => {
      const { loadScenario } = await import("../../cli/files.js");
      const { protocols } = await import("../../protocols/index.js");
      // Logs of over 100 entries in three terms: the panel shows a window across a term change.
      const run = runScenario(loadScenario("raft-divergent-logs"), protocols, { keepTrace: true });
      const records = run.records.map((record) =>
        form === "logRuns" && record.kind === "state"
          ? { ...record, state: asRuns(record.state as Record<string, unknown>) }
          : record,
      );
      // The cells expected at the right edge: every live node's last state, expanded.
      const expected = new Map<string, string[]>();
      for (const record of run.records) {
        if (record.kind === "crash") expected.set(record.node, ["down"]);
        if (record.kind !== "state") continue;
        const state = record.state as { logTerms: Array<[number, number]>; lastIndex: number };
        expect(Array.isArray(state.logTerms)).toBe(true);
        expected.set(record.node, termsOf(state).map(String));
      }
      expect(Math.max(...[...expected.values()].map((cells) => cells.length))).toBeGreaterThan(40);
      const { page, errors, requests } = await openWatched(
        browser,
        writeHtml(`report-raft-logs-${form}.html`, records),
      );
      const rows = page.locator("#logs .log-row");
      expect(await rows.count()).toBe(run.kernel.nodeIds.length);
      for (const [node, cells] of expected) {
        const row = page.locator("#logs .log-row", { has: page.locator(".log-node", { hasText: node }) });
        if (cells[0] === "down") {
          expect(await row.textContent()).toContain("down");
          continue;
        }
        expect(await row.locator(".cell").allTextContents()).toEqual(cells.slice(-40));
        expect(await row.locator(".log-meta").last().textContent()).toContain(`last index ${cells.length}`);
      }
      expect(errors).toEqual([]);
      expect(onlyLocal(requests)).toEqual([]);
      await page.close();
    });
  }

  it("labels faults made at one instant once, and no two fault labels overlap", async () => {
    const { loadScenario } = await import("../../cli/files.js");
    const { protocols } = await import("../../protocols/index.js");
    // Figure 8 cuts n1 from three nodes at 10 ms, and n5 from three at 25 ms, 5 ms before the
    // next fault: drawn one over another, each instant's three labels read as one garbled word.
    const run = runScenario(loadScenario("raft-figure-8-bug"), protocols, { keepTrace: true });
    const { page, errors } = await openWatched(
      browser,
      writeHtml("report-fault-labels.html", [...run.records]),
    );
    // Each label's drawn text (its first child), its tooltip and its box.
    const labels = (await page.locator("svg#diagram text.net-text").evaluateAll((nodes) =>
      nodes.map((node) => {
        const element = node as unknown as {
          firstChild: { nodeValue: string | null } | null;
          querySelector(selector: string): { textContent: string | null } | null;
          getBBox(): { x: number; y: number; width: number };
        };
        const box = element.getBBox();
        return {
          shown: element.firstChild?.nodeValue ?? "",
          title: element.querySelector("title")?.textContent ?? undefined,
          x: box.x,
          y: box.y,
          width: box.width,
        };
      }),
    )) as Array<{ shown: string; title?: string; x: number; y: number; width: number }>;
    // Fault labels share one line above the lanes (crash and restart labels sit on their lanes).
    const topLine = labels.filter((label) => label.y === labels[0]?.y).sort((a, b) => a.x - b.x);
    expect(topLine.map((label) => label.shown)[0]).toBe("cut n1↔n3, n1↔n4, n1↔n5");
    // The 25 ms label is longer than its room before the 30 ms one: cut short, whole in its tooltip.
    const shortened = topLine.find((label) => label.title === "cut n5↔n2, n5↔n3, n5↔n4");
    expect(shortened?.shown).toMatch(/^cut n5↔n2.*…$/);
    expect(topLine.length).toBe(3);
    for (let index = 1; index < topLine.length; index++) {
      const before = topLine[index - 1] as { x: number; width: number };
      expect(before.x + before.width).toBeLessThanOrEqual((topLine[index] as { x: number }).x);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows hostile names and values as text and runs none of them", async () => {
    const { page, errors, requests } = await openWatched(
      browser,
      writeHtml("report-hostile.html", hostileTrace()),
    );
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await page.locator("h1").textContent()).toBe(hostile.scenario);
    expect(await page.locator("script").count()).toBe(2);
    expect(await page.locator("img").count()).toBe(0);
    const lanes = await page
      .locator("svg#diagram g.lane")
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-lane")));
    expect(lanes).toContain(hostile.node);
    expect(lanes).toContain(hostile.client);
    expect(await page.locator("svg#diagram g.lane title").allTextContents()).toContain(hostile.node);
    expect(await page.locator("#filters").textContent()).toContain(hostile.node);
    // Hovering an arrow shows the hostile payload as text.
    await page
      .locator("svg#diagram path.msg")
      .first()
      .dispatchEvent("mousemove", { clientX: 300, clientY: 300 });
    expect(await page.locator("#tip").textContent()).toContain("</script>");
    expect(errors).toEqual([]);
    expect(onlyLocal(requests)).toEqual([]);
    await page.screenshot({ path: join(ensureOutputFolder(), "report-hostile.png") });
    await page.close();
  });

  it("opens a 100,000-event report and draws only what is in view", async () => {
    const records = traceOfAtLeast(100_000);
    expect(records.length).toBeGreaterThanOrEqual(100_000);
    const model = buildModel(records, { display: displayFor(records) });
    const url = writeHtml("report-large.html", records);
    const bytes = statSync(new URL(url)).size;
    const started = Date.now();
    const { page, errors, requests } = await openWatched(browser, url);
    const loadMs = Date.now() - started;
    const drawn = async () => Number(await page.locator("svg#diagram").getAttribute("data-arrows"));
    expect(await drawn()).toBeGreaterThan(0);
    expect(await drawn()).toBeLessThan(model.messages.length);
    expect(await page.locator("svg#diagram path.msg").count()).toBe(await drawn());

    // The whole run in view: arrows are sampled, and the page says so.
    const fitMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          (document as unknown as { getElementById(id: string): { click(): void } })
            .getElementById("zoom-fit")
            .click();
          window.requestAnimationFrame(() =>
            window.requestAnimationFrame(() => resolve(performance.now() - start)),
          );
        }),
    );
    expect(await drawn()).toBeLessThanOrEqual(2000);
    expect(await page.locator("#notice").textContent()).toContain("Zoom in");

    // Stepping far into the trace moves the window with it.
    await page.keyboard.press("End");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(model.steps.length - 1));
    await page.keyboard.press("Shift+ArrowLeft");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(model.steps.length - 11));
    expect(errors).toEqual([]);
    expect(requests.filter((request) => !request.startsWith("file:"))).toEqual([]);
    await page.screenshot({ path: join(ensureOutputFolder(), "report-large.png") });
    writeFileSync(
      join(ensureOutputFolder(), "report-large.json"),
      `${JSON.stringify({ records: records.length, messages: model.messages.length, bytes, loadMs, fitMs, phases: await page.locator("svg#diagram").getAttribute("data-render-ms") }, null, 2)}\n`,
    );
    await page.close();
  });
});

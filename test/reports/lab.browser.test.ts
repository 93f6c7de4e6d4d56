/**
 * The lab page in a real browser (Debian's chromium through playwright-core). Goal: the page
 * re-simulates the embedded scenario to the CLI's very trace hash, forks change the run, undo
 * and redo walk the forks, and the scenario the page exports replays (in Node) to the hash the
 * page shows. Method: write pages as `run --report` and `lab` do, drive them through the UI
 * and through `window.quorumlab`, and re-run what they export with the simulator here. Every
 * page must log no console error and make no network request.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { blankScenario } from "../../cli/lab.js";
import { starterFolder } from "../../cli/new.js";
import { registryWith } from "../../cli/shared/module-registry.js";
import { reportAfterRun, writeReport } from "../../cli/shared/report-file.js";
import { executeScenario } from "../../cli/shared/run-scenario.js";
import { protocols } from "../../protocols/index.js";
import { buildModel } from "../../reports/model.js";
import type { Protocol } from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { quorumlab } from "../support/quorumlab.js";
import { ensureOutputFolder, launchBrowser, openWatched, skipBrowser } from "./browser.js";

// The page API as the tests see it (the project compiles without the DOM library).
interface PageApi {
  traceHash(): string;
  scenarioYaml(): string;
  fork(step: Record<string, unknown>): Promise<string>;
  undo(): Promise<string>;
  redo(): Promise<string>;
  forks(): unknown[];
  events(): Array<{ kind: string }>;
  verdict(): { ok: boolean; violations: Array<{ invariant: string }> };
}
declare const window: { quorumlab: PageApi };

/** What `quorumlab run` makes of a scenario file's text: its trace hash. */
function cliHash(yaml: string): string {
  return runScenario(parseScenario(yaml, "exported.yaml"), protocols, { checkHistory: historyChecker() })
    .traceHash;
}

function notLocal(requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith("file:") && !url.startsWith("data:"));
}

async function pageHash(page: Page): Promise<string> {
  return page.evaluate(() => window.quorumlab.traceHash());
}

/** Writes the `run --report` page of a built-in scenario; returns its URL and the CLI's hash. */
function reportOf(name: string): {
  url: string;
  hash: string;
  records: ReturnType<typeof executeScenario>["result"]["records"];
} {
  const { result } = executeScenario(loadScenario(name), { keepTrace: true });
  const path = join(ensureOutputFolder(), `lab-${name}.html`);
  reportAfterRun(result, { reportPath: path });
  return { url: pathToFileURL(path).href, hash: result.traceHash, records: result.records };
}

describe.skipIf(skipBrowser)("the lab page in chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("Figure 8: restarting n5 soon after its crash prevents the violation; undo, redo, and the download replays to the page's hash", async () => {
    const { url, hash, records } = reportOf("raft-figure-8-bug");
    const { page, errors, requests } = await openWatched(browser, url);
    expect(await pageHash(page)).toBe(hash);
    // The page simulates a short run again once it is drawn, and says it made the CLI's run.
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    expect(await page.locator("#lab-hash-check").textContent()).toContain("✓");
    expect(await page.locator("#outcome").textContent()).toContain("raft.leader-completeness");
    const timeline = () => page.locator("ol.timeline li").allTextContents();
    expect(await timeline()).toContain("30ms # (c) n5 crashes");

    // Select the event where n5 crashes, in the diagram.
    const model = buildModel(records);
    const n5 = model.lanes.findIndex((lane) => lane.name === "n5");
    const crash = model.steps.findIndex((step) => step.kind === "crash" && step.lane === n5);
    // A click on its mark (dispatched on the mark itself: at full view, arrows lie on top of it).
    const mark = page.locator(`svg#diagram line.mark[data-s="${crash}"]`);
    await mark.dispatchEvent("mousedown", { button: 0, clientX: 10, clientY: 10 });
    await mark.dispatchEvent("mouseup", { button: 0, clientX: 10, clientY: 10 });
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(String(crash));
    expect(await page.locator("#fork-at").inputValue()).toBe("30ms");

    // Fork: restart n5 five milliseconds later.
    await page.selectOption("#fork-node", "n5");
    await page.fill("#fork-at", "35ms");
    await page.click('button[data-fork="restart"]');
    await page.waitForFunction((before) => window.quorumlab.traceHash() !== before, hash);
    const forked = await pageHash(page);
    expect(await page.evaluate(() => window.quorumlab.verdict().ok)).toBe(true);
    expect(await page.locator("#outcome").textContent()).toContain("every checked invariant held");
    expect(await page.locator("#lab-compare").textContent()).toContain(
      "First divergence from the original at t=35ms",
    );
    expect(await page.locator("svg#diagram line.fork-line").count()).toBe(1);
    expect(await page.locator("#lab-forks li").count()).toBe(1);
    // The forked run's timeline tells the step added, among the scenario's notes and steps.
    const told = await timeline();
    expect(told).toContain("35ms restart n5");
    expect(told).toContain("30ms # (c) n5 crashes");
    expect(told.some((line) => line.includes("✗"))).toBe(false);
    await page.screenshot({ path: join(ensureOutputFolder(), "lab-figure-8-fork.png"), fullPage: true });

    // The downloaded scenario replays to the hash the page shows.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#lab-download")]);
    const saved = await download.path();
    expect(cliHash(readFileSync(saved, "utf8"))).toBe(forked);

    await page.click("#lab-undo");
    await page.waitForFunction((before) => window.quorumlab.traceHash() === before, hash);
    expect(await page.locator("#lab-forks li").count()).toBe(0);
    // Done, the status line no longer says the page is simulating.
    expect(await page.locator("#lab-status").textContent()).toBe("");
    await page.click("#lab-redo");
    await page.waitForFunction((after) => window.quorumlab.traceHash() === after, forked);
    expect(await page.locator("#lab-status").textContent()).toBe("");

    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a message selected in the diagram is forked at its arrival, so a copy of one sent at the instant of an earlier event is not skipped", async () => {
    const { url, hash, records } = reportOf("raft-figure-8-bug");
    const { page, errors, requests } = await openWatched(browser, url);
    // Message 8, n1's first AppendEntries to n2, is sent at 2 ms by an event that runs after a
    // step scheduled for 2 ms would; it arrives at 3 ms.
    const model = buildModel(records);
    const index = model.messages.findIndex((message) => message.id === 8);
    expect(model.messages[index]?.sendUs).toBe(2_000);
    expect(model.messages[index]?.arriveUs).toBe(3_000);
    const arrow = page.locator(`svg#diagram path[data-m="${index}"]`).first();
    await arrow.dispatchEvent("mousedown", { button: 0, clientX: 10, clientY: 10 });
    await arrow.dispatchEvent("mouseup", { button: 0, clientX: 10, clientY: 10 });
    expect(await page.locator("#fork-message").textContent()).toContain("#8 n1→n2");
    expect(await page.locator("#fork-at").inputValue()).toBe("3ms");

    await page.click('button[data-fork="duplicate"]');
    await page.waitForFunction((before) => window.quorumlab.traceHash() !== before, hash);
    const kinds = await page.evaluate(() =>
      window.quorumlab.events().map((event) => {
        const note = event as { kind: string; label?: string };
        return note.kind === "note" ? `note:${note.label}` : note.kind;
      }),
    );
    expect(kinds).toContain("duplicate");
    expect(kinds).not.toContain("note:skipped-action");
    expect(cliHash(await page.evaluate(() => window.quorumlab.scenarioYaml()))).toBe(await pageHash(page));
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a fork whose step finds nothing to act on says so, in words, and the next one that acts does not", async () => {
    const { url } = reportOf("raft-figure-8");
    const { page, errors } = await openWatched(browser, url);
    await page.fill("#fork-at", "30ms");
    await page.selectOption("#fork-node", "n1");
    await page.click('button[data-fork="crash"]');
    await page.waitForFunction(() => window.quorumlab.forks().length === 1);
    const compare = page.locator("#lab-compare");
    expect(await compare.textContent()).toContain("(kernel event 51: crash skipped: n1 is down already)");
    expect(await page.locator("#lab-skipped").textContent()).toBe(
      " The step just added did nothing: crash n1 at 30ms was skipped (n1 is down already).",
    );
    // The skip is the selected event, and the line under the toolbar says it in words too.
    expect(await page.locator("#step-info").textContent()).toContain("crash skipped: n1 is down already");
    await page.fill("#fork-at", "40ms");
    await page.selectOption("#fork-node", "n1");
    await page.click('button[data-fork="crash"]');
    await page.waitForFunction(() => window.quorumlab.forks().length === 2);
    expect(await page.locator("#lab-skipped").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a fork after the run stopped at its violation says the trace did not change, and why", async () => {
    const { url, hash } = reportOf("raft-figure-8-bug");
    const { page, errors } = await openWatched(browser, url);
    await page.fill("#fork-at", "100ms");
    await page.selectOption("#fork-node", "n2");
    await page.click('button[data-fork="crash"]');
    await page.waitForFunction(() => window.quorumlab.forks().length === 1);
    expect(await pageHash(page)).toBe(hash);
    expect(await page.locator("#lab-compare").textContent()).toBe(
      "Original: ✗ raft.leader-completeness. After 1 fork: ✗ raft.leader-completeness. The trace did not change." +
        " The step just added did nothing: crash n2 at 100ms never ran (the run stopped at its violation at t=72ms).",
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a long run not yet checked: its first fork simulates the original, compares its hash with the CLI's, and the check is done", async () => {
    // About 40,000 kernel events: above what the page checks by itself once drawn.
    const { url, hash } = reportOf("paxos-dueling-proposers");
    const { page, errors, requests } = await openWatched(browser, url);
    expect(await page.locator("#lab-recheck").count()).toBe(1);
    const forked = await page.evaluate(() => window.quorumlab.fork({ at: "5ms", crash: "n3" }));
    expect(forked).not.toBe(hash);
    expect(await page.locator("#lab-recheck").count()).toBe(0);
    expect(await page.locator("#lab-hash-check.ok").textContent()).toBe(
      "✓ this page re-simulated the CLI's run exactly",
    );
    expect(await page.locator("#lab-compare").textContent()).not.toContain("not the CLI's");
    // Undone, the original shows the check done too.
    await page.evaluate(() => window.quorumlab.undo());
    expect(await page.locator("#lab-recheck").count()).toBe(0);
    expect(await page.locator("#lab-hash-check.ok").count()).toBe(1);
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a transactional run: the page simulates write skew to the CLI's hash and forks it", async () => {
    const { url, hash } = reportOf("txn-write-skew-bug");
    const { page, errors, requests } = await openWatched(browser, url);
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    const forked = await page.evaluate(() => window.quorumlab.fork({ at: "1ms", crash: "n1" }));
    expect(forked).not.toBe(hash);
    expect(cliHash(await page.evaluate(() => window.quorumlab.scenarioYaml()))).toBe(forked);

    // The client's one operation is a transaction: the value offered is one, and sends as it is.
    expect(await page.locator("#fork-op-f").inputValue()).toBe("txn");
    const key = await page.locator("#fork-op-key").inputValue();
    expect(JSON.parse(await page.locator("#fork-op-value").inputValue())).toEqual([
      ["append", key, 1],
      ["r", key, null],
    ]);
    // The key given is the transaction's: a new one renames the key in the value offered.
    await page.fill("#fork-op-key", "y");
    expect(JSON.parse(await page.locator("#fork-op-value").inputValue())).toEqual([
      ["append", "y", 1],
      ["r", "y", null],
    ]);
    await page.fill("#fork-op-key", key);
    await page.fill("#fork-at", "2ms");
    await page.click('button[data-fork="op"]');
    // Done when the fork is drawn, or when the status line says why it failed.
    await page.waitForSelector("#lab-status:not(:text-is('simulating…'))", { state: "attached" });
    expect(await page.locator("#lab-status").textContent()).toBe("");
    expect(await page.evaluate(() => window.quorumlab.forks()[1])).toEqual({
      at: "2ms",
      op: {
        f: "txn",
        value: [
          ["append", key, 1],
          ["r", key, null],
        ],
        follow: true,
      },
    });
    expect(cliHash(await page.evaluate(() => window.quorumlab.scenarioYaml()))).toBe(await pageHash(page));
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("forks Paxos, primary-backup and 2PC through window.quorumlab, each export replaying to the page's hash", async () => {
    const cases: Array<{ scenario: string; step: Record<string, unknown>; state: string }> = [
      { scenario: "paxos-dueling-proposers", step: { at: "5ms", crash: "n3" }, state: "promised" },
      { scenario: "pb-split-brain", step: { at: "1ms", drop: { message: 3 } }, state: "view" },
      { scenario: "2pc-coordinator-crash", step: { at: "2s", restart: "n1" }, state: "transactions" },
    ];
    for (const { scenario, step, state } of cases) {
      const { url, hash } = reportOf(scenario);
      const { page, errors, requests } = await openWatched(browser, url);
      expect(await pageHash(page), scenario).toBe(hash);
      // The page's own simulation of the run has the CLI's hash (a long run is checked on request).
      const recheck = page.locator("#lab-recheck");
      if ((await recheck.count()) > 0) await recheck.click();
      await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
      // The state at the selected moment is the protocol's own description.
      await page.keyboard.press("End");
      expect(await page.locator("#state-at th").allTextContents(), scenario).toContain(state);

      const forked = await page.evaluate((added) => window.quorumlab.fork(added), step);
      expect(forked, scenario).not.toBe(hash);
      expect(await pageHash(page)).toBe(forked);
      expect(await page.evaluate(() => window.quorumlab.forks().length)).toBe(1);
      const yaml = await page.evaluate(() => window.quorumlab.scenarioYaml());
      expect(cliHash(yaml), scenario).toBe(forked);

      expect(await page.evaluate(() => window.quorumlab.undo())).toBe(hash);
      expect(errors, scenario).toEqual([]);
      expect(notLocal(requests), scenario).toEqual([]);
      await page.close();
    }
  });

  it("a blank lab: a Raft cluster with a workload and no faults, where a crash of the leader is forked by hand", async () => {
    const raft = protocols.get("raft") as Protocol;
    const scenario = blankScenario(raft, 2_000_000);
    expect(scenario.faults).toEqual([]);
    const { result } = executeScenario(scenario, { keepTrace: true });
    const path = join(ensureOutputFolder(), "lab-blank-raft.html");
    writeReport(result.records, path, { format: "html", scenario });
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    expect(await pageHash(page)).toBe(result.traceHash);
    expect(await page.locator("svg#diagram g.lane.client").count()).toBe(3);

    // A click on the time axis, away from any event, picks that time.
    const box = await page.locator("svg#diagram").boundingBox();
    if (box === null) throw new Error("no diagram");
    await page.mouse.click(box.x + 120 + (box.width - 138) / 2, box.y + 10);
    const picked = await page.locator("#fork-at").inputValue();
    expect(picked).toMatch(/^\d+(us|ms|s)$/);
    const unitUs = picked.endsWith("us") ? 1 : picked.endsWith("ms") ? 1_000 : 1_000_000;
    // The middle of a 2 s run, give or take a pixel or two.
    expect(Math.abs(Number.parseInt(picked, 10) * unitUs - 1_000_000)).toBeLessThan(20_000);
    await page.fill("#fork-at", "1s");
    await page.selectOption("#fork-node", "leader");
    await page.click('button[data-fork="crash"]');
    await page.waitForFunction((before) => window.quorumlab.traceHash() !== before, result.traceHash);
    const events = await page.evaluate(
      () => window.quorumlab.events().filter((event) => event.kind === "crash").length,
    );
    expect(events).toBe(1);
    expect(cliHash(await page.evaluate(() => window.quorumlab.scenarioYaml()))).toBe(await pageHash(page));

    // Choosing cas makes the value the pair [expected, next] a compare-and-set takes.
    const crashed = await pageHash(page);
    await page.selectOption("#fork-op-f", "cas");
    expect(await page.locator("#fork-op-value").inputValue()).toBe("[null,1]");
    await page.fill("#fork-at", "1500ms");
    await page.click('button[data-fork="op"]');
    await page.waitForFunction((before) => window.quorumlab.traceHash() !== before, crashed);
    expect(await page.evaluate(() => window.quorumlab.forks()[1])).toEqual({
      at: "1500ms",
      op: { f: "cas", key: "x", value: [null, 1], follow: true },
    });
    expect(cliHash(await page.evaluate(() => window.quorumlab.scenarioYaml()))).toBe(await pageHash(page));
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a fork button pressed before any time is chosen asks when, rather than forking at 0", async () => {
    const { url, hash } = reportOf("raft-figure-8");
    const { page, errors } = await openWatched(browser, url);
    expect(await page.locator("#fork-at").inputValue()).toBe("");
    await page.click('button[data-fork="crash"]');
    expect(await page.locator("#lab-status").textContent()).toBe(
      "✗ when? Select an event in the diagram, or type a time into Fork at (0 for the start)",
    );
    expect(await page.evaluate(() => window.quorumlab.forks())).toEqual([]);
    expect(await pageHash(page)).toBe(hash);
    // 0 typed in is the start, as asked.
    await page.fill("#fork-at", "0");
    await page.click('button[data-fork="crash"]');
    await page.waitForFunction(() => window.quorumlab.forks().length === 1);
    expect(await page.evaluate(() => window.quorumlab.forks()[0])).toEqual({ at: "0", crash: "n1" });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("by keyboard: every control has a name, a fork keeps the focus on its button, and keys in a list choose in it", async () => {
    const scenario = blankScenario(protocols.get("raft") as Protocol, 1_000_000);
    const { result } = executeScenario(scenario, { keepTrace: true });
    const path = join(ensureOutputFolder(), "lab-keyboard.html");
    writeReport(result.records, path, { format: "html", scenario });
    const { page, errors } = await openWatched(browser, pathToFileURL(path).href);
    // Each field and list of the lab has a name a screen reader can say.
    const unnamed = await page.locator("#lab select, #lab input").evaluateAll((controls) =>
      controls
        .filter(
          (control) =>
            ((control as unknown as { labels: ArrayLike<unknown> | null }).labels?.length ?? 0) === 0,
        )
        .filter((control) => (control.getAttribute("aria-label") ?? "") === "")
        .map((control) => control.id),
    );
    expect(unnamed).toEqual([]);
    // Each fork button says in its tooltip what it does.
    const untitled = await page
      .locator("#lab button[data-fork]")
      .evaluateAll((buttons) =>
        buttons
          .filter((button) => (button.getAttribute("title") ?? "") === "")
          .map((button) => button.textContent),
      );
    expect(untitled).toEqual([]);

    // Keys pressed in the node list choose in it and do not step the diagram.
    await page.keyboard.press("Home");
    const step = await page.locator("#step-info").getAttribute("data-step");
    await page.focus("#fork-node");
    await page.keyboard.press("n");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator("#step-info").getAttribute("data-step")).toBe(step);

    // A fork made from the keyboard leaves the focus where it was, on the button pressed.
    await page.fill("#fork-at", "500ms");
    await page.selectOption("#fork-node", "leader");
    await page.focus('button[data-fork="crash"]');
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => window.quorumlab.forks().length === 1);
    expect(await page.locator(":focus").getAttribute("data-fork")).toBe("crash");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a run of the user's own protocol module is a lab too: its fork replays with the module to the page's hash", async () => {
    const module = join(starterFolder(), "quorum-register.ts");
    const registry = await registryWith([module]);
    const scenario = loadScenario(join(starterFolder(), "quorum-register.yaml"));
    const { result } = executeScenario(scenario, { keepTrace: true, registry });
    const path = join(ensureOutputFolder(), "lab-module.html");
    reportAfterRun(result, { reportPath: path, modules: [module] });
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    expect(await pageHash(page)).toBe(result.traceHash);
    const forked = await page.evaluate(() => window.quorumlab.fork({ at: "700ms", crash: "n1" }));
    expect(forked).not.toBe(result.traceHash);
    const yaml = await page.evaluate(() => window.quorumlab.scenarioYaml());
    const replayed = runScenario(parseScenario(yaml, "exported.yaml"), registry, {
      checkHistory: historyChecker(),
    });
    expect(replayed.traceHash).toBe(forked);
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("`quorumlab lab` of the user's own module: its default cluster, a lab whose fork replays with the module", async () => {
    const module = join(starterFolder(), "quorum-register.ts");
    const path = join(ensureOutputFolder(), "lab-of-module.html");
    const written = quorumlab("lab", module, "--out", path, "--duration", "2s");
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toMatch(
      /^lab written to .*lab-of-module\.html: quorum-register, 3 nodes, \d+ events/,
    );
    const registry = await registryWith([module]);
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    const yaml = await page.evaluate(() => window.quorumlab.scenarioYaml());
    const blank = parseScenario(yaml, "blank.yaml");
    expect(blank.protocol).toBe("quorum-register");
    expect(blank.faults).toEqual([]);
    expect(runScenario(blank, registry, { checkHistory: historyChecker() }).traceHash).toBe(
      await pageHash(page),
    );
    const forked = await page.evaluate(() => window.quorumlab.fork({ at: "700ms", crash: "n1" }));
    const replayed = runScenario(
      parseScenario(await page.evaluate(() => window.quorumlab.scenarioYaml()), "forked.yaml"),
      registry,
      { checkHistory: historyChecker() },
    );
    expect(replayed.traceHash).toBe(forked);
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a run checked with --liveness: the page re-simulates it with liveness checked, says so, and its forks replay with --liveness", async () => {
    const { result } = executeScenario(loadScenario("3pc-quorum-partition"), {
      keepTrace: true,
      liveness: true,
    });
    expect(result.violations.map((violation) => violation.kind)).toEqual(["liveness"]);
    const path = join(ensureOutputFolder(), "lab-liveness.html");
    reportAfterRun(result, { reportPath: path, liveness: true });
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    // Without liveness checked the page's run lacks the violation and has another hash.
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    expect(await page.locator("#lab-compare").textContent()).toBe(
      "Outcome: ⚠ liveness: commit.ac5-termination.",
    );
    const forked = await page.evaluate(() => window.quorumlab.fork({ at: "1ms", crash: "n5" }));
    const yaml = await page.evaluate(() => window.quorumlab.scenarioYaml());
    const replayed = runScenario(parseScenario(yaml, "exported.yaml"), protocols, {
      checkHistory: historyChecker(),
      checkLiveness: true,
    });
    expect(replayed.traceHash).toBe(forked);
    expect(await page.evaluate(() => window.quorumlab.verdict().violations.map((v) => v.invariant))).toEqual(
      replayed.violations.map((violation) => violation.invariant),
    );
    expect(yaml).toContain("# Replay it with `quorumlab run <this file> --liveness`: its trace hash is");
    expect(await page.locator("#report header").textContent()).toContain(
      "npx quorumlab run 3pc-quorum-partition-fork.yaml --liveness",
    );
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("a run of an explicit schedule, as explore writes, offers no fork and says why", async () => {
    const scenario = parseScenario(
      "name: scheduled\nprotocol: raft\nnodes: 3\nduration: 1s\nclients: 1\nschedule:\n  - {crash: n2}\n  - {fire: {node: n1, timer: election}}\n",
      "scheduled.yaml",
    );
    const { result } = executeScenario(scenario, { keepTrace: true });
    const path = join(ensureOutputFolder(), "lab-schedule.html");
    reportAfterRun(result, { reportPath: path });
    const { page, errors, requests } = await openWatched(browser, pathToFileURL(path).href);
    await page.waitForSelector("#lab-hash-check.ok", { timeout: 60_000 });
    expect(await page.locator("#lab-no-fork").textContent()).toContain(
      "No fork here: this run follows an explicit schedule (schedule:), step by step",
    );
    expect(await page.locator("#lab button[data-fork]").count()).toBe(0);
    await expect(page.evaluate(() => window.quorumlab.fork({ at: "1ms", crash: "n1" }))).rejects.toThrow(
      /explicit schedule/,
    );
    expect(await page.locator("#lab-download").count()).toBe(1);
    expect(errors).toEqual([]);
    expect(notLocal(requests)).toEqual([]);
    await page.close();
  });

  it("3PC: the state strip shows each site's transaction state and decision, as the protocol declares them", async () => {
    const { url } = reportOf("3pc-partition");
    const { page, errors } = await openWatched(browser, url);
    const labels = await page.locator("svg#diagram text.state-text").allTextContents();
    // Not only roles: the sites' own states over time (3PC's WAIT, PRECOMMIT, then the decision).
    expect(labels).toContain("wait");
    expect(labels).toContain("precommit");
    expect(labels.some((label) => label === "commit" || label === "abort")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

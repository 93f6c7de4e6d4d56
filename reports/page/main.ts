/**
 * The lab page: draws the run from the page data the report embeds (simulating nothing, so a long
 * run is interactive at once), checks a short run by simulating its scenario again once drawn (a
 * long one on request), and lets a reader fork "what if" from any moment: each fork adds a
 * timeline step, re-simulates from the start with the same seed, and shows the new run with the
 * fork point and the first divergence from the original marked.
 *
 * `window.quorumlab` is the page's API for tests and for teachers' own exercises (documented in
 * docs/reports.md).
 */
import type { Protocol } from "../../sim/node.js";
import { clusterSize } from "../../sim/scenario/validate.js";
import { exactDuration } from "../../sim/scenario/write.js";
import { parseDurationUs } from "../../sim/time.js";
import type { TraceLine } from "../../sim/trace.js";
import { formatDurationUs, formatValue } from "../format.js";
import { messageColumn as M, type PageData } from "../page-data.js";
import { type DiagramMark, drawDiagram } from "./diagram/diagram.js";
import { append, h, select } from "./dom.js";
import { embeddedPageData } from "./embedded.js";
import { downloadName, type ForkStep, Lab, type LabRun, scheduleRefusal, stepAtRecord } from "./lab.js";
import type { Verdict } from "./verdict.js";

/** What the report embeds for the lab (`#lab-data`); the trace itself is in `#lab-trace`. */
interface LabData {
  readonly scenarioYaml: string;
  /** The trace hash the CLI computed for this run. */
  readonly traceHash: string;
  readonly version: string;
  readonly replay: string;
  /** The verdict of the run, as the CLI found it. */
  readonly verdict: Verdict;
  /** The CLI checked liveness invariants too (`run --liveness`); absent: it did not. */
  readonly liveness?: boolean;
}

/**
 * Runs of at most this many kernel events are simulated again in the page right after it is
 * drawn, to show that the page's simulator makes the CLI's very run; longer ones on request (the
 * page cannot be used while it simulates).
 */
const recheckEventsMax = 20_000;

/** `window.quorumlab`. */
export interface QuorumlabApi {
  /** The SHA-256 trace hash of the run shown, computed in the page as the CLI computes it. */
  traceHash(): string;
  /** The scenario file of the run shown: `quorumlab run` replays it to `traceHash()`. */
  scenarioYaml(): string;
  /** Adds a timeline step (`{at: "35ms", restart: "n5"}`) and re-simulates; the new trace hash. */
  fork(step: ForkStep): Promise<string>;
  /** Goes back to the run before the last fork; the trace hash shown then. */
  undo(): Promise<string>;
  /** Reapplies the last fork undone; the trace hash shown then. */
  redo(): Promise<string>;
  /** The trace records of the run shown (header first, `end` last). */
  events(): readonly TraceLine[];
  /** The verdict of the run shown. */
  verdict(): Verdict;
  /** The steps added so far, oldest first. */
  forks(): readonly ForkStep[];
}

declare global {
  interface Window {
    quorumlab?: QuorumlabApi;
  }
}

const symbolicTargets = ["leader", "follower", "any", "crashed"];

/** What each fork button does, as its tooltip says it (the scenario format's words). */
const forkTitles: Readonly<Record<string, string>> = {
  crash:
    "crash the node: it loses its volatile state, keeps its durable storage, and misses what arrives while down",
  restart: "restart the crashed node from its durable storage",
  pause: "pause the node: its deliveries and timers wait until it resumes",
  resume: "resume the paused node",
  isolate: "cut the node off from every other node, both ways (clients still reach it)",
  timeout: "fire the node's election timer now",
  cut: "cut the link, both ways unless one way is ticked",
  heal: "end every partition, cut and isolation",
  partition: "split the nodes into these groups: no message crosses between them",
  op: "send this client operation to the node chosen, or to whichever node leads",
  drop: "the message is lost when it arrives",
  delay: "the message arrives this much later",
  duplicate: "the message arrives twice",
};

/** Starts the lab on this page for `protocol` (the bundle's entry calls it). */
export function startLab(protocol: Protocol | undefined): void {
  const block = document.getElementById("lab-data");
  if (block === null) return;
  const data = JSON.parse(block.textContent ?? "{}") as LabData;
  if (protocol === undefined) {
    showFatal("this page's bundle does not hold the run's protocol");
    return;
  }
  LabPage.open(protocol, data).then(
    (page) => {
      window.quorumlab = page.api();
      page.show();
      page.recheckSoon();
    },
    (error: unknown) => {
      showFatal((error as Error).message);
      throw error;
    },
  );
}

function showFatal(message: string): void {
  const main = document.getElementById("report");
  main?.prepend(h("div", { class: "violation-box", id: "lab-error" }, `The lab could not start: ${message}`));
  document.body.setAttribute("data-ready", "true");
}

class LabPage {
  private readonly lab: Lab;
  private readonly protocol: Protocol;
  private readonly data: LabData;
  private controller: AbortController | undefined;
  private selected = -1;
  private message = "";
  private shownOnce = false;
  /** Whether the original run is about to be simulated again, to check it. */
  private recheckPending = false;
  /** Why simulating the original run in the page failed, when it did. */
  private recheckError: string | undefined;

  static async open(protocol: Protocol, data: LabData): Promise<LabPage> {
    const options = {
      now: () => performance.now(),
      version: data.version,
      replay: data.replay,
      checkLiveness: data.liveness === true,
    };
    performance.mark("lab:start");
    const pageData = await embeddedPageData();
    performance.mark("lab:data-read");
    const lab =
      pageData === undefined
        ? await Lab.open(protocol, data.scenarioYaml, options)
        : Lab.fromRecorded(
            protocol,
            {
              scenarioYaml: data.scenarioYaml,
              data: pageData,
              verdict: data.verdict,
              traceHash: data.traceHash,
            },
            options,
          );
    const body = document.getElementById("report")?.innerHTML ?? "";
    return new LabPage(protocol, data, lab, body);
  }

  private constructor(
    protocol: Protocol,
    data: LabData,
    lab: Lab,
    /** The report body the page opened with: the original run's. */
    private readonly originalBody: string,
  ) {
    this.protocol = protocol;
    this.data = data;
    this.lab = lab;
  }

  api(): QuorumlabApi {
    const later = async (action: () => unknown): Promise<string> => {
      await this.act(action);
      return this.lab.current.traceHash;
    };
    return {
      traceHash: () => this.lab.current.traceHash,
      scenarioYaml: () => this.lab.current.yaml,
      fork: (step) => later(() => this.fork(step)),
      undo: () => later(() => this.lab.undo()),
      redo: () => later(() => this.lab.redo()),
      events: () => this.lab.current.records,
      verdict: () => this.lab.current.verdict,
      forks: () => this.lab.current.forks,
    };
  }

  /** Simulates the original scenario again in the page, soon, when its run is short. */
  recheckSoon(): void {
    if (this.lab.originalChecked !== undefined) {
      this.showRecheck();
      return;
    }
    if (this.lab.original.data.meta.events > recheckEventsMax) return;
    this.recheckPending = true;
    this.showRecheck();
    // After the first paint, so the page is drawn before it simulates.
    window.setTimeout(() => {
      this.recheck().then(
        () => undefined,
        (error: unknown) => {
          this.message = `✗ ${(error as Error).message}`;
          this.showStatus();
        },
      );
    }, 50);
  }

  /** Simulates the original run here; a failure is said where the result would be, then thrown. */
  private async recheck(): Promise<void> {
    try {
      await this.lab.resimulateOriginal();
      this.recheckError = undefined;
    } catch (error) {
      this.recheckError = (error as Error).message;
      throw error;
    } finally {
      this.recheckPending = false;
      this.showRecheck();
    }
  }

  private async fork(step: ForkStep): Promise<void> {
    const run = await this.lab.fork(step);
    this.selected = stepAtRecord(run.data, run.records[run.divergenceRecord]);
  }

  /** Draws the current run: report body, lab panel, diagram, state at the selected moment. */
  show(): void {
    const run = this.lab.current;
    const main = document.getElementById("report");
    if (main === null) throw new Error("the page has no #report element");
    const showStarted = performance.now();
    this.controller?.abort();
    this.controller = new AbortController();
    // The page opens with the original run's body, written by the CLI: keep it the first time.
    if (this.shownOnce || run.body !== null) main.innerHTML = run.body ?? this.originalBody;
    this.shownOnce = true;
    performance.mark("lab:body");
    // The lab sits right under the diagram: select there, act here.
    const legend = main.querySelector("#diagram-section .legend");
    legend?.after(this.labSection(run));
    document.getElementById("logs")?.after(h("div", { id: "state-at" }));
    document.getElementById("figures")?.append(protocolFigures(run));
    const marks: DiagramMark[] = [];
    const lastFork = run.forks[run.forks.length - 1];
    if (lastFork !== undefined) {
      marks.push({ t: parseDurationUs(lastFork.at) ?? 0, label: "fork", cls: "fork-line" });
      const diverges = run.records[run.divergenceRecord];
      if (diverges !== undefined && diverges.kind !== "header") {
        marks.push({ t: diverges.t, label: "first divergence", cls: "diverge-line" });
      }
    }
    if (this.selected >= run.data.steps.length) this.selected = run.data.steps.length - 1;
    drawDiagram(run.data, {
      signal: this.controller.signal,
      marks,
      select: this.selected,
      onSelect: (step) => this.onSelect(step),
      onTime: (timeUs) => this.onTime(timeUs),
    });
    performance.mark("lab:drawn");
    this.onSelect(this.selected);
    this.showStatus();
    this.showRecheck();
    performance.mark("lab:shown");
    document.body.setAttribute(
      "data-phases-ms",
      JSON.stringify({ ...run.phasesMs, draw: Math.round(performance.now() - showStarted) }),
    );
    if (!document.body.hasAttribute("data-ready-ms")) {
      // Milliseconds from opening the page to its first drawing of the run, for the bench.
      document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
    }
    document.body.setAttribute("data-ready", "true");
    document.body.setAttribute("data-trace-hash", run.traceHash);
  }

  private onSelect(step: number): void {
    this.selected = step;
    const run = this.lab.current;
    const record = run.data.steps[step];
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    if (at !== null && record !== undefined) at.value = String(exactDuration(record[0]));
    const lane = record === undefined ? undefined : run.data.lanes[record[3]];
    const node = document.getElementById("fork-node") as HTMLSelectElement | null;
    if (node !== null && lane?.[1] === "node") node.value = lane[0];
    this.showMessageActions(run.data, step);
    const timeUs = record?.[0] ?? run.data.meta.endUs;
    const box = document.getElementById("state-at");
    if (box !== null) box.replaceChildren(...stateTable(run.data, timeUs));
  }

  /** A click on the diagram away from any event: fork at that time. */
  private onTime(timeUs: number): void {
    const run = this.lab.current;
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    // To a tenth of a millisecond: a click is not more precise than that.
    if (at !== null) at.value = String(exactDuration(Math.round(timeUs / 100) * 100));
    const box = document.getElementById("state-at");
    if (box !== null) box.replaceChildren(...stateTable(run.data, timeUs));
  }

  private labSection(run: LabRun): HTMLElement {
    const forks = h("ol", { id: "lab-forks" });
    run.forks.forEach((step) => {
      forks.appendChild(h("li", {}, h("code", {}, formatValue(step, 200))));
    });
    const original = this.lab.original;
    return h(
      "section",
      { id: "lab" },
      h("h2", {}, "Lab: what if…"),
      h(
        "p",
        { class: "lab-hash" },
        "trace ",
        h("code", { id: "lab-hash" }, run.traceHash),
        " ",
        run.forks.length === 0
          ? ""
          : h("span", { class: "dim" }, "(the forked run: the downloaded scenario replays to it) "),
        h(
          "span",
          { class: "dim" },
          run.simulateMs === null
            ? "· drawn from the run this report holds"
            : `· simulated in ${Math.round(run.simulateMs)} ms`,
        ),
      ),
      h(
        "p",
        { class: run.forks.length === 0 ? "" : "dim" },
        run.forks.length === 0 ? "" : `original trace ${original.traceHash} `,
        h("span", { id: "lab-hash-check" }),
      ),
      h("p", {}, compareLine(original, run, this.lab.originalChecked)),
      run.scenario.schedule !== undefined
        ? h("p", { id: "lab-no-fork" }, `No fork here: ${scheduleRefusal}.`)
        : null,
      run.scenario.schedule !== undefined
        ? null
        : h(
            "div",
            { class: "lab-at" },
            "Fork at ",
            h("input", {
              type: "text",
              id: "fork-at",
              size: "9",
              title: "a time such as 35ms, 1.2s or 500us",
              placeholder: "e.g. 35ms",
              "aria-label": "fork at (a time such as 35ms)",
            }),
            " — select an event in the diagram (or type a time), then choose what happens then:",
          ),
      run.scenario.schedule !== undefined ? null : this.forkActions(run),
      this.labTools(run),
      run.forks.length === 0
        ? h("p", { class: "dim" }, "No fork yet: this is the original run.")
        : h("div", {}, "Steps added to the original scenario:", forks),
    );
  }

  /** The fork buttons, one group per kind of step: node, link, partition, client operation. */
  private forkActions(run: LabRun): HTMLElement {
    const nodes = Array.from(
      { length: clusterSize(run.scenario, this.protocol) },
      (_, index) => `n${index + 1}`,
    );
    const actions = h("div", { class: "lab-actions" });
    append(actions, this.nodeActions(nodes));
    append(actions, this.linkActions(nodes));
    append(actions, this.partitionActions(nodes));
    append(actions, h("span", { class: "lab-group", id: "fork-message" }));
    const client = this.clientActions(run, nodes);
    if (client !== undefined) append(actions, client);
    return actions;
  }

  private nodeActions(nodes: readonly string[]): HTMLElement {
    const node = select("fork-node", "node to act on", [...nodes, ...symbolicTargets]);
    const actions = ["crash", "restart", "pause", "resume", "isolate"];
    if (this.protocol.electionTimer !== undefined) actions.push("timeout");
    return h(
      "span",
      { class: "lab-group" },
      "node ",
      node,
      ...actions.map((action) => this.button(action, action, () => ({ [action]: node.value }))),
    );
  }

  private linkActions(nodes: readonly string[]): HTMLElement {
    const from = select("fork-from", "link from", nodes, nodes[0]);
    const to = select("fork-to", "link to", nodes, nodes[1]);
    const oneWay = h("input", { type: "checkbox", id: "fork-one-way" });
    return h(
      "span",
      { class: "lab-group" },
      "link ",
      from,
      " → ",
      to,
      h("label", {}, oneWay, " one way"),
      this.button("cut", "cut", () => ({
        cut: oneWay.checked ? { from: from.value, to: to.value, oneWay: true } : [from.value, to.value],
      })),
      this.button("heal", "heal all", () => ({ heal: true })),
    );
  }

  private partitionActions(nodes: readonly string[]): HTMLElement {
    const groups = h("input", {
      type: "text",
      id: "fork-groups",
      size: "22",
      value: `${nodes.slice(0, Math.ceil(nodes.length / 2)).join(" ")} | ${nodes.slice(Math.ceil(nodes.length / 2)).join(" ")}`,
      title: "groups of nodes, separated by |",
      "aria-label": "partition groups, separated by |",
    });
    return h(
      "span",
      { class: "lab-group" },
      "partition ",
      groups,
      this.button("partition", "partition", () => ({
        partition: groups.value.split("|").map((group) =>
          group
            .trim()
            .split(/[\s,]+/)
            .filter((name) => name !== ""),
        ),
      })),
    );
  }

  /** A client operation sent into the run; none when the protocol has no client side. */
  private clientActions(run: LabRun, nodes: readonly string[]): HTMLElement | undefined {
    const client = this.protocol.client;
    if (client === undefined) return undefined;
    const operations = Object.keys(client.operations);
    const f = select("fork-op-f", "client operation", operations);
    const key = h("input", {
      type: "text",
      id: "fork-op-key",
      size: "4",
      value: firstKey(run),
      "aria-label": "key of the operation",
    });
    // A list-append transaction takes its micro-operations as its value, keys included.
    const transaction = (operand: unknown) =>
      JSON.stringify([
        ["append", key.value, operand],
        ["r", key.value, null],
      ]);
    const value = h("input", {
      type: "text",
      id: "fork-op-value",
      size: "10",
      value: f.value === "txn" ? transaction(1) : "1",
      title:
        "a number, JSON, or text; a cas takes [expected, next], a txn a list of [append, key, value] and [r, key, null]",
      "aria-label": "value of the operation",
    });
    // A compare-and-set takes the pair [expected, next]: choosing it makes the value one.
    f.addEventListener("change", () => {
      if (Array.isArray(parseValue(value.value))) return;
      if (f.value === "cas") value.value = JSON.stringify([null, parseValue(value.value)]);
      if (f.value === "txn") value.value = transaction(parseValue(value.value));
    });
    // A transaction names its key in each micro-operation: a new key renames those on the old one.
    let shownKey = key.value;
    key.addEventListener("input", () => {
      const before = shownKey;
      shownKey = key.value;
      if (f.value !== "txn") return;
      const operations = parseValue(value.value);
      if (!Array.isArray(operations)) return;
      const onKey = (operation: unknown): operation is unknown[] =>
        Array.isArray(operation) && operation[1] === before;
      // Text written by hand that names the key nowhere is left as it is.
      if (!operations.some(onKey)) return;
      value.value = JSON.stringify(
        operations.map((operation: unknown) =>
          onKey(operation) ? [operation[0], key.value, ...operation.slice(2)] : operation,
        ),
      );
    });
    const target = select("fork-op-node", "node the operation is sent to", ["(any)", ...nodes]);
    return h(
      "span",
      { class: "lab-group" },
      "client ",
      f,
      " key ",
      key,
      " value ",
      value,
      " to ",
      target,
      this.button("op", "send", () => ({
        op: {
          f: f.value,
          ...(f.value === "txn" ? {} : { key: key.value }),
          ...(f.value === "read" || f.value === "get" ? {} : { value: parseValue(value.value) }),
          ...(target.value === "(any)" ? { follow: true } : { node: target.value }),
        },
      })),
    );
  }

  /** Undo, redo and the download of the (forked) scenario. */
  private labTools(run: LabRun): HTMLElement {
    const undo = h("button", { id: "lab-undo", title: "undo the last fork" }, "↶ undo");
    undo.disabled = !this.lab.canUndo;
    undo.addEventListener("click", () => void this.act(() => this.lab.undo()).catch(() => undefined));
    const redo = h("button", { id: "lab-redo", title: "redo the fork undone" }, "↷ redo");
    redo.disabled = !this.lab.canRedo;
    redo.addEventListener("click", () => void this.act(() => this.lab.redo()).catch(() => undefined));
    const download = h(
      "a",
      {
        id: "lab-download",
        class: "button",
        download: downloadName(run.scenario, run.forks),
        href: `data:text/yaml;charset=utf-8,${encodeURIComponent(run.yaml)}`,
      },
      "⬇ Download scenario",
    );
    return h(
      "div",
      { class: "lab-tools" },
      undo,
      " ",
      redo,
      " ",
      download,
      " ",
      h("span", { id: "lab-status" }),
    );
  }

  private button(action: string, label: string, body: () => Record<string, unknown>): HTMLButtonElement {
    const button = h("button", { "data-fork": action, title: forkTitles[action] }, label);
    button.addEventListener("click", () => {
      const at = (document.getElementById("fork-at") as HTMLInputElement | null)?.value.trim() ?? "";
      if (at === "") {
        // Not 0 in silence: a fork at the start is rarely what was meant.
        this.message =
          "✗ when? Select an event in the diagram, or type a time into Fork at (0 for the start)";
        this.showStatus();
        return;
      }
      // A failed fork is shown in the status line; the page's console stays clean.
      this.act(() => this.fork({ at, ...body() })).catch(() => undefined);
    });
    return button;
  }

  /** Runs `action` (a fork, undo or redo) and shows the result; an error is shown, then thrown. */
  private async act(action: () => unknown): Promise<void> {
    this.message = "simulating…";
    this.showStatus();
    // Drawing the new run rebuilds the lab's controls: the one in focus gets it back after.
    const focused = focusKey(document.activeElement);
    // Let the page paint "simulating…" before the work starts.
    await new Promise((resolve) => window.setTimeout(resolve, 0));
    try {
      await action();
      this.message = "";
      this.show();
      refocus(focused);
    } catch (error) {
      this.message = `✗ ${(error as Error).message}`;
      this.showStatus();
      // A fork that failed may have checked the original on its way.
      this.showRecheck();
      throw error;
    }
  }

  /**
   * Whether the original run, simulated in this page, has the CLI's trace hash: checked once the
   * page has simulated it (soon after opening for a short run; on request, or at the first fork,
   * for a long one), and the button that asks for it offered until then.
   */
  private showRecheck(): void {
    const box = document.getElementById("lab-hash-check");
    if (box === null) return;
    const cliHash = this.data.traceHash;
    const checked = this.lab.originalChecked;
    if (checked === undefined && this.recheckError !== undefined) {
      box.className = "bad";
      box.replaceChildren(`✗ this page could not simulate the run: ${this.recheckError}`);
    } else if (checked === undefined && this.recheckPending) {
      box.className = "dim";
      box.replaceChildren("simulating the run in this page to check it…");
    } else if (checked === undefined) {
      const button = h(
        "button",
        { id: "lab-recheck", title: "simulate the original scenario in this page" },
        "check: simulate the original run here",
      );
      button.addEventListener("click", () => {
        this.message = "simulating the original run…";
        this.showStatus();
        window.setTimeout(() => {
          this.recheck().then(
            () => {
              this.message = "";
              this.showStatus();
            },
            (error: unknown) => {
              this.message = `✗ ${(error as Error).message}`;
              this.showStatus();
            },
          );
        }, 0);
      });
      box.className = "";
      box.replaceChildren(button);
    } else if (checked === cliHash) {
      box.className = "ok";
      box.replaceChildren("✓ this page re-simulated the CLI's run exactly");
    } else {
      box.className = "bad";
      box.replaceChildren(
        `✗ this page's simulation of the original has trace ${checked}, the CLI's ${cliHash}`,
      );
    }
  }

  private showStatus(): void {
    const status = document.getElementById("lab-status");
    if (status !== null) status.textContent = this.message;
  }

  /** Drop, delay and duplicate, offered when the selected event is a message's. */
  private showMessageActions(data: PageData, step: number): void {
    const box = document.getElementById("fork-message");
    if (box === null) return;
    box.replaceChildren();
    const record = data.steps[step];
    const kind = record === undefined ? undefined : data.stepKinds[record[2]];
    if (record === undefined || !["send", "deliver", "drop", "duplicate"].includes(kind ?? "")) {
      box.append("message: select a message to drop, delay or duplicate it");
      return;
    }
    const row = data.msgs[record[4]];
    if (row === undefined) return;
    const message = { id: row[M.id], arriveUs: row[M.arriveUs] };
    const name = `${data.types[row[M.type]]} #${message.id} ${data.lanes[row[M.from]]?.[0] ?? "?"}→${data.lanes[row[M.to]]?.[0] ?? "?"}`;
    if (row[M.droppedAtSend] === 1 || row[M.arriveUs] < 0) {
      box.append(`message ${name}: never arrives, nothing to change`);
      return;
    }
    const delay = h("input", {
      type: "text",
      id: "fork-delay",
      size: "6",
      value: "10ms",
      "aria-label": "delay the message by",
    });
    append(
      box,
      `message ${name} `,
      this.button("drop", "drop", () => ({ drop: { message: message.id } })),
      this.button("delay", "delay by", () => ({ delay: { message: message.id, by: delay.value.trim() } })),
      delay,
      this.button("duplicate", "duplicate", () => ({ duplicate: { message: message.id } })),
    );
    // The step names the message by id and is skipped when no message has that id yet. At the
    // send time it can run before the event that sends the message; at the arrival time the
    // message exists and the step runs before the delivery (it was scheduled first).
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    if (at !== null) at.value = String(exactDuration(message.arriveUs));
  }
}

/** How to find `element` again once the lab is drawn anew: its id, or its fork action. */
function focusKey(element: Element | null): string | undefined {
  if (element === null || element === document.body || element.closest("#lab") === null) return undefined;
  if (element.id !== "") return `#${element.id}`;
  const action = element.getAttribute("data-fork");
  return action === null ? undefined : `button[data-fork="${action}"]`;
}

function refocus(key: string | undefined): void {
  if (key === undefined) return;
  const element = document.querySelector(key);
  if (element instanceof HTMLElement) element.focus();
}

function firstKey(run: LabRun): string {
  return run.scenario.workload?.keys[0] ?? "x";
}

/** A typed value: numbers and JSON literals as such, anything else as a string. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The outcome in the header's words: safety violations, else liveness ones, else all held. */
function outcomeText(run: LabRun): string {
  const names = (kind: string) => [
    ...new Set(
      run.verdict.violations
        .filter((violation) => violation.kind === kind)
        .map((violation) => violation.invariant),
    ),
  ];
  const safety = names("safety");
  if (safety.length > 0) return `✗ ${safety.join(", ")}`;
  const liveness = names("liveness");
  return liveness.length > 0 ? `⚠ liveness: ${liveness.join(", ")}` : "✓ every invariant held";
}

function outcomeClass(run: LabRun): string {
  if (!run.verdict.ok) return "bad";
  return run.verdict.violations.some((violation) => violation.kind === "liveness") ? "warn" : "ok";
}

/**
 * The outcome, and for a fork how it compares with the original. `checked`: the trace hash of
 * the original as this page simulated it, which the fork is compared with; when it is not the
 * CLI's, the line says the comparison is with the page's run.
 */
function compareLine(original: LabRun, run: LabRun, checked: string | undefined): Node {
  if (run.forks.length === 0) {
    return h("span", { id: "lab-compare" }, `Outcome: ${outcomeText(run)}.`);
  }
  const diverges = run.records[run.divergenceRecord];
  const where =
    diverges === undefined || diverges.kind === "header"
      ? "The trace did not change"
      : `First divergence from the original at t=${formatDurationUs(diverges.t)} (kernel event ${diverges.e}: ${describeRecord(diverges)})`;
  const compared =
    checked === undefined || checked === original.traceHash
      ? ""
      : " (compared with the original as this page simulated it, whose trace is not the CLI's)";
  const last = run.forks[run.forks.length - 1];
  return h(
    "span",
    { id: "lab-compare" },
    `Original: ${outcomeText(original)}. After ${run.forks.length} fork${run.forks.length === 1 ? "" : "s"}: `,
    h("b", { class: outcomeClass(run) }, outcomeText(run)),
    `. ${where}${compared}.`,
    last === undefined || (run.forkSkipped === undefined && run.forkNeverRan === undefined)
      ? null
      : h(
          "span",
          { class: "bad", id: "lab-skipped" },
          ` The step just added did nothing: ${stepAction(last)} at ${String(last.at)} ${
            run.forkNeverRan === undefined
              ? `was skipped (${run.forkSkipped})`
              : `never ran (${run.forkNeverRan})`
          }.`,
        ),
  );
}

/** A step's action and target, as the timeline writes it: `crash n1`, `drop message 17`. */
function stepAction(step: ForkStep): string {
  const [action, target] = Object.entries(step).find(([key]) => key !== "at" && key !== "note") ?? [
    "step",
    "",
  ];
  return typeof target === "string" ? `${action} ${target}` : action;
}

function describeRecord(record: TraceLine): string {
  switch (record.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate":
      return `${record.kind} ${record.type} ${record.from}→${record.to}`;
    case "timer":
      return `${record.node} timer ${record.name}`;
    case "crash":
    case "restart":
    case "pause":
    case "resume":
    case "state":
      return `${record.kind} ${record.node}`;
    case "note":
      if (record.node === "kernel" && record.label === "skipped-action") {
        const data = record.data as { action?: unknown; reason?: unknown } | undefined;
        return `${String(data?.action ?? "a step")} skipped: ${String(data?.reason ?? "nothing to act on")}`;
      }
      return `${record.node} ${record.label}`;
    case "invoke":
    case "ok":
    case "fail":
    case "info":
      return `${record.client} ${record.kind} ${record.f}`;
    case "violation":
      return `violation ${record.invariant}`;
    default:
      return record.kind;
  }
}

/** Every node's state description at `timeUs`, one row per node, as the protocol gives it. */
function stateTable(data: PageData, timeUs: number): Node[] {
  const rows: Node[] = [];
  const keys = new Set<string>();
  const states: Array<{ lane: string; state: Record<string, unknown> | null }> = [];
  data.lanes.forEach(([name, kind], index) => {
    if (kind !== "node") return;
    const points = data.statePoints[index] ?? [];
    let state: unknown;
    let known = false;
    for (const [t, stateIndex] of points) {
      if (t > timeUs) break;
      known = true;
      state = stateIndex < 0 ? null : data.states[stateIndex];
    }
    if (!known) return;
    const shown = state !== null && typeof state === "object" ? (state as Record<string, unknown>) : null;
    for (const key of Object.keys(shown ?? {})) keys.add(key);
    states.push({ lane: name, state: shown });
  });
  if (states.length === 0) return rows;
  const columns = [...keys];
  const table = h("table", { class: "figures state-at" });
  table.appendChild(h("tr", {}, h("th", {}, "node"), ...columns.map((key) => h("th", {}, key))));
  for (const { lane, state } of states) {
    table.appendChild(
      h(
        "tr",
        {},
        h("td", {}, lane),
        ...(state === null
          ? [h("td", { colspan: String(Math.max(1, columns.length)), class: "dim" }, "down")]
          : columns.map((key) => h("td", {}, key in state ? cellText(state[key]) : ""))),
      ),
    );
  }
  rows.push(h("b", {}, `State at t=${formatDurationUs(timeUs)}`), table);
  return rows;
}

/** A state field for a table cell: strings as they are, anything else as compact JSON. */
function cellText(value: unknown): string {
  return typeof value === "string" ? value : formatValue(value, 160);
}

const kernelFigures = new Set(["leaderChanges", "firstLeaderUs", "messages", "messagesByType", "operations"]);

/** The protocol's own figures, as the terminal prints them. */
function protocolFigures(run: LabRun): Node {
  const items: Node[] = [];
  for (const [name, value] of Object.entries(run.verdict.figures)) {
    if (kernelFigures.has(name)) continue;
    let text: string | undefined;
    if (typeof value === "number") text = /Us$/.test(name) ? formatDurationUs(value) : String(value);
    else if (typeof value === "boolean") text = value ? "yes" : "no";
    if (text !== undefined) items.push(h("li", {}, `${name} `, h("b", {}, text)));
  }
  const expectations = run.verdict.expectations.map((expectation) =>
    h(
      "li",
      { class: expectation.met ? "ok" : "bad" },
      `${expectation.met ? "✓" : "✗"} ${expectation.expectation}: ${expectation.detail}`,
    ),
  );
  return h(
    "div",
    { class: "grid2", id: "protocol-figures" },
    items.length === 0
      ? null
      : h("div", {}, h("b", {}, `${run.scenario.protocol} figures`), h("ul", {}, ...items)),
    expectations.length === 0
      ? null
      : h("div", {}, h("b", {}, "Scenario expectations"), h("ul", {}, ...expectations)),
  );
}

/**
 * The lab page: re-simulates the embedded scenario when it opens, draws the run with the report
 * body and the diagram script, and lets a reader fork "what if" from any moment: each fork adds
 * a timeline step, re-simulates from the start with the same seed, and shows the new run with
 * the fork point and the first divergence from the original marked.
 *
 * `window.quorumlab` is the page's API for tests and for teachers' own exercises (documented in
 * docs/reports.md).
 */
import type { Protocol } from "../../sim/node.js";
import { exactDuration } from "../../sim/scenario/write.js";
import { parseDurationUs } from "../../sim/time.js";
import type { TraceLine } from "../../sim/trace.js";
import { formatDurationUs, formatValue } from "../format.js";
import { pageData, renderReportBody } from "../html.js";
import type { ReportModel } from "../model.js";
import { append, h, select } from "./dom.js";
import { type ForkStep, Lab, type LabRun, stepAtRecord } from "./lab.js";

/** What the report embeds for the lab (`#lab-data`). */
interface LabData {
  readonly scenarioYaml: string;
  /** The trace hash the CLI computed for this run ("" for a blank lab). */
  readonly traceHash: string;
  readonly version: string;
  readonly replay: string;
}

interface DiagramMark {
  readonly t: number;
  readonly label: string;
  readonly cls: string;
}

interface DiagramHandle {
  goto(step: number): void;
}

type DrawDiagram = (
  data: Record<string, unknown>,
  options: {
    signal: AbortSignal;
    marks: readonly DiagramMark[];
    select: number;
    onSelect: (step: number) => void;
    onTime: (timeUs: number) => void;
  },
) => DiagramHandle;

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

export interface Verdict {
  readonly ok: boolean;
  readonly violations: ReadonlyArray<{
    invariant: string;
    kind: string;
    timeUs: number;
    event: number;
    message: string;
  }>;
  readonly linearizable: boolean | null;
  readonly expectations: ReadonlyArray<{ expectation: string; met: boolean; detail: string }>;
  readonly expectationsMet: boolean;
  readonly figures: Readonly<Record<string, unknown>>;
}

declare global {
  interface Window {
    quorumlab?: QuorumlabApi;
    quorumlabDiagram?: DrawDiagram;
  }
}

const symbolicTargets = ["leader", "follower", "any", "crashed"];

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

  static async open(protocol: Protocol, data: LabData): Promise<LabPage> {
    const lab = await Lab.open(protocol, data.scenarioYaml, {
      now: () => performance.now(),
      version: data.version,
      replay: data.replay,
    });
    return new LabPage(protocol, data, lab);
  }

  private constructor(protocol: Protocol, data: LabData, lab: Lab) {
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
      verdict: () => verdictOf(this.lab.current),
      forks: () => this.lab.current.forks,
    };
  }

  private async fork(step: ForkStep): Promise<void> {
    const run = await this.lab.fork(step);
    this.message = "";
    this.selected = stepAtRecord(run.model, run.records[run.divergenceRecord]);
  }

  /** Draws the current run: report body, lab panel, diagram, state at the selected moment. */
  show(): void {
    const run = this.lab.current;
    const main = document.getElementById("report");
    if (main === null) throw new Error("the page has no #report element");
    this.controller?.abort();
    this.controller = new AbortController();
    main.innerHTML = renderReportBody(run.model);
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
    const draw = window.quorumlabDiagram;
    if (draw === undefined) throw new Error("the page has no diagram script");
    if (this.selected >= run.model.steps.length) this.selected = run.model.steps.length - 1;
    draw(pageData(run.model), {
      signal: this.controller.signal,
      marks,
      select: this.selected,
      onSelect: (step) => this.onSelect(step),
      onTime: (timeUs) => this.onTime(timeUs),
    });
    this.onSelect(this.selected);
    this.showStatus();
    document.body.setAttribute("data-phases-ms", JSON.stringify(run.phasesMs));
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
    const record = run.model.steps[step];
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    if (at !== null && record !== undefined) at.value = String(exactDuration(record.t));
    const lane = record === undefined ? undefined : run.model.lanes[record.lane];
    const node = document.getElementById("fork-node") as HTMLSelectElement | null;
    if (node !== null && lane?.kind === "node") node.value = lane.name;
    this.showMessageActions(run.model, step);
    const timeUs = record?.t ?? run.model.meta.endUs;
    const box = document.getElementById("state-at");
    if (box !== null) box.replaceChildren(...stateTable(run.model, timeUs));
  }

  /** A click on the diagram away from any event: fork at that time. */
  private onTime(timeUs: number): void {
    const run = this.lab.current;
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    // To a tenth of a millisecond: a click is not more precise than that.
    if (at !== null) at.value = String(exactDuration(Math.round(timeUs / 100) * 100));
    const box = document.getElementById("state-at");
    if (box !== null) box.replaceChildren(...stateTable(run.model, timeUs));
  }

  private labSection(run: LabRun): HTMLElement {
    const nodes = Array.from({ length: run.scenario.nodes }, (_, index) => `n${index + 1}`);
    const node = select("fork-node", [...nodes, ...symbolicTargets]);
    const nodeActions = ["crash", "restart", "pause", "resume", "isolate"];
    if (this.protocol.electionTimer !== undefined) nodeActions.push("timeout");
    const actions = h("div", { class: "lab-actions" });
    append(
      actions,
      h(
        "span",
        { class: "lab-group" },
        "node ",
        node,
        ...nodeActions.map((action) => this.button(action, action, () => ({ [action]: node.value }))),
      ),
    );
    const from = select("fork-from", nodes, nodes[0]);
    const to = select("fork-to", nodes, nodes[1]);
    const oneWay = h("input", { type: "checkbox", id: "fork-one-way" });
    append(
      actions,
      h(
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
      ),
    );
    const groups = h("input", {
      type: "text",
      id: "fork-groups",
      size: "22",
      value: `${nodes.slice(0, Math.ceil(nodes.length / 2)).join(" ")} | ${nodes.slice(Math.ceil(nodes.length / 2)).join(" ")}`,
      title: "groups of nodes, separated by |",
    });
    append(
      actions,
      h(
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
      ),
    );
    append(actions, h("span", { class: "lab-group", id: "fork-message" }));
    const client = this.protocol.client;
    if (client !== undefined) {
      const operations = Object.keys(client.operations);
      const f = select("fork-op-f", operations);
      const key = h("input", { type: "text", id: "fork-op-key", size: "4", value: firstKey(run) });
      const value = h("input", { type: "text", id: "fork-op-value", size: "6", value: "1" });
      const target = select("fork-op-node", ["(any)", ...nodes]);
      append(
        actions,
        h(
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
              key: key.value,
              ...(f.value === "read" || f.value === "get" ? {} : { value: parseValue(value.value) }),
              ...(target.value === "(any)" ? { follow: true } : { node: target.value }),
            },
          })),
        ),
      );
    }
    const forks = h("ol", { id: "lab-forks" });
    run.forks.forEach((step) => {
      forks.appendChild(h("li", {}, h("code", {}, formatValue(step, 200))));
    });
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
        download: `${run.scenario.name}${run.forks.length === 0 ? "" : "-fork"}.yaml`,
        href: `data:text/yaml;charset=utf-8,${encodeURIComponent(run.yaml)}`,
      },
      "⬇ Download scenario",
    );
    const original = this.lab.original;
    const cliHash = this.data.traceHash;
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
        h("span", { class: "dim" }, `· simulated in ${Math.round(run.simulateMs)} ms`),
      ),
      h(
        "p",
        { class: run.forks.length === 0 ? "" : "dim" },
        run.forks.length === 0 ? "" : `original trace ${original.traceHash} `,
        cliHash === ""
          ? ""
          : original.traceHash === cliHash
            ? h(
                "span",
                { class: "ok", id: "lab-hash-check" },
                "✓ this page re-simulated the CLI's run exactly",
              )
            : h("span", { class: "bad", id: "lab-hash-check" }, `✗ the CLI's run had trace ${cliHash}`),
      ),
      h("p", {}, compareLine(original, run)),
      h(
        "div",
        { class: "lab-at" },
        "Fork at ",
        h("input", { type: "text", id: "fork-at", size: "9", title: "a time such as 35ms, 1.2s or 500us" }),
        " — select an event in the diagram (or type a time), then choose what happens then:",
      ),
      actions,
      h("div", { class: "lab-tools" }, undo, " ", redo, " ", download, " ", h("span", { id: "lab-status" })),
      run.forks.length === 0
        ? h("p", { class: "dim" }, "No fork yet: this is the original run.")
        : h("div", {}, "Steps added to the original scenario:", forks),
    );
  }

  private button(action: string, label: string, body: () => Record<string, unknown>): HTMLButtonElement {
    const button = h("button", { "data-fork": action }, label);
    button.addEventListener("click", () => {
      const at = (document.getElementById("fork-at") as HTMLInputElement | null)?.value.trim() || "0";
      // A failed fork is shown in the status line; the page's console stays clean.
      this.act(() => this.fork({ at, ...body() })).catch(() => undefined);
    });
    return button;
  }

  /** Runs `action` (a fork, undo or redo) and shows the result; an error is shown, then thrown. */
  private async act(action: () => unknown): Promise<void> {
    this.message = "simulating…";
    this.showStatus();
    // Let the page paint "simulating…" before the work starts.
    await new Promise((resolve) => window.setTimeout(resolve, 0));
    try {
      await action();
      this.show();
    } catch (error) {
      this.message = `✗ ${(error as Error).message}`;
      this.showStatus();
      throw error;
    }
  }

  private showStatus(): void {
    const status = document.getElementById("lab-status");
    if (status !== null) status.textContent = this.message;
  }

  /** Drop, delay and duplicate, offered when the selected event is a message's. */
  private showMessageActions(model: ReportModel, step: number): void {
    const box = document.getElementById("fork-message");
    if (box === null) return;
    box.replaceChildren();
    const record = model.steps[step];
    if (record === undefined || !["send", "deliver", "drop", "duplicate"].includes(record.kind)) {
      box.append("message: select a message to drop, delay or duplicate it");
      return;
    }
    const message = model.messages[record.ref];
    if (message === undefined) return;
    const name = `${message.type} #${message.id} ${model.lanes[message.from]?.name ?? "?"}→${model.lanes[message.to]?.name ?? "?"}`;
    if (message.droppedAtSend || message.arriveUs === null) {
      box.append(`message ${name}: never arrives, nothing to change`);
      return;
    }
    const delay = h("input", { type: "text", id: "fork-delay", size: "6", value: "10ms" });
    append(
      box,
      `message ${name} `,
      this.button("drop", "drop", () => ({ drop: { message: message.id } })),
      this.button("delay", "delay by", () => ({ delay: { message: message.id, by: delay.value.trim() } })),
      delay,
      this.button("duplicate", "duplicate", () => ({ duplicate: { message: message.id } })),
    );
    const at = document.getElementById("fork-at") as HTMLInputElement | null;
    if (at !== null) at.value = String(exactDuration(message.sendUs));
  }
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

function verdictOf(run: LabRun): Verdict {
  const result = run.result;
  return {
    ok: result.ok,
    violations: result.violations.map((violation) => ({
      invariant: violation.invariant,
      kind: violation.kind,
      timeUs: violation.timeUs,
      event: violation.event,
      message: violation.message,
    })),
    linearizable: result.linearizable,
    expectations: result.expectations,
    expectationsMet: result.expectationsMet,
    figures: result.figures,
  };
}

function outcomeText(run: LabRun): string {
  const safety = run.result.violations.filter((violation) => violation.kind === "safety");
  return safety.length === 0
    ? "✓ every invariant held"
    : `✗ ${[...new Set(safety.map((violation) => violation.invariant))].join(", ")}`;
}

function compareLine(original: LabRun, run: LabRun): Node {
  if (run.forks.length === 0) {
    return h("span", { id: "lab-compare" }, `Outcome: ${outcomeText(run)}.`);
  }
  const diverges = run.records[run.divergenceRecord];
  const where =
    diverges === undefined || diverges.kind === "header"
      ? "the trace did not change"
      : `First divergence from the original at t=${formatDurationUs(diverges.t)} (kernel event ${diverges.e}: ${describeRecord(diverges)})`;
  return h(
    "span",
    { id: "lab-compare" },
    `Original: ${outcomeText(original)}. After ${run.forks.length} fork${run.forks.length === 1 ? "" : "s"}: `,
    h("b", { class: run.result.ok ? "ok" : "bad" }, outcomeText(run)),
    `. ${where}.`,
  );
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
function stateTable(model: ReportModel, timeUs: number): Node[] {
  const rows: Node[] = [];
  const keys = new Set<string>();
  const states: Array<{ lane: string; state: Record<string, unknown> | null }> = [];
  model.lanes.forEach((lane, index) => {
    if (lane.kind !== "node") return;
    const points = model.statePoints[index] ?? [];
    let state: unknown;
    let known = false;
    for (const [t, stateIndex] of points) {
      if (t > timeUs) break;
      known = true;
      state = stateIndex < 0 ? null : model.states[stateIndex];
    }
    if (!known) return;
    const shown = state !== null && typeof state === "object" ? (state as Record<string, unknown>) : null;
    for (const key of Object.keys(shown ?? {})) keys.add(key);
    states.push({ lane: lane.name, state: shown });
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
  for (const [name, value] of Object.entries(run.result.figures)) {
    if (kernelFigures.has(name)) continue;
    let text: string | undefined;
    if (typeof value === "number") text = /Us$/.test(name) ? formatDurationUs(value) : String(value);
    else if (typeof value === "boolean") text = value ? "yes" : "no";
    if (text !== undefined) items.push(h("li", {}, `${name} `, h("b", {}, text)));
  }
  const expectations = run.result.expectations.map((expectation) =>
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
      : h("div", {}, h("b", {}, `${run.result.protocol} figures`), h("ul", {}, ...items)),
    expectations.length === 0
      ? null
      : h("div", {}, h("b", {}, "Scenario expectations"), h("ul", {}, ...expectations)),
  );
}

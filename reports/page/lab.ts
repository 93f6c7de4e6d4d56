/**
 * The lab: a scenario, the run it makes, and the "what if" forks made on it. A fork adds one
 * timeline step (in the scenario file's own form, `{at: 30ms, crash: n5}`) and re-simulates the
 * whole scenario from the start with the same seed, so a forked run is exactly what
 * `quorumlab run` makes of the downloaded scenario: same trace, same trace hash.
 *
 * Nothing here touches the page: the page (`main.ts`) and the tests drive a `Lab` the same way.
 */

import { checkHistory } from "../../sim/check/linearizability.js";
import { type ModelName, modelByName, modelNames } from "../../sim/check/models/index.js";
import { checkTxnHistory, isTxnModel } from "../../sim/check/txn-history.js";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { type HistoryChecker, type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { scenarioData, writeScenario } from "../../sim/scenario/write.js";
import { parseDurationUs } from "../../sim/time.js";
import type { TraceLine } from "../../sim/trace.js";
import { displayOf } from "../display.js";
import { shellWord } from "../escape.js";
import { formatDurationUs } from "../format.js";
import { renderReportBody } from "../html.js";
import { buildModel } from "../model.js";
import { type PageData, pageData } from "../page-data.js";
import { runSteps } from "./run-steps.js";
import { digestDeferred } from "./sha256.js";
import { type Verdict, verdictOf } from "./verdict.js";

/** One timeline step as a scenario file writes it: `at` plus exactly one action. */
export type ForkStep = Readonly<Record<string, unknown>> & { readonly at: string | number };

/** One simulated run of the lab's scenario. */
export interface LabRun {
  readonly scenario: Scenario;
  /** The scenario as a file `quorumlab run` replays to this very trace. */
  readonly yaml: string;
  readonly verdict: Verdict;
  /** The trace records (for the run a report embeds, simulated again on first use). */
  readonly records: readonly TraceLine[];
  /** What the page draws. */
  readonly data: PageData;
  /** The report body (header, explanation, figures) as HTML; null: the one the page opened with. */
  readonly body: string | null;
  readonly traceHash: string;
  /** The steps added to the original scenario, oldest first. */
  readonly forks: readonly ForkStep[];
  /** Index of the first record that differs from the original run's (-1: none differs). */
  readonly divergenceRecord: number;
  /**
   * Why the last step added did nothing, when it found nothing to act on (`n1 is down already`,
   * `no node is leader`): the run is then the one without it, but for the note that says so.
   */
  readonly forkSkipped?: string;
  /**
   * Why the last step added never ran, when the run stopped before its time (`the run stopped at
   * its violation at t=72ms`): the run is then the one without it.
   */
  readonly forkNeverRan?: string;
  /**
   * Wall-clock milliseconds the simulation and the checks took, everything included; null for
   * a run read from the trace the report embeds (not simulated in the page).
   */
  readonly simulateMs: number | null;
  /**
   * Where that time went, in milliseconds: running and checking, hashing the trace, building the
   * report model, the page data and body, and finding the first divergence (all 0 for the run a
   * report embeds).
   */
  readonly phasesMs: Readonly<Record<"run" | "hash" | "model" | "page" | "divergence", number>>;
}

export interface LabOptions {
  /** A wall clock in milliseconds, for the history checker's budget (the page's `performance.now`). */
  readonly now: () => number;
  /** The quorumlab version shown in the report header. */
  readonly version?: string;
  /** The command that replays the original run, shown in its header. */
  readonly replay?: string;
  /** The history checker's wall-clock budget, as the CLI's (default 10 s). */
  readonly historyBudgetMs?: number;
  /**
   * Check liveness invariants too, as `quorumlab run --liveness` does: the original run checked
   * them, so its forks do and their replay commands ask for it.
   */
  readonly checkLiveness?: boolean;
}

/**
 * The history check the CLI runs: linearizability against the protocol's model, or strict
 * serializability for a transactional model.
 */
export function labHistoryChecker(now: () => number, timeoutMs: number): HistoryChecker {
  return (events, model) => {
    if (isTxnModel(model)) return checkTxnHistory(events, model, { timeoutMs, now });
    if (!(modelNames as readonly string[]).includes(model)) {
      throw new Error(`protocol names unknown history model '${model}'`);
    }
    const result = checkHistory(events, modelByName(model as ModelName), { timeoutMs, now });
    return {
      result: result.result,
      ...(result.explanation === undefined
        ? {}
        : { explanation: result.explanation, summary: result.explanation.summary }),
    };
  };
}

/**
 * Why a run of an explicit schedule (`schedule:`, as `explore` writes its counterexamples) takes no
 * fork: it runs exactly its steps, in order, and no timeline, so a timed step would never run.
 */
export const scheduleRefusal =
  "this run follows an explicit schedule (schedule:), step by step, and takes no timed step: download the scenario and edit its schedule to try another";

/** The time of a step in microseconds, read the way the scenario file reads it. */
function stepTimeUs(step: ForkStep): number {
  const atUs = parseDurationUs(step.at);
  if (atUs === undefined) {
    throw new InputError(`expected a duration such as 150ms, 2s or 500us, got ${JSON.stringify(step.at)}`, {
      file: "fork step",
    });
  }
  return atUs;
}

/** The run a report embeds: its scenario, its page data and the verdict the CLI found. */
export interface RecordedRun {
  /** The scenario file that replays the run (its seed is the run's). */
  readonly scenarioYaml: string;
  readonly data: PageData;
  readonly verdict: Verdict;
  readonly traceHash: string;
}

export class Lab {
  readonly protocol: Protocol;
  readonly original: LabRun;
  private runs: LabRun[];
  private redoStack: LabRun[] = [];
  private readonly options: LabOptions;

  /** Simulates `yaml` (a whole scenario file) with `protocol`. */
  static async open(protocol: Protocol, yaml: string, options: LabOptions): Promise<Lab> {
    const scenario = parseScenario(yaml, "scenario.yaml");
    const lab = new Lab(protocol, options, await simulate(protocol, options, scenario, [], null));
    // Simulated here: its hash is this page's own.
    lab.checkedHash = lab.original.traceHash;
    lab.checking = Promise.resolve(lab.original.traceHash);
    return lab;
  }

  /**
   * The lab of a run already made (a report's embedded page data): nothing is simulated until
   * the records are needed (a fork compares its run with the original's), so a long run opens as
   * fast as its data can be read.
   */
  static fromRecorded(protocol: Protocol, recorded: RecordedRun, options: LabOptions): Lab {
    const scenario = parseScenario(recorded.scenarioYaml, "scenario.yaml");
    let records: readonly TraceLine[] | undefined;
    const lab = new Lab(protocol, options, {
      scenario,
      yaml: recorded.scenarioYaml,
      verdict: recorded.verdict,
      get records() {
        records ??= lab.recordsOfOriginal();
        return records;
      },
      data: recorded.data,
      body: null,
      traceHash: recorded.traceHash,
      forks: [],
      divergenceRecord: -1,
      simulateMs: null,
      phasesMs: { run: 0, hash: 0, model: 0, page: 0, divergence: 0 },
    });
    lab.originalRecords = (known) => {
      records ??= known;
    };
    return lab;
  }

  /** Keeps the original's records once they are known (a lab from a report only). */
  private originalRecords: (records: readonly TraceLine[]) => void = () => undefined;

  /**
   * The trace hash of the original scenario as simulated here, once it has been: the original
   * run's own when the lab simulated it, else that of the check (`checkOriginal`).
   */
  private checkedHash: string | undefined;

  /** The check of the original under way or done, which resolves to `checkedHash`. */
  private checking: Promise<string> | undefined;

  /**
   * The trace hash the original scenario had when simulated here, or undefined while it has not
   * been: a lab from a report simulates it on request, or at its first fork.
   */
  get originalChecked(): string | undefined {
    return this.checkedHash;
  }

  /**
   * The original scenario's trace, simulated now, for a caller that needs it at once; its hash,
   * computed after (in the page, asynchronously), is then the check's.
   */
  private recordsOfOriginal(): readonly TraceLine[] {
    const result = runScenario(this.original.scenario, new Map([[this.protocol.name, this.protocol]]), {
      keepTrace: true,
      checkHistory: labHistoryChecker(this.options.now, this.options.historyBudgetMs ?? 10_000),
      checkLiveness: this.options.checkLiveness ?? false,
      ...moduleGuards(this.original.scenario),
    });
    const records = result.records;
    const end = records[records.length - 1];
    // Taken at once (sha256.ts): the next run would replace the text waiting to be hashed.
    const hashed = digestDeferred().then((digest) => {
      const traceHash = digest ?? result.traceHash;
      if (end?.kind === "end") (end as { traceHash: string }).traceHash = traceHash;
      this.checkedHash ??= traceHash;
      return traceHash;
    });
    this.checking ??= hashed;
    return records;
  }

  private constructor(protocol: Protocol, options: LabOptions, original: LabRun) {
    this.protocol = protocol;
    this.options = options;
    this.original = original;
    this.runs = [original];
  }

  /** The run shown now: the original, or the last fork not undone. */
  get current(): LabRun {
    return this.runs[this.runs.length - 1] ?? this.original;
  }

  get canUndo(): boolean {
    return this.runs.length > 1;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /**
   * Adds `step` to the current scenario's timeline (after every step at the same time, so it
   * runs last among them) and re-simulates. A step that is not a valid timeline entry throws an
   * `InputError` naming the field.
   */
  async fork(step: ForkStep): Promise<LabRun> {
    const base = this.current;
    if (base.scenario.schedule !== undefined) throw new InputError(scheduleRefusal, { file: "fork step" });
    const atUs = stepTimeUs(step);
    const data = scenarioData(base.scenario);
    const faults = [...(data.faults as Array<Record<string, unknown>>)];
    let insertAt = faults.length;
    while (insertAt > 0 && (base.scenario.faults[insertAt - 1]?.atUs ?? 0) > atUs) insertAt--;
    faults.splice(insertAt, 0, { ...step });
    const scenario = parseStep(JSON.stringify({ ...data, faults }), insertAt);
    // The fork is compared with the original's records (a step refused above needs none):
    // simulating them checks their hash too.
    await this.resimulateOriginal();
    const run = await simulate(
      this.protocol,
      this.options,
      scenario,
      [...base.forks, step],
      this.original,
      insertAt,
    );
    this.runs.push(run);
    this.redoStack = [];
    return run;
  }

  /**
   * Simulates the original scenario in the page (once: later calls return the first answer) and
   * returns its trace hash, which equals the original run's when the page's simulator makes the
   * very run the CLI made. Forks are compared with the records of this simulation, whatever its
   * hash: the page's own run of the original, which `originalChecked` says is or is not the CLI's.
   */
  resimulateOriginal(): Promise<string> {
    this.checking ??= this.simulateOriginal().catch((error: unknown) => {
      // A failure is told to the caller; the next call tries again.
      this.checking = undefined;
      throw error;
    });
    return this.checking;
  }

  private async simulateOriginal(): Promise<string> {
    const run = await simulate(this.protocol, this.options, this.original.scenario, [], null);
    this.originalRecords(run.records);
    this.checkedHash = run.traceHash;
    return run.traceHash;
  }

  /** Goes back to the run before the last fork; false when there is none. */
  undo(): boolean {
    if (this.runs.length <= 1) return false;
    this.redoStack.push(this.runs.pop() as LabRun);
    return true;
  }

  /** Reapplies the last fork undone; false when there is none. */
  redo(): boolean {
    const run = this.redoStack.pop();
    if (run === undefined) return false;
    this.runs.push(run);
    return true;
  }
}

/**
 * The scenario with a step added at `index` of its timeline. A problem with the step is told of
 * the step itself (`delay.by: expected a duration…`), not of the place in the timeline it went
 * (`faults.25.delay.by`), which the reader never saw.
 */
function parseStep(text: string, index: number): Scenario {
  try {
    return parseScenario(text, "fork step");
  } catch (error) {
    const place = `faults.${index}.`;
    if (!(error instanceof InputError) || !error.message.startsWith(place)) throw error;
    throw new InputError(error.message.slice(place.length), { file: "fork step" });
  }
}

/**
 * A protocol module's data is guarded as `quorumlab run` guards it (`KernelConfig.guardData`:
 * messages travel as frozen copies, and more); a scenario of a module names it.
 */
function moduleGuards(scenario: Scenario): { guardData?: true } {
  return scenario.module === undefined ? {} : { guardData: true };
}

/**
 * Why step `step` of the scenario's timeline did nothing: it never ran, the run having stopped
 * before its time, or it found nothing to act on (the reason its `skipped-action` note gives).
 * Neither when it acted.
 */
function skipReason(result: RunResult, step: number): { forkSkipped?: string; forkNeverRan?: string } {
  const ran = result.stepsRun.find((entry) => entry.step === step);
  if (ran === undefined) {
    // A step within the scenario's duration that never ran: the run stopped before its time.
    const first = result.violations.find((violation) => violation.kind === "safety");
    return {
      forkNeverRan:
        first === undefined
          ? "the run ended before its time"
          : `the run stopped at its violation at t=${formatDurationUs(first.timeUs)}`,
    };
  }
  if (ran.skipped !== true) return {};
  const note = result.records.find(
    (record) =>
      record.kind === "note" &&
      record.label === "skipped-action" &&
      record.t === ran.timeUs &&
      record.e === ran.event,
  );
  const reason = note?.kind === "note" ? (note.data as { reason?: unknown } | undefined)?.reason : undefined;
  return { forkSkipped: typeof reason === "string" ? reason : "it found nothing to act on" };
}

/**
 * Runs `scenario` as `quorumlab run` does, then hashes and models its trace. `forkStep`: the
 * index in its timeline of the step just added, whose skip, if it is skipped, the run records.
 */
async function simulate(
  protocol: Protocol,
  options: LabOptions,
  scenario: Scenario,
  forks: readonly ForkStep[],
  original: LabRun | null,
  forkStep?: number,
): Promise<LabRun> {
  const times = [options.now()];
  const result = runScenario(scenario, new Map([[protocol.name, protocol]]), {
    keepTrace: true,
    checkHistory: labHistoryChecker(options.now, options.historyBudgetMs ?? 10_000),
    checkLiveness: options.checkLiveness ?? false,
    ...moduleGuards(scenario),
  });
  times.push(options.now());
  // In the page the hash is computed now (see sha256.ts); the trace's `end` record gets it too.
  const traceHash = (await digestDeferred()) ?? result.traceHash;
  const records = result.records;
  const end = records[records.length - 1];
  if (end?.kind === "end" && end.traceHash !== traceHash) {
    (end as { traceHash: string }).traceHash = traceHash;
  }
  times.push(options.now());
  const comment =
    forks.length === 0
      ? undefined
      : `A what-if of ${scenario.name}, made in the quorumlab lab: ${forks.length} step${forks.length === 1 ? "" : "s"} added (${forks.map((step) => JSON.stringify(step)).join(", ")}).\nReplay it with \`quorumlab run <this file>${options.checkLiveness === true ? " --liveness" : ""}\`: its trace hash is ${traceHash}.`;
  const yaml = writeScenario(scenario, comment === undefined ? {} : { comment });
  const model = buildModel(records, {
    ...modelOptions(protocol, options, scenario, forks),
    steps: runSteps(result),
  });
  times.push(options.now());
  const data = pageData(model);
  const body = renderReportBody(model);
  times.push(options.now());
  const divergenceRecord =
    original === null
      ? -1
      : firstDifference(original.records, records, Math.min(...forks.map((step) => stepTimeUs(step))));
  times.push(options.now());
  const phase = (index: number) => Math.round((times[index + 1] ?? 0) - (times[index] ?? 0));
  return {
    scenario,
    yaml,
    verdict: verdictOf(result),
    records,
    data,
    body,
    traceHash,
    forks,
    divergenceRecord,
    ...(forkStep === undefined ? {} : skipReason(result, forkStep)),
    simulateMs: (times[times.length - 1] ?? 0) - (times[0] ?? 0),
    phasesMs: { run: phase(0), hash: phase(1), model: phase(2), page: phase(3), divergence: phase(4) },
  };
}

function modelOptions(
  protocol: Protocol,
  options: LabOptions,
  scenario: Scenario,
  forks: readonly ForkStep[],
) {
  return {
    display: displayOf(protocol),
    ...(options.version === undefined ? {} : { version: options.version }),
    replay:
      forks.length === 0
        ? (options.replay ?? `npx quorumlab run ${shellWord(scenario.name)}`)
        : `npx quorumlab run ${shellWord(downloadName(scenario, forks))}${options.checkLiveness === true ? " --liveness" : ""}   (the file “Download scenario” saves${
            scenario.module === undefined ? "" : `, which loads its protocol from ${scenario.module}`
          })`,
  };
}

/** The file name *Download scenario* saves the run's scenario under: `<name>-fork.yaml` once forked. */
export function downloadName(scenario: Scenario, forks: readonly ForkStep[]): string {
  return `${scenario.name}${forks.length === 0 ? "" : "-fork"}.yaml`;
}

/**
 * The index of the first record that differs between two traces (-1 when they are equal). Runs of
 * one scenario that differ only in steps at `fromUs` or later are equal before `fromUs`, so the
 * comparison starts at the first record at that time (a fork of a long run compares its tail).
 * Kernel event numbers are left out of the comparison: a step that writes no record of its own
 * (a message fault) still takes an event number, and every record after it would differ by that
 * alone, so the first difference would be the next record of any kind rather than what the step
 * changed.
 */
export function firstDifference(left: readonly TraceLine[], right: readonly TraceLine[], fromUs = 0): number {
  const length = Math.min(left.length, right.length);
  let low = 1;
  let high = length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const record = right[middle];
    if (record !== undefined && record.kind !== "header" && record.t < fromUs) low = middle + 1;
    else high = middle;
  }
  for (let index = Math.max(0, low - 1); index < length; index++) {
    if (recordText(left[index]) !== recordText(right[index])) return index;
  }
  return left.length === right.length ? -1 : length;
}

/** A record as text, without its kernel event number. */
function recordText(record: TraceLine | undefined): string {
  if (record === undefined || !("e" in record)) return JSON.stringify(record);
  const { e: _event, ...rest } = record;
  return JSON.stringify(rest);
}

/** The report step (event) a trace record belongs to: the first step at or after it. */
export function stepAtRecord(data: PageData, record: TraceLine | undefined): number {
  if (record === undefined || record.kind === "header") return -1;
  const steps = data.steps;
  for (let index = 0; index < steps.length; index++) {
    const [t, e] = steps[index]!;
    if (t > record.t || (t === record.t && e >= record.e)) return index;
  }
  return steps.length - 1;
}

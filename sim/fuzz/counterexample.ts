/**
 * Counterexamples: a shrunk plan turned into an ordinary, self-describing scenario file that
 * `quorumlab run FILE` replays exactly. Its generated description names the invariant, the
 * protocol, the bugs and the fast-check seed and path that rebuild it.
 */
import { formatSeed } from "../random.js";
import { copyScenario, fuzzerDescription } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { exactDuration, writeScenario } from "../scenario/write.js";
import { formatDuration } from "../time.js";
import type { ShrinkResult } from "./campaign.js";
import { type LastPassResult, reducedScenario, type ScenarioSize } from "./minimize.js";
import { type FuzzSettings, planScenario, quietNote } from "./plan.js";

export interface CounterexampleInfo {
  readonly shrink: ShrinkResult;
  /** The campaign's seed; null for a run rebuilt with `--fc-seed` and no `--seed`. */
  readonly campaignSeed: bigint | null;
  /**
   * The global run index (0-based) that failed first; null for a run rebuilt with `--fc-seed`.
   * Text counts runs from 1, so the description names run `runIndex + 1`.
   */
  readonly runIndex: number | null;
}

/** `<protocol>-<invariant>-<seed>`: the file's base name (and the scenario's name). */
export function counterexampleName(settings: FuzzSettings, info: CounterexampleInfo): string {
  const invariant = info.shrink.failure.invariant.replace(/[^A-Za-z0-9._-]+/g, "-");
  return `${settings.protocol}-${invariant}-${formatSeed(BigInt(info.shrink.plan.seed))}`;
}

/** The flags that rebuild the same campaign settings on the command line. */
export function settingsFlags(settings: FuzzSettings): string {
  const flags = settings.bugs.map((bug) => `--bug ${bug}`);
  flags.push(`--nodes ${settings.nodesMin}..${settings.nodesMax}`);
  const duration = (ms: number) => String(exactDuration(ms * 1_000));
  flags.push(
    `--duration ${duration(settings.durationMs)}`,
    `--fault-phase ${duration(settings.faultPhaseMs)}`,
  );
  if (settings.liveness) {
    flags.push("--liveness", `--liveness-deadline ${duration(settings.livenessDeadlineMs)}`);
  }
  if (settings.swarm !== true) flags.push("--no-swarm");
  if (settings.noHints === true) flags.push("--no-hints");
  return flags.join(" ");
}

/** Where a user's protocol module is, for a counterexample of it. */
export interface ModuleReference {
  /** The module as the rebuild command names it (relative to the working folder). */
  readonly target: string;
  /** The module relative to the counterexample file's folder, recorded in the scenario. */
  readonly fromScenario: string;
}

export function counterexampleScenario(
  settings: FuzzSettings,
  info: CounterexampleInfo,
  module?: ModuleReference,
): Scenario {
  const { shrink } = info;
  const failure = shrink.failure;
  const bugs = settings.bugs.length === 0 ? "no deliberate bugs" : `bugs [${settings.bugs.join(", ")}]`;
  const what =
    failure.kind === "liveness"
      ? `fails the liveness check ${failure.invariant}`
      : failure.kind === "exception" || failure.invariant === "exception"
        ? "throws an exception"
        : `violates ${failure.invariant}`;
  const pass = shrink.lastPass;
  const lastPass = lastPassLines(pass, shrink.fcSeed !== null);
  const description = [
    `${fuzzerDescription}: ${settings.protocol} with ${bugs} ${what}.`,
    "",
    `  ${failure.message}`,
    "",
    ...(shrink.fcSeed === null
      ? [
          `Campaign seed ${info.campaignSeed === null ? "unknown" : formatSeed(info.campaignSeed)}, run ${info.runIndex === null ? "unknown" : info.runIndex + 1}: a mutant of a corpus entry,`,
          `shrunk in ${shrink.shrinkSteps} steps. This file is its replay.`,
          ...lastPass,
        ]
      : [
          `${info.campaignSeed === null ? "Fast-check" : `Campaign seed ${formatSeed(info.campaignSeed)}; fast-check`} seed ${shrink.fcSeed},`,
          `path "${shrink.fcPath}" (${shrink.shrinkSteps} shrink steps).`,
          ...lastPass,
          "Rebuild it with:",
          `  quorumlab fuzz ${module?.target ?? settings.protocol}${info.campaignSeed === null ? "" : ` --seed ${formatSeed(info.campaignSeed)}`} ${settingsFlags(settings)} --fc-seed ${shrink.fcSeed} --fc-path ${shrink.fcPath}${pass.budgetExhausted ? ` --last-pass-runs ${pass.runs}` : ""}`,
        ]),
    "",
  ].join("\n");
  const fromPlan = planScenario(shrink.plan, settings, {
    name: counterexampleName(settings, info),
    summary: `Fuzzer counterexample: ${settings.protocol} ${what}${settings.bugs.length === 0 ? "" : ` (${settings.bugs.join(", ")})`}.`,
    description,
    ...(failure.kind === "safety" ? { expectViolates: [failure.invariant] } : {}),
  });
  const scenario = reducedScenario(fromPlan, pass.reduced);
  return module === undefined ? scenario : copyScenario(scenario, { module: module.fromScenario });
}

/**
 * What the last pass changed, in the counterexample's description: said only when it changed
 * something, since the shrunk plan (which fast-check's seed and path rebuild) then differs from
 * the file. `rebuilt`: there is a rebuild command, which takes the same pass.
 */
function lastPassLines(pass: LastPassResult, rebuilt: boolean): string[] {
  const changes = lastPassChanges(pass);
  if (changes.length === 0) return [];
  const how = pass.budgetExhausted
    ? `the shrink budget stopped it after ${counted(pass.runs, "run")}${rebuilt ? ", and the rebuild stops it there too" : ""}`
    : rebuilt
      ? "the rebuild takes the same pass"
      : "";
  return wrap(
    `A last pass then ${joined(changes)}, and it still fails the same way${how === "" ? "" : ` (${how})`}.`,
  );
}

/** What the last pass changed, as phrases: fault actions removed and simplified, workload, length. */
export function lastPassChanges(pass: LastPassResult): string[] {
  const { before, after } = pass;
  const changes: string[] = [];
  if (pass.removed > 0) {
    changes.push(`removed ${pass.removed} of the ${before.faultActions} fault actions of the shrunk plan`);
  }
  if (pass.simplified > 0) {
    changes.push(`made ${pass.simplified} of the fault actions kept earlier, shorter or smaller`);
  }
  if (before.clients > 0 && after.clients === 0) {
    changes.push(`removed the workload (${workloadSize(before)})`);
  } else if (before.clients !== after.clients || before.operations !== after.operations) {
    changes.push(`cut the workload from ${workloadChange(before, after)}`);
  }
  if (after.durationUs < before.durationUs) {
    changes.push(
      `shortened the run from ${formatDuration(before.durationUs)} to ${formatDuration(after.durationUs)}`,
    );
  }
  return changes;
}

/** `3 clients and 41 operations to 1 client and 4 operations`, naming only the counts that changed. */
function workloadChange(before: ScenarioSize, after: ScenarioSize): string {
  const clients = before.clients !== after.clients;
  const operations = before.operations !== after.operations;
  const size = (s: ScenarioSize) =>
    [
      ...(clients ? [counted(s.clients, "client")] : []),
      ...(operations ? [counted(s.operations, "operation")] : []),
    ].join(" and ");
  return `${size(before)} to ${size(after)}`;
}

function workloadSize(size: ScenarioSize): string {
  return `${counted(size.clients, "client")} and ${counted(size.operations, "operation")}`;
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** `a, b and c`. */
function joined(phrases: readonly string[]): string {
  return phrases.length <= 1
    ? (phrases[0] ?? "")
    : `${phrases.slice(0, -1).join(", ")} and ${phrases[phrases.length - 1]}`;
}

/** Words in lines of at most 96 characters, as the rest of the description is written. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > 96) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The YAML text of a counterexample scenario. */
export function counterexampleText(scenario: Scenario): string {
  return writeScenario(scenario, {
    comment: "Generated by `quorumlab fuzz`. Replay it with `quorumlab run <this file>`.",
  });
}

/**
 * Fault actions in a scenario's timeline: what the counterexample asks the reader to follow. The
 * quiet phase's repairs (heal everything, restart the crashed) close every generated run and are
 * not faults, so they are not counted.
 */
export function faultActionCount(scenario: Scenario): number {
  return scenario.faults.filter((action) => action.note !== quietNote).length;
}

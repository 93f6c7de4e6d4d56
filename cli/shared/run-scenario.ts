/**
 * Running a scenario the way the CLI does, shared by `run`, `verify` and the fuzzer's replays:
 * the trace file sink, the run itself, its `--json` shape and the command that replays it.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { protocols } from "../../protocols/index.js";
import { pathWord, shellWord } from "../../reports/escape.js";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { formatSeed } from "../../sim/random.js";
import {
  type RunOptions,
  type RunResult,
  runScenario,
  type ScenarioInProgress,
  startScenario,
} from "../../sim/run.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import type { TraceSink } from "../../sim/trace.js";
import { scenariosFolder } from "../files.js";
import { historyChecker } from "../history-check.js";

/** A trace sink that appends to a file with synchronous writes, so memory stays flat. */
export class FileSink implements TraceSink {
  private readonly fd: number;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (error) {
      throw new InputError(`cannot write the trace: ${(error as Error).message}`, { file: path });
    }
  }

  write(chunk: string): void {
    writeSync(this.fd, chunk);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** How a scenario is run by `run`, `verify` and `fuzz` replays. */
export interface ExecuteOptions {
  seed?: bigint;
  tracePath?: string;
  keepTrace: boolean;
  liveness?: boolean;
  registry?: ReadonlyMap<string, Protocol>;
  /**
   * Freeze the messages of a built-in protocol as they are sent (default true; a module's are
   * always frozen). `run` turns it off, as the fuzzer does: the tests and `verify` run every
   * built-in scenario frozen, and freezing cost Raft's kv bench (bench/raft.ts) about 5%.
   */
  freezeBuiltInMessages?: boolean;
}

/** Runs a scenario the way `run`, `verify` and `fuzz` replays do. */
export function executeScenario(
  scenario: Scenario,
  options: ExecuteOptions,
): { result: RunResult; wallMs: number } {
  const sink = options.tracePath === undefined ? undefined : new FileSink(options.tracePath);
  const registry = options.registry ?? protocols;
  const started = performance.now();
  try {
    const result = runScenario(scenario, registry, runOptions(scenario, registry, options, sink));
    return { result, wallMs: performance.now() - started };
  } finally {
    sink?.close();
  }
}

/** The simulator's options for a scenario run as the CLI runs it. */
function runOptions(
  scenario: Scenario,
  registry: ReadonlyMap<string, Protocol>,
  options: ExecuteOptions,
  sink: TraceSink | undefined,
): RunOptions {
  const builtIn = registry.get(scenario.protocol) === protocols.get(scenario.protocol);
  return {
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    keepTrace: options.keepTrace,
    ...(sink === undefined ? {} : { traceSink: sink }),
    checkHistory: historyChecker(),
    checkLiveness: options.liveness ?? false,
    ...(builtIn && options.freezeBuiltInMessages === false ? { freezeMessages: false } : {}),
    // A module's messages travel as frozen copies, and more (`KernelConfig.guardData`).
    ...(builtIn ? {} : { guardData: true }),
  };
}

/** What a run in slices is told between slices, and what stops it. */
export interface SliceHooks {
  /** Aborted (Ctrl-C): the run stops after the slice under way. */
  readonly signal?: AbortSignal;
  /** After each slice: how far the run is, and the wall time since it started. */
  progress?(run: ScenarioInProgress, wallMs: number): void;
  /** Once the run has reached its end, before the end-of-run checks (which run in one go). */
  sliced?(): void;
}

/** A run in slices: finished, or stopped by its signal before its end, with how far it got. */
export type SlicedRun =
  | { readonly kind: "finished"; readonly result: RunResult; readonly wallMs: number }
  | {
      readonly kind: "interrupted";
      readonly timeUs: number;
      readonly endUs: number;
      readonly events: number;
      readonly wallMs: number;
    };

/** About how long one slice runs: Ctrl-C waits at most about this long to be heard. */
const sliceWallMs = 50;

/**
 * Runs a scenario as `executeScenario` does, in slices of virtual time with a turn of the event
 * loop between them, so that a progress line can be drawn and Ctrl-C heard while a long run goes
 * on. Each slice is sized from the last to take about `sliceWallMs`. The slices run the same
 * events as one run does, so the trace and its hash are the same.
 */
export async function executeScenarioInSlices(
  scenario: Scenario,
  options: ExecuteOptions,
  hooks: SliceHooks = {},
): Promise<SlicedRun> {
  const sink = options.tracePath === undefined ? undefined : new FileSink(options.tracePath);
  const registry = options.registry ?? protocols;
  const started = performance.now();
  try {
    const run = startScenario(scenario, registry, runOptions(scenario, registry, options, sink));
    let sliceUs = Math.min(run.endUs, 10_000);
    while (!run.done) {
      const sliceStarted = performance.now();
      run.advance(run.timeUs + sliceUs);
      const tookMs = performance.now() - sliceStarted;
      if (tookMs < sliceWallMs / 2) sliceUs = Math.min(run.endUs, sliceUs * 2);
      else if (tookMs > sliceWallMs * 2) sliceUs = Math.max(1, Math.floor(sliceUs / 2));
      hooks.progress?.(run, performance.now() - started);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (hooks.signal?.aborted === true && !run.done) {
        const { timeUs, endUs, events } = run;
        return { kind: "interrupted", timeUs, endUs, events, wallMs: performance.now() - started };
      }
    }
    hooks.sliced?.();
    const result = run.finish();
    return { kind: "finished", result, wallMs: performance.now() - started };
  } finally {
    sink?.close();
  }
}

/** The stable `--json` shape of a run (documented in docs/cli.md). */
export function runJson(result: RunResult, wallMs: number): Record<string, unknown> {
  const ops = result.history.filter((event) => event.type === "invoke").length;
  return {
    schemaVersion: 1,
    scenario: result.scenario.name,
    protocol: result.protocol,
    seed: formatSeed(result.seed),
    ok: result.ok,
    violations: result.violations.map((violation) => ({
      invariant: violation.invariant,
      kind: violation.kind,
      timeUs: violation.timeUs,
      event: violation.event,
      message: violation.message,
    })),
    traceHash: result.traceHash,
    events: result.events,
    simulatedUs: result.simulatedUs,
    wallMs: Math.round(wallMs * 100) / 100,
    history: historyJson(result, ops),
    figures: result.figures,
    expectations: result.expectations,
    expectationsMet: result.expectationsMet,
  };
}

/**
 * The `history` field of `--json`: besides the verdict, the property checked (`linearizable`, or
 * `strict-serializable` for a transactional store; null when the protocol has no history model)
 * and whether the check ran out of budget (exit code 3), the two cases where `linearizable` is null.
 */
function historyJson(result: RunResult, ops: number): Record<string, unknown> {
  const verdict = result.historyVerdict;
  return {
    ops,
    linearizable: result.linearizable,
    property: verdict === undefined ? null : (verdict.property ?? "linearizable"),
    unknown: verdict?.result === "unknown",
  };
}

/** The one-line command that replays a run exactly (`liveness`: the run checked liveness too). */
export function replayCommand(
  scenario: Scenario,
  seed: bigint,
  modules: readonly string[] = [],
  liveness = false,
): string {
  // A built-in scenario by its name, wherever the command runs (its file is in the package).
  const builtIn =
    scenario.file === undefined || resolve(scenario.file).startsWith(`${resolve(scenariosFolder())}${sep}`);
  const target = builtIn ? scenario.name : (scenario.file as string);
  // A scenario that records its module finds it by itself; otherwise name the modules it ran with.
  const moduleFlags =
    scenario.module === undefined ? modules.map((module) => ` --module ${shellWord(module)}`).join("") : "";
  const livenessFlag = liveness ? " --liveness" : "";
  return `npx quorumlab run ${builtIn ? shellWord(target) : pathWord(target)}${moduleFlags}${livenessFlag} --seed ${formatSeed(seed)} --trace trace.jsonl --report report.html`;
}

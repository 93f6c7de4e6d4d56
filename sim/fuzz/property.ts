/**
 * The fuzz property: run a plan's scenario and say whether it failed, and how.
 *
 * Safety is the property: a run fails when a safety invariant is violated (online, after any
 * step, or at the end) or when the client history is not linearizable. Liveness is a separate,
 * opt-in check (`settings.liveness`): then a run also fails when a liveness invariant is violated
 * or when no leader is up by the deadline after the quiet phase. A handler that throws fails the
 * run too (`exception`, a finding the kernel records with its trace); a handler that reaches for
 * ambient time or randomness ends the campaign (`determinism`), as the runs cannot be trusted.
 *
 * Runs here do not hash or keep their trace (that costs more than the simulation); the
 * counterexample is re-run with its trace once it has been shrunk.
 */
import { DeterminismError } from "../determinism.js";
import { type Invariant, leaderLiveness, type Protocol } from "../node.js";
import { type HistoryChecker, type RunResult, runScenario, type StepRun } from "../run.js";
import type { Scenario } from "../scenario/schema.js";
import type { TraceLine } from "../trace.js";
import { CoverageRecorder, ProbeRecorder } from "./coverage.js";

export interface RunFailure {
  /** The invariant that broke (`raft.election-safety`, `kv.linearizable`, `liveness.leader`, `exception`). */
  readonly invariant: string;
  readonly kind: "safety" | "liveness" | "exception" | "determinism";
  readonly message: string;
}

export interface RunVerdict {
  readonly failure: RunFailure | undefined;
  /** Kernel events the run handled. */
  readonly events: number;
  /** The run hit the event budget and was cut short (it counts as passed). */
  readonly truncated?: boolean;
  /**
   * The client history's check was inconclusive (`unknown`: the checker's budget ran out before
   * it decided); the run counts as passed, and the campaign counts it.
   */
  readonly historyUnknown?: boolean;
  /** Leaderships the run saw (`Kernel.leaderships`: a node entering a leading role, per term). */
  readonly leaders?: number;
  /** The run's coverage (`CoverageRecorder.edges()`), when the runner records coverage. */
  readonly edges?: readonly number[];
  /** Probes reached, when the runner records coverage. */
  readonly probes?: readonly string[];
  /** The trace hash, when asked for (`RunAsk.traceHash`). */
  readonly traceHash?: string;
  /** The trace, when asked for (`RunAsk.keepTrace`). */
  readonly records?: readonly TraceLine[];
  /** The fault actions that ran, and which of them were skipped, when asked for (`RunAsk.stepsRun`). */
  readonly stepsRun?: readonly StepRun[];
  /** Operations the clients invoked, when asked for (`RunAsk.operations`). */
  readonly operations?: number;
}

/** What a caller may ask of one run beyond its verdict. */
export interface RunAsk {
  /** Hash the trace (costs about as much as the simulation; used to sample determinism). */
  readonly traceHash?: boolean;
  /** Keep the trace too (`RunVerdict.records`), to find where two runs differ. */
  readonly keepTrace?: boolean;
  /** Say which fault actions ran (`RunVerdict.stepsRun`; the run records them anyway). */
  readonly stepsRun?: boolean;
  /** Count the operations the clients invoked (`RunVerdict.operations`). */
  readonly operations?: boolean;
}

/** Runs one scenario and classifies the outcome. */
export type ScenarioRunner = (scenario: Scenario, ask?: RunAsk) => RunVerdict;

export interface RunnerOptions {
  readonly checkHistory?: HistoryChecker;
  /** Most kernel events per run (default 200,000); a message storm is cut short there. */
  readonly maxEvents?: number;
  /** Check liveness invariants and the scenario's `leader` expectation. */
  readonly liveness: boolean;
  /** Record each run's coverage (./coverage.ts) and probes. */
  readonly coverage?: boolean;
  /** Record the probes each run reached, without its coverage (`coverage` records both). */
  readonly probes?: boolean;
  /**
   * Freeze messages as they are sent (default true). Off only for a built-in protocol, whose
   * tests run it frozen (`KernelConfig.freezeMessages` gives the measured reason).
   */
  readonly freezeMessages?: boolean;
  /** Guard the data a module's nodes hand over and read back (default false; `KernelConfig.guardData` says why). */
  readonly guardData?: boolean;
}

/** The failure a finished run shows, or undefined when it passed. */
export function classify(result: RunResult, liveness: boolean): RunFailure | undefined {
  const safety = result.violations.find((violation) => violation.kind === "safety");
  if (safety !== undefined) {
    return { invariant: safety.invariant, kind: "safety", message: firstLine(safety.message) };
  }
  if (!liveness) return undefined;
  const live = result.violations.find((violation) => violation.kind === "liveness");
  if (live !== undefined)
    return { invariant: live.invariant, kind: "liveness", message: firstLine(live.message) };
  const unmet = result.expectations.find(
    (expectation) => !expectation.met && expectation.expectation.startsWith("leader by"),
  );
  if (unmet !== undefined) {
    return {
      invariant: leaderLiveness,
      kind: "liveness",
      message: `${unmet.expectation}: ${unmet.detail}`,
    };
  }
  return undefined;
}

/** The name of the fuzzer's own stop rule; never reported as a failure. */
export const eventBudgetName = "fuzz.event-budget";

/**
 * A stop rule dressed as an invariant: it "fails" once a run has handled `maxEvents` events,
 * which stops the run. A protocol caught in a message storm would otherwise take minutes per run.
 */
function eventBudget(maxEvents: number): Invariant<unknown> {
  return {
    name: eventBudgetName,
    statement: `A fuzz run handles at most ${maxEvents} kernel events.`,
    source: "quorumlab fuzzer",
    kind: "safety",
    create: () => ({
      afterStep: (view) =>
        view.eventIndex >= maxEvents ? { message: `stopped after ${view.eventIndex} events` } : undefined,
    }),
  };
}

/** The registry with every protocol given the event budget. */
function budgeted(registry: ReadonlyMap<string, Protocol>, maxEvents: number): ReadonlyMap<string, Protocol> {
  const out = new Map<string, Protocol>();
  for (const [name, protocol] of registry) {
    out.set(name, {
      ...protocol,
      invariants: [...protocol.invariants, eventBudget(maxEvents) as Invariant<never>],
    });
  }
  return out;
}

export function scenarioRunner(
  registry: ReadonlyMap<string, Protocol>,
  options: RunnerOptions,
): ScenarioRunner {
  const limited = budgeted(registry, options.maxEvents ?? 200_000);
  const recorder =
    options.coverage === true
      ? new CoverageRecorder()
      : options.probes === true
        ? new ProbeRecorder()
        : undefined;
  const covered = (): Pick<RunVerdict, "edges" | "probes"> => {
    if (recorder === undefined) return {};
    const probes = [...recorder.probes];
    return recorder instanceof CoverageRecorder ? { edges: recorder.edges(), probes } : { probes };
  };
  return (scenario, ask) => {
    recorder?.reset(scenario.nodes ?? limited.get(scenario.protocol)?.defaultNodes ?? 0);
    const hashTrace = ask?.traceHash === true || ask?.keepTrace === true;
    const keepTrace = ask?.keepTrace === true;
    try {
      const result = runScenario(scenario, limited, {
        hashTrace,
        keepTrace,
        ...(recorder === undefined ? {} : { observer: recorder }),
        checkLiveness: options.liveness,
        ...(options.checkHistory === undefined ? {} : { checkHistory: options.checkHistory }),
        // Safety needs no protocol figures; computing them would keep every run's trace.
        protocolFigures: false,
        ...(options.freezeMessages === false ? { freezeMessages: false } : {}),
        ...(options.guardData === true ? { guardData: true } : {}),
      });
      const firstSafety = result.violations.find((violation) => violation.kind === "safety");
      // Counted by the kernel as it runs: reading the count costs the run nothing more.
      const leaders = result.kernel.leaderships.length;
      const hash = {
        ...(hashTrace ? { traceHash: result.traceHash } : {}),
        ...(keepTrace ? { records: result.records } : {}),
        ...(ask?.stepsRun === true ? { stepsRun: result.stepsRun } : {}),
        ...(ask?.operations === true
          ? { operations: result.history.filter((event) => event.type === "invoke").length }
          : {}),
        ...(result.historyVerdict?.result === "unknown" ? { historyUnknown: true } : {}),
      };
      if (firstSafety?.invariant === eventBudgetName) {
        return { failure: undefined, events: result.events, truncated: true, leaders, ...covered(), ...hash };
      }
      return {
        failure: classify(result, options.liveness),
        events: result.events,
        leaders,
        ...covered(),
        ...hash,
      };
    } catch (error) {
      if (error instanceof DeterminismError) {
        // Not a finding to shrink: the protocol broke the rules every run relies on.
        return {
          failure: { invariant: "determinism", kind: "determinism", message: firstLine(error.message) },
          events: 0,
        };
      }
      const message = error instanceof Error ? error.message : String(error);
      return {
        failure: { invariant: "exception", kind: "exception", message: firstLine(message) },
        events: 0,
        ...covered(),
      };
    }
  };
}

/** Whether two failures are the same bug for the shrinker: same kind, same invariant. */
export function sameFailure(a: RunFailure, b: RunFailure): boolean {
  return a.kind === b.kind && a.invariant === b.invariant;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

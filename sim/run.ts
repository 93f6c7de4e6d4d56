/**
 * Running one scenario: build the kernel, clients, workload and fault timeline from a
 * `Scenario`, run it to its end, check invariants and the client history, and compare the
 * outcome with the scenario's `expect` block.
 *
 * The simulator never imports protocols: the caller hands in the registry.
 */
import { HistoryLog, SimulatedClient, scriptedAppends, Workload } from "./clients.js";
import { describeThrown, InputError } from "./errors.js";
import { playSchedule } from "./explore/schedule.js";
import { FaultTimeline, type StepRan } from "./faults.js";
import { type HistoryEvent, inStepOrder } from "./history.js";
import { Kernel, type Violation } from "./kernel.js";
import type { Protocol } from "./node.js";
import type { KernelObserver } from "./observer.js";
import { formatSeed, randomStream } from "./random.js";
import type { Scenario } from "./scenario/schema.js";
import { historyInvariantOf, historyPropertyOf, resolveScenario } from "./scenario/validate.js";
import { closestName } from "./suggest.js";
import { formatDuration } from "./time.js";
import { type TraceLine, TraceRecorder, type TraceSink, traceVersion } from "./trace.js";

/** The verdict of an end-of-run history check (linearizability, atomicity...). */
export interface HistoryVerdict {
  readonly result: "linearizable" | "not-linearizable" | "unknown";
  /** Plain data explaining a failure, for reports. */
  readonly explanation?: unknown;
  /** One line for people. */
  readonly summary?: string;
  /** The invariant a failed check reports (default `kv.linearizable`). */
  readonly invariant?: string;
  /** The property checked, as people read it (default `linearizable`). */
  readonly property?: string;
}

/** Checks a client history against a named sequential model. */
export type HistoryChecker = (events: readonly HistoryEvent[], model: string) => HistoryVerdict;

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: bigint;
  /** Keep every trace record in memory (reports need it). Default false. */
  readonly keepTrace?: boolean;
  /** Stream trace lines to this sink. */
  readonly traceSink?: TraceSink;
  /** Serialize and hash the trace (default true; off only for raw speed measurements). */
  readonly hashTrace?: boolean;
  /** Check liveness invariants too. Default false. */
  readonly checkLiveness?: boolean;
  /** Checks the client history at the end; without it, `linearizable` is null. */
  readonly checkHistory?: HistoryChecker;
  /** Stop at the first safety violation (default true). */
  readonly stopOnViolation?: boolean;
  /**
   * Compute the protocol's own figures from the trace (default true). This keeps the trace in
   * memory for protocols that define figures; turn it off for long runs that do not need them.
   */
  readonly protocolFigures?: boolean;
  /** Told of messages, role changes, faults and probes as the run goes (fuzzing coverage). */
  readonly observer?: KernelObserver;
  /**
   * Keep pending steps in the choice store (sim/scheduler.ts) and run them in time order from
   * there: the same run, through the seam exploration uses (tests of the seam). Default false.
   */
  readonly choiceStore?: boolean;
  /** Freeze messages as they are sent (default true; see `KernelConfig.freezeMessages`). */
  readonly freezeMessages?: boolean;
  /** Guard the data a module's nodes hand over and read back (default false; see `KernelConfig.guardData`). */
  readonly guardData?: boolean;
}

export interface ExpectationResult {
  readonly expectation: string;
  readonly met: boolean;
  readonly detail: string;
}

export interface RunFigures {
  /**
   * Leaderships: every (node, term) entering a leading role (per group, when groups are declared),
   * each counted once, however often an old leader, cut off, still acts as one between the steps
   * of a newer leader.
   */
  readonly leaderChanges: number;
  /** With declared groups (`roles.groupOf`): leaderships per group, by group name. */
  readonly leadersByGroup?: Readonly<Record<string, number>>;
  readonly firstLeaderUs: number | null;
  readonly messages: number;
  readonly messagesByType: Readonly<Record<string, number>>;
  readonly operations: {
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
    readonly pending: number;
  };
  readonly [name: string]: unknown;
}

export interface RunResult {
  readonly scenario: Scenario;
  readonly protocol: string;
  readonly seed: bigint;
  /** No safety violation, and the history (if checked) is linearizable. */
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly traceHash: string;
  readonly events: number;
  readonly simulatedUs: number;
  readonly history: readonly HistoryEvent[];
  readonly linearizable: boolean | null;
  readonly historyVerdict: HistoryVerdict | undefined;
  readonly figures: RunFigures;
  readonly expectations: readonly ExpectationResult[];
  /** True when every expectation of the scenario is met (true when it has none). */
  readonly expectationsMet: boolean;
  /** The trace, when `keepTrace` was set. */
  readonly records: readonly TraceLine[];
  /**
   * The steps of the scenario's fault timeline, or of its schedule, that ran: each step's index
   * in `faults` (or `schedule`) with the time and the event it ran at, in the order they ran.
   */
  readonly stepsRun: readonly StepRun[];
  readonly kernel: Kernel;
}

/** A step of a scenario's fault timeline or schedule as it ran (`RunResult.stepsRun`). */
export interface StepRun {
  readonly step: number;
  readonly timeUs: number;
  readonly event: number;
  /** For a fault timeline's `timeout` that fired: the node, the timer, and whether it was set. */
  readonly timeout?: StepRan["timeout"];
  /** For a scripted `op`: its client and what it asked. */
  readonly op?: StepRan["op"];
  /** For a fault timeline's step that found nothing to act on (`skipped …` in `run`). */
  readonly skipped?: true;
}

export function runScenario(
  scenario: Scenario,
  registry: ReadonlyMap<string, Protocol>,
  options: RunOptions = {},
): RunResult {
  // Not through `startScenario`'s closures: a fuzz campaign runs thousands of these, and with
  // them its garbage collector's time went from 0.1 s to 0.6 s in 8,000 Raft runs (the runs'
  // objects outlived young-generation collections and were promoted).
  const begun = beginRun(scenario, registry, options);
  if (begun.played.faults !== undefined) begun.kernel.runUntil(scenario.durationUs);
  return endRun(begun);
}

/**
 * A run begun by `startScenario`, taken to its end in slices of virtual time (so that a caller can
 * tell its progress, or stop it, between them), then finished. Running in slices runs the same
 * events as running at once: the same trace, the same hash.
 */
export interface ScenarioInProgress {
  /** The end of the run: the scenario's duration. */
  readonly endUs: number;
  /** The virtual time reached so far. */
  readonly timeUs: number;
  /** The events run so far. */
  readonly events: number;
  /** Whether it ran to its end, or stopped at a violation (a schedule runs whole when started). */
  readonly done: boolean;
  /** Runs the events due up to `untilUs` (at most the end), or none once done. */
  advance(untilUs: number): void;
  /** The end-of-run checks, the history check and the verdict, once done. */
  finish(): RunResult;
}

/** Validates a scenario and starts it: its nodes, workload and fault timeline, with nothing run yet. */
export function startScenario(
  scenario: Scenario,
  registry: ReadonlyMap<string, Protocol>,
  options: RunOptions = {},
): ScenarioInProgress {
  const begun = beginRun(scenario, registry, options);
  const kernel = begun.kernel;
  const endUs = scenario.durationUs;
  // A schedule ran whole in `play`; a timeline runs to the end of the duration.
  let reachedEnd = begun.played.faults === undefined;
  let finished = false;
  return {
    endUs,
    get timeUs() {
      return kernel.timeUs;
    },
    get events() {
      return kernel.events;
    },
    get done() {
      return reachedEnd || kernel.isStopped;
    },
    advance(untilUs) {
      if (reachedEnd || kernel.isStopped) return;
      const sliceEndUs = Math.min(untilUs, endUs);
      kernel.runUntil(sliceEndUs);
      if (sliceEndUs >= endUs) reachedEnd = true;
    },
    finish() {
      if (!(reachedEnd || kernel.isStopped) || finished) {
        throw new Error("finish: the run has not reached its end, or was finished already");
      }
      finished = true;
      return endRun(begun);
    },
  };
}

/** A run set up and started (`play`), with what its end needs. */
interface BegunRun {
  readonly scenario: Scenario;
  readonly protocol: Protocol;
  readonly options: RunOptions;
  readonly seed: bigint;
  readonly trace: TraceRecorder;
  readonly kernel: Kernel;
  readonly history: HistoryLog;
  readonly stepsRun: StepRun[];
  readonly wantFigures: boolean;
  readonly played: Played;
}

/** Sets a run up (trace, kernel, history) and starts it (`play`), with nothing of its timeline run yet. */
function beginRun(
  scenario: Scenario,
  registry: ReadonlyMap<string, Protocol>,
  options: RunOptions,
): BegunRun {
  const { protocol, options: protocolOptions, nodes } = resolveScenario(scenario, registry);
  const seed = options.seed ?? scenario.seed;
  const cast = castOf(scenario, nodes);
  const wantFigures = protocol.figures !== undefined && (options.protocolFigures ?? true);
  const trace = startTrace({ scenario, protocol, protocolOptions, seed, cast, options, wantFigures });
  const kernel = newKernel({ scenario, protocol, protocolOptions, seed, cast, options, trace });
  const history = new HistoryLog(kernel);
  const stepsRun: StepRun[] = [];
  const played = play({ scenario, protocol, kernel, history, seed, cast, stepsRun });
  return { scenario, protocol, options, seed, trace, kernel, history, stepsRun, wantFigures, played };
}

/** The end of a run that reached its end or stopped: the timeline's steps that ran, then `finishRun`. */
function endRun(begun: BegunRun): RunResult {
  if (begun.played.faults !== undefined) begun.stepsRun.push(...begun.played.faults.ran);
  return finishRun(begun, begun.played.leaderAt());
}

/** A started run's end: its end-of-run checks, the client history's check, figures and expectations. */
function finishRun(
  { scenario, protocol, options, seed, trace, kernel, history, stepsRun, wantFigures }: BegunRun,
  leaderAt: boolean | undefined,
): RunResult {
  if (!kernel.isStopped) kernel.checkAtEnd();
  const historyVerdict = checkClientHistory({
    protocol,
    kernel,
    history,
    checkHistory: options.checkHistory,
    stepOrder: scenario.schedule !== undefined,
  });
  const traceHash = trace.finish(kernel.timeUs, kernel.events, kernel.events);
  const linearizable =
    historyVerdict === undefined || historyVerdict.result === "unknown"
      ? null
      : historyVerdict.result === "linearizable";

  // The protocol's own figures at once, whatever reads them later: a `figures` that throws stops
  // every run of its protocol, not only those whose output or expectations show figures.
  const own =
    wantFigures && protocol.figures !== undefined
      ? protocolFigures(protocol, trace.records, options.guardData === true)
      : undefined;
  const figures = new LazyFigures(() => {
    const computed = computeFigures(kernel, history.events);
    if (own !== undefined) Object.assign(computed, own);
    return computed;
  });
  const violations = kernel.violations;
  const safetyViolations = violations.filter((violation) => violation.kind === "safety");
  const expectations = checkExpectations(scenario, {
    violations,
    leaders: new Set(kernel.leaderships.map((leadership) => leadership.node)),
    linearizable,
    property: historyVerdict?.property ?? historyPropertyOf(protocol.client?.model ?? ""),
    leaderAt,
    figures: () => figures.value,
  });
  return new ScenarioRun({
    scenario,
    protocol: protocol.name,
    seed,
    ok: safetyViolations.length === 0,
    violations,
    traceHash,
    events: kernel.events,
    simulatedUs: kernel.timeUs,
    history: history.events,
    linearizable,
    historyVerdict,
    figures,
    expectations,
    expectationsMet: expectations.every((expectation) => expectation.met),
    kernel,
    stepsRun,
  });
}

/** The kernel of a run: the scenario's cast and network, with the run options that reach it. */
function newKernel({
  scenario,
  protocol,
  protocolOptions,
  seed,
  cast,
  options,
  trace,
}: {
  readonly scenario: Scenario;
  readonly protocol: Protocol;
  readonly protocolOptions: Readonly<Record<string, unknown>>;
  readonly seed: bigint;
  readonly cast: Cast;
  readonly options: RunOptions;
  readonly trace: TraceRecorder;
}): Kernel {
  return new Kernel({
    protocol,
    options: protocolOptions,
    nodes: cast.nodes,
    clients: cast.clients,
    seed,
    network: scenario.network,
    trace,
    checkLiveness: options.checkLiveness ?? false,
    stopOnViolation: options.stopOnViolation ?? true,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
    ...(options.freezeMessages === false ? { freezeMessages: false } : {}),
    ...(options.guardData === true ? { guardData: true } : {}),
    ...(scenario.schedule === undefined && options.choiceStore !== true
      ? {}
      : { scheduling: "choice" as const }),
  });
}

/** Who takes part: nodes n1..nN, and clients c1..cM (the workload's first, then scripted ops'). */
interface Cast {
  readonly nodes: readonly string[];
  readonly clients: readonly string[];
  /** How many of `clients` the workload drives; the rest carry scripted operations. */
  readonly workloadClients: number;
}

/**
 * `prefix1` .. `prefixN`, one frozen list per prefix and count: a fuzz campaign builds a cast for
 * every run, and names built afresh each time are new strings for every Map keyed by name to
 * hash again (building the cast was about 1% of a Paxos fuzz campaign's CPU profile).
 */
function names(prefix: "n" | "c", count: number): readonly string[] {
  const key = `${prefix}${count}`;
  let list = nameLists.get(key);
  if (list === undefined) {
    list = Object.freeze(Array.from({ length: count }, (_, index) => `${prefix}${index + 1}`));
    if (nameLists.size < 1_000) nameLists.set(key, list);
  }
  return list;
}
const nameLists = new Map<string, readonly string[]>();

/** `nodeCount`: the cluster's size (`ResolvedScenario.nodes`). */
function castOf(scenario: Scenario, nodeCount: number): Cast {
  const nodes = names("n", nodeCount);
  const workloadClients = scenario.workload?.clients ?? 0;
  const scriptedOps = scenario.faults.filter((fault) => fault.kind === "op").length;
  const clientCount =
    scenario.schedule === undefined ? workloadClients + scriptedOps : (scenario.clients ?? 0);
  const clients = names("c", clientCount);
  return { nodes, clients, workloadClients };
}

/** The trace recorder, with the run's header (scenario, protocol, seed, cast, invariants) in it. */
function startTrace({
  scenario,
  protocol,
  protocolOptions,
  seed,
  cast,
  options,
  wantFigures,
}: {
  readonly scenario: Scenario;
  readonly protocol: Protocol;
  readonly protocolOptions: Readonly<Record<string, unknown>>;
  readonly seed: bigint;
  readonly cast: Cast;
  readonly options: RunOptions;
  /** The protocol's figures are computed from the trace, so it is kept. */
  readonly wantFigures: boolean;
}): TraceRecorder {
  const trace = new TraceRecorder({
    hash: options.hashTrace ?? true,
    keep: (options.keepTrace ?? false) || wantFigures,
    ...(options.traceSink === undefined ? {} : { sink: options.traceSink }),
  });
  // The header only for a trace that is recorded: a fuzz run builds none.
  if (!trace.enabled) return trace;
  trace.record({
    kind: "header",
    version: traceVersion,
    scenario: scenario.name,
    protocol: protocol.name,
    seed: formatSeed(seed),
    nodes: cast.nodes,
    clients: cast.clients,
    options: protocolOptions,
    description: scenario.description,
    durationUs: scenario.durationUs,
    invariants: protocol.invariants.map(({ name, statement, source, kind }) => ({
      name,
      statement,
      source,
      kind,
    })),
  });
  return trace;
}

/** What `play` started: the fault timeline (none under a schedule), and `expect.leader.by`'s answer. */
interface Played {
  readonly faults: FaultTimeline | undefined;
  readonly leaderAt: () => boolean | undefined;
}

/**
 * Starts the nodes and the scenario: runs its explicit schedule, or starts its workload and
 * schedules its fault timeline (`faults`), for the caller to run to the end of its duration.
 * `leaderAt` then says whether a leader was up at `expect.leader.by` (undefined when the scenario
 * does not ask, or under a schedule).
 */
function play({
  scenario,
  protocol,
  kernel,
  history,
  seed,
  cast,
  stepsRun,
}: {
  readonly scenario: Scenario;
  readonly protocol: Protocol;
  readonly kernel: Kernel;
  readonly history: HistoryLog;
  readonly seed: bigint;
  readonly cast: Cast;
  /** Filled with the steps that ran, as they run. */
  readonly stepsRun: StepRun[];
}): Played {
  const workloadRandom = randomStream(seed, "workload");
  const clientDefaults = {
    timeoutUs: scenario.workload?.timeoutUs ?? 1_000_000,
    attemptTimeoutUs: scenario.workload?.attemptTimeoutUs ?? 200_000,
  };
  const simulatedClients = cast.clients.map(
    (name, index) =>
      new SimulatedClient({
        name,
        process: index + 1,
        kernel,
        history,
        random: randomStream(seed, `client/${name}`),
        defaults: clientDefaults,
      }),
  );
  kernel.startAll();
  if (scenario.schedule !== undefined) {
    // An explicit schedule: exactly these steps, in this order (sim/explore/schedule.ts).
    const locate = scenario.locate;
    playSchedule(
      kernel,
      simulatedClients,
      scenario.schedule,
      scenario.file,
      locate === undefined ? undefined : (index) => locate(["schedule", index]),
      (step, timeUs, event) => stepsRun.push({ step, timeUs, event }),
    );
    return { faults: undefined, leaderAt: () => undefined };
  }
  if (scenario.workload !== undefined) {
    const scripted = scenario.faults.flatMap((fault) => (fault.kind === "op" ? [fault.op] : []));
    new Workload(
      scenario.workload,
      kernel,
      simulatedClients.slice(0, cast.workloadClients),
      workloadRandom,
      scriptedAppends(scripted),
    ).start();
  }
  const faults = new FaultTimeline({
    kernel,
    random: randomStream(seed, "faults"),
    electionTimer: protocol.electionTimer,
    scriptedClients: simulatedClients.slice(cast.workloadClients),
  });
  faults.schedule(scenario.faults);
  let leaderAt: boolean | undefined;
  const leaderBy = scenario.expect.leader?.by;
  if (leaderBy !== undefined) kernel.schedule(leaderBy, () => (leaderAt = kernel.leader() !== undefined));
  return { faults, leaderAt: () => leaderAt };
}

/**
 * Checks the client history against the protocol's client model at the end of the run; a history
 * that fails is recorded as a violation of the model's history invariant. Under an explicit
 * schedule (`stepOrder`) invocations and completions are ordered as the steps ran them
 * (`inStepOrder`), as exploration checks them.
 */
function checkClientHistory({
  protocol,
  kernel,
  history,
  checkHistory,
  stepOrder,
}: {
  readonly protocol: Protocol;
  readonly kernel: Kernel;
  readonly history: HistoryLog;
  readonly checkHistory: HistoryChecker | undefined;
  readonly stepOrder: boolean;
}): HistoryVerdict | undefined {
  const model = protocol.client?.model;
  if (model === undefined || checkHistory === undefined || history.events.length === 0) return undefined;
  const verdict = checkHistory(stepOrder ? inStepOrder(history.events) : history.events, model);
  if (verdict.result === "not-linearizable") {
    kernel.recordViolation({
      invariant: verdict.invariant ?? historyInvariantOf(model),
      kind: "safety",
      message: verdict.summary ?? "the client history is not linearizable",
      ...(verdict.explanation === undefined
        ? {}
        : { witnesses: { explanation: verdict.explanation } as Record<string, unknown> }),
    });
  }
  return verdict;
}

/**
 * What `runScenario` returns. `records` is built from the recorder's compact store when first
 * read, and `figures` computed when first read: a fuzz run's scenario asks for none, and sorting
 * the message counts into a record and counting the history's operations for every run was about
 * 1% of a uniform Raft fuzz campaign's CPU profile. (A class rather than an object literal with a getter: each such literal would get a
 * hidden class of its own, and the old class tree would keep every finished run alive until the
 * next full garbage collection.)
 */
class ScenarioRun implements RunResult {
  readonly scenario: Scenario;
  readonly protocol: string;
  readonly seed: bigint;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly traceHash: string;
  readonly events: number;
  readonly simulatedUs: number;
  readonly history: readonly HistoryEvent[];
  readonly linearizable: boolean | null;
  readonly historyVerdict: HistoryVerdict | undefined;
  readonly expectations: readonly ExpectationResult[];
  readonly expectationsMet: boolean;
  readonly kernel: Kernel;
  readonly stepsRun: readonly StepRun[];
  private readonly lazyFigures: LazyFigures;

  // Field by field: a fuzz campaign builds one per run, and Object.assign took its slow path.
  constructor(fields: Omit<RunResult, "records" | "figures"> & { readonly figures: LazyFigures }) {
    this.scenario = fields.scenario;
    this.protocol = fields.protocol;
    this.seed = fields.seed;
    this.ok = fields.ok;
    this.violations = fields.violations;
    this.traceHash = fields.traceHash;
    this.events = fields.events;
    this.simulatedUs = fields.simulatedUs;
    this.history = fields.history;
    this.linearizable = fields.linearizable;
    this.historyVerdict = fields.historyVerdict;
    this.lazyFigures = fields.figures;
    this.expectations = fields.expectations;
    this.expectationsMet = fields.expectationsMet;
    this.kernel = fields.kernel;
    this.stepsRun = fields.stepsRun;
  }

  get records(): readonly TraceLine[] {
    return this.kernel.trace.records;
  }

  get figures(): RunFigures {
    return this.lazyFigures.value;
  }
}

/** A run's figures, computed once, when first read. */
class LazyFigures {
  private computed: (Record<string, unknown> & RunFigures) | undefined;

  constructor(private readonly compute: () => Record<string, unknown> & RunFigures) {}

  get value(): Record<string, unknown> & RunFigures {
    this.computed ??= this.compute();
    return this.computed;
  }
}

function computeFigures(
  kernel: Kernel,
  history: readonly HistoryEvent[],
): Record<string, unknown> & RunFigures {
  const messagesByType: Record<string, number> = {};
  let messages = 0;
  const sent = kernel.messagesByType;
  for (const type of [...sent.keys()].sort()) {
    const count = sent.get(type) ?? 0;
    messagesByType[type] = count;
    messages += count;
  }
  const operations = { ok: 0, fail: 0, info: 0, pending: 0 };
  let invoked = 0;
  for (const event of history) {
    if (event.type === "invoke") invoked++;
    else operations[event.type]++;
  }
  operations.pending = invoked - operations.ok - operations.fail - operations.info;
  const first = kernel.leaderships[0];
  // The kernel records each (node, term) once, however often an old leader acts between a newer one's steps.
  const byGroup = new Map<string, number>();
  for (const { group } of kernel.leaderships) {
    if (group !== undefined) byGroup.set(group, (byGroup.get(group) ?? 0) + 1);
  }
  return {
    leaderChanges: kernel.leaderships.length,
    ...(byGroup.size === 0
      ? {}
      : {
          leadersByGroup: Object.fromEntries([...byGroup].sort(([left], [right]) => (left < right ? -1 : 1))),
        }),
    firstLeaderUs: first === undefined ? null : first.timeUs,
    messages,
    messagesByType,
    operations,
  };
}

/** What a run ended with, as its scenario's `expect` block can ask about it. */
interface RunOutcome {
  readonly violations: readonly Violation[];
  readonly leaders: ReadonlySet<string>;
  readonly linearizable: boolean | null;
  /** The property the history check decides, as people read it. */
  readonly property: string;
  readonly leaderAt: boolean | undefined;
  /** The run's figures, computed when an expectation first asks for them. */
  readonly figures: () => Record<string, unknown>;
}

function checkExpectations(scenario: Scenario, outcome: RunOutcome): ExpectationResult[] {
  const expect = scenario.expect;
  return [
    ...safetyExpectations(expect, outcome),
    ...historyExpectations(expect, outcome),
    ...leaderExpectations(expect, outcome),
    ...figureExpectations(expect, outcome),
  ];
}

/** `safe` and `violates`: which safety invariants broke. */
function safetyExpectations(expect: Scenario["expect"], outcome: RunOutcome): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  const violated = new Set(outcome.violations.filter((v) => v.kind === "safety").map((v) => v.invariant));
  if (expect.safe !== undefined) {
    const safe = violated.size === 0;
    results.push({
      expectation: expect.safe ? "safe" : "unsafe",
      met: safe === expect.safe,
      detail: safe ? "no safety invariant was violated" : `violated: ${[...violated].join(", ")}`,
    });
  }
  for (const name of expect.violates ?? []) {
    results.push({
      expectation: `violates ${name}`,
      met: violated.has(name),
      detail: violated.has(name)
        ? `${name} was violated`
        : `${name} held${violated.size > 0 ? ` (violated instead: ${[...violated].join(", ")})` : ""}`,
    });
  }
  return results;
}

/**
 * `linearizable`: the verdict of the client history's check, named after the property checked
 * (`strict-serializable` for a transactional store), which the key asks for.
 */
function historyExpectations(expect: Scenario["expect"], outcome: RunOutcome): ExpectationResult[] {
  if (expect.linearizable === undefined) return [];
  return [
    {
      expectation: expect.linearizable ? outcome.property : `not ${outcome.property}`,
      met: outcome.linearizable === expect.linearizable,
      detail:
        outcome.linearizable === null
          ? "the history was not checked or the check was inconclusive"
          : outcome.linearizable
            ? `the history is ${outcome.property}`
            : `the history is not ${outcome.property}`,
    },
  ];
}

/** `leader` (a live leader by a time) and `neverLeader`. */
function leaderExpectations(expect: Scenario["expect"], outcome: RunOutcome): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  if (expect.leader !== undefined) {
    results.push({
      expectation: `leader by ${formatDuration(expect.leader.by)}`,
      met: outcome.leaderAt === true,
      detail: outcome.leaderAt === true ? "a live node was leader then" : "no live node was leader then",
    });
  }
  for (const node of expect.neverLeader ?? []) {
    const led = outcome.leaders.has(node);
    results.push({
      expectation: `${node} never leader`,
      met: !led,
      detail: led ? `${node} became leader` : `${node} never became leader`,
    });
  }
  return results;
}

/** `figures` (each within its bounds, by name) and `blocked`. */
function figureExpectations(expect: Scenario["expect"], outcome: RunOutcome): ExpectationResult[] {
  const results: ExpectationResult[] = [];
  for (const [name, bounds] of Object.entries(expect.figures ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const value = lookupFigure(outcome.figures(), name);
    const tooLow = bounds.min !== undefined && (value === undefined || value < bounds.min);
    const tooHigh = bounds.max !== undefined && (value === undefined || value > bounds.max);
    // A figure in microseconds reads as a duration (`maxUncertainUs in -∞..300ms`).
    const shown = (figure: number): string => (/Us$/.test(name) ? formatDuration(figure) : String(figure));
    const range = `${bounds.min === undefined ? "-∞" : shown(bounds.min)}..${bounds.max === undefined ? "∞" : shown(bounds.max)}`;
    results.push({
      expectation: `${name} in ${range}`,
      met: !tooLow && !tooHigh,
      detail: value === undefined ? notMeasured(name, outcome.figures()) : `${name} = ${shown(value)}`,
    });
  }
  if (expect.blocked !== undefined) {
    const blocked = lookupFigure(outcome.figures(), "blockedAtEnd");
    results.push({
      expectation: expect.blocked ? "blocked at the end" : "not blocked at the end",
      met: blocked !== undefined && (blocked !== 0) === expect.blocked,
      detail:
        blocked === undefined ? "blocking was not measured" : `blocked transactions at the end: ${blocked}`,
    });
  }
  return results;
}

/** Reads a numeric figure by dotted path (`operations.ok`); booleans count as 0 or 1. */
/**
 * The protocol's own figures of a run, read from a frozen copy of the trace's list of records, and
 * for a module (`guarded`) with each record frozen: `figures` only reads. A module's that reversed
 * the list made `run` fail with an internal error (the trace no longer started with its header);
 * one that changed a record's fields changed what the report and `--json` showed. A module's
 * error names no file: the command adds the module's (`inModule`), as for its other mistakes; a
 * built-in protocol's names the protocol.
 */
function protocolFigures(protocol: Protocol, records: readonly TraceLine[], guarded: boolean): object {
  if (guarded) for (const record of records) Object.freeze(record);
  const whose = guarded ? "" : `${protocol.name}: `;
  let figures: unknown;
  try {
    figures = protocol.figures?.(Object.freeze(records.slice()));
  } catch (error) {
    throw new InputError(
      `${whose}figures(records) threw ${describeThrown(error).summary}; figures only read the records (docs/node-api.md, "Figures")`,
    );
  }
  if (figures === null || typeof figures !== "object" || Array.isArray(figures)) {
    const shown = JSON.stringify(figures) ?? String(figures);
    throw new InputError(
      `${whose}figures(records) returned ${shown}; it returns an object of named numbers (docs/node-api.md, "Figures")`,
    );
  }
  return figures;
}

/**
 * Why a figure an expectation names has no value: the run did not measure it. A name close to one
 * it measured is most likely misspelt (`leaderChange`), and the message says which was meant.
 */
function notMeasured(name: string, figures: Record<string, unknown>): string {
  const measured: string[] = [];
  const collect = (value: unknown, path: string): void => {
    if (typeof value === "number" || typeof value === "boolean") measured.push(path);
    else if (value !== null && typeof value === "object" && !Array.isArray(value))
      for (const [key, inner] of Object.entries(value)) collect(inner, path === "" ? key : `${path}.${key}`);
  };
  collect(figures, "");
  const meant = closestName(name, measured);
  return meant === undefined
    ? `${name} was not measured (this run measured ${measured.join(", ")})`
    : `${name} was not measured: did you mean '${meant}'?`;
}

function lookupFigure(figures: Record<string, unknown>, path: string): number | undefined {
  let value: unknown = figures;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  return typeof value === "number" ? value : undefined;
}

/**
 * The last pass of shrinking: removing the fault actions a counterexample does not need, then
 * making what is left simpler.
 *
 * fast-check (or ./shrink.ts, for a corpus mutant) shrinks the plan by the moves its arbitraries
 * allow and stops at a plan none of whose neighbours fails the same way. The scenario that plan
 * gives can still hold actions that do nothing for the violation: a heal before anything was cut,
 * an isolation of a leader not yet elected (skipped), steps waiting for a leader that comes after
 * the violation stopped the run. And the plan's moves never reach what a reader of the file must
 * follow besides: the undo of a crash the plan draws 300 ms later, a partition's minority of two
 * where one node does, the workload's clients and operations, and the run's length, which the
 * campaign fixes. This pass works on the scenario itself:
 *
 * 1. drop, all at once, every action that never ran or was skipped (`RunResult.stepsRun`);
 * 2. try removing each remaining action alone, from the last to the first, and go round again
 *    until no single removal still fails (the result is 1-minimal, as ddmin's);
 * 3. make each action left simpler, first to last: earlier (its time, its delay after a new
 *    leader, fewer leaders to wait for), then smaller by its kind (an ordinary crash for a power
 *    loss, a smaller minority, a one-way cut or clog, a shorter clog or burst, less loss,
 *    duplication or drift);
 * 4. the workload: none at all, else fewer clients and keys, then fewer operations: a lower rate
 *    (whole operations per second, kept only when the clients then invoke fewer), then an
 *    earlier stop. The mix stays: its weights are shares, which choose the kind of each
 *    operation and not how many there are;
 * 5. the run: shorter (not for a liveness failure, whose deadline comes after the quiet phase).
 *    A run cut short never reaches the actions after its end: they go.
 *
 * Then the whole pass again, steps 1 to 5, until a round changes nothing. What a round made
 * simpler can leave an action it had to keep unneeded in the next (an isolation needed only while
 * a crash came late, before the crash was made earlier), and a shorter run or an earlier action
 * can let another move go further. Not bounded: each change drops a part or makes one smaller and
 * none makes one larger, so the rounds end; the last, which keeps nothing, costs a round's runs
 * (of the shortened run). On Raft's and Paxos's deliberate bugs a second round changed something
 * for one in sixteen, a third for none (docs/fuzzing.md).
 *
 * A number goes down by bisection between the least it may be and what it is (whole milliseconds
 * for times), so each costs about a dozen runs. A change is kept only when the run still fails
 * the same way (same kind and invariant), so the counterexample stays a witness of the bug that
 * was found; the quiet phase's repairs stay as they are. Deterministic: the candidates come in a
 * fixed order and each is one run. A time budget can only cut the pass short; a cut pass is
 * rebuilt exactly by allowing the same number of runs (`maxRuns`), as the runs decide each step.
 */
import type { WorkloadSpec } from "../clients.js";
import { copyScenario } from "../scenario/load.js";
import type { FaultAction, Scenario } from "../scenario/schema.js";
import { type RunFailure, type RunVerdict, type ScenarioRunner, sameFailure } from "./property.js";

export interface ActionPassOptions {
  /** Whether the pass may remove or change this action (the quiet phase's repairs stay). Default: any. */
  readonly removable?: (action: FaultAction) => boolean;
  /** A clock in milliseconds and the time on it at which the pass stops, unfinished. */
  readonly now?: () => number;
  readonly deadline?: number;
  /** The pass stops, unfinished, before a run beyond this many (a cut pass, rebuilt). */
  readonly maxRuns?: number;
}

export interface ActionPassResult {
  /** Indexes in the given scenario's `faults` of the actions removed, ascending. */
  readonly removed: readonly number[];
  /** How the scenario without them fails (the target's kind and invariant; its own message). */
  readonly failure: RunFailure;
  /** Runs performed. */
  readonly runs: number;
  /** True when the deadline came before the pass had tried every removal. */
  readonly budgetExhausted: boolean;
}

/** What the last pass left: the parts of the scenario it may change. */
export interface Reduced {
  readonly faults: readonly FaultAction[];
  readonly workload: WorkloadSpec | undefined;
  readonly durationUs: number;
}

/** The size of a counterexample, as its reader meets it. */
export interface ScenarioSize {
  /** Fault actions, the quiet phase's repairs not counted (`removable` false). */
  readonly faultActions: number;
  /** The workload's clients; 0 without a workload. */
  readonly clients: number;
  /** Operations the clients invoked in the run. */
  readonly operations: number;
  readonly durationUs: number;
}

export interface LastPassResult {
  readonly reduced: Reduced;
  /** How the reduced scenario fails (the target's kind and invariant; its own message). */
  readonly failure: RunFailure;
  /** The scenario's size before the pass and after it. */
  readonly before: ScenarioSize;
  readonly after: ScenarioSize;
  /** Fault actions removed (with those past the end of a shortened run). */
  readonly removed: number;
  /** Fault actions kept but made simpler (earlier, shorter or smaller). */
  readonly simplified: number;
  /** Runs performed. */
  readonly runs: number;
  /** Rounds of steps 1 to 5 begun, the last of which changed nothing unless the budget ran out. */
  readonly rounds: number;
  /** True when the budget (`deadline` or `maxRuns`) stopped the pass before it had finished. */
  readonly budgetExhausted: boolean;
}

/** The scenario with only the fault actions at `kept` (indexes in its `faults`, ascending). */
export function keepActions(scenario: Scenario, kept: readonly number[]): Scenario {
  const faults = kept.map((index) => scenario.faults[index] as FaultAction);
  return copyScenario(scenario, { faults });
}

/** The scenario with the parts the last pass left. */
export function reducedScenario(scenario: Scenario, reduced: Reduced): Scenario {
  return copyScenario(scenario, {
    faults: reduced.faults,
    workload: reduced.workload,
    durationUs: reduced.durationUs,
  });
}

const millisecond = 1_000;

/**
 * Candidate runs within the pass's budget: each is one run, and counts only when it fails as the
 * target. Once the budget is spent every further candidate is refused without a run, so a pass cut
 * short by a clock ends in the state a pass allowed the same number of runs ends in.
 */
class Trials {
  runs = 0;
  stopped = false;

  constructor(
    private readonly target: RunFailure,
    private readonly runner: ScenarioRunner,
    private readonly options: ActionPassOptions,
  ) {}

  /** Runs `scenario`; its verdict when it fails as the target, undefined when not (or not run). */
  fails(scenario: Scenario): RunVerdict | undefined {
    if (this.stopped || this.spent()) {
      this.stopped = true;
      return undefined;
    }
    this.runs++;
    const verdict = this.runner(scenario, { stepsRun: true, operations: true });
    return verdict.failure !== undefined && sameFailure(verdict.failure, this.target) ? verdict : undefined;
  }

  private spent(): boolean {
    const { now, deadline, maxRuns } = this.options;
    if (maxRuns !== undefined && this.runs >= maxRuns) return true;
    return now !== undefined && deadline !== undefined && now() > deadline;
  }
}

/**
 * Removes the fault actions of `scenario` that a run failing as `target` does not need (steps 1
 * and 2 above). `scenario` must fail as `target`; `runner` runs a scenario (and says which actions
 * ran).
 */
export function removeIdleActions(
  scenario: Scenario,
  target: RunFailure,
  runner: ScenarioRunner,
  options: ActionPassOptions = {},
): ActionPassResult {
  const trials = new Trials(target, runner, options);
  const first = trials.fails(scenario);
  if (first === undefined)
    return { removed: [], failure: target, runs: trials.runs, budgetExhausted: trials.stopped };
  const removal = removeActions(scenario, first, trials, options.removable ?? (() => true));
  const left = new Set(removal.kept);
  const removed = scenario.faults.map((_, index) => index).filter((index) => !left.has(index));
  return {
    removed,
    failure: removal.verdict.failure as RunFailure,
    runs: trials.runs,
    budgetExhausted: trials.stopped,
  };
}

/** Steps 1 and 2: the indexes of `scenario.faults` kept, and the last failing run's verdict. */
function removeActions(
  scenario: Scenario,
  first: RunVerdict,
  trials: Trials,
  removable: (action: FaultAction) => boolean,
): { kept: number[]; verdict: RunVerdict } {
  let kept = scenario.faults.map((_, index) => index);
  let verdict = first;
  /** The removable actions of `indexes` that, in `ran`'s run, never ran or were skipped. */
  const idleOf = (indexes: readonly number[], ran: RunVerdict): number[] => {
    const acted = new Set<number>();
    for (const step of ran.stepsRun ?? []) {
      if (step.skipped !== true) acted.add(indexes[step.step] as number);
    }
    return indexes.filter((index) => !acted.has(index) && removable(scenario.faults[index] as FaultAction));
  };
  /** Drops the idle actions of a failing run, when the run without them still fails. */
  const dropIdle = (ran: RunVerdict): void => {
    const idle = new Set(idleOf(kept, ran));
    if (idle.size === 0) return;
    const fewer = kept.filter((index) => !idle.has(index));
    const after = trials.fails(keepActions(scenario, fewer));
    if (after === undefined) return;
    kept = fewer;
    verdict = after;
  };

  dropIdle(first);
  let removedInRound = true;
  while (removedInRound && !trials.stopped) {
    removedInRound = false;
    for (const index of [...kept].reverse()) {
      // Gone already: dropped with the idle actions of an earlier removal's run.
      if (!kept.includes(index)) continue;
      if (!removable(scenario.faults[index] as FaultAction)) continue;
      const fewer = kept.filter((other) => other !== index);
      const after = trials.fails(keepActions(scenario, fewer));
      if (after === undefined) continue;
      kept = fewer;
      verdict = after;
      removedInRound = true;
      dropIdle(after);
    }
  }
  return { kept, verdict };
}

/**
 * The whole last pass (steps 1 to 5 above) over `scenario`, which must fail as `target`. A
 * scenario that does not fail so when run again is left as it is.
 */
export function lastPass(
  scenario: Scenario,
  target: RunFailure,
  runner: ScenarioRunner,
  options: ActionPassOptions = {},
): LastPassResult {
  const removable = options.removable ?? (() => true);
  const trials = new Trials(target, runner, options);
  const start: Reduced = {
    faults: scenario.faults,
    workload: scenario.workload,
    durationUs: scenario.durationUs,
  };
  const first = trials.fails(scenario);
  const before = sizeOf(start, removable, first?.operations ?? 0);
  if (first === undefined) {
    return {
      reduced: start,
      failure: target,
      before,
      after: before,
      removed: 0,
      simplified: 0,
      runs: trials.runs,
      rounds: 0,
      budgetExhausted: trials.stopped,
    };
  }
  let state = start;
  let verdict = first;
  /** Candidates kept so far: a round that adds none leaves nothing for the next to try. */
  let changes = 0;
  /** Keeps `candidate` when its run fails as the target (and `keep` accepts that run). */
  const accept = (candidate: Reduced, keep?: (ran: RunVerdict) => boolean): boolean => {
    const ran = trials.fails(reducedScenario(scenario, candidate));
    if (ran === undefined || (keep !== undefined && !keep(ran))) return false;
    state = candidate;
    verdict = ran;
    changes++;
    return true;
  };

  let rounds = 0;
  for (;;) {
    const changesBefore = changes;
    rounds++;
    const removal = removeActions(reducedScenario(scenario, state), verdict, trials, removable);
    if (removal.kept.length < state.faults.length) {
      const faults = state.faults;
      state = { ...state, faults: removal.kept.map((index) => faults[index] as FaultAction) };
      verdict = removal.verdict;
      changes++;
    }
    simplifyActions(() => state, accept, removable);
    reduceWorkload(
      () => state,
      accept,
      () => verdict.operations ?? 0,
    );
    if (target.kind !== "liveness") shortenRun(() => state, accept);
    if (changes === changesBefore || trials.stopped) break;
  }

  const originals = new Set(scenario.faults);
  const counted = state.faults.filter(removable);
  return {
    reduced: state,
    failure: verdict.failure as RunFailure,
    before,
    after: sizeOf(state, removable, verdict.operations ?? 0),
    removed: before.faultActions - counted.length,
    simplified: counted.filter((action) => !originals.has(action)).length,
    runs: trials.runs,
    rounds,
    budgetExhausted: trials.stopped,
  };
}

function sizeOf(
  state: Reduced,
  removable: (action: FaultAction) => boolean,
  operations: number,
): ScenarioSize {
  return {
    faultActions: state.faults.filter(removable).length,
    clients: state.workload?.clients ?? 0,
    operations,
    durationUs: state.durationUs,
  };
}

/**
 * The least value from `least` up to `value` (in steps of `step`) that `fails`, by bisection:
 * `value` fails; `least` is tried first. Only values that failed are ever returned.
 */
function lowest(value: number, least: number, step: number, fails: (candidate: number) => boolean): number {
  if (value <= least) return value;
  if (fails(least)) return least;
  let low = least;
  let high = value;
  for (;;) {
    const steps = Math.floor((high - low) / step);
    if (steps <= 1) return high;
    const middle = low + Math.floor(steps / 2) * step;
    if (fails(middle)) high = middle;
    else low = middle;
  }
}

/** Fault actions by time, those at the same time in their order (as the scenario loader sorts). */
function byTime(faults: readonly FaultAction[]): FaultAction[] {
  return [...faults].sort((a, b) => a.atUs - b.atUs);
}

/**
 * One way to make an action simpler: the action it becomes with `value` for the number the move
 * lowers (`of` reads it, `least` is as far as it goes, in steps of `step`), or a single change
 * (`to`, tried once).
 */
type Move =
  | {
      readonly of: (action: FaultAction) => number | undefined;
      readonly least: number;
      readonly step: number;
      readonly set: (action: FaultAction, value: number) => FaultAction;
    }
  | { readonly to: (action: FaultAction) => FaultAction | undefined };

/** Step 3: each action made earlier, then smaller by its kind, first to last. */
function simplifyActions(
  current: () => Reduced,
  accept: (candidate: Reduced) => boolean,
  removable: (action: FaultAction) => boolean,
): void {
  for (const original of current().faults) {
    if (!removable(original)) continue;
    let action = original;
    /** Keeps `changed` in place of the action, when the run with it still fails. */
    const tryAction = (changed: FaultAction): boolean => {
      const state = current();
      const faults = byTime(state.faults.map((other) => (other === action ? changed : other)));
      if (!accept({ ...state, faults })) return false;
      action = changed;
      return true;
    };
    for (const move of movesOf(action)) {
      if ("to" in move) {
        const changed = move.to(action);
        if (changed !== undefined) tryAction(changed);
        continue;
      }
      const value = move.of(action);
      if (value === undefined) continue;
      const from = action;
      lowest(value, move.least, move.step, (candidate) => tryAction(move.set(from, candidate)));
    }
  }
}

/** The moves that make an action simpler, in the order they are tried. */
function movesOf(action: FaultAction): Move[] {
  const earlier: Move[] = [
    { of: (a) => a.atUs, least: 0, step: millisecond, set: (a, atUs) => ({ ...a, atUs }) },
    {
      of: (a) => a.afterNewLeaderUs,
      least: 0,
      step: millisecond,
      set: (a, afterNewLeaderUs) => ({ ...a, afterNewLeaderUs }),
    },
    {
      of: (a) => a.nthNewLeader,
      least: 1,
      step: 1,
      set: (a, nth) => {
        const { nthNewLeader: _, ...rest } = a;
        return (nth === 1 ? rest : { ...rest, nthNewLeader: nth }) as FaultAction;
      },
    },
  ];
  return [...earlier, ...smallerMoves(action)];
}

/** Permille, for probabilities: a loss of 0.3 goes down to 0.001 at the finest. */
const permille = (value: number) => Math.round(value * 1_000);

/** The moves of each kind of action that make it smaller. */
function smallerMoves(action: FaultAction): Move[] {
  switch (action.kind) {
    case "crash":
      return [
        {
          to: (a) => {
            if (a.kind !== "crash" || a.loseUnsynced !== true) return undefined;
            const { loseUnsynced: _, ...rest } = a;
            return rest as FaultAction;
          },
        },
      ];
    case "partition":
      return action.partition.flatMap((group, groupIndex) =>
        group.map((member) => ({ to: (a: FaultAction) => smallerPartition(a, groupIndex, member) })),
      );
    case "cut":
      return [
        {
          to: (a) =>
            a.kind === "cut" && !a.cut.oneWay ? { ...a, cut: { ...a.cut, oneWay: true } } : undefined,
        },
      ];
    case "clog":
      return [
        {
          to: (a) =>
            a.kind === "clog" && !a.clog.link.oneWay
              ? { ...a, clog: { ...a.clog, link: { ...a.clog.link, oneWay: true } } }
              : undefined,
        },
        {
          of: (a) => (a.kind === "clog" ? a.clog.delay : undefined),
          least: millisecond,
          step: millisecond,
          set: (a, delay) => (a.kind === "clog" ? { ...a, clog: { ...a.clog, delay } } : a),
        },
        {
          of: (a) => (a.kind === "clog" ? a.clog.for : undefined),
          least: millisecond,
          step: millisecond,
          set: (a, length) => (a.kind === "clog" ? { ...a, clog: { ...a.clog, for: length } } : a),
        },
      ];
    case "burst":
      return [
        {
          of: (a) => (a.kind === "burst" ? a.burst.for : undefined),
          least: millisecond,
          step: millisecond,
          set: (a, length) => (a.kind === "burst" ? { ...a, burst: { ...a.burst, for: length } } : a),
        },
        {
          of: (a) => (a.kind === "burst" && a.burst.loss !== undefined ? permille(a.burst.loss) : undefined),
          least: 0,
          step: 1,
          set: (a, loss) => (a.kind === "burst" ? { ...a, burst: { ...a.burst, loss: loss / 1_000 } } : a),
        },
        {
          of: (a) =>
            a.kind === "burst" && a.burst.duplicate !== undefined ? permille(a.burst.duplicate) : undefined,
          least: 0,
          step: 1,
          set: (a, duplicate) =>
            a.kind === "burst" ? { ...a, burst: { ...a.burst, duplicate: duplicate / 1_000 } } : a,
        },
      ];
    case "drift":
      // Toward no drift, in steps of 0.1 %, keeping its sign.
      return [
        {
          of: (a) => (a.kind === "drift" ? permille(Math.abs(a.drift.rate)) : undefined),
          least: 0,
          step: 1,
          set: (a, rate) =>
            a.kind === "drift"
              ? {
                  ...a,
                  drift: { ...a.drift, rate: rate === 0 ? 0 : (Math.sign(a.drift.rate) * rate) / 1_000 },
                }
              : a,
        },
      ];
    case "delay":
      return [
        {
          of: (a) => (a.kind === "delay" ? a.delay.by : undefined),
          least: 0,
          step: millisecond,
          set: (a, by) => (a.kind === "delay" ? { ...a, delay: { ...a.delay, by } } : a),
        },
      ];
    default:
      return [];
  }
}

/**
 * The partition with `member` moved from group `groupIndex` to the largest group (the first of
 * the largest): fewer nodes cut off from the rest. Undefined when it is in the largest group, or
 * alone in its own (a group of none cuts nobody off).
 */
function smallerPartition(action: FaultAction, groupIndex: number, member: string): FaultAction | undefined {
  if (action.kind !== "partition") return undefined;
  const groups = action.partition;
  const largest = groups.reduce(
    (best, group, index) => (group.length > (groups[best]?.length ?? 0) ? index : best),
    0,
  );
  const group = groups[groupIndex];
  if (groupIndex === largest || group === undefined || group.length <= 1 || !group.includes(member))
    return undefined;
  const partition = groups.map((other, index) =>
    index === groupIndex
      ? other.filter((name) => name !== member)
      : index === largest
        ? [...other, member]
        : [...other],
  );
  return { ...action, partition };
}

/**
 * Step 4: no workload, else fewer clients, fewer keys, a lower rate, then an earlier stop. The
 * rate and the stop set how many operations the clients invoke; a lower rate, whose only use is
 * fewer of them, is kept only when the run then has fewer (`operations`: the current run's).
 */
function reduceWorkload(
  current: () => Reduced,
  accept: (candidate: Reduced, keep?: (ran: RunVerdict) => boolean) => boolean,
  operations: () => number,
): void {
  const workload = current().workload;
  if (workload === undefined) return;
  if (accept({ ...current(), workload: undefined })) return;
  const withWorkload = (changes: Partial<WorkloadSpec>, keep?: (ran: RunVerdict) => boolean) => {
    const state = current();
    return accept({ ...state, workload: { ...(state.workload as WorkloadSpec), ...changes } }, keep);
  };
  lowest(workload.clients, 1, 1, (clients) => withWorkload({ clients }));
  lowest(workload.keys.length, 1, 1, (count) => withWorkload({ keys: workload.keys.slice(0, count) }));
  // Whole operations per second, down to one.
  lowest(current().workload?.ratePerSecond ?? 0, 1, 1, (ratePerSecond) => {
    const most = operations();
    return withWorkload({ ratePerSecond }, (ran) => (ran.operations ?? 0) < most);
  });
  const { startUs, stopUs } = current().workload as WorkloadSpec;
  lowest(stopUs, startUs + millisecond, millisecond, (stop) => withWorkload({ stopUs: stop }));
}

/**
 * Step 5: a shorter run. The actions after its end go (a run that ends first never reaches
 * them), a clog or burst ends with it, as a scenario file must have it, and the workload stops
 * by then; the run stays long enough for the workload to start.
 */
function shortenRun(current: () => Reduced, accept: (candidate: Reduced) => boolean): void {
  const state = current();
  const least = (state.workload?.startUs ?? 0) + millisecond;
  lowest(state.durationUs, least, millisecond, (durationUs) => accept(cutAt(current(), durationUs)));
}

function cutAt(state: Reduced, durationUs: number): Reduced {
  const faults = state.faults.flatMap((action): FaultAction[] => {
    if (action.atUs > durationUs) return [];
    const leftUs = durationUs - action.atUs;
    if (action.kind === "clog" && action.clog.for > leftUs) {
      return leftUs <= 0 ? [] : [{ ...action, clog: { ...action.clog, for: leftUs } }];
    }
    if (action.kind === "burst" && action.burst.for > leftUs) {
      return leftUs <= 0 ? [] : [{ ...action, burst: { ...action.burst, for: leftUs } }];
    }
    return [action];
  });
  const workload =
    state.workload === undefined
      ? undefined
      : { ...state.workload, stopUs: Math.min(state.workload.stopUs, durationUs) };
  return { faults, workload, durationUs };
}

/**
 * A decision procedure for partitions whose operations are only reads and blind writes (a
 * register's read and write: a write sets the state whatever it was, a read changes nothing and
 * is legal in exactly one state). The general search (./search.ts) memoizes configurations over
 * the whole history; on histories with many clients writing few values it keeps millions of
 * configurations that differ only in which of the long-finished operations were placed in
 * which order. This procedure sweeps the history in time order instead and keeps only the
 * configurations possible at the current instant (a frontier, as in Knossos's linear checker and
 * Lowe's just-in-time linearization), each reduced by rules that hold for reads and blind writes:
 *
 * - a configuration is the state, which of the operations running now are already linearized,
 *   and, per value, how many indeterminate writes of that value were used (the earliest called
 *   are used first: any use of a later one could use an earlier one instead);
 * - a read whose value is the current state is linearized at once (it changes nothing, so
 *   placing it earlier never hurts: the read-only dominance of ./search.ts);
 * - at the return of an operation that no configuration placed yet, each configuration places
 *   writes (those running now, or unused indeterminate ones already called) in every order until
 *   the returning operation is placed; of running completed writes of one value only the one
 *   that returns first is tried (interchangeable operations, as in ./search.ts); an
 *   indeterminate write of the value the state already has is never used (it changes nothing);
 * - configurations equal but for the indeterminate writes used keep only those that used no
 *   more of any value than another (using fewer leaves more available).
 *
 * Segments come for free: where every operation has returned, the frontier holds one
 * configuration per reachable state and usage, and what came before is forgotten. Each
 * configuration keeps a shared trail of the operations it placed, so a linearizable verdict comes
 * with its linearization, and a not-linearizable one with the operation whose return no
 * configuration could pass and a longest prefix.
 *
 * `startReadWriteSweep` returns `undefined` when the partition is not of that kind, when its
 * states are too many to list, or when more than 64 completed operations run at once.
 *
 * This file holds the sweep itself; ./sweep/plan.ts classifies the operations and orders their
 * events, ./sweep/configurations.ts holds the configurations and their set, and
 * ./sweep/dominance.ts the rule that drops dominated ones.
 */
import type { Operation } from "../history.js";
import type { AnyModel } from "./model.js";
import { type Budget, mix32, type PartitionSearch, type SearchOutcome, type StateTable } from "./search.js";
import {
  type Configuration,
  ConfigurationSet,
  highBitOf,
  lowBitOf,
  lowestBit,
  slotsMax,
  type Trail,
} from "./sweep/configurations.js";
import { Dominance, pruneDominated } from "./sweep/dominance.js";
import {
  isCompleted,
  Kind,
  planSweep,
  RunningOperations,
  type SweepPlan,
  stateTableOf,
} from "./sweep/plan.js";

/** Bytes counted per configuration kept (frontier or visited): an estimate of its objects. */
const configurationBytes = 160;
const checkEverySteps = 1024;

/**
 * A trail as operations in linearization order, with the state after each. A hidden write
 * goes just before the first write placed between its call and its return, where it is
 * overwritten at once; when there is none, the state was its value at its call, and it goes
 * there.
 */
function unwind(trail: Trail | undefined, plan: SweepPlan): { prefix: number[]; states: number[] } {
  const nodes: Trail[] = [];
  for (let at = trail; at !== undefined; at = at.previous) nodes.push(at);
  nodes.reverse();
  const shown = nodes.filter((node) => !node.hidden);
  const hiddenBefore = hiddenWritesByPosition(nodes, shown, plan);
  const prefix: number[] = [];
  const after: number[] = [];
  for (let position = 0; position <= shown.length; position++) {
    for (const operation of hiddenBefore.get(position) ?? []) {
      prefix.push(operation);
      after.push(plan.values[operation]!);
    }
    if (position < shown.length) {
      prefix.push(shown[position]!.operation);
      after.push(shown[position]!.state);
    }
  }
  return { prefix, states: after };
}

/** The hidden writes of a trail (`nodes`, oldest first), by the shown node they go before. */
function hiddenWritesByPosition(
  nodes: readonly Trail[],
  shown: readonly Trail[],
  plan: SweepPlan,
): Map<number, number[]> {
  const before = new Map<number, number[]>();
  for (const node of nodes) {
    if (!node.hidden) continue;
    const call = plan.callEvent[node.operation]!;
    const returned = plan.returnEvent[node.operation]!;
    let position = shown.findIndex(
      (other) => other.event >= call && other.event <= returned && plan.kinds[other.operation] === Kind.Write,
    );
    if (position < 0) {
      position = shown.findIndex((other) => other.event > call);
      if (position < 0) position = shown.length;
    }
    const list = before.get(position);
    if (list === undefined) before.set(position, [node.operation]);
    else list.push(node.operation);
  }
  return before;
}

/** Where a write goes: the configuration's slot masks and indeterminate writes used, counting it. */
interface Placement {
  readonly write: number;
  /** The state it writes. */
  readonly state: number;
  readonly low: number;
  readonly high: number;
  readonly used: string;
  readonly usedHash: number;
}

/**
 * One return being forced (see `ReadWriteSweep.forceReturn`): the configurations found that
 * placed the returning operation, and those visited on the way that did not yet.
 */
interface ReturnForcing {
  readonly returning: number;
  /** The returning operation's slot bit. */
  readonly bitLow: number;
  readonly bitHigh: number;
  readonly result: ConfigurationSet;
  readonly visited: ConfigurationSet;
  readonly stack: Configuration[];
  memoryOut: boolean;
}

/** Whether `configuration` placed the operation whose return is being forced. */
function isPlaced(configuration: Configuration, forcing: ReturnForcing): boolean {
  return (configuration.low & forcing.bitLow) !== 0 || (configuration.high & forcing.bitHigh) !== 0;
}

/**
 * The sweep over one partition: the frontier of configurations, moved event by event (see the
 * module comment). Resumable: `run` stops when its slice of steps runs out.
 */
class ReadWriteSweep implements PartitionSearch {
  private readonly stateCount: number;
  private readonly running: RunningOperations;
  private readonly table: StateTable;
  private frontier = new ConfigurationSet();
  /** The return being forced; kept when a budget ran out during it, since its sets are held. */
  private forcing: ReturnForcing | undefined;
  private eventIndex = 0;
  private placedCompleted = 0;
  private placedCompletedMax = 0;
  private finished: SearchOutcome | undefined;
  private budget: Budget | undefined;
  private steps = 0;
  private countdown = checkEverySteps;

  constructor(private readonly plan: SweepPlan) {
    this.stateCount = plan.states.length;
    this.running = new RunningOperations(plan);
    this.table = stateTableOf(plan);
    this.frontier.add({
      state: 0,
      low: 0,
      high: 0,
      hideLow: 0,
      hideHigh: 0,
      used: String.fromCharCode(...new Array<number>(this.stateCount).fill(0)),
      usedHash: 0,
      trail: undefined,
    });
  }

  get cacheEntries(): number {
    return this.frontier.size + (this.forcing?.visited.size ?? 0);
  }

  get memoryBytes(): number {
    return this.finished === undefined ? this.heldBytes() : 0;
  }

  get depthMax(): number {
    return this.placedCompletedMax;
  }

  run(budget: Budget, stepsMax: number): SearchOutcome | undefined {
    if (this.finished !== undefined) return this.finished;
    this.budget = budget;
    const stepsAtStart = this.steps;
    const { events, operations, values } = this.plan;
    while (this.eventIndex < events.length) {
      if (this.steps - stepsAtStart >= stepsMax) return undefined;
      const event = events[this.eventIndex]!;
      if (!isCompleted(operations[event.operation]!)) {
        this.running.crashedCalled[values[event.operation]!]!++;
      } else if (!event.isReturn) {
        this.onCall(event.operation);
      } else {
        const stopped = this.onReturn(event.operation);
        if (stopped !== undefined) return stopped;
      }
      this.eventIndex++;
    }
    const any = this.frontier.values().next().value as Configuration;
    this.finished = { kind: "linearizable", linearization: unwind(any.trail, this.plan).prefix };
    return this.finished;
  }

  /** The call of a completed operation: what each configuration can do with it at once. */
  private onCall(operation: number): void {
    const { kinds, values } = this.plan;
    const state = values[operation]!;
    this.running.start(operation);
    // A read of the current state is linearized at once.
    if (kinds[operation] === Kind.Read && state >= 0) this.placeAtCall(operation, state);
    // An operation that changes nothing and is legal everywhere is placed at its call.
    else if (kinds[operation] === Kind.Free) this.placeAtCall(operation, undefined);
    // A write of the current state can go here unseen.
    else if (kinds[operation] === Kind.Write) this.hideAtCall(operation, state);
  }

  /** Places `operation` now in every configuration (in state `onlyIn`, when given). */
  private placeAtCall(operation: number, onlyIn: number | undefined): void {
    const slot = this.plan.slotOf[operation]!;
    const bitLow = lowBitOf(slot);
    const bitHigh = highBitOf(slot);
    const event = this.eventIndex;
    this.mapFrontier((configuration) =>
      onlyIn !== undefined && configuration.state !== onlyIn
        ? configuration
        : {
            ...configuration,
            low: configuration.low | bitLow,
            high: configuration.high | bitHigh,
            trail: {
              operation,
              state: configuration.state,
              event,
              hidden: false,
              previous: configuration.trail,
            },
          },
    );
  }

  /** Marks write `operation` hidable in every configuration whose state it writes. */
  private hideAtCall(operation: number, state: number): void {
    const slot = this.plan.slotOf[operation]!;
    const bitLow = lowBitOf(slot);
    const bitHigh = highBitOf(slot);
    this.mapFrontier((configuration) =>
      configuration.state !== state
        ? configuration
        : {
            ...configuration,
            hideLow: configuration.hideLow | bitLow,
            hideHigh: configuration.hideHigh | bitHigh,
          },
    );
  }

  /**
   * The return of a completed operation: every configuration must have placed it by now. The
   * outcome when the sweep stops here (a budget ran out, or no configuration can place it).
   */
  private onReturn(operation: number): SearchOutcome | undefined {
    const before = this.frontier;
    const forced = this.forceReturn(operation);
    if (forced === undefined) return { kind: "unknown" };
    if (forced.size === 0) {
      this.finished = this.failure(operation, before);
      return this.finished;
    }
    this.frontier = pruneDominated(forced, new Dominance(this.running, this.stateCount));
    this.running.finish(operation);
    this.placedCompleted++;
    if (this.placedCompleted > this.placedCompletedMax) this.placedCompletedMax = this.placedCompleted;
    return undefined;
  }

  /** Applies `change` to every configuration of the frontier. */
  private mapFrontier(change: (configuration: Configuration) => Configuration): void {
    const updated = new ConfigurationSet();
    for (const configuration of this.frontier.values()) updated.add(change(configuration));
    this.frontier = updated;
  }

  /** Bytes held now: the frontier, the sets of the return being forced, and the state table. */
  private heldBytes(): number {
    const forcing = this.forcing;
    const forcingSize = forcing === undefined ? 0 : forcing.visited.size + forcing.result.size;
    return (this.frontier.size + forcingSize) * configurationBytes + this.table.bytes();
  }

  /** Whether one more configuration fits the memory budget; records `memory` when not. */
  private fits(): boolean {
    const budget = this.budget!;
    if (this.heldBytes() + configurationBytes + budget.memoryBytesOthers <= budget.memoryBytesMax)
      return true;
    budget.exhausted = "memory";
    return false;
  }

  /**
   * Counts a step, which may add one configuration; false when a budget ran out (recorded in
   * `budget.exhausted`). Memory is checked at every step (it is a sum), the rest every 1,024.
   */
  private step(): boolean {
    const budget = this.budget!;
    if (!this.fits()) return false;
    this.steps++;
    if (--this.countdown > 0) return true;
    this.countdown = checkEverySteps;
    budget.steps += checkEverySteps;
    if (budget.steps > budget.maxSteps) budget.exhausted = "steps";
    else if (budget.now !== undefined && budget.now() > budget.deadline) budget.exhausted = "timeout";
    return budget.exhausted === undefined;
  }

  /**
   * Every configuration reachable from the frontier by placing writes until `returning` is
   * placed, with `returning`'s slot cleared; `undefined` when a budget ran out. Besides
   * `returning`, a write is placed only where it makes a running read legal: one that makes
   * none can be placed, unseen, just before the next write placed before its return (it is then
   * hideable), or it stays the state until its return and is placed then.
   */
  private forceReturn(returning: number): ConfigurationSet | undefined {
    const slot = this.plan.slotOf[returning]!;
    const forcing: ReturnForcing = {
      returning,
      bitLow: lowBitOf(slot),
      bitHigh: highBitOf(slot),
      result: new ConfigurationSet(),
      visited: new ConfigurationSet(),
      stack: [],
      memoryOut: false,
    };
    this.forcing = forcing;
    const returningWrites = this.plan.kinds[returning] === Kind.Write;
    for (const configuration of this.frontier.values()) {
      if (isPlaced(configuration, forcing)) this.keep(forcing, configuration, configuration.trail);
      else forcing.stack.push(configuration);
    }
    while (forcing.stack.length > 0 && !forcing.memoryOut) {
      const from = forcing.stack.pop()!;
      if (returningWrites) this.placeReturningWrite(forcing, from);
      if (!this.placeWritesForReads(forcing, from)) return undefined;
    }
    if (forcing.memoryOut) return undefined;
    this.forcing = undefined;
    return forcing.result;
  }

  /** Keeps a configuration that placed the returning operation, its trail ending with `trail`. */
  private keep(forcing: ReturnForcing, configuration: Configuration, trail: Trail | undefined): void {
    if (!this.fits()) {
      forcing.memoryOut = true;
      return;
    }
    // Written out field by field, in the order of the initial configuration: a spread here took
    // a quarter of the sweep's time on the many-clients register histories.
    forcing.result.add({
      state: configuration.state,
      low: configuration.low & ~forcing.bitLow,
      high: configuration.high & ~forcing.bitHigh,
      hideLow: configuration.hideLow & ~forcing.bitLow,
      hideHigh: configuration.hideHigh & ~forcing.bitHigh,
      used: configuration.used,
      usedHash: configuration.usedHash,
      trail,
    });
  }

  /** Keeps the returning write placed unseen where `from` can hide it, and placed now. */
  private placeReturningWrite(forcing: ReturnForcing, from: Configuration): void {
    const { returning } = forcing;
    if ((from.hideLow & forcing.bitLow) !== 0 || (from.hideHigh & forcing.bitHigh) !== 0)
      this.keep(forcing, from, {
        operation: returning,
        state: from.state,
        event: this.eventIndex,
        hidden: true,
        previous: from.trail,
      });
    const placedNow = this.afterWrite(from, {
      write: returning,
      state: this.plan.values[returning]!,
      low: from.low | forcing.bitLow,
      high: from.high | forcing.bitHigh,
      used: from.used,
      usedHash: from.usedHash,
    });
    this.keep(forcing, placedNow, placedNow.trail);
  }

  /**
   * Visits each configuration `from` reaches by one write that makes a running read legal: the
   * running completed write of that value that returns first, then an unused indeterminate one.
   * False when a budget ran out.
   */
  private placeWritesForReads(forcing: ReturnForcing, from: Configuration): boolean {
    const { slotOf, crashedWrites } = this.plan;
    for (let state = 0; state < this.stateCount; state++) {
      if (!this.running.hasReadLeft(state, from.low, from.high)) continue;
      const write = this.running.firstWriteOf(state, from.low, from.high);
      if (write >= 0 && write !== forcing.returning) {
        const slot = slotOf[write]!;
        const placement = {
          write,
          state,
          low: from.low | lowBitOf(slot),
          high: from.high | highBitOf(slot),
          used: from.used,
          usedHash: from.usedHash,
        };
        if (!this.visit(forcing, from, placement)) return false;
      }
      const count = from.used.charCodeAt(state);
      if (state === from.state || count >= this.running.crashedCalled[state]!) continue;
      const placement = {
        write: crashedWrites[state]![count]!,
        state,
        low: from.low,
        high: from.high,
        used: `${from.used.slice(0, state)}${String.fromCharCode(count + 1)}${from.used.slice(state + 1)}`,
        usedHash: (from.usedHash + mix32(state + 1)) | 0,
      };
      if (!this.visit(forcing, from, placement)) return false;
    }
    return true;
  }

  /**
   * Counts a step and places a write on `from`: kept when that placed the returning operation,
   * else explored further, once. False when a budget ran out.
   */
  private visit(forcing: ReturnForcing, from: Configuration, placement: Placement): boolean {
    if (!this.step()) return false;
    const next = this.afterWrite(from, placement);
    if (isPlaced(next, forcing)) this.keep(forcing, next, next.trail);
    else if (forcing.visited.add(next)) forcing.stack.push(next);
    return true;
  }

  /**
   * The configuration after placing a write (`placement` already counts it), with the reads it
   * makes legal; every running write not placed can now hide before it.
   */
  private afterWrite(from: Configuration, placement: Placement): Configuration {
    const { state } = placement;
    const running = this.running;
    const event = this.eventIndex;
    let trail: Trail | undefined = {
      operation: placement.write,
      state,
      event,
      hidden: false,
      previous: from.trail,
    };
    let newLow = running.readsLow[state]! & ~placement.low;
    let newHigh = running.readsHigh[state]! & ~placement.high;
    const low = placement.low | newLow;
    const high = placement.high | newHigh;
    while (newLow !== 0) {
      const slot = lowestBit(newLow);
      newLow &= newLow - 1;
      trail = { operation: running.operationInSlot[slot]!, state, event, hidden: false, previous: trail };
    }
    while (newHigh !== 0) {
      const slot = lowestBit(newHigh);
      newHigh &= newHigh - 1;
      trail = {
        operation: running.operationInSlot[32 + slot]!,
        state,
        event,
        hidden: false,
        previous: trail,
      };
    }
    return {
      state,
      low,
      high,
      hideLow: running.allWritesLow & ~low,
      hideHigh: running.allWritesHigh & ~high,
      used: placement.used,
      usedHash: placement.usedHash,
      trail,
    };
  }

  /** The verdict when no configuration can place `failing` before its return. */
  private failure(failing: number, before: ConfigurationSet): SearchOutcome {
    const { kinds, values } = this.plan;
    const sample = before.values().next().value as Configuration;
    const { prefix, states: after } = unwind(sample.trail, this.plan);
    // A read of a value no operation can produce is possible in none of the reachable states.
    const impossible = kinds[failing] === Kind.Read && values[failing]! < 0;
    return {
      kind: "not-linearizable",
      deepest: {
        prefix,
        states: after,
        failing,
        pending: this.pendingIn(sample),
        ...(impossible ? { reachableStates: this.stateCount } : {}),
      },
      states: this.table,
    };
  }

  /** The operations `configuration` has not placed: running completed ones, then called indeterminate writes. */
  private pendingIn(configuration: Configuration): number[] {
    const { operationInSlot, crashedCalled } = this.running;
    const pending: number[] = [];
    for (let slot = 0; slot < slotsMax; slot++) {
      const running = operationInSlot[slot]!;
      if (running < 0) continue;
      const placed =
        (configuration.low & lowBitOf(slot)) !== 0 || (configuration.high & highBitOf(slot)) !== 0;
      if (!placed) pending.push(running);
    }
    for (let written = 0; written < this.stateCount; written++)
      for (let rank = configuration.used.charCodeAt(written); rank < crashedCalled[written]!; rank++)
        pending.push(this.plan.crashedWrites[written]![rank]!);
    return pending;
  }
}

/**
 * Prepares the sweep for one partition, or returns `undefined` when the partition is not made of
 * reads and blind writes (see the module comment). Same contract as `startSearch`.
 */
export function startReadWriteSweep(
  operations: readonly Operation[],
  model: AnyModel,
): PartitionSearch | undefined {
  const plan = planSweep(operations, model);
  return plan === undefined ? undefined : new ReadWriteSweep(plan);
}

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
 */
import type { Operation } from "../history.js";
import type { AnyModel } from "./model.js";
import { type Budget, mix32, type PartitionSearch, type SearchOutcome, type StateTable } from "./search.js";

/** States listed at most when classifying operations. */
const statesMax = 64;
/** Completed operations running at once at most (two 32-bit masks). */
const slotsMax = 64;
/** Bytes counted per configuration kept (frontier or visited): an estimate of its objects. */
const configurationBytes = 160;
const checkEverySteps = 1024;
/** Configurations of one state compared pairwise at most (see `pruneDominated`). */
const pairwiseGroupMax = 16384;

/** What an operation does, for this procedure. */
enum Kind {
  /** Changes nothing wherever it is legal and is legal everywhere (an indeterminate read). */
  Ignored = 0,
  /** Legal only in state `value`, which it keeps. */
  Read = 1,
  /** Sets the state to `value` from every state. */
  Write = 2,
  /** Legal everywhere and changes nothing, but completed, so it must appear: placed at its call. */
  Free = 3,
}

/** A trail of placed operations, newest first, shared between configurations. */
interface Trail {
  readonly operation: number;
  /** The state after it (for a hidden write: the state where it is put back, see `unwind`). */
  readonly state: number;
  /** The sweep event at which it was placed. */
  readonly event: number;
  /** A write placed where it changes nothing seen (see `Configuration.hideLow`). */
  readonly hidden: boolean;
  readonly previous: Trail | undefined;
}

/** One configuration of the frontier. */
interface Configuration {
  readonly state: number;
  /** Linearized running completed operations, by slot (slots 0-31 and 32-63). */
  readonly low: number;
  readonly high: number;
  /**
   * Running completed writes not linearized that could have been, unseen: a write was placed
   * since their call (they go just before it, overwritten at once), or the state was their value
   * at their call (they go there, changing nothing). At their return they may be placed so.
   */
  readonly hideLow: number;
  readonly hideHigh: number;
  /** Indeterminate writes used, per state, one character each, and its hash. */
  readonly used: string;
  readonly usedHash: number;
  readonly trail: Trail | undefined;
}

/** An event of the sweep: the call or return of an operation. */
interface SweepEvent {
  readonly operation: number;
  readonly isReturn: boolean;
}

/** How one operation acted on the states listed so far (see `observeOperations`). */
interface Observations {
  /** The states the partition can reach, the initial one first. */
  readonly states: unknown[];
  /** Per operation: the state it moved some state to (-1 none). */
  readonly target: Int32Array;
  /** Per operation: whether it was illegal in some state. */
  readonly illegalSomewhere: Uint8Array;
  /** Per operation: how many states it kept, and the last of them. */
  readonly keptCount: Int32Array;
  readonly keptState: Int32Array;
}

/**
 * Steps every operation from every state the partition can reach, listing the states as they
 * come; `undefined` at the first operation that is neither a read nor a blind write, or when the
 * states are more than `statesMax`, so that on other partitions (a compare-and-set, say) it costs
 * a few model steps.
 */
function observeOperations(operations: readonly Operation[], model: AnyModel): Observations | undefined {
  const n = operations.length;
  const states: unknown[] = [model.init()];
  const ids = new Map<unknown, number>([[states[0], 0]]);
  const seen: Observations = {
    states,
    target: new Int32Array(n).fill(-1),
    illegalSomewhere: new Uint8Array(n),
    keptCount: new Int32Array(n),
    keptState: new Int32Array(n).fill(-1),
  };
  for (let state = 0; state < states.length; state++) {
    for (let operation = 0; operation < n; operation++) {
      const next = model.step(states[state], operations[operation]!);
      let after = -1;
      if (next !== undefined) {
        const known = ids.get(next);
        if (known === undefined) {
          if (states.length === statesMax) return undefined;
          after = states.length;
          ids.set(next, after);
          states.push(next);
        } else {
          after = known;
        }
      }
      if (!recordObservation(seen, { operation, state, after })) return undefined;
    }
  }
  return seen;
}

/**
 * Records that `operation` took `state` to `after` (-1: illegal there); false when that
 * contradicts a read or a blind write.
 */
function recordObservation(
  seen: Observations,
  { operation, state, after }: { operation: number; state: number; after: number },
): boolean {
  const { target, illegalSomewhere, keptCount, keptState } = seen;
  if (after < 0) {
    // Illegal here, so not a write (a write is legal everywhere).
    if (target[operation]! >= 0) return false;
    illegalSomewhere[operation] = 1;
  } else if (after === state) {
    // Kept: a read, or a write of this very state.
    if (target[operation]! >= 0 && target[operation] !== state) return false;
    keptCount[operation]!++;
    keptState[operation] = state;
  } else {
    // Changed: a write, legal everywhere, always to `after`, keeping no state but `after`.
    if (illegalSomewhere[operation] === 1) return false;
    if (target[operation]! >= 0 && target[operation] !== after) return false;
    if (keptCount[operation]! > 1 || (keptCount[operation] === 1 && keptState[operation] !== after))
      return false;
    target[operation] = after;
  }
  return true;
}

/**
 * How each operation acts, over the states the partition can reach; `undefined` when they are
 * not reads and blind writes.
 */
function classify(
  operations: readonly Operation[],
  model: AnyModel,
): { kinds: Int8Array; values: Int32Array; states: unknown[] } | undefined {
  if (model.hash !== undefined) return undefined;
  const seen = observeOperations(operations, model);
  if (seen === undefined) return undefined;
  const n = operations.length;
  const kinds = new Int8Array(n);
  const values = new Int32Array(n).fill(-1);
  for (let operation = 0; operation < n; operation++) {
    if (seen.target[operation]! >= 0) {
      kinds[operation] = Kind.Write;
      values[operation] = seen.target[operation]!;
    } else if (seen.illegalSomewhere[operation] === 0) {
      // Legal everywhere and changes nothing.
      kinds[operation] = isCompleted(operations[operation]!) ? Kind.Free : Kind.Ignored;
    } else if (seen.keptCount[operation]! <= 1) {
      // A read; legal nowhere when it returned a value no operation can produce.
      kinds[operation] = Kind.Read;
      values[operation] = seen.keptState[operation]!;
    } else {
      return undefined;
    }
  }
  return { kinds, values, states: seen.states };
}

/** Whether `operation` returned (an indeterminate one never does). */
function isCompleted(operation: Operation): boolean {
  return Number.isFinite(operation.returnUs);
}

/** A hash of a configuration (of everything but its trail). */
function hashOf(configuration: Configuration): number {
  let h = mix32(configuration.state * 0x9e3779b1 + configuration.low);
  h = mix32(h + configuration.high);
  h = mix32(h + configuration.hideLow);
  h = mix32(h + configuration.hideHigh);
  return mix32(h + configuration.usedHash);
}

/** Whether two configurations are equal but for their trails. */
function sameConfiguration(left: Configuration, right: Configuration): boolean {
  return (
    left.state === right.state &&
    left.low === right.low &&
    left.high === right.high &&
    left.hideLow === right.hideLow &&
    left.hideHigh === right.hideHigh &&
    left.used === right.used
  );
}

/**
 * A set of configurations, equal ones (but for their trails) kept once, the first added, listed
 * in the order added. Keyed by a number rather than a text key: building a text per
 * configuration took most of the sweep's time on the many-clients register histories. And the
 * numbers are kept in an open-addressing table of typed arrays rather than a Map: with 32-bit
 * hashes as keys (mostly heap numbers, not small integers) the Map's lookups and garbage took a
 * fifth of the sweep's time on register-many-clients-1-stale.
 */
class ConfigurationSet {
  private readonly items: Configuration[] = [];
  /** Each item's hash, by its index in `items`. */
  private hashes = new Int32Array(8);
  /** Linear-probing table of item index + 1 (0: empty), at most half full. */
  private table = new Int32Array(16);

  get size(): number {
    return this.items.length;
  }

  /** Adds `configuration` unless an equal one is present; true when added. */
  add(configuration: Configuration): boolean {
    const hash = hashOf(configuration);
    const table = this.table;
    const mask = table.length - 1;
    let at = hash & mask;
    for (let entry = table[at]!; entry !== 0; entry = table[at]!) {
      if (this.hashes[entry - 1] === hash && sameConfiguration(this.items[entry - 1]!, configuration))
        return false;
      at = (at + 1) & mask;
    }
    const index = this.items.length;
    this.items.push(configuration);
    if (index === this.hashes.length) {
      const hashes = new Int32Array(index * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[index] = hash;
    table[at] = index + 1;
    if (2 * this.items.length > table.length) this.rehash(table.length * 2);
    return true;
  }

  /** The configurations, in the order added. */
  values(): IterableIterator<Configuration> {
    return this.items.values();
  }

  /** Moves every item to a table of `length` entries. */
  private rehash(length: number): void {
    const table = new Int32Array(length);
    const mask = length - 1;
    for (let index = 0; index < this.items.length; index++) {
      let at = this.hashes[index]! & mask;
      while (table[at] !== 0) at = (at + 1) & mask;
      table[at] = index + 1;
    }
    this.table = table;
  }
}

/** Number of set bits of a 32-bit word. */
function bitCount(word: number): number {
  let count = word - ((word >>> 1) & 0x55555555);
  count = (count & 0x33333333) + ((count >>> 2) & 0x33333333);
  return (Math.imul((count + (count >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Index of the lowest set bit of a 32-bit word (which must not be 0). */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The facts about one partition that the sweep reads and never changes. */
interface SweepPlan {
  readonly operations: readonly Operation[];
  readonly model: AnyModel;
  /** Per operation, its `Kind`, and its value: the state it reads or writes (-1 none). */
  readonly kinds: Int8Array;
  readonly values: Int32Array;
  /** The states the partition can reach, the initial one first. */
  readonly states: unknown[];
  /** Calls and returns in sweep order (see `sweepEventsOf`). */
  readonly events: readonly SweepEvent[];
  /** Per completed operation, its slot while it runs (see `slotsOf`); -1 for the others. */
  readonly slotOf: Int32Array;
  /** Per operation, the index in `events` of its call and of its return (-1 none). */
  readonly callEvent: Int32Array;
  readonly returnEvent: Int32Array;
  /** Per state, the indeterminate writes of that value, by call. */
  readonly crashedWrites: readonly (readonly number[])[];
}

/** The plan for one partition, or `undefined` when the sweep does not apply to it. */
function planSweep(operations: readonly Operation[], model: AnyModel): SweepPlan | undefined {
  const n = operations.length;
  if (n === 0) return undefined;
  const classified = classify(operations, model);
  if (classified === undefined) return undefined;
  const { kinds, values, states } = classified;
  const events = sweepEventsOf(operations, kinds);
  const slotOf = slotsOf(operations, events);
  if (slotOf === undefined) return undefined;
  const callEvent = new Int32Array(n).fill(-1);
  const returnEvent = new Int32Array(n).fill(-1);
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.isReturn) returnEvent[event.operation] = index;
    else callEvent[event.operation] = index;
  }
  const crashedWrites: number[][] = Array.from({ length: states.length }, () => []);
  for (const event of events)
    if (!isCompleted(operations[event.operation]!))
      crashedWrites[values[event.operation]!]!.push(event.operation);
  return { operations, model, kinds, values, states, events, slotOf, callEvent, returnEvent, crashedWrites };
}

/**
 * The calls of every operation that matters and the returns of completed ones, by time, calls
 * before returns at equal times (intervals are closed).
 */
function sweepEventsOf(operations: readonly Operation[], kinds: Int8Array): SweepEvent[] {
  const events: SweepEvent[] = [];
  for (let operation = 0; operation < operations.length; operation++) {
    if (kinds[operation] === Kind.Ignored) continue;
    const completed = isCompleted(operations[operation]!);
    if (!completed && kinds[operation] === Kind.Read) continue;
    events.push({ operation, isReturn: false });
    if (completed) events.push({ operation, isReturn: true });
  }
  const timeOf = (event: SweepEvent): number =>
    event.isReturn ? operations[event.operation]!.returnUs : operations[event.operation]!.callUs;
  events.sort(
    (left, right) =>
      timeOf(left) - timeOf(right) ||
      Number(left.isReturn) - Number(right.isReturn) ||
      left.operation - right.operation,
  );
  return events;
}

/**
 * A slot per completed operation, taken at its call and freed at its return, so that the running
 * ones fit two 32-bit masks; `undefined` when more than `slotsMax` run at once.
 */
function slotsOf(operations: readonly Operation[], events: readonly SweepEvent[]): Int32Array | undefined {
  const slotOf = new Int32Array(operations.length).fill(-1);
  let taken = 0;
  let takenHigh = 0;
  for (const event of events) {
    const operation = event.operation;
    if (!isCompleted(operations[operation]!)) continue;
    if (event.isReturn) {
      const slot = slotOf[operation]!;
      if (slot < 32) taken &= ~(1 << slot);
      else takenHigh &= ~(1 << (slot - 32));
      continue;
    }
    const slot = ~taken !== 0 ? lowestBit(~taken) : ~takenHigh !== 0 ? 32 + lowestBit(~takenHigh) : -1;
    if (slot < 0 || slot >= slotsMax) return undefined;
    slotOf[operation] = slot;
    if (slot < 32) taken |= 1 << slot;
    else takenHigh |= 1 << (slot - 32);
  }
  return slotOf;
}

/** The bit of `slot` in the low mask (slots 0-31), else 0. */
function lowBitOf(slot: number): number {
  return slot < 32 ? 1 << slot : 0;
}

/** The bit of `slot` in the high mask (slots 32-63), else 0. */
function highBitOf(slot: number): number {
  return slot < 32 ? 0 : 1 << (slot - 32);
}

/** The model's transitions over the listed states, for explanations. */
function stateTableOf(plan: SweepPlan): StateTable {
  const { model, operations, states } = plan;
  return {
    values: states,
    initial: 0,
    bytes: () => 64 * states.length,
    transition: (operation, state) => {
      const after = model.step(states[state], operations[operation]!);
      return after === undefined ? -1 : states.indexOf(after);
    },
  };
}

/**
 * What runs at the current instant of the sweep, as slot masks, so that what a configuration
 * may place next is a few bit operations.
 */
class RunningOperations {
  /** Per state, the running completed reads and writes of that value, by slot. */
  readonly readsLow: Int32Array;
  readonly readsHigh: Int32Array;
  readonly writesLow: Int32Array;
  readonly writesHigh: Int32Array;
  /** Every running completed write, by slot. */
  allWritesLow = 0;
  allWritesHigh = 0;
  /** The operation in each slot, -1 for a free one. */
  readonly operationInSlot = new Int32Array(slotsMax).fill(-1);
  /** Per state, how many of its indeterminate writes have been called so far. */
  readonly crashedCalled: Int32Array;

  constructor(private readonly plan: SweepPlan) {
    const stateCount = plan.states.length;
    this.readsLow = new Int32Array(stateCount);
    this.readsHigh = new Int32Array(stateCount);
    this.writesLow = new Int32Array(stateCount);
    this.writesHigh = new Int32Array(stateCount);
    this.crashedCalled = new Int32Array(stateCount);
  }

  /** Records the call of completed `operation`. */
  start(operation: number): void {
    const { kinds, values, slotOf } = this.plan;
    const state = values[operation]!;
    const bitLow = lowBitOf(slotOf[operation]!);
    const bitHigh = highBitOf(slotOf[operation]!);
    this.operationInSlot[slotOf[operation]!] = operation;
    if (kinds[operation] === Kind.Read && state >= 0) {
      this.readsLow[state]! |= bitLow;
      this.readsHigh[state]! |= bitHigh;
    } else if (kinds[operation] === Kind.Write) {
      this.writesLow[state]! |= bitLow;
      this.writesHigh[state]! |= bitHigh;
      this.allWritesLow |= bitLow;
      this.allWritesHigh |= bitHigh;
    }
  }

  /** Records the return of completed `operation`, which frees its slot. */
  finish(operation: number): void {
    const { kinds, values, slotOf } = this.plan;
    const state = values[operation]!;
    const bitLow = lowBitOf(slotOf[operation]!);
    const bitHigh = highBitOf(slotOf[operation]!);
    if (kinds[operation] === Kind.Read && state >= 0) {
      this.readsLow[state]! &= ~bitLow;
      this.readsHigh[state]! &= ~bitHigh;
    } else if (kinds[operation] === Kind.Write) {
      this.writesLow[state]! &= ~bitLow;
      this.writesHigh[state]! &= ~bitHigh;
      this.allWritesLow &= ~bitLow;
      this.allWritesHigh &= ~bitHigh;
    }
    this.operationInSlot[slotOf[operation]!] = -1;
  }

  /** Whether a running read of `state` is not linearized in the slot masks `low`/`high`. */
  hasReadLeft(state: number, low: number, high: number): boolean {
    return (this.readsLow[state]! & ~low) !== 0 || (this.readsHigh[state]! & ~high) !== 0;
  }

  /** The running completed write of `state` not in `low`/`high` that returns first, or -1. */
  firstWriteOf(state: number, low: number, high: number): number {
    const operations = this.plan.operations;
    let best = -1;
    let bestReturn = Infinity;
    for (let half = 0; half < 2; half++) {
      let candidates = half === 0 ? this.writesLow[state]! & ~low : this.writesHigh[state]! & ~high;
      while (candidates !== 0) {
        const operation = this.operationInSlot[32 * half + lowestBit(candidates)]!;
        candidates &= candidates - 1;
        const returnUs = operations[operation]!.returnUs;
        if (returnUs < bestReturn || (returnUs === bestReturn && operation < best)) {
          best = operation;
          bestReturn = returnUs;
        }
      }
    }
    return best;
  }
}

/** Whether every bit of `inner` is set in `outer`. */
function covers(outer: number, inner: number): boolean {
  return (outer & inner) === inner;
}

/**
 * Dominance between configurations of one state, at one instant (see `pruneDominated`): reads
 * and writes are told apart by the running writes' masks.
 */
class Dominance {
  private readonly writesLow: number;
  private readonly writesHigh: number;

  constructor(
    running: RunningOperations,
    private readonly stateCount: number,
  ) {
    this.writesLow = running.allWritesLow;
    this.writesHigh = running.allWritesHigh;
  }

  /**
   * A score no lower than that of any configuration it dominates, and equal only when equal:
   * reads placed and writes hidable count up, indeterminate writes used count down.
   */
  score(configuration: Configuration): number {
    let score =
      bitCount(configuration.low & ~this.writesLow) +
      bitCount(configuration.high & ~this.writesHigh) +
      bitCount(configuration.hideLow) +
      bitCount(configuration.hideHigh);
    for (let state = 0; state < this.stateCount; state++) score -= configuration.used.charCodeAt(state);
    return score;
  }

  /** The key of the running writes a configuration placed (see `pruneDominated`). */
  placedWritesKey(configuration: Configuration): number {
    return mix32(mix32(configuration.low & this.writesLow) + (configuration.high & this.writesHigh));
  }

  /** Adds to `kept` the configurations of `group` (one state) that no other of it dominates. */
  keepUndominated(group: readonly Configuration[], kept: ConfigurationSet): void {
    if (group.length === 1) {
      kept.add(group[0]!);
      return;
    }
    // By descending score, each one needs comparing only with those kept before it: whatever
    // dominated a dropped one is kept, or dominated by one kept.
    const scores = new Float64Array(group.length);
    for (let index = 0; index < group.length; index++) scores[index] = this.score(group[index]!);
    const order = new Int32Array(group.length);
    for (let index = 0; index < group.length; index++) order[index] = index;
    order.sort((left, right) => scores[right]! - scores[left]! || left - right);
    const front = new DominanceFront({
      writesLow: this.writesLow,
      writesHigh: this.writesHigh,
      stateCount: this.stateCount,
    });
    for (const index of order) {
      const configuration = group[index]!;
      if (front.dominatesAny(configuration)) continue;
      front.push(configuration);
      kept.add(configuration);
    }
  }
}

/**
 * The undominated configurations of one group found so far, as typed-array columns, so that
 * whether any of them dominates another is one tight loop: as objects compared through a
 * closure, the comparisons took a quarter of the sweep's time on register-many-clients-1-stale.
 */
class DominanceFront {
  private count = 0;
  private low = new Int32Array(16);
  private high = new Int32Array(16);
  private hideLow = new Int32Array(16);
  private hideHigh = new Int32Array(16);
  /** Indeterminate writes used, `stateCount` numbers per configuration. */
  private used: Uint16Array;
  /** The candidate's indeterminate writes used, read once per `dominatesAny`. */
  private readonly candidateUsed: Uint16Array;
  private readonly writesLow: number;
  private readonly writesHigh: number;
  private readonly stateCount: number;

  constructor(running: { writesLow: number; writesHigh: number; stateCount: number }) {
    this.writesLow = running.writesLow;
    this.writesHigh = running.writesHigh;
    this.stateCount = running.stateCount;
    this.used = new Uint16Array(16 * running.stateCount);
    this.candidateUsed = new Uint16Array(running.stateCount);
  }

  /** Adds `configuration` to the front. */
  push(configuration: Configuration): void {
    if (this.count === this.low.length) this.grow();
    const at = this.count++;
    this.low[at] = configuration.low;
    this.high[at] = configuration.high;
    this.hideLow[at] = configuration.hideLow;
    this.hideHigh[at] = configuration.hideHigh;
    for (let state = 0; state < this.stateCount; state++)
      this.used[at * this.stateCount + state] = configuration.used.charCodeAt(state);
  }

  /**
   * Whether one configuration of the front can do whatever `right` can: it placed every read
   * `right` placed; it can still hide every write `right` can hide, and hides or placed every
   * write `right` placed, and placed none `right` had not; and it used no more indeterminate
   * writes of any value.
   */
  dominatesAny(right: Configuration): boolean {
    const { writesLow, writesHigh, stateCount, used, candidateUsed } = this;
    const readsLow = right.low & ~writesLow;
    const readsHigh = right.high & ~writesHigh;
    const placedLow = right.low & writesLow;
    const placedHigh = right.high & writesHigh;
    for (let state = 0; state < stateCount; state++) candidateUsed[state] = right.used.charCodeAt(state);
    for (let at = 0; at < this.count; at++) {
      const low = this.low[at]!;
      const high = this.high[at]!;
      if (!covers(low | writesLow, readsLow) || !covers(high | writesHigh, readsHigh)) continue;
      const hideLow = this.hideLow[at]!;
      const hideHigh = this.hideHigh[at]!;
      if (!covers(hideLow, right.hideLow) || !covers(hideHigh, right.hideHigh)) continue;
      if (!covers(low | hideLow, placedLow) || !covers(high | hideHigh, placedHigh)) continue;
      if (!covers(right.low, low & writesLow) || !covers(right.high, high & writesHigh)) continue;
      let fewerUsed = true;
      for (let state = 0; state < stateCount && fewerUsed; state++)
        fewerUsed = used[at * stateCount + state]! <= candidateUsed[state]!;
      if (fewerUsed) return true;
    }
    return false;
  }

  /** Doubles the columns' room. */
  private grow(): void {
    const doubled = (column: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const larger = new Int32Array(column.length * 2);
      larger.set(column);
      return larger;
    };
    this.low = doubled(this.low);
    this.high = doubled(this.high);
    this.hideLow = doubled(this.hideLow);
    this.hideHigh = doubled(this.hideHigh);
    const used = new Uint16Array(this.used.length * 2);
    used.set(this.used);
    this.used = used;
  }
}

/** Lists `items` in groups of equal `keyOf`, groups in order of their first item. */
function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => number): IterableIterator<T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups.values();
}

/**
 * Drops configurations dominated by another in the same state: one that linearized every read
 * the other did, used no more indeterminate writes of any value, and stands to each running
 * write as the other does or can hide it. A write it can hide is as good as placed (it may be
 * placed, unseen, whenever wanted) and as good as not placed (it keeps the choice), so hiding
 * dominates both; placed and not placed are not comparable. Configurations are compared in
 * groups of one state, or of one state and set of placed writes when a state has more than
 * `pairwiseGroupMax`.
 */
function pruneDominated(configurations: ConfigurationSet, dominance: Dominance): ConfigurationSet {
  const kept = new ConfigurationSet();
  for (const group of groupBy(configurations.values(), (configuration) => configuration.state)) {
    if (group.length <= pairwiseGroupMax) {
      dominance.keepUndominated(group, kept);
      continue;
    }
    for (const subgroup of groupBy(group, (configuration) => dominance.placedWritesKey(configuration)))
      dominance.keepUndominated(subgroup, kept);
  }
  return kept;
}

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
    const { kinds, values, slotOf } = this.plan;
    const state = values[operation]!;
    const bitLow = lowBitOf(slotOf[operation]!);
    const bitHigh = highBitOf(slotOf[operation]!);
    this.running.start(operation);
    const eventIndex = this.eventIndex;
    if (kinds[operation] === Kind.Read && state >= 0) {
      // A read of the current state is linearized at once.
      this.mapFrontier((configuration) =>
        configuration.state !== state
          ? configuration
          : {
              ...configuration,
              low: configuration.low | bitLow,
              high: configuration.high | bitHigh,
              trail: { operation, state, event: eventIndex, hidden: false, previous: configuration.trail },
            },
      );
    } else if (kinds[operation] === Kind.Free) {
      // Placed at its call, in every configuration.
      this.mapFrontier((configuration) => ({
        ...configuration,
        low: configuration.low | bitLow,
        high: configuration.high | bitHigh,
        trail: {
          operation,
          state: configuration.state,
          event: eventIndex,
          hidden: false,
          previous: configuration.trail,
        },
      }));
    } else if (kinds[operation] === Kind.Write) {
      // A write of the current state can go here unseen.
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

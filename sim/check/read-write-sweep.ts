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

/**
 * How each operation acts, over the states the partition can reach; `undefined` when they are
 * not reads and blind writes. It gives up at the first operation that is neither, so that on
 * other partitions (a compare-and-set, say) it costs a few model steps.
 */
function classify(
  operations: readonly Operation[],
  model: AnyModel,
): { kinds: Int8Array; values: Int32Array; states: unknown[] } | undefined {
  if (model.hash !== undefined) return undefined;
  const n = operations.length;
  const states: unknown[] = [model.init()];
  const ids = new Map<unknown, number>([[states[0], 0]]);
  /**
   * Per operation: the state it moved some state to (-1 none yet), whether it was ever illegal,
   * and how many states it kept (and the last of them).
   */
  const target = new Int32Array(n).fill(-1);
  const illegalSomewhere = new Uint8Array(n);
  const keptCount = new Int32Array(n);
  const keptState = new Int32Array(n).fill(-1);
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
      if (after < 0) {
        // Illegal here, so not a write (a write is legal everywhere).
        if (target[operation]! >= 0) return undefined;
        illegalSomewhere[operation] = 1;
      } else if (after === state) {
        // Kept: a read, or a write of this very state.
        if (target[operation]! >= 0 && target[operation] !== state) return undefined;
        keptCount[operation]!++;
        keptState[operation] = state;
      } else {
        // Changed: a write, legal everywhere, always to `after`, keeping no state but `after`.
        if (illegalSomewhere[operation] === 1) return undefined;
        if (target[operation]! >= 0 && target[operation] !== after) return undefined;
        if (keptCount[operation]! > 1 || (keptCount[operation] === 1 && keptState[operation] !== after))
          return undefined;
        target[operation] = after;
      }
    }
  }
  const kinds = new Int8Array(n);
  const values = new Int32Array(n).fill(-1);
  for (let operation = 0; operation < n; operation++) {
    if (target[operation]! >= 0) {
      kinds[operation] = Kind.Write;
      values[operation] = target[operation]!;
    } else if (illegalSomewhere[operation] === 0) {
      // Legal everywhere and changes nothing.
      kinds[operation] = Number.isFinite(operations[operation]!.returnUs) ? Kind.Free : Kind.Ignored;
    } else if (keptCount[operation]! <= 1) {
      // A read; legal nowhere when it returned a value no operation can produce.
      kinds[operation] = Kind.Read;
      values[operation] = keptState[operation]!;
    } else {
      return undefined;
    }
  }
  return { kinds, values, states };
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
 * A set of configurations, equal ones (but for their trails) kept once, the first added. Keyed by
 * a number rather than a text key: building a text per configuration took most of the sweep's
 * time on the many-clients register histories.
 */
class ConfigurationSet {
  private readonly buckets = new Map<number, Configuration | Configuration[]>();
  size = 0;

  /** Adds `configuration` unless an equal one is present; true when added. */
  add(configuration: Configuration): boolean {
    const hash = hashOf(configuration);
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) {
      this.buckets.set(hash, configuration);
    } else if (Array.isArray(bucket)) {
      for (const other of bucket) if (sameConfiguration(other, configuration)) return false;
      bucket.push(configuration);
    } else {
      if (sameConfiguration(bucket, configuration)) return false;
      this.buckets.set(hash, [bucket, configuration]);
    }
    this.size++;
    return true;
  }

  *values(): IterableIterator<Configuration> {
    for (const bucket of this.buckets.values()) {
      if (Array.isArray(bucket)) yield* bucket;
      else yield bucket;
    }
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

/**
 * Prepares the sweep for one partition, or returns `undefined` when the partition is not made of
 * reads and blind writes (see the module comment). Same contract as `startSearch`.
 */
export function startReadWriteSweep(
  operations: readonly Operation[],
  model: AnyModel,
): PartitionSearch | undefined {
  const n = operations.length;
  if (n === 0) return undefined;
  const classified = classify(operations, model);
  if (classified === undefined) return undefined;
  const { kinds, values, states } = classified;
  const stateCount = states.length;
  const isCompleted = (operation: number): boolean => Number.isFinite(operations[operation]!.returnUs);

  // Events: calls of every operation that matters, returns of completed ones; by time, calls
  // before returns at equal times (intervals are closed).
  const events: SweepEvent[] = [];
  for (let operation = 0; operation < n; operation++) {
    if (kinds[operation] === Kind.Ignored) continue;
    const completed = isCompleted(operation);
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

  // Slots for running completed operations, assigned at the call and freed at the return.
  const slotOf = new Int32Array(n).fill(-1);
  {
    let free = 0;
    let freeHigh = 0;
    for (const event of events) {
      const operation = event.operation;
      if (!isCompleted(operation)) continue;
      if (event.isReturn) {
        const slot = slotOf[operation]!;
        if (slot < 32) free &= ~(1 << slot);
        else freeHigh &= ~(1 << (slot - 32));
        continue;
      }
      const slot = ~free !== 0 ? lowestBit(~free) : ~freeHigh !== 0 ? 32 + lowestBit(~freeHigh) : -1;
      if (slot < 0 || slot >= slotsMax) return undefined;
      slotOf[operation] = slot;
      if (slot < 32) free |= 1 << slot;
      else freeHigh |= 1 << (slot - 32);
    }
  }

  // What runs now: per state, the running completed reads and writes of that value, by slot.
  const readsLow = new Int32Array(stateCount);
  const readsHigh = new Int32Array(stateCount);
  const writesLow = new Int32Array(stateCount);
  const writesHigh = new Int32Array(stateCount);
  let runningWritesLow = 0;
  let runningWritesHigh = 0;
  const operationInSlot = new Int32Array(slotsMax).fill(-1);
  /** Sweep event of each operation's call and return. */
  const callEvent = new Int32Array(n).fill(-1);
  const returnEvent = new Int32Array(n).fill(-1);
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.isReturn) returnEvent[event.operation] = index;
    else callEvent[event.operation] = index;
  }
  /** Indeterminate writes per state, by call; how many of them have been called so far. */
  const crashedWrites: number[][] = Array.from({ length: stateCount }, () => []);
  for (const event of events)
    if (!isCompleted(event.operation)) crashedWrites[values[event.operation]!]!.push(event.operation);
  const crashedCalled = new Int32Array(stateCount);
  const noneUsed = String.fromCharCode(...new Array<number>(stateCount).fill(0));

  let frontier = new ConfigurationSet();
  const initial: Configuration = {
    state: 0,
    low: 0,
    high: 0,
    hideLow: 0,
    hideHigh: 0,
    used: noneUsed,
    usedHash: 0,
    trail: undefined,
  };
  frontier.add(initial);

  let eventIndex = 0;
  let visitedSize = 0;
  /** Configurations found so far at the return being forced. */
  let resultSize = 0;
  let depthMax = 0;
  let placedCompleted = 0;
  let finished: SearchOutcome | undefined;
  let budgetOfRun: Budget | undefined;
  let steps = 0;
  let countdown = checkEverySteps;

  const table: StateTable = {
    values: states,
    initial: 0,
    bytes: () => 64 * stateCount,
    transition: (operation, state) => {
      const after = model.step(states[state], operations[operation]!);
      return after === undefined ? -1 : states.indexOf(after);
    },
  };
  const heldBytes = (): number =>
    (frontier.size + visitedSize + resultSize) * configurationBytes + table.bytes();

  /** Whether one more configuration fits the memory budget; records `memory` when not. */
  const fits = (): boolean => {
    const budget = budgetOfRun!;
    if (heldBytes() + configurationBytes + budget.memoryBytesOthers <= budget.memoryBytesMax) return true;
    budget.exhausted = "memory";
    return false;
  };

  /**
   * Counts a step, which may add one configuration; false when a budget ran out (recorded in
   * `budget.exhausted`). Memory is checked at every step (it is a sum), the rest every 1,024.
   */
  const step = (): boolean => {
    const budget = budgetOfRun!;
    if (!fits()) return false;
    steps++;
    if (--countdown > 0) return true;
    countdown = checkEverySteps;
    budget.steps += checkEverySteps;
    if (budget.steps > budget.maxSteps) budget.exhausted = "steps";
    else if (budget.now !== undefined && budget.now() > budget.deadline) budget.exhausted = "timeout";
    return budget.exhausted === undefined;
  };

  /**
   * The configuration after placing a write of `state` (`low`/`high` and `used` already count
   * it), with the reads it makes legal; every running write not placed can now hide before it.
   */
  const afterWrite = (
    from: Configuration,
    write: number,
    state: number,
    placed: { low: number; high: number; used: string; usedHash: number },
  ): Configuration => {
    let trail: Trail | undefined = {
      operation: write,
      state,
      event: eventIndex,
      hidden: false,
      previous: from.trail,
    };
    let newLow = readsLow[state]! & ~placed.low;
    let newHigh = readsHigh[state]! & ~placed.high;
    const low = placed.low | newLow;
    const high = placed.high | newHigh;
    while (newLow !== 0) {
      const slot = lowestBit(newLow);
      newLow &= newLow - 1;
      trail = { operation: operationInSlot[slot]!, state, event: eventIndex, hidden: false, previous: trail };
    }
    while (newHigh !== 0) {
      const slot = lowestBit(newHigh);
      newHigh &= newHigh - 1;
      trail = {
        operation: operationInSlot[32 + slot]!,
        state,
        event: eventIndex,
        hidden: false,
        previous: trail,
      };
    }
    return {
      state,
      low,
      high,
      hideLow: runningWritesLow & ~low,
      hideHigh: runningWritesHigh & ~high,
      used: placed.used,
      usedHash: placed.usedHash,
      trail,
    };
  };

  /** The running unlinearized completed write of `state` that returns first, or -1. */
  const firstWriteOf = (state: number, low: number, high: number): number => {
    let best = -1;
    let bestReturn = Infinity;
    for (let half = 0; half < 2; half++) {
      let candidates = half === 0 ? writesLow[state]! & ~low : writesHigh[state]! & ~high;
      while (candidates !== 0) {
        const operation = operationInSlot[32 * half + lowestBit(candidates)]!;
        candidates &= candidates - 1;
        const returnUs = operations[operation]!.returnUs;
        if (returnUs < bestReturn || (returnUs === bestReturn && operation < best)) {
          best = operation;
          bestReturn = returnUs;
        }
      }
    }
    return best;
  };

  /**
   * Every configuration reachable from the frontier by placing writes until `returning` is
   * placed, with `returning`'s slot cleared; `undefined` when a budget ran out. Besides
   * `returning`, a write is placed only where it makes a running read legal: one that makes
   * none can be placed, unseen, just before the next write placed before its return (it is then
   * hideable), or it stays the state until its return and is placed then.
   */
  const forceReturn = (returning: number): ConfigurationSet | undefined => {
    const slot = slotOf[returning]!;
    const bitLow = slot < 32 ? 1 << slot : 0;
    const bitHigh = slot < 32 ? 0 : 1 << (slot - 32);
    const returningWrites = kinds[returning] === Kind.Write;
    const isPlaced = (configuration: Configuration): boolean =>
      (configuration.low & bitLow) !== 0 || (configuration.high & bitHigh) !== 0;
    const result = new ConfigurationSet();
    let memoryOut = false;
    /** Keeps a configuration that placed `returning`, its trail ending with `trail`. */
    const keep = (configuration: Configuration, trail: Trail | undefined): void => {
      if (!fits()) {
        memoryOut = true;
        return;
      }
      // Written out field by field, in the order of `initial`: a spread here took a quarter of
      // the sweep's time on the many-clients register histories.
      result.add({
        state: configuration.state,
        low: configuration.low & ~bitLow,
        high: configuration.high & ~bitHigh,
        hideLow: configuration.hideLow & ~bitLow,
        hideHigh: configuration.hideHigh & ~bitHigh,
        used: configuration.used,
        usedHash: configuration.usedHash,
        trail,
      });
      resultSize = result.size;
    };
    const visited = new ConfigurationSet();
    const stack: Configuration[] = [];
    for (const configuration of frontier.values()) {
      if (isPlaced(configuration)) keep(configuration, configuration.trail);
      else stack.push(configuration);
    }
    while (stack.length > 0 && !memoryOut) {
      const from = stack.pop()!;
      if (returningWrites) {
        // Placed unseen where it could hide, or placed now.
        if ((from.hideLow & bitLow) !== 0 || (from.hideHigh & bitHigh) !== 0)
          keep(from, {
            operation: returning,
            state: from.state,
            event: eventIndex,
            hidden: true,
            previous: from.trail,
          });
        const state = values[returning]!;
        const placedNow = afterWrite(from, returning, state, {
          low: from.low | bitLow,
          high: from.high | bitHigh,
          used: from.used,
          usedHash: from.usedHash,
        });
        keep(placedNow, placedNow.trail);
      }
      for (let state = 0; state < stateCount; state++) {
        // Only a write that makes a running read legal (see above).
        if ((readsLow[state]! & ~from.low) === 0 && (readsHigh[state]! & ~from.high) === 0) continue;
        // A running completed write of this value (the one returning first), then an unused
        // indeterminate one: each is a way to move to `state`.
        for (let way = 0; way < 2; way++) {
          let write: number;
          let low = from.low;
          let high = from.high;
          let used = from.used;
          let usedHash = from.usedHash;
          if (way === 0) {
            write = firstWriteOf(state, low, high);
            if (write < 0 || write === returning) continue;
            const writeSlot = slotOf[write]!;
            if (writeSlot < 32) low |= 1 << writeSlot;
            else high |= 1 << (writeSlot - 32);
          } else {
            const count = used.charCodeAt(state);
            if (state === from.state || count >= crashedCalled[state]!) continue;
            write = crashedWrites[state]![count]!;
            used = `${used.slice(0, state)}${String.fromCharCode(count + 1)}${used.slice(state + 1)}`;
            usedHash = (usedHash + mix32(state + 1)) | 0;
          }
          if (!step()) return undefined;
          const next = afterWrite(from, write, state, { low, high, used, usedHash });
          if (isPlaced(next)) {
            keep(next, next.trail);
            continue;
          }
          if (!visited.add(next)) continue;
          visitedSize = visited.size;
          stack.push(next);
        }
      }
    }
    if (memoryOut) return undefined;
    visitedSize = 0;
    resultSize = 0;
    return result;
  };

  /**
   * Drops configurations dominated by another in the same state: one that linearized every read
   * the other did, used no more indeterminate writes of any value, and stands to each running
   * write as the other does or can hide it. A write it can hide is as good as placed (it may be
   * placed, unseen, whenever wanted) and as good as not placed (it keeps the choice), so hiding
   * dominates both; placed and not placed are not comparable. Configurations are compared in
   * groups of one state, or of one state and set of placed writes when a state has too many.
   */
  const pruneDominated = (configurations: ConfigurationSet): ConfigurationSet => {
    const groups = new Map<number, Configuration[]>();
    for (const configuration of configurations.values()) {
      const group = groups.get(configuration.state);
      if (group === undefined) groups.set(configuration.state, [configuration]);
      else group.push(configuration);
    }
    const kept = new ConfigurationSet();
    for (const group of groups.values()) {
      if (group.length <= pairwiseGroupMax) {
        keepUndominated(group, kept);
        continue;
      }
      const byWrites = new Map<number, Configuration[]>();
      for (const configuration of group) {
        const key = mix32(
          mix32(configuration.low & runningWritesLow) + (configuration.high & runningWritesHigh),
        );
        const subgroup = byWrites.get(key);
        if (subgroup === undefined) byWrites.set(key, [configuration]);
        else subgroup.push(configuration);
      }
      for (const subgroup of byWrites.values()) keepUndominated(subgroup, kept);
    }
    return kept;
  };

  /** Adds to `kept` the configurations of `group` (one state) that no other of it dominates. */
  const keepUndominated = (group: readonly Configuration[], kept: ConfigurationSet): void => {
    if (group.length === 1) {
      kept.add(group[0]!);
      return;
    }
    const writesLow = runningWritesLow;
    const writesHigh = runningWritesHigh;
    const covers = (outer: number, inner: number): boolean => (outer & inner) === inner;
    const dominates = (left: Configuration, right: Configuration): boolean => {
      // Reads: every read the right one placed, the left one placed.
      if (!covers(left.low | writesLow, right.low & ~writesLow)) return false;
      if (!covers(left.high | writesHigh, right.high & ~writesHigh)) return false;
      // Writes: hidable stays hidable, placed stays placed or becomes hidable, and the left one
      // placed none the right one had not.
      if (!covers(left.hideLow, right.hideLow) || !covers(left.hideHigh, right.hideHigh)) return false;
      if (!covers(left.low | left.hideLow, right.low & writesLow)) return false;
      if (!covers(left.high | left.hideHigh, right.high & writesHigh)) return false;
      if (!covers(right.low, left.low & writesLow) || !covers(right.high, left.high & writesHigh))
        return false;
      for (let state = 0; state < stateCount; state++)
        if (left.used.charCodeAt(state) > right.used.charCodeAt(state)) return false;
      return true;
    };
    // A configuration dominates only others of a score no higher (more reads placed, more writes
    // hidable, fewer indeterminate writes used), and equal scores only when equal. So, by
    // descending score, each one needs comparing only with those kept before it: whatever
    // dominated a dropped one is kept, or dominated by one kept.
    const scored = group.map((configuration) => {
      let score =
        bitCount(configuration.low & ~writesLow) +
        bitCount(configuration.high & ~writesHigh) +
        bitCount(configuration.hideLow) +
        bitCount(configuration.hideHigh);
      for (let state = 0; state < stateCount; state++) score -= configuration.used.charCodeAt(state);
      return { configuration, score };
    });
    scored.sort((left, right) => right.score - left.score);
    const undominated: Configuration[] = [];
    for (const { configuration } of scored) {
      if (undominated.some((other) => dominates(other, configuration))) continue;
      undominated.push(configuration);
      kept.add(configuration);
    }
  };

  /**
   * A trail as operations in linearization order, with the state after each. A hidden write
   * goes just before the first write placed between its call and its return, where it is
   * overwritten at once; when there is none, the state was its value at its call, and it goes
   * there.
   */
  const unwind = (trail: Trail | undefined): { prefix: number[]; states: number[] } => {
    const nodes: Trail[] = [];
    for (let at = trail; at !== undefined; at = at.previous) nodes.push(at);
    nodes.reverse();
    const shown = nodes.filter((node) => !node.hidden);
    const before = new Map<number, number[]>();
    const put = (position: number, operation: number): void => {
      const list = before.get(position);
      if (list === undefined) before.set(position, [operation]);
      else list.push(operation);
    };
    for (const node of nodes) {
      if (!node.hidden) continue;
      const call = callEvent[node.operation]!;
      const returned = returnEvent[node.operation]!;
      let position = shown.findIndex(
        (other) => other.event >= call && other.event <= returned && kinds[other.operation] === Kind.Write,
      );
      if (position < 0) {
        position = shown.findIndex((other) => other.event > call);
        if (position < 0) position = shown.length;
      }
      put(position, node.operation);
    }
    const prefix: number[] = [];
    const after: number[] = [];
    for (let position = 0; position <= shown.length; position++) {
      for (const operation of before.get(position) ?? []) {
        prefix.push(operation);
        after.push(values[operation]!);
      }
      if (position < shown.length) {
        prefix.push(shown[position]!.operation);
        after.push(shown[position]!.state);
      }
    }
    return { prefix, states: after };
  };

  /** Applies `change` to every configuration of the frontier. */
  const mapFrontier = (change: (configuration: Configuration) => Configuration): void => {
    const updated = new ConfigurationSet();
    for (const configuration of frontier.values()) updated.add(change(configuration));
    frontier = updated;
  };

  /** The verdict when no configuration can place `failing` before its return. */
  const failure = (failing: number, before: ConfigurationSet): SearchOutcome => {
    const sample = before.values().next().value as Configuration;
    const { prefix, states: after } = unwind(sample.trail);
    const pending: number[] = [];
    for (let slot = 0; slot < slotsMax; slot++) {
      const running = operationInSlot[slot]!;
      if (running < 0) continue;
      const placed = slot < 32 ? (sample.low & (1 << slot)) !== 0 : (sample.high & (1 << (slot - 32))) !== 0;
      if (!placed) pending.push(running);
    }
    for (let written = 0; written < stateCount; written++)
      for (let rank = sample.used.charCodeAt(written); rank < crashedCalled[written]!; rank++)
        pending.push(crashedWrites[written]![rank]!);
    // A read of a value no operation can produce is possible in none of the reachable states.
    const impossible = kinds[failing] === Kind.Read && values[failing]! < 0;
    return {
      kind: "not-linearizable",
      deepest: {
        prefix,
        states: after,
        failing,
        pending,
        ...(impossible ? { reachableStates: stateCount } : {}),
      },
      states: table,
    };
  };

  const run = (budget: Budget, stepsMax: number): SearchOutcome | undefined => {
    if (finished !== undefined) return finished;
    budgetOfRun = budget;
    const stepsAtStart = steps;
    while (eventIndex < events.length) {
      if (steps - stepsAtStart >= stepsMax) return undefined;
      const event = events[eventIndex]!;
      const operation = event.operation;
      const state = values[operation]!;
      if (!isCompleted(operation)) {
        crashedCalled[state]!++;
        eventIndex++;
        continue;
      }
      const slot = slotOf[operation]!;
      const bitLow = slot < 32 ? 1 << slot : 0;
      const bitHigh = slot < 32 ? 0 : 1 << (slot - 32);
      const isRead = kinds[operation] === Kind.Read;
      if (!event.isReturn) {
        operationInSlot[slot] = operation;
        if (isRead && state >= 0) {
          readsLow[state]! |= bitLow;
          readsHigh[state]! |= bitHigh;
          // A read of the current state is linearized at once.
          mapFrontier((configuration) =>
            configuration.state !== state
              ? configuration
              : {
                  ...configuration,
                  low: configuration.low | bitLow,
                  high: configuration.high | bitHigh,
                  trail: {
                    operation,
                    state,
                    event: eventIndex,
                    hidden: false,
                    previous: configuration.trail,
                  },
                },
          );
        } else if (kinds[operation] === Kind.Free) {
          mapFrontier((configuration) => ({
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
        } else if (!isRead) {
          writesLow[state]! |= bitLow;
          writesHigh[state]! |= bitHigh;
          runningWritesLow |= bitLow;
          runningWritesHigh |= bitHigh;
          // A write of the current state can go here unseen.
          mapFrontier((configuration) =>
            configuration.state !== state
              ? configuration
              : {
                  ...configuration,
                  hideLow: configuration.hideLow | bitLow,
                  hideHigh: configuration.hideHigh | bitHigh,
                },
          );
        }
        eventIndex++;
        continue;
      }
      const before = frontier;
      const forced = forceReturn(operation);
      if (forced === undefined) return { kind: "unknown" };
      if (forced.size === 0) {
        finished = failure(operation, before);
        return finished;
      }
      frontier = pruneDominated(forced);
      if (kinds[operation] === Kind.Free) {
        // Placed at its call in every configuration.
      } else if (isRead) {
        if (state >= 0) {
          readsLow[state]! &= ~bitLow;
          readsHigh[state]! &= ~bitHigh;
        }
      } else {
        writesLow[state]! &= ~bitLow;
        writesHigh[state]! &= ~bitHigh;
        runningWritesLow &= ~bitLow;
        runningWritesHigh &= ~bitHigh;
      }
      operationInSlot[slot] = -1;
      placedCompleted++;
      if (placedCompleted > depthMax) depthMax = placedCompleted;
      eventIndex++;
    }
    const any = frontier.values().next().value as Configuration;
    finished = { kind: "linearizable", linearization: unwind(any.trail).prefix };
    return finished;
  };

  return {
    run,
    get cacheEntries() {
      return frontier.size + visitedSize;
    },
    get memoryBytes() {
      return finished === undefined ? heldBytes() : 0;
    },
    get depthMax() {
      return depthMax;
    },
  };
}

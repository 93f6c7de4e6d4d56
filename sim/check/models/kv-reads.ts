/**
 * What the reads of a kv history say, for the search (`Model.guard`, used by ../search.ts). A
 * completed read returns the key's whole value, so it names the operations that can have left
 * that value, as Elle infers version orders from list-append reads (Kingsbury & Alvaro, "Elle:
 * Inferring Isolation Anomalies from Experimental Observations", VLDB 2020, §4). Three uses:
 *
 * **Stale reads, before the search** (`unplaceable`). A read of v needs, as the last operation to
 * change the state before it, one that can produce v: a put of v, an append whose text ends v,
 * or the initial state. Take the producer that returns last among those called before the read
 * returns. If some completed operation that cannot leave v (a put of another value, an append of
 * another ending, a read of another value) is called after that producer returns and returns
 * before the read is called, it must take effect between the two, so the read is impossible
 * (every earlier producer is cut off by the same operation). The search would only learn this by
 * trying every order of everything called before the read returns.
 *
 * **Read chains, during the search** (`allows`). When exactly one operation can produce a read's
 * value (one append whose text ends it, no put of it, not the initial value), that append must be
 * the last to change the state before the read, and it must run in the value its text leaves when
 * cut off the end; when that shorter value has a single producer too, the chain goes on. So
 * `v3a1a2`, read once, with unique appended texts `a1` and `a2`, says: a put of `v3`, then `a1`,
 * then `a2`, nothing else changing the state in between, then the read. The search otherwise
 * tries every order of the appends that run at once, each leaving a different string. For a
 * value p that some read needs (its own value, or one down its chain) and that only W can
 * produce, a placement is pruned when:
 * - (a) W takes effect and the state becomes anything but p: p can never be produced again. Every
 *   read that needs p is still pending then, since it needs W before it;
 * - (b) the state is p (so W has taken effect) and an operation changes it while a read of p is
 *   pending, or other than the append a read of a longer value needs next: p never comes back.
 *   A read of a longer value whose chain passes p is always pending while the state is p, since
 *   it needs p left by its next link, and p is produced once.
 * Both say that the configuration reached has no completion, whichever path reached it, so they
 * agree with the search's cache.
 *
 * **Unread texts** (`canonical`). A value holding an appended text that no read shows can never
 * be read, nor made readable by appending; only a put replaces it. Every such value allows the
 * same operations from then on, so the search's cache keeps one of them for all (see
 * `unreadAppendsOf`), and the orders of the appends that nobody reads stop counting.
 *
 * All three are checked against brute force in test/check/kv-reads.test.ts.
 *
 * The guard applies only to partitions whose operations are gets, puts and appends of strings
 * (or `null`); anything else (numbers, objects, compare-and-set) leaves the search unguarded.
 */
import type { Operation } from "../../history.js";
import { hashPrimitive, type PlacementGuard, type StateKey, type Unplaceable } from "../model.js";

/** The slice of a kv state the guard reads (see ./kv.ts). */
interface ReadState {
  readonly value: StateKey;
  readonly hash: number;
}

/** A value some read needs that one operation alone can produce. */
interface PinnedValue {
  readonly value: string;
  readonly hash: number;
  /** The only operation that can produce it. */
  readonly producer: number;
  /** The appends that must change the state next, from this value, for reads of longer values. */
  readonly nexts: number[];
  /** The reads of exactly this value, latest return first. */
  readonly readers: number[];
  /** Whether the chain below it is recorded. */
  linked: boolean;
}

/** Chain links the analysis follows at most over a partition (each costs a few map lookups). */
const chainLinksMax = 1 << 20;
/** Operations the stale-read check scans at most per read, looking for one forced in between. */
const staleScanMax = 256;

const readFunctions = new Set(["get", "read"]);
const putFunctions = new Set(["put", "write"]);

/** Whether a value is one the guard understands: a string not in the model's object encoding, or null. */
function plainValue(value: unknown): value is string | null | undefined {
  return value === null || value === undefined || (typeof value === "string" && !value.startsWith("\u0000"));
}

/** The operations of one partition, indexed by what they can produce. */
interface Producers {
  readonly appendsByText: Map<string, number[]>;
  readonly putsByValue: Map<string | null, number[]>;
  /** Distinct lengths of appended texts, ascending. */
  readonly lengths: readonly number[];
}

/** Indexes the partition, or `undefined` when it holds anything but gets, puts and appends of plain values. */
function producersOf(operations: readonly Operation[]): Producers | undefined {
  const appendsByText = new Map<string, number[]>();
  const putsByValue = new Map<string | null, number[]>();
  const textLengths = new Set<number>();
  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    if (readFunctions.has(operation.f)) {
      if (operation.status === "ok" && !plainValue(operation.output)) return undefined;
    } else if (putFunctions.has(operation.f)) {
      if (!plainValue(operation.input)) return undefined;
      const value = operation.input ?? null;
      const list = putsByValue.get(value);
      if (list === undefined) putsByValue.set(value, [index]);
      else list.push(index);
    } else if (operation.f === "append") {
      if (!plainValue(operation.input)) return undefined;
      const text = operation.input ?? "";
      const list = appendsByText.get(text);
      if (list === undefined) appendsByText.set(text, [index]);
      else list.push(index);
      textLengths.add(text.length);
    } else {
      return undefined;
    }
  }
  return { appendsByText, putsByValue, lengths: [...textLengths].sort((left, right) => left - right) };
}

/** Calls `visit` with every operation that can leave `value` (string or null); stops when it returns false. */
function forEachProducer(
  producers: Producers,
  value: string | null,
  visit: (operation: number) => boolean,
): void {
  for (const put of producers.putsByValue.get(value) ?? []) if (!visit(put)) return;
  if (value === null) return;
  for (const length of producers.lengths) {
    if (length > value.length) break;
    for (const append of producers.appendsByText.get(value.slice(value.length - length)) ?? [])
      if (!visit(append)) return;
  }
}

/** Whether the completed `operation` shows a state other than `value` when it takes effect, or leaves one. */
function leavesOther(operation: Operation, value: string | null): boolean {
  if (readFunctions.has(operation.f)) return (operation.output ?? null) !== value;
  if (putFunctions.has(operation.f)) return (operation.input ?? null) !== value;
  return value === null || !value.endsWith((operation.input ?? "") as string);
}

/**
 * A completed read no linearization can place (see the module comment), the one that returns
 * first, with its witnesses: the last producer of its value called before it returned, and an
 * operation forced between the two; `undefined` when none is found.
 */
function staleRead(
  operations: readonly Operation[],
  producers: Producers,
  initial: string | null,
): Unplaceable | undefined {
  const byCall = operations
    .map((_, index) => index)
    .sort((left, right) => operations[left]!.callUs - operations[right]!.callUs);
  const readValue = (operation: Operation): string | null => (operation.output ?? null) as string | null;
  let found: Unplaceable | undefined;
  for (let read = 0; read < operations.length; read++) {
    const operation = operations[read]!;
    if (operation.status !== "ok" || !readFunctions.has(operation.f)) continue;
    if (found !== undefined && operations[found.operation]!.returnUs <= operation.returnUs) continue;
    const value = readValue(operation);
    if (value === initial) continue;
    // The producer called before the read returns that returns last.
    let last = -1;
    forEachProducer(producers, value, (producer) => {
      const candidate = operations[producer]!;
      if (candidate.callUs > operation.returnUs) return true;
      if (last < 0 || candidate.returnUs > operations[last]!.returnUs) last = producer;
      return Number.isFinite(candidate.returnUs);
    });
    if (last < 0) {
      found = { operation: read, witnesses: [] };
      continue;
    }
    const after = operations[last]!.returnUs;
    if (!Number.isFinite(after)) continue;
    // An operation called after `last` returns that returns before the read is called.
    let low = 0;
    let high = byCall.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (operations[byCall[middle]!]!.callUs > after) high = middle;
      else low = middle + 1;
    }
    for (let scan = low; scan < byCall.length && scan < low + staleScanMax; scan++) {
      const other = operations[byCall[scan]!]!;
      if (other.callUs >= operation.callUs) break;
      if (other.returnUs < operation.callUs && leavesOther(other, value)) {
        found = { operation: read, witnesses: [last, byCall[scan]!] };
        break;
      }
    }
  }
  return found;
}

/** Characters of reads times appended texts the unread-text search may compare at most. */
const unreadSearchMax = 1 << 24;

/**
 * For each operation, 1 when it is an append whose (non-empty) text no completed read's value
 * contains. A value holding such a text can never be read, nor become readable by appending;
 * only a put replaces it. So all such values allow the same operations from then on, and the
 * search's cache may treat them as one (`canonical`). Gives up (all 0) beyond `unreadSearchMax`.
 */
function unreadAppendsOf(operations: readonly Operation[], producers: Producers): Int32Array {
  const unread = new Int32Array(operations.length);
  const values = new Set<string>();
  for (const operation of operations)
    if (operation.status === "ok" && readFunctions.has(operation.f) && typeof operation.output === "string")
      values.add(operation.output);
  const separator = "\u0001";
  const haystack = [...values].join(separator);
  if (haystack.length * producers.appendsByText.size > unreadSearchMax) return unread;
  for (const [text, appends] of producers.appendsByText) {
    if (text === "" || text.includes(separator) || haystack.includes(text)) continue;
    for (const append of appends) unread[append] = 1;
  }
  return unread;
}

/**
 * The guard for one partition of the kv model whose keys start at `initial`, or `undefined`
 * when its operations are not all gets, puts and appends of plain strings.
 */
export function kvReadGuard(
  operations: readonly Operation[],
  initial: StateKey,
): PlacementGuard<ReadState> | undefined {
  if (!plainValue(initial)) return undefined;
  const producers = producersOf(operations);
  if (producers === undefined) return undefined;
  const pinned = new PinnedValues({ operations, producers, initial });
  const unread = unreadAppendsOf(operations, producers);
  /** The one state that stands for every value holding an appended text no read shows. */
  let poisoned: ReadState | undefined;
  return {
    unplaceable: () => staleRead(operations, producers, initial ?? null),
    canonical(operation, before, after) {
      if (unread[operation] !== 1 && (before !== poisoned || operations[operation]!.f !== "append"))
        return after;
      poisoned ??= after;
      return poisoned;
    },
    allows: (operation, before, after, linearized) => pinned.allows(operation, before, after, linearized),
  };
}

/**
 * The values some read needs that one operation alone can produce (read chains, in the module
 * comment), each linked to the appends that must follow it, and the rule they give placements.
 */
class PinnedValues {
  /** Per operation, the pinned values it alone can produce. */
  private readonly ofProducer: PinnedValue[][];
  private readonly ofHash = new Map<number, PinnedValue[]>();
  private readonly ofValue = new Map<string, PinnedValue>();
  private readonly operations: readonly Operation[];
  private readonly producers: Producers;
  private readonly initial: string | null | undefined;

  constructor(partition: {
    operations: readonly Operation[];
    producers: Producers;
    initial: string | null | undefined;
  }) {
    this.operations = partition.operations;
    this.producers = partition.producers;
    this.initial = partition.initial;
    this.ofProducer = this.operations.map(() => []);
    this.linkReads();
  }

  /**
   * Whether placing `operation`, which takes the state from `before` to `after`, keeps every
   * pinned value producible: the rules (a) and (b) of the module comment.
   */
  allows(
    operation: number,
    before: ReadState,
    after: ReadState,
    linearized: (operation: number) => boolean,
  ): boolean {
    // (a) The only producer of a value a read needs must yield that value.
    for (const pinned of this.ofProducer[operation]!)
      if (pinned.hash !== after.hash || pinned.value !== after.value) return false;
    // (b) A pinned value may be left only by the next link, once its own readers are placed.
    const sameHash = this.ofHash.get(before.hash);
    if (sameHash === undefined) return true;
    for (const pinned of sameHash) {
      if (pinned.value !== before.value) continue;
      for (const next of pinned.nexts) if (next !== operation) return false;
      for (const reader of pinned.readers) if (!linearized(reader)) return false;
    }
    return true;
  }

  /**
   * Pins the value of every read that one operation alone can produce, and follows each chain
   * down: the value an append's text leaves when cut off the end, while it too has one producer.
   */
  private linkReads(): void {
    const operations = this.operations;
    let linksLeft = chainLinksMax;
    for (const read of readsLatestFirst(operations)) {
      let pinned = this.pinnedOf(operations[read]!.output as string);
      if (pinned === undefined) continue;
      pinned.readers.push(read);
      // Down the chain, once per value: the values below one already linked are linked too.
      while (!pinned.linked && linksLeft-- > 0) {
        pinned.linked = true;
        const producer = operations[pinned.producer]!;
        if (producer.f !== "append") break;
        const text = (producer.input ?? "") as string;
        if (text === "" || text.length >= pinned.value.length) break;
        const below = this.pinnedOf(pinned.value.slice(0, pinned.value.length - text.length));
        if (below === undefined) break;
        if (!below.nexts.includes(pinned.producer)) below.nexts.push(pinned.producer);
        pinned = below;
      }
    }
  }

  /** The pinned value for `value` when one operation alone can produce it, made on first use. */
  private pinnedOf(value: string): PinnedValue | undefined {
    const known = this.ofValue.get(value);
    if (known !== undefined) return known;
    const producer = this.onlyProducer(value);
    if (producer < 0) return undefined;
    const pinned: PinnedValue = {
      value,
      hash: hashPrimitive(value),
      producer,
      nexts: [],
      readers: [],
      linked: false,
    };
    this.ofValue.set(value, pinned);
    this.ofProducer[producer]!.push(pinned);
    const sameHash = this.ofHash.get(pinned.hash);
    if (sameHash === undefined) this.ofHash.set(pinned.hash, [pinned]);
    else sameHash.push(pinned);
    return pinned;
  }

  /** The only operation that can produce `value`, or -1 (none, several, or the initial value). */
  private onlyProducer(value: string): number {
    if (value === this.initial) return -1;
    let producer = -1;
    let count = 0;
    forEachProducer(this.producers, value, (candidate) => {
      producer = candidate;
      return ++count < 2;
    });
    return count === 1 ? producer : -1;
  }
}

/** The completed reads of a string value, latest return first (so each value's readers are listed latest first). */
function readsLatestFirst(operations: readonly Operation[]): number[] {
  return operations
    .map((_, index) => index)
    .filter((index) => {
      const operation = operations[index]!;
      return (
        operation.status === "ok" && readFunctions.has(operation.f) && typeof operation.output === "string"
      );
    })
    .sort((left, right) => operations[right]!.returnUs - operations[left]!.returnUs);
}

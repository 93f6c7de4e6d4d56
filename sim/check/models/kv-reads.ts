/**
 * What the reads of a kv history say, for the search (`Model.guard`, used by ../search.ts). A
 * completed read returns the key's whole value, so it names the operations that can have left
 * that value, as Elle infers version orders from list-append reads (Kingsbury & Alvaro, "Elle:
 * Inferring Isolation Anomalies from Experimental Observations", VLDB 2020, §4). Two uses:
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
 * completed read R not yet linearized whose chain is W_j … W_m (W_i the only producer of the value
 * p_i, which it yields only from p_(i-1); p_m is R's value), a placement is pruned when:
 * - (a) W_i takes effect and the state becomes anything but p_i: p_i can never be produced again,
 *   so neither can p_(i+1) … p_m;
 * - (b) the state is p_i and an operation other than W_(i+1) changes it (any change at all when
 *   i = m): W_i, the only producer of p_i, has taken effect, so p_i never comes back, and
 *   W_(i+1) needs it (R needs it when i = m).
 * Both say that the configuration reached has no completion, whichever path reached it, so they
 * agree with the search's cache. Both parts are checked against brute force in
 * test/check/kv-reads.test.ts.
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

/** A value some pending read needs, and the read. */
interface Pin {
  readonly read: number;
  readonly value: string;
  readonly hash: number;
  /** The operation that must change the state next (W_(i+1)), or -1 when the read must come first. */
  readonly next: number;
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

  /** The only operation that can produce `value`, or -1 (none, several, or the initial value). */
  const onlyProducer = (value: string): number => {
    if (value === initial) return -1;
    let producer = -1;
    let count = 0;
    forEachProducer(producers, value, (candidate) => {
      producer = candidate;
      return ++count < 2;
    });
    return count === 1 ? producer : -1;
  };

  const pinsOfOperation: Pin[][] = operations.map(() => []);
  const pinsOfHash = new Map<number, Pin[]>();
  let linksLeft = chainLinksMax;
  for (let read = 0; read < operations.length && linksLeft > 0; read++) {
    const operation = operations[read]!;
    if (operation.status !== "ok" || !readFunctions.has(operation.f)) continue;
    if (typeof operation.output !== "string") continue;
    let value: string = operation.output;
    let next = -1;
    const seen = new Set<number>();
    while (value !== "" && linksLeft-- > 0) {
      const producer = onlyProducer(value);
      if (producer < 0 || seen.has(producer)) break;
      seen.add(producer);
      const pin: Pin = { read, value, hash: hashPrimitive(value), next };
      pinsOfOperation[producer]!.push(pin);
      const sameHash = pinsOfHash.get(pin.hash);
      if (sameHash === undefined) pinsOfHash.set(pin.hash, [pin]);
      else sameHash.push(pin);
      const producerOperation = operations[producer]!;
      if (producerOperation.f !== "append") break;
      value = value.slice(0, value.length - ((producerOperation.input ?? "") as string).length);
      next = producer;
    }
  }

  return {
    unplaceable: () => staleRead(operations, producers, initial ?? null),
    allows(operation, before, after, linearized) {
      // (a) A pinned producer must yield the value the read needs.
      for (const pin of pinsOfOperation[operation]!) {
        if ((pin.hash !== after.hash || pin.value !== after.value) && !linearized(pin.read)) return false;
      }
      // (b) A pinned value may be left only by the next link of the chain.
      const pins = pinsOfHash.get(before.hash);
      if (pins === undefined) return true;
      for (const pin of pins) {
        if (pin.next !== operation && pin.value === before.value && !linearized(pin.read)) return false;
      }
      return true;
    },
  };
}

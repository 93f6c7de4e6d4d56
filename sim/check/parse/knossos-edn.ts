/**
 * Knossos history files (EDN), as described in shared/corpus/knossos/README.md: one top-level
 * vector or list of operation maps (or a bare sequence of maps) in real-time order. An
 * operation's position in the file, from 0, is its Knossos `:index`; events keep it as `index`.
 *
 * Knossos's rules, translated to the native model:
 * - Operations whose `:process` is a keyword (the nemesis) are ignored, as is an `:info` with no
 *   pending invocation; any other `:process` that is not an integer is refused.
 * - `:fail`: the operation did not happen (kept as a `fail` event, which the checker drops).
 * - `:ok`: the completion's `:value` replaces the invocation's (`{:type :ok, :f :write, :value 2}`
 *   after `{:type :invoke, :f :write, :value 1}` wrote 2), as in JSON. A completed write, put,
 *   append or cas of `nil` whose invocation gave a value is refused: it could be a write of
 *   nothing or a lost value. A completed CAS becomes an `ok` with value `true`; a completed read of `nil` returned an unknown value and constrains nothing,
 *   so it becomes an indeterminate (`info`) read.
 * - `:info`, or no completion at all: indeterminate.
 * - A float in a `:value` that is a whole number (`1.0`) is refused: Knossos tells it from the
 *   integer `1`, which as a plain number it would equal.
 * The model follows the functions used: `txn` → multi-register (keys start at 0),
 * `acquire`/`release` → mutex, otherwise a cas-register starting at 0.
 *
 * An operation's `:key` (an integer, a string or a keyword) becomes its event's key, so the
 * register and kv models check each key on its own: `1`, `"1"` (a string, quoted) and `:k`
 * stay three keys. A completion's `:key`, if any, must be its invocation's.
 *
 * A multi-key history may instead carry its keys the way `jepsen.independent` writes them, and
 * `quorumlab report --format edn` exports them: each value a `[key value]` tuple
 * (`{:type :ok, :f :read, :value ["x" 2]}`). A history is read so when no map gives `:key` and
 * every client invocation is a read, write, cas, get, put or append whose value is a two-element
 * vector starting with a key, a cas's being `[key [expected next]]`. A single-register history
 * never has that shape: its reads are invoked with `nil`, and its cas `[1 2]` holds no vector.
 * The tuple is then split into the key and the value, and Knossos's rules apply to the value;
 * the model is `kv`, every key starting absent, as `jepsen.independent` tests check each key
 * with Knossos's `(cas-register)`, which starts at nil.
 */
import { InputError } from "../../errors.js";
import type { HistoryEvent } from "../../history.js";
import type { AnyModel } from "../model.js";
import { kvModelOf } from "../models/kv.js";
import { multiRegisterModelOf } from "../models/multi-register.js";
import { mutexModelOf } from "../models/mutex.js";
import { casRegisterModelOf } from "../models/register.js";
import { EdnFloat, EdnMap, type EdnValue, ednToPlain, Keyword, readEdn } from "./edn.js";
import type { MutableEvent, ParsedHistory } from "./types.js";

const types = new Set(["invoke", "ok", "fail", "info"]);

/** The functions whose values `jepsen.independent` histories write as `[key value]` tuples. */
const tupleFunctions: ReadonlySet<string> = new Set(["read", "write", "cas", "get", "put", "append"]);

/** Functions whose `:ok` value is the value they wrote (a cas: `[expected, next]`). */
const givesItsValue: ReadonlySet<string> = new Set(["write", "put", "append", "cas"]);

/** A plain value as EDN would write it, for messages: `1`, `[1 2]`, `"x"`. */
function ednText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(ednText).join(" ")}]`;
  return value === null ? "nil" : JSON.stringify(value);
}

function modelFor(functions: ReadonlySet<string>, independent: boolean): AnyModel {
  if (independent) return kvModelOf();
  if (functions.has("txn")) return multiRegisterModelOf({ initial: { x: 0, y: 0 } });
  if (functions.has("acquire") || functions.has("release")) return mutexModelOf();
  return casRegisterModelOf({ initial: 0 });
}

/** Parses a Knossos history. Throws `InputError` naming the line of the first problem. */
export function parseKnossosEdn(text: string, file?: string): ParsedHistory {
  const forms = readEdn(text, file, { markFloats: true });
  let operations: EdnValue[];
  if (forms.length === 1 && Array.isArray(forms[0]!.value)) operations = forms[0]!.value;
  else operations = forms.map((form) => form.value);
  const independent = isIndependent(operations);

  const events: HistoryEvent[] = [];
  const pending = new Map<number, MutableEvent>();
  const functions = new Set<string>();
  const positions = new Map<number, { line: number; column: number }>();
  operations.forEach((map, index) => {
    if (!(map instanceof EdnMap)) {
      const form = forms.length === 1 ? forms[0]! : forms[index]!;
      throw new InputError(`expected operation ${index} to be a map {:process …, :type …, :f …}`, {
        file,
        line: form.line,
        column: form.column,
      });
    }
    const operation = operationOf(map, { file, index, independent });
    if (operation === undefined) return;
    positions.set(index, { line: operation.where.line, column: operation.where.column });
    const { process, type, f, where } = operation;
    if (type === "invoke") {
      if (pending.has(process)) {
        throw new InputError(`process ${process} invokes while its previous operation is pending`, where);
      }
      functions.add(f);
      const event: MutableEvent = {
        type: "invoke",
        process,
        f,
        key: operation.key,
        value: operation.value,
        timeUs: index,
        index,
      };
      pending.set(process, event);
      events.push(event);
      return;
    }
    const completion = completionEvent(operation, pending);
    if (completion !== undefined) events.push(completion);
  });
  return { format: "knossos-edn", events, model: modelFor(functions, independent), positions };
}

/** Whether a value is a `[key value]` tuple: a two-element vector whose first element is a key. */
function isTuple(value: EdnValue | undefined): value is [EdnValue, EdnValue] {
  if (!Array.isArray(value) || value.length !== 2) return false;
  const key = value[0];
  return (
    (typeof key === "number" && Number.isInteger(key)) || typeof key === "string" || key instanceof Keyword
  );
}

/**
 * Whether the history carries `jepsen.independent` `[key value]` tuples (see the module comment):
 * no map gives `:key`, and every client invocation, of which there is one at least, is a tuple of
 * a register or key/value function, a cas's value being itself `[expected next]`.
 */
function isIndependent(operations: readonly EdnValue[]): boolean {
  let invocations = 0;
  for (const map of operations) {
    if (!(map instanceof EdnMap)) return false;
    if (map.get("key") !== undefined) return false;
    if (map.get("process") instanceof Keyword) continue;
    const type = map.get("type");
    if (!(type instanceof Keyword) || type.name !== "invoke") continue;
    const f = map.get("f");
    const value = map.get("value");
    if (!(f instanceof Keyword) || !tupleFunctions.has(f.name) || !isTuple(value)) return false;
    if (f.name === "cas" && !(Array.isArray(value[1]) && value[1].length === 2)) return false;
    invocations++;
  }
  return invocations > 0;
}

/** An operation map, checked, with its position in the file. */
interface Operation {
  readonly map: EdnMap;
  readonly index: number;
  readonly where: { file: string | undefined; line: number; column: number };
  readonly process: number;
  readonly type: string;
  readonly f: string;
  /** The `:key` as text (`1`, `"x"`, `:x`), or null when the map has none. */
  readonly key: string | null;
  readonly value: unknown;
}

/** A `:key` as an event key: integers as written, strings quoted, keywords with their colon. */
function keyOf(key: EdnValue | undefined, where: Operation["where"]): string | null {
  if (key === undefined || key === null) return null;
  if (typeof key === "number" && Number.isInteger(key)) return String(key);
  if (typeof key === "string") return JSON.stringify(key);
  if (key instanceof Keyword) return `:${key.name}`;
  throw new InputError("expected :key to be an integer, a string or a keyword", where);
}

/** The first float in `value` whose value is a whole number (`1.0`, `2e3`), if any. */
function wholeFloat(value: EdnValue): EdnFloat | undefined {
  if (value instanceof EdnFloat) return Number.isInteger(value.value) ? value : undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = wholeFloat(item);
      if (found !== undefined) return found;
    }
  }
  if (value instanceof EdnMap) {
    for (const item of value.entries.values()) {
      const found = wholeFloat(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * A `:value` as plain data. A float that is a whole number is refused: EDN tells `1.0` from `1`,
 * and so does Knossos (Clojure's `=`), but as plain numbers the two would be one value.
 */
function plainValue(value: EdnValue, where: Operation["where"]): unknown {
  const float = wholeFloat(value);
  if (float !== undefined) {
    throw new InputError(
      `:value holds the float ${float.text}, which EDN and Knossos tell apart from the integer ${float.value} but which would compare equal to it here (expected an integer, a string, or a float with a fraction)`,
      where,
    );
  }
  return ednToPlain(value);
}

/** The operation a map holds; undefined for a non-client process (the nemesis). */
function operationOf(
  map: EdnMap,
  at: { file: string | undefined; index: number; independent: boolean },
): Operation | undefined {
  const where = { file: at.file, line: map.line, column: map.column };
  const process = map.get("process");
  const type = map.get("type");
  const f = map.get("f");
  if (!(type instanceof Keyword) || !types.has(type.name)) {
    throw new InputError("expected :type to be :invoke, :ok, :fail or :info", where);
  }
  if (typeof process !== "number") {
    if (process instanceof Keyword) return undefined; // the nemesis and other non-client processes
    throw new InputError("expected :process to be an integer or a keyword such as :nemesis", where);
  }
  if (!(f instanceof Keyword)) throw new InputError("expected :f to be a keyword such as :read", where);
  if (at.independent)
    return { map, index: at.index, where, process, type: type.name, f: f.name, ...tupleOf(map, where) };
  const value = plainValue(map.get("value") ?? null, where);
  const key = keyOf(map.get("key"), where);
  return { map, index: at.index, where, process, type: type.name, f: f.name, key, value };
}

/**
 * The key and value of an operation in a history of `[key value]` tuples. An `:ok` completion
 * must carry one too; a `:fail` or `:info` completion's value tells nothing, tuple or not.
 */
function tupleOf(map: EdnMap, where: Operation["where"]): { key: string | null; value: unknown } {
  const value = map.get("value");
  if (isTuple(value)) return { key: keyOf(value[0], where), value: plainValue(value[1], where) };
  const type = (map.get("type") as Keyword).name;
  if (type === "fail" || type === "info") return { key: null, value: null };
  throw new InputError(
    `expected :value to be a [key value] tuple, as every invocation in this history is (jepsen.independent), not ${ednText(ednToPlain(value ?? null))}`,
    where,
  );
}

/**
 * The event of an `:ok`, `:fail` or `:info` completing its process's pending invocation, which it
 * takes off `pending`; undefined for an `:info` with nothing pending.
 */
function completionEvent(operation: Operation, pending: Map<number, MutableEvent>): HistoryEvent | undefined {
  const { map, index, where, process, type, f, value } = operation;
  const key = operation.key;
  const timeUs = index;
  const invocation = pending.get(process);
  if (invocation === undefined) {
    if (type === "info") return undefined;
    throw new InputError(`:${type} for process ${process}, which has no pending invocation`, where);
  }
  if (invocation.f !== f) {
    throw new InputError(`:${type} :${f} completes a pending :${invocation.f} of process ${process}`, where);
  }
  if (key !== null && key !== invocation.key) {
    throw new InputError(
      `:${type} with :key ${key} completes process ${process}'s pending :${f} of ${invocation.key === null ? "no key" : `:key ${invocation.key}`}`,
      where,
    );
  }
  pending.delete(process);
  const error = map.get("error");
  const errorText = error === undefined ? undefined : JSON.stringify(ednToPlain(error));
  if (type === "fail" || type === "info") {
    const event: MutableEvent = { type, process, f, key: invocation.key, value: null, timeUs, index };
    if (errorText !== undefined) event.error = errorText;
    return event;
  }
  // :ok — the completion's value replaces the invocation's.
  if (f === "read" && value === null) {
    return { type: "info", process, f, key: invocation.key, value: null, timeUs, index, error: "nil read" };
  }
  if (value === null && invocation.value !== null && givesItsValue.has(f)) {
    throw new InputError(
      `:ok :${f} for process ${process} gives the value nil, its invocation ${ednText(invocation.value)} (expected the value the operation wrote)`,
      where,
    );
  }
  if (f === "cas" && !(Array.isArray(value) && value.length === 2)) {
    throw new InputError(
      `:ok :cas for process ${process} gives the value ${ednText(value)}, its invocation ${ednText(invocation.value)} (expected [expected next]: a completed cas repeats it, and a cas that found another value is a :fail)`,
      where,
    );
  }
  invocation.value = f === "read" ? null : value;
  const output = f === "cas" ? true : value;
  return { type: "ok", process, f, key: invocation.key, value: output, timeUs, index };
}

/**
 * Reads transactional histories: Jepsen/Elle EDN (one operation map per form, or one vector of
 * them) and quorumlab's JSON form (docs/history-format.md, "Transactional histories").
 *
 * Both are event lists in real-time order: an `invoke` followed, from the same process, by one
 * completion (`ok`, `fail` or `info`). Jepsen's rules apply: a completion's value replaces the
 * invocation's for `ok`; `fail` means the transaction did not happen; `info`, or no completion,
 * means it may or may not have happened. A process is an integer or a string, each its own
 * identity in both forms; maps whose `:process` is a keyword (the nemesis) and whose `:f` is not
 * `:txn` (when given) are skipped, and any other `:process` is refused.
 */
import { InputError } from "../../errors.js";
import { refuseDuplicateJsonKeys } from "../parse/duplicate-keys.js";
import { EdnFloat, EdnMap, type EdnValue, Keyword, readEdn } from "../parse/edn.js";
import { refuseInexactJsonIntegers } from "../parse/exact-integers.js";
import { elementOffsets, jsonSyntaxError, locator, offsetOf } from "../parse/json.js";
import { jsonSyntaxErrorOffset } from "../parse/json-syntax.js";
import { nestingMax, nestsDeeper, refuseDeepJsonText } from "../parse/nesting.js";
import {
  describeMicroOp,
  describeProcess,
  describeScalar,
  describeTxnValue,
  type MicroFunction,
  type MicroOp,
  type Scalar,
  type Transaction,
  type TransactionStatus,
  type TxnHistory,
  TxnKeyword,
  type TxnModelName,
  type TxnProcess,
  txnModelNames,
  unknownProcess,
} from "./history.js";

/** One event as the format-specific readers hand it over. */
interface RawEvent {
  readonly type: "invoke" | TransactionStatus;
  readonly process: TxnProcess;
  readonly ops: MicroOp[];
  readonly time: number;
  /** The event's place in the file, from 0: `time` is JSON's `timeUs`, which may order it elsewhere. */
  readonly position: number;
  readonly index?: number;
  readonly where: { file?: string; line?: number; column?: number };
}

const microFunctions: Record<string, MicroFunction> = {
  append: "append",
  r: "r",
  read: "r",
  w: "w",
  write: "w",
};

/**
 * A key or value as the checker compares it: integers, strings and keywords, each its own type;
 * undefined for anything else. Floats are refused: `1.0` would otherwise be the integer `1`.
 */
function scalarOf(value: unknown): Scalar | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (value instanceof Keyword) return TxnKeyword.of(value.name);
  return undefined;
}

/** What a key or value that `scalarOf` refused was, for the message. */
function describeRaw(value: unknown): string {
  if (value instanceof EdnFloat) return `the float ${value.text}`;
  if (typeof value === "number") return `the float ${value}`;
  if (Array.isArray(value)) return "a list";
  if (value instanceof EdnMap || (typeof value === "object" && value !== null)) return "a map";
  return String(value);
}

/** Converts a `[f key value]` triple (EDN or JSON) into a micro-operation. */
function microOpOf(raw: unknown, where: RawEvent["where"], position: number): MicroOp {
  const fail = (expected: string): never => {
    throw new InputError(`micro-operation ${position}: expected ${expected}`, where);
  };
  if (!Array.isArray(raw) || raw.length !== 3) return fail("[f key value], e.g. [:append 1 2] or [:r 1 nil]");
  const [rawF, rawKey, rawValue] = raw as unknown[];
  const name = rawF instanceof Keyword ? rawF.name : typeof rawF === "string" ? rawF : "";
  const f = microFunctions[name];
  if (f === undefined) return fail(`f to be append, r or w (got ${String(rawF)})`);
  const key = scalarOf(rawKey);
  if (key === undefined)
    return fail(`key to be an integer, a string or a keyword, not ${describeRaw(rawKey)}`);
  let value: MicroOp["value"];
  if (rawValue === null || rawValue === undefined) value = null;
  else if (Array.isArray(rawValue)) {
    const items = rawValue.map(scalarOf);
    const bad = items.indexOf(undefined);
    if (bad >= 0)
      return fail(`a list of integers, strings or keywords, not one holding ${describeRaw(rawValue[bad])}`);
    value = items as Scalar[];
  } else {
    const scalar = scalarOf(rawValue);
    if (scalar === undefined)
      return fail(`value to be an integer, a string, a keyword, a list or nil, not ${describeRaw(rawValue)}`);
    value = scalar;
  }
  if ((f === "append" || f === "w") && (value === null || Array.isArray(value))) {
    return fail(`${f} of a single integer, string or keyword`);
  }
  return { f, key: describeScalar(key), value };
}

function opsOf(raw: unknown, where: RawEvent["where"]): MicroOp[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) {
    throw new InputError("expected the value to be a transaction: a list of [f key value]", where);
  }
  return raw.map((item, position) => microOpOf(item, where, position));
}

/**
 * Refuses a committed completion that is not its invocation with the values read filled in: one
 * that named another function, key or written value would otherwise be checked as a different
 * transaction, and the invocation's writes would turn up as garbage reads.
 */
function checkCompletionOps(
  invoked: readonly MicroOp[],
  completed: readonly MicroOp[],
  where: RawEvent["where"],
): void {
  if (completed.length !== invoked.length) {
    throw new InputError(
      `the completion has ${completed.length} micro-operations, its invocation ${invoked.length}`,
      where,
    );
  }
  completed.forEach((op, position) => {
    const asked = invoked[position] as MicroOp;
    const sameValue = op.f === "r" || describeTxnValue(op.value) === describeTxnValue(asked.value);
    if (op.f === asked.f && op.key === asked.key && sameValue) return;
    throw new InputError(
      `the completion's micro-operation ${position} is ${describeMicroOp(op)}, its invocation's ${describeMicroOp(asked)}`,
      where,
    );
  });
}

/** Pairs invocations with completions into transactions, in invocation order. */
function pairEvents(events: readonly RawEvent[]): Transaction[] {
  const transactions: Transaction[] = [];
  const pending = new Map<TxnProcess, { readonly slot: number; readonly event: RawEvent }>();
  const started: RawEvent[] = [];
  const finished: (RawEvent | undefined)[] = [];
  for (const event of events) {
    if (event.type === "invoke") {
      if (pending.has(event.process)) {
        throw new InputError(
          `process ${describeProcess(event.process)} invokes while its previous transaction is pending`,
          event.where,
        );
      }
      pending.set(event.process, { slot: started.length, event });
      started.push(event);
      finished.push(undefined);
      continue;
    }
    const open = pending.get(event.process);
    if (open === undefined) {
      if (event.type === "info") continue;
      const invocation = events.find(
        (other) =>
          other.type === "invoke" &&
          other.process === event.process &&
          other.position < event.position &&
          other.time > event.time,
      );
      if (invocation !== undefined) {
        throw new InputError(
          `event ${event.position}: ${event.type} for process ${describeProcess(event.process)} at timeUs ${event.time} comes before its invocation, event ${invocation.position} at timeUs ${invocation.time} (expected a completion no earlier than its invocation: events are ordered by timeUs)`,
          event.where,
        );
      }
      throw new InputError(
        `${event.type} for process ${describeProcess(event.process)}, which has no pending invocation`,
        event.where,
      );
    }
    pending.delete(event.process);
    finished[open.slot] = event;
  }
  started.forEach((invoke, id) => {
    const completion = finished[id];
    const status: TransactionStatus =
      completion === undefined ? "info" : (completion.type as TransactionStatus);
    const ops = status === "ok" ? completion!.ops : invoke.ops;
    if (status === "ok") checkCompletionOps(invoke.ops, ops, completion!.where);
    const index = completion?.index ?? invoke.index;
    transactions.push({
      id,
      process: invoke.process,
      status,
      ops,
      invokeTime: invoke.time,
      completeTime:
        status === "info" || completion === undefined ? Number.POSITIVE_INFINITY : completion.time,
      ...(index === undefined ? {} : { index }),
      ...(invoke.where.line === undefined ? {} : { line: invoke.where.line }),
      ...(invoke.where.column === undefined ? {} : { column: invoke.where.column }),
    });
  });
  return transactions;
}

const eventTypes = new Set(["invoke", "ok", "fail", "info"]);

/** Parses a Jepsen/Elle EDN history. Real-time order is file order (Elle ignores `:time`). */
export function parseTxnEdn(text: string, file?: string): TxnHistory {
  const forms = readEdn(text, file, { markFloats: true });
  const maps: { value: EdnValue; line: number; column: number }[] =
    forms.length === 1 && Array.isArray(forms[0]!.value)
      ? forms[0]!.value.map((value) => ({ value, line: forms[0]!.line, column: forms[0]!.column }))
      : forms;
  const events: RawEvent[] = [];
  // The first map skipped for its :f, and every :f skipped, for a history that holds no :txn.
  let skipped: { where: { file?: string; line: number; column: number }; functions: Set<string> } | undefined;
  maps.forEach((form, position) => {
    const map = form.value;
    const where = { ...(file === undefined ? {} : { file }), line: form.line, column: form.column };
    if (!(map instanceof EdnMap)) {
      throw new InputError("expected an operation map {:type …, :process …, :value […]}", where);
    }
    const mapWhere = { ...where, line: map.line, column: map.column };
    const type = map.get("type");
    if (!(type instanceof Keyword) || !eventTypes.has(type.name)) {
      throw new InputError("expected :type to be :invoke, :ok, :fail or :info", mapWhere);
    }
    const process = map.get("process");
    if (process instanceof Keyword) return;
    if (process !== undefined && typeof process !== "number" && typeof process !== "string") {
      throw new InputError(
        "expected :process to be an integer, a string, or a keyword such as :nemesis",
        mapWhere,
      );
    }
    const f = map.get("f");
    if (f instanceof Keyword && f.name !== "txn") {
      skipped ??= { where: mapWhere, functions: new Set() };
      skipped.functions.add(`:${f.name}`);
      return;
    }
    const index = map.get("index");
    events.push({
      type: type.name as RawEvent["type"],
      // Elle's own small examples leave :process out; each operation is then its own process,
      // and an invocation's completion is the next map.
      process: process ?? unknownProcess,
      ops: opsOf(map.get("value"), mapWhere),
      time: position,
      position,
      ...(typeof index === "number" ? { index } : {}),
      where: mapWhere,
    });
  });
  if (events.length === 0 && skipped !== undefined) {
    // Every operation was skipped as not a transaction: checking nothing would pass any file.
    throw new InputError(
      `no transactions: no operation has :f :txn, only ${[...skipped.functions].join(", ")} (expected {:f :txn, :value [[:append k v] [:r k nil] …]}; a history of single-object operations is checked for linearizability, without a transactional --model)`,
      skipped.where,
    );
  }
  return { format: "edn", transactions: pairEvents(events) };
}

function jsonEvent(
  raw: unknown,
  position: number,
  file: string | undefined,
  at?: { line: number; column: number },
): RawEvent {
  const where = { ...(file === undefined ? {} : { file }), ...at };
  const fail = (expected: string): never => {
    throw new InputError(`event ${position}: expected ${expected}`, where);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("an object");
  const event = raw as Record<string, unknown>;
  if (typeof event.type !== "string" || !eventTypes.has(event.type)) {
    return fail('"type" to be "invoke", "ok", "fail" or "info"');
  }
  const process = event.process;
  if (!(typeof process === "string" || (typeof process === "number" && Number.isInteger(process)))) {
    return fail('"process" to be an integer or a string');
  }
  if (event.f !== undefined && event.f !== "txn") return fail('"f" to be "txn" (or absent)');
  if (event.timeUs !== undefined && typeof event.timeUs !== "number") return fail('"timeUs" to be a number');
  if (event.index !== undefined && typeof event.index !== "number") return fail('"index" to be an integer');
  let ops: MicroOp[];
  try {
    ops = opsOf(event.value, where);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`event ${position}: ${error.message}`, where);
    throw error;
  }
  return {
    type: event.type as RawEvent["type"],
    process,
    ops,
    time: (event.timeUs as number | undefined) ?? position,
    position,
    ...(event.index === undefined ? {} : { index: event.index as number }),
    where,
  };
}

/**
 * The events of a JSON array `depth` levels deep (1: the document is the array, 2: its
 * `"events"`), each with the line and column where its object starts.
 */
function placedEvents(
  events: readonly unknown[],
  text: string,
  depth: number,
): { raw: unknown; at?: { line: number; column: number } }[] {
  const offsets = elementOffsets(text, depth);
  // Offsets name objects only; an element that is not one is placed nowhere rather than wrongly.
  const placed =
    offsets.length === events.length &&
    events.every((raw) => typeof raw === "object" && raw !== null && !Array.isArray(raw));
  const at = locator(text);
  return events.map((raw, index) => (placed ? { raw, at: at(offsets[index]!) } : { raw }));
}

/**
 * Parses the JSON form: an array of events, `{ "model"?, "events": [...] }`, or JSON Lines.
 * Events are ordered by `timeUs` (stable); a completion and an invocation at the same time are
 * concurrent.
 */
export function parseTxnJson(text: string, file?: string): TxnHistory {
  const trimmed = text.trim();
  let rawEvents: { raw: unknown; at?: { line: number; column: number } }[];
  let model: TxnModelName | undefined;
  let document: unknown;
  let isDocument = true;
  try {
    document = JSON.parse(trimmed);
  } catch {
    isDocument = false;
  }
  if (isDocument) {
    if (Array.isArray(document)) rawEvents = placedEvents(document, text, 1);
    else if (
      typeof document === "object" &&
      document !== null &&
      Array.isArray((document as { events?: unknown }).events)
    ) {
      const object = document as { model?: unknown; events: unknown[] };
      if (object.model !== undefined) {
        if (!(txnModelNames as readonly unknown[]).includes(object.model)) {
          throw new InputError(
            `"model" must be one of ${txnModelNames.join(", ")}`,
            file === undefined ? {} : { file },
          );
        }
        model = object.model as TxnModelName;
      }
      rawEvents = placedEvents(object.events, text, 2);
    } else {
      throw new InputError(
        'expected a JSON array of events or an object with "events"',
        file === undefined ? {} : { file },
      );
    }
  } else {
    rawEvents = [];
    const lines = text.split("\n");
    const first = lines.find((line) => line.trim() !== "") ?? "";
    // Every line of JSON Lines is a value: a first line that is none makes this one document,
    // whose error is where the whole text stops being JSON.
    if (jsonSyntaxErrorOffset(first) !== undefined) refuseJson(text, 0, file);
    lines.forEach((line, number) => {
      if (line.trim() === "") return;
      try {
        rawEvents.push({ raw: JSON.parse(line), at: { line: number + 1, column: 1 } });
      } catch {
        refuseJson(line, number, file);
      }
    });
  }
  refuseInexactJsonIntegers(text, file);
  refuseDuplicateJsonKeys(text, file);
  for (const { raw, at } of rawEvents) {
    const value = (raw as { value?: unknown } | null)?.value;
    if (typeof value === "object" && value !== null && nestsDeeper(value, nestingMax)) {
      // Counted from the event, as the register and key-value reader counts: the event is one
      // level, its value up to nestingMax more. An event placed nowhere is counted from the start.
      if (at !== undefined) refuseDeepJsonText(text, file, offsetOf(text, at), nestingMax + 1);
      refuseDeepJsonText(text, file, 0, nestingMax);
    }
  }
  const events = rawEvents.map(({ raw, at }, position) => jsonEvent(raw, position, file, at));
  const ordered = events
    .map((event, position) => ({ event, position }))
    .sort((left, right) => left.event.time - right.event.time || left.position - right.position)
    .map(({ event }) => event);
  return { format: "json", ...(model === undefined ? {} : { model }), transactions: pairEvents(ordered) };
}

/**
 * Transactions from history events already in memory (the simulator's history: `f` `"txn"`,
 * `value` a list of `[f, key, value]`, `timeUs`), with the JSON form's rules.
 */
export function parseTxnEvents(events: readonly unknown[]): TxnHistory {
  const parsed = events.map((raw, position) => jsonEvent(raw, position, undefined));
  return { format: "json", transactions: pairEvents(parsed) };
}

/** Throws the error JSON.parse finds in `text`, the text of a file from line `lines` + 1, where it is. */
function refuseJson(text: string, lines: number, file: string | undefined): never {
  try {
    JSON.parse(text);
  } catch (error) {
    const { message, at } = jsonSyntaxError(text, error);
    throw new InputError(`not JSON: ${message}`, {
      ...(file === undefined ? {} : { file }),
      line: at.line + lines,
      column: at.column,
    });
  }
  throw new Error("refuseJson: the text is JSON");
}

/**
 * True when `text` is a JSON document or JSON Lines (EDN maps start `{:`, JSON objects `{"`),
 * or opens as one (`{"`, `[{"`, `[["`), even if it breaks further on.
 */
function looksLikeJson(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith("[") && !trimmed.startsWith("{")) return false;
  if (/^(?:\[\s*)?[[{]\s*"/.test(trimmed)) return true;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    const firstLine = trimmed.split("\n", 1)[0]!;
    try {
      JSON.parse(firstLine);
      return true;
    } catch {
      return false;
    }
  }
}

/** Parses either form, telling them apart by content. */
export function parseTxnHistory(text: string, file?: string): TxnHistory {
  return looksLikeJson(text) ? parseTxnJson(text, file) : parseTxnEdn(text, file);
}

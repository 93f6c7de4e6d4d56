/**
 * The native JSON history format (docs/history-format.md): a JSON array of events, an object
 * `{ "model": …, "initial": …, "events": [...] }`, or JSON Lines (one event object per line).
 * Events follow sim/history.ts; `key` defaults to null, `value` to null and `timeUs` to the
 * event's position. Problems are reported with the line and column of the offending event.
 */
import { z } from "zod";
import { InputError } from "../../errors.js";
import type { HistoryEvent } from "../../history.js";
import type { AnyModel } from "../model.js";
import { isModelName, modelByName, modelNames } from "../models/index.js";
import { refuseDuplicateJsonKeys } from "./duplicate-keys.js";
import { refuseInexactJsonIntegers } from "./exact-integers.js";
import { jsonSyntaxErrorOffset } from "./json-syntax.js";
import { walkJsonText } from "./json-walk.js";
import { nestingMax, nestsDeeper, refuseDeepJsonText } from "./nesting.js";
import type { ParsedHistory } from "./types.js";

const eventSchema = z.strictObject({
  type: z.enum(["invoke", "ok", "fail", "info"]),
  process: z.number().int(),
  f: z.string().min(1),
  key: z.string().nullable().optional(),
  value: z.unknown().optional(),
  timeUs: z.number().optional(),
  error: z.string().optional(),
  index: z.number().int().optional(),
});

const documentSchema = z.strictObject({
  model: z.string().optional(),
  initial: z.unknown().optional(),
  events: z.array(z.unknown()),
});

/** The 1-based line and column of `offset` in `text`. */
export function locate(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A function from offsets in `text` to 1-based lines and columns, for placing many events: it
 * finds the line by binary search over the line starts, where `locate` walks the text each time.
 */
export function locator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1))
    starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  };
}

/** Offsets of objects that are elements of an array nested `depth` levels deep, in valid JSON `text`. */
export function elementOffsets(text: string, depth: number): number[] {
  const offsets: number[] = [];
  // Whether each bracket open around the walk is an object's, outermost first.
  const objects: boolean[] = [];
  walkJsonText(text, {
    open: (object, start) => {
      if (object && objects.length === depth && objects[depth - 1] === false) offsets.push(start);
      objects.push(object);
    },
    close: () => {
      objects.pop();
    },
  });
  return offsets;
}

function parseJsonText(text: string, file: string | undefined, offset: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const { message, at } = jsonSyntaxError(text, error);
    throw new InputError(`invalid JSON (${message})`, { file, line: at.line + offset, column: at.column });
  }
}

/**
 * JSON.parse's message for `error`, without the position or the quoted text it may end with, and
 * where in `text` the error is: where JSON.parse says, else where the text stops being JSON.
 */
export function jsonSyntaxError(
  text: string,
  error: unknown,
): { message: string; at: { line: number; column: number } } {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(raw);
  const offset = position === null ? jsonSyntaxErrorOffset(text) : Number(position[1]);
  const message = raw
    .replace(/ (?:in JSON )?at position \d+.*$/s, "")
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, "");
  return { message, at: offset === undefined ? { line: 1, column: 1 } : locate(text, offset) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
  return `${path}${issue.message}`;
}

/** The offset in `text` of a 1-based line and column. */
export function offsetOf(text: string, at: { line: number; column: number }): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) offset = text.indexOf("\n", offset) + 1;
  return offset + at.column - 1;
}

function toEvents(
  items: readonly unknown[],
  positionOf: (index: number) => { line: number; column: number },
  file: string | undefined,
  text: string,
): HistoryEvent[] {
  return items.map((item, index) => {
    const value = (item as { value?: unknown } | null)?.value;
    if (typeof value === "object" && value !== null && nestsDeeper(value, nestingMax)) {
      // The event is one level, its value up to nestingMax more.
      refuseDeepJsonText(text, file, offsetOf(text, positionOf(index)), nestingMax + 1);
    }
    const parsed = eventSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `event ${index}: ${describeIssue(issue)} (expected {"type": "invoke"|"ok"|"fail"|"info", "process": integer, "f": string, "key"?: string|null, "value"?: any, "timeUs"?: number})`,
        { file, ...positionOf(index) },
      );
    }
    const event = parsed.data;
    const result: { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] } = {
      type: event.type,
      process: event.process,
      f: event.f,
      key: event.key ?? null,
      value: event.value ?? null,
      timeUs: event.timeUs ?? index,
      index: event.index ?? index,
    };
    if (event.error !== undefined) result.error = event.error;
    return result;
  });
}

/**
 * Pairs completions with invocations as the checker will, refusing a completion that no pending
 * invocation of its process explains, or one that names another function or (when it gives one)
 * another key than its invocation: the checker would silently check the invocation's.
 *
 * An `ok` completion's value is what the operation did, as in Knossos: an `ok` write, put or
 * append that gives a value replaces its invocation's with it (in `events`). One that gives
 * `null` where its invocation gave a value is refused: it could be a write of nothing or a lost
 * value, and either guess could change the verdict.
 */
function checkOrder(
  events: HistoryEvent[],
  items: readonly unknown[],
  positionOf: (index: number) => { line: number; column: number },
  file: string | undefined,
): void {
  const pending = new Map<number, { event: HistoryEvent; index: number }>();
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((left, right) => left.event.timeUs - right.event.timeUs || left.index - right.index);
  for (const { event, index } of sorted) {
    const at = () => ({ file, ...positionOf(index) });
    if (event.type === "invoke") {
      if (pending.has(event.process)) {
        throw new InputError(
          `event ${index}: process ${event.process} invokes while its previous operation is pending`,
          at(),
        );
      }
      pending.set(event.process, { event, index });
      continue;
    }
    const invoked = pending.get(event.process);
    if (invoked === undefined) {
      const later = events.findIndex(
        (other, position) =>
          position < index &&
          other.process === event.process &&
          other.type === "invoke" &&
          other.timeUs > event.timeUs,
      );
      if (later >= 0) {
        throw new InputError(
          `event ${index}: '${event.type}' for process ${event.process} at timeUs ${event.timeUs} comes before its invocation, event ${later} at timeUs ${events[later]!.timeUs} (expected a completion no earlier than its invocation: events are ordered by timeUs)`,
          at(),
        );
      }
      throw new InputError(
        `event ${index}: '${event.type}' for process ${event.process}, which has no pending invocation`,
        at(),
      );
    }
    const invocation = invoked.event;
    if (event.f !== invocation.f) {
      throw new InputError(
        `event ${index}: '${event.type}' ${event.f} completes process ${event.process}'s pending ${invocation.f} (expected f "${invocation.f}")`,
        at(),
      );
    }
    const keyGiven = (items[index] as { key?: unknown }).key !== undefined;
    if (keyGiven && event.key !== invocation.key) {
      throw new InputError(
        `event ${index}: '${event.type}' with key ${JSON.stringify(event.key)} completes process ${event.process}'s pending ${invocation.f} of key ${JSON.stringify(invocation.key)} (expected the invocation's key, or none)`,
        at(),
      );
    }
    pending.delete(event.process);
    const valueGiven = (items[index] as { value?: unknown }).value !== undefined;
    if (event.type === "ok" && valueGiven && writesItsValue.has(event.f)) {
      if (event.value === null && invocation.value !== null) {
        throw new InputError(
          `event ${index}: 'ok' ${event.f} for process ${event.process} gives the value null, its invocation ${JSON.stringify(invocation.value)} (expected the value the operation wrote, or no value)`,
          at(),
        );
      }
      events[invoked.index] = { ...invocation, value: event.value };
    } else if (event.type === "ok" && writesItsValue.has(event.f)) {
      // One that gives no value wrote its invocation's, and an explanation says so.
      events[index] = { ...event, value: invocation.value };
    }
  }
}

/** Functions whose `ok` value is the value they wrote (or appended). */
const writesItsValue: ReadonlySet<string> = new Set(["write", "put", "append"]);

/** The default model for a native history: by the functions it uses, `kv` otherwise. */
function modelForFunctions(events: readonly HistoryEvent[]): AnyModel {
  const functions = new Set(events.map((event) => event.f));
  if (functions.has("txn")) return modelByName("multi-register");
  if (functions.has("acquire") || functions.has("release")) return modelByName("mutex");
  return modelByName("kv");
}

/**
 * Parses a native JSON history. `defaultModel` is used when the document names none; the CLI
 * passes its `--model` choice.
 */
export function parseJsonHistory(text: string, file?: string, defaultModel?: AnyModel): ParsedHistory {
  const { items, positionOf, model: named, initial } = jsonItems(text, file);
  refuseInexactJsonIntegers(text, file);
  refuseDuplicateJsonKeys(text, file);
  const events = toEvents(items, positionOf, file, text);
  checkOrder(events, items, positionOf, file);
  const positions = new Map<number, { line: number; column: number }>();
  events.forEach((event, position) => {
    if (!positions.has(event.index!)) positions.set(event.index!, positionOf(position));
  });
  let model = named ?? defaultModel ?? modelForFunctions(events);
  // A document that gives `initial` but no model: the model chosen starts there.
  if (named === undefined && initial !== undefined && isModelName(model.name)) {
    refuseInitial(model.name, initial, text, file);
    model = modelByName(model.name, { initial });
  }
  return { format: "json", events, model, positions };
}

/** The raw events of a history, where each one starts in the text, and the model it names. */
interface JsonItems {
  readonly items: unknown[];
  readonly positionOf: (index: number) => { line: number; column: number };
  readonly model?: AnyModel;
  /** The document's `initial`, when it names no model (the model is chosen later). */
  readonly initial?: unknown;
}

/** The events of a JSON array, a `{"events": [...]}` document or JSON Lines (one per line). */
function jsonItems(text: string, file: string | undefined): JsonItems {
  const trimmed = text.trimStart();
  if (trimmed === "") return { items: [], positionOf: () => ({ line: 1, column: 1 }) };
  if (trimmed.startsWith("[")) {
    const parsed = parseJsonText(text, file, 0);
    if (!Array.isArray(parsed))
      throw new InputError("expected a JSON array of events", { file, line: 1, column: 1 });
    const offsets = elementOffsets(text, 1);
    const at = locator(text);
    return { items: parsed, positionOf: (index) => at(offsets[index] ?? 0) };
  }
  const lines = text.split("\n");
  const nonEmpty = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.trim() !== "");
  const first = nonEmpty[0]!;
  let whole: unknown;
  let wholeParsed = false;
  if (nonEmpty.length > 1) {
    try {
      whole = JSON.parse(text);
      wholeParsed = true;
    } catch {
      wholeParsed = false;
    }
    // Every line of JSON Lines is a value: a first line that is none makes this one document,
    // whose error is where the whole text stops being JSON.
    if (!wholeParsed && jsonSyntaxErrorOffset(first.line) !== undefined) parseJsonText(text, file, 0);
  } else {
    whole = parseJsonText(text, file, 0);
    wholeParsed = true;
  }
  if (wholeParsed && typeof whole === "object" && whole !== null && "events" in whole) {
    return documentItems(text, file, whole);
  }
  // JSON Lines: one event per non-empty line.
  const items = nonEmpty.map(({ line, index }) => parseJsonText(line, file, index));
  // An event is placed where its line's text starts (after any indentation).
  const placed = (at: { line: string; index: number }) => ({
    line: at.index + 1,
    column: at.line.length - at.line.trimStart().length + 1,
  });
  return { items, positionOf: (index) => placed(nonEmpty[index] ?? first) };
}

/**
 * Refuses an `initial` value the named model cannot start from, which it would otherwise ignore:
 * a multi-register starts from an object of key → value, a mutex held (true) or free (false).
 */
function refuseInitial(model: string, initial: unknown, text: string, file: string | undefined): void {
  if (initial === undefined) return;
  let expected: string | undefined;
  if (
    model === "multi-register" &&
    (typeof initial !== "object" || initial === null || Array.isArray(initial))
  ) {
    expected = 'an object of key → starting value, such as {"x": 0, "y": 0}';
  } else if (model === "mutex" && typeof initial !== "boolean") {
    expected = "true (the lock starts held) or false (free)";
  }
  if (expected === undefined) return;
  const at = initialValueOffset(text);
  const position = at === undefined ? { line: 1, column: 1 } : locate(text, at);
  throw new InputError(
    `initial: the ${model} model starts from ${expected}, got ${JSON.stringify(initial)}`,
    {
      file,
      ...position,
    },
  );
}

/**
 * Where the value of the document's own `initial` key starts: a key of that name inside an event
 * is not it, though it may come first in the text.
 */
function initialValueOffset(text: string): number | undefined {
  let depth = 0;
  let found: number | undefined;
  const separator = /\s*:\s*/y;
  walkJsonText(text, {
    open: () => {
      depth++;
    },
    close: () => {
      depth--;
    },
    string: (start, end) => {
      if (found !== undefined || depth !== 1 || text.slice(start + 1, end) !== "initial") return;
      separator.lastIndex = end + 1;
      const match = separator.exec(text);
      // A key is followed by its colon; a string value "initial" is not.
      if (match !== null) found = end + 1 + match[0].length;
    },
  });
  return found;
}

/** The events of a `{"model"?, "initial"?, "events": [...]}` document, and the model it names. */
function documentItems(text: string, file: string | undefined, whole: object): JsonItems {
  const document = documentSchema.safeParse(whole);
  if (!document.success) {
    throw new InputError(
      `${describeIssue(document.error.issues[0]!)} (expected {"model"?: string, "initial"?: any, "events": [...]})`,
      {
        file,
        line: 1,
        column: 1,
      },
    );
  }
  const offsets = elementOffsets(text, 2);
  const at = locator(text);
  const positionOf = (index: number) => at(offsets[index] ?? 0);
  if (nestsDeeper(document.data.initial, nestingMax)) {
    refuseDeepJsonText(text, file, text.indexOf("{"), nestingMax + 1);
  }
  const name = document.data.model;
  if (name === undefined) {
    const { initial } = document.data;
    return { items: document.data.events, positionOf, ...(initial === undefined ? {} : { initial }) };
  }
  if (!isModelName(name)) {
    throw new InputError(`unknown model '${name}' (expected one of ${modelNames.join(", ")})`, {
      file,
      line: 1,
      column: 1,
    });
  }
  refuseInitial(name, document.data.initial, text, file);
  const model = modelByName(
    name,
    document.data.initial === undefined ? {} : { initial: document.data.initial },
  );
  return { items: document.data.events, positionOf, model };
}

/**
 * Porcupine's etcd logs (Jepsen runs against etcd used as one compare-and-set register), as
 * described in shared/corpus/porcupine/README.md. One event per line, in real-time order:
 *
 *     INFO  jepsen.util - <process> <type> <f> <value>
 *
 * with the fields separated by tabs or runs of spaces. Translation to the native model:
 * - `:ok :read nil` read an absent register (value `null`); `:fail :read :timed-out` completed
 *   without a result, which constrains nothing (a `fail` event).
 * - `:ok :cas [A B]` swapped (`ok`, value `true`); `:fail :cas [A B]` completed and observed a
 *   mismatch (`ok`, value `false`): it still constrains the state.
 * - `:info` leaves the operation pending forever (indeterminate).
 * The register starts absent; the model is `cas-register`.
 */
import { InputError } from "../../errors.js";
import type { HistoryEvent } from "../../history.js";
import { casRegisterModelOf } from "../models/register.js";
import { inexactIntegerMessage } from "./exact-integers.js";
import type { MutableEvent, ParsedHistory } from "./types.js";

const linePattern =
  /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;

/** The first integer of `text` beyond ±(2^53 − 1), which would not compare exactly. */
function inexactInteger(text: string): string | undefined {
  for (const digits of text.match(/-?\d{16,}/g) ?? []) {
    if (!Number.isSafeInteger(Number.parseInt(digits, 10))) return digits;
  }
  return undefined;
}

function parseValue(text: string, f: string, type: string): unknown | undefined {
  if (text === "nil") return null;
  if (text === ":timed-out") return type === "info" || type === "fail" ? null : undefined;
  if (/^-?\d+$/.test(text)) return f === "cas" ? undefined : Number.parseInt(text, 10);
  const cas = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/.exec(text);
  if (cas !== null && f === "cas") return [Number.parseInt(cas[1]!, 10), Number.parseInt(cas[2]!, 10)];
  return undefined;
}

/** Parses an etcd log. Throws `InputError` naming the line of the first problem. */
export function parsePorcupineEtcd(text: string, file?: string): ParsedHistory {
  const events: HistoryEvent[] = [];
  const pending = new Map<number, MutableEvent>();
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    if (raw.trim() === "") continue;
    const lineNumber = index + 1;
    const match = linePattern.exec(raw);
    if (match === null) {
      throw new InputError(
        "expected 'INFO  jepsen.util - <process> :invoke|:ok|:fail|:info :read|:write|:cas <value>'",
        { file, line: lineNumber, column: 1 },
      );
    }
    const process = Number.parseInt(match[1]!, 10);
    const type = match[2]!;
    const f = match[3]!;
    const valueColumn = raw.lastIndexOf(match[4]!) + 1;
    const inexact = inexactInteger(match[1]!) ?? inexactInteger(match[4]!);
    if (inexact !== undefined) {
      const column =
        inexactInteger(match[1]!) === undefined
          ? valueColumn + match[4]!.indexOf(inexact)
          : raw.indexOf(match[1]!) + 1;
      throw new InputError(inexactIntegerMessage(inexact), { file, line: lineNumber, column });
    }
    const value = parseValue(match[4]!, f, type);
    if (value === undefined) {
      const expected = f === "cas" ? "[A B] (two integers)" : "an integer or nil";
      throw new InputError(`expected ${expected} for :${f}, found '${match[4]}'`, {
        file,
        line: lineNumber,
        column: valueColumn,
      });
    }
    const timeUs = events.length;
    if (type === "invoke") {
      if (pending.has(process)) {
        throw new InputError(`process ${process} invokes :${f} while its previous operation is pending`, {
          file,
          line: lineNumber,
          column: 1,
        });
      }
      const event: MutableEvent = { type: "invoke", process, f, key: null, value, timeUs, index };
      pending.set(process, event);
      events.push(event);
      continue;
    }
    const invocation = pending.get(process);
    if (invocation === undefined || invocation.f !== f) {
      const pendingOne =
        invocation === undefined ? `no pending :${f}` : `a pending :${invocation.f}, not :${f}`;
      throw new InputError(`:${type} :${f} for process ${process}, which has ${pendingOne}`, {
        file,
        line: lineNumber,
        column: 1,
      });
    }
    // An ok write, and a cas that completed (ok: it swapped, fail: it did not), repeat their
    // invocation's value; another one would be checked as the invocation's without a word.
    const echoes = (type === "ok" && f === "write") || (type !== "info" && f === "cas");
    if (echoes && JSON.stringify(value) !== JSON.stringify(invocation.value)) {
      throw new InputError(
        `:${type} :${f} for process ${process} gives the value ${match[4]}, its invocation ${describeEtcdValue(invocation.value)} (expected the invocation's value)`,
        { file, line: lineNumber, column: valueColumn },
      );
    }
    pending.delete(process);
    if (type === "info") {
      events.push({ type: "info", process, f, key: null, value: null, timeUs, index, error: "timed-out" });
    } else if (f === "cas") {
      // A failed CAS completed and observed a mismatch: it happened, with result false.
      events.push({ type: "ok", process, f, key: null, value: type === "ok", timeUs, index });
    } else if (type === "fail") {
      events.push({ type: "fail", process, f, key: null, value: null, timeUs, index, error: "timed-out" });
    } else {
      events.push({ type: "ok", process, f, key: null, value, timeUs, index });
    }
  }
  const positions = new Map(events.map((event) => [event.index!, { line: event.index! + 1, column: 1 }]));
  return { format: "porcupine-etcd", events, model: casRegisterModelOf(), positions };
}

/** A write's or cas's value as the log writes it: `4`, `[1 4]`. */
function describeEtcdValue(value: unknown): string {
  return Array.isArray(value) ? `[${value.join(" ")}]` : String(value);
}

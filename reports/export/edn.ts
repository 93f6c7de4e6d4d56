/**
 * The client history as a Jepsen history in EDN, one operation map per line, so Knossos or Elle
 * can check it: `{:type :invoke, :f :write, :value 1, :process 1, :time 100000000, :index 0}`.
 *
 * Conventions (Jepsen's, so that `quorumlab check` and Knossos read the file alike):
 * - `:time` is in nanoseconds, and the file order is the real-time order: of the events at one
 *   instant, invocations come first, so that operations whose ends touch stay concurrent, as
 *   quorumlab's closed intervals make them.
 * - An operation on a key carries `[key value]` as its value, the shape of `jepsen.independent`
 *   tuples (`[:invoke :read ["x" nil]]`, `[:ok :read ["x" 2]]`).
 * - A cas that swapped completes `:ok` with its invocation's `[expected next]`; one that found
 *   another value did not happen as far as Knossos is concerned, so it completes `:fail`.
 * - `:fail` and `:info` completions repeat the invocation's value; an operation still pending at
 *   the end gets no completion, which Knossos reads as indeterminate.
 * - A transaction's micro-operations name their function as a keyword, as Elle reads them:
 *   `[[:append "k5" 1] [:r "k0" [1 2]]]`.
 * Every string is EDN-escaped.
 */
import type { ReportModel, ReportOperation, ReportStep } from "../model.js";

/** Converts a JSON value to EDN text: null → nil, arrays → vectors, objects → maps. */
export function ednValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "nil";
  if (typeof value === "string") return ednString(value);
  if (Array.isArray(value)) return `[${value.map(ednValue).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${ednString(key)} ${ednValue((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(", ")}}`;
  }
  return ednString(String(value));
}

export function ednString(text: string): string {
  return `"${text.replace(/[\\"\n\r\t]/g, (character) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" })[character] ?? character)}"`;
}

/** A keyword from arbitrary text: characters EDN does not allow in keywords become `_`. */
export function ednKeyword(text: string): string {
  const name = text.replace(/[^A-Za-z0-9*+!\-_?<>=.]/g, "_");
  return `:${name === "" || /^[0-9]/.test(name) ? `_${name}` : name}`;
}

/** A value as EDN, a transaction's micro-operations with their function as a keyword. */
function operationValue(operation: ReportOperation, value: unknown): string {
  if (operation.f !== "txn" || !Array.isArray(value)) return ednValue(value);
  const micro = value.map((step: unknown) =>
    Array.isArray(step) && typeof step[0] === "string"
      ? `[${[ednKeyword(step[0]), ...step.slice(1).map(ednValue)].join(" ")}]`
      : ednValue(step),
  );
  return `[${micro.join(" ")}]`;
}

function withKey(operation: ReportOperation, value: unknown): string {
  const text = operationValue(operation, value);
  return operation.key === null ? text : `[${ednValue(operation.key)} ${text}]`;
}

/** The client steps in real-time order: of the steps at one instant, invocations first. */
function clientSteps(model: ReportModel): ReportStep[] {
  const steps = model.steps.filter(
    (step) => step.kind === "invoke" || step.kind === "ok" || step.kind === "fail" || step.kind === "info",
  );
  const ordered: ReportStep[] = [];
  for (let start = 0; start < steps.length; ) {
    let end = start;
    while (end < steps.length && steps[end]!.t === steps[start]!.t) end++;
    const instant = steps.slice(start, end);
    ordered.push(...instant.filter((step) => step.kind === "invoke"));
    ordered.push(...instant.filter((step) => step.kind !== "invoke"));
    start = end;
  }
  return ordered;
}

/** The type and value an event is written with (a cas that found another value fails). */
function written(operation: ReportOperation, kind: ReportStep["kind"]): { type: string; value: unknown } {
  if (kind !== "ok") return { type: kind, value: operation.input };
  if (operation.f === "cas")
    return { type: operation.output === false ? "fail" : "ok", value: operation.input };
  if (operation.f === "read" || operation.f === "get") return { type: "ok", value: operation.output };
  // A write that completed without repeating its value wrote its invocation's.
  return { type: "ok", value: operation.output ?? operation.input };
}

export function ednHistory(model: ReportModel): string {
  const lines: string[] = [];
  for (const step of clientSteps(model)) {
    const operation = model.operations[step.ref];
    if (operation === undefined) continue;
    const { type, value } = written(operation, step.kind);
    const error =
      step.kind !== "invoke" && operation.error !== null ? `, :error ${ednString(operation.error)}` : "";
    lines.push(
      `{:type :${type}, :f ${ednKeyword(operation.f)}, :value ${withKey(operation, value)}, :process ${operation.process}, :time ${step.t * 1000}, :index ${lines.length}${error}}`,
    );
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * The client history as a Jepsen history in EDN, one operation map per line, so Knossos or Elle
 * can check it: `{:type :invoke, :f :write, :value 1, :process 1, :time 100000000, :index 0}`.
 *
 * Conventions (Jepsen's): `:time` is in nanoseconds; `:fail` and `:info` completions repeat the
 * invocation's value; an operation on a key carries `[key value]` as its value (the shape of
 * `jepsen.independent` tuples); an operation still pending at the end gets no completion, which
 * Knossos reads as indeterminate. Every string is EDN-escaped.
 */
import type { ReportModel, ReportOperation } from "../model.js";

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

function withKey(operation: ReportOperation, value: unknown): string {
  return operation.key === null ? ednValue(value) : `[${ednValue(operation.key)} ${ednValue(value)}]`;
}

export function ednHistory(model: ReportModel): string {
  const lines: string[] = [];
  let index = 0;
  for (const step of model.steps) {
    if (step.kind !== "invoke" && step.kind !== "ok" && step.kind !== "fail" && step.kind !== "info")
      continue;
    const operation = model.operations[step.ref];
    if (operation === undefined) continue;
    const value = step.kind === "ok" ? operation.output : operation.input;
    const error =
      step.kind !== "invoke" && operation.error !== null ? `, :error ${ednString(operation.error)}` : "";
    lines.push(
      `{:type :${step.kind}, :f ${ednKeyword(operation.f)}, :value ${withKey(operation, value)}, :process ${operation.process}, :time ${step.t * 1000}, :index ${index}${error}}`,
    );
    index++;
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

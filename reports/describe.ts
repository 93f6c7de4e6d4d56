/**
 * Sentences for trace events, shared by the text and Markdown reports (the HTML page has the
 * same sentences in its script).
 */
import { formatDurationUs, formatValue } from "./format.js";
import type { ReportModel, ReportOperation } from "./model.js";

export function laneName(model: ReportModel, lane: number): string {
  return lane < 0 ? "cluster" : (model.lanes[lane]?.name ?? "?");
}

/** `write x 1 → 1`, `read x (info)`. */
export function operationText(operation: ReportOperation): string {
  const key = operation.key === null ? "" : ` ${operation.key}`;
  const input =
    operation.input === null || operation.input === undefined ? "" : ` ${formatValue(operation.input)}`;
  const result = operation.status === "ok" ? ` → ${formatValue(operation.output)}` : ` (${operation.status})`;
  return `${operation.f}${key}${input}${result}`;
}

/** `100ms–104.5ms`, or `100ms–` for an operation that never returned. */
export function operationSpan(operation: ReportOperation): string {
  return `${formatDurationUs(operation.callUs)}–${operation.returnUs === null ? "" : formatDurationUs(operation.returnUs)}`;
}

/** One sentence for the step at `index`. */
export function describeStep(model: ReportModel, index: number): string {
  const step = model.steps[index];
  if (step === undefined) return "";
  const lane = laneName(model, step.lane);
  switch (step.kind) {
    case "send":
    case "deliver":
    case "drop":
    case "duplicate": {
      const message = model.messages[step.ref];
      if (message === undefined) return `${lane} ${step.kind}`;
      const from = laneName(model, message.from);
      const to = laneName(model, message.to);
      if (step.kind === "send") {
        return `${from} sends ${message.type} to ${to}${message.droppedAtSend ? ` (dropped at once: ${message.dropReason})` : ""}`;
      }
      if (step.kind === "deliver") return `${to} receives ${message.type} from ${from}`;
      if (step.kind === "drop") return `${message.type} ${from} → ${to} dropped (${message.dropReason})`;
      return `${message.type} ${from} → ${to} duplicated by the network`;
    }
    case "timer":
      return `${lane} timer ${step.label ?? ""} fires`;
    case "crash":
      return `${lane} crashes (volatile state lost)`;
    case "restart":
      return `${lane} restarts from durable storage`;
    case "pause":
      return `${lane} pauses`;
    case "resume":
      return `${lane} resumes`;
    case "note": {
      const note = model.notes[step.ref];
      if (note?.label === "lost-unsynced-writes") {
        const writes = (note.data as { writes?: unknown } | null)?.writes;
        const count = typeof writes === "number" && writes > 0 ? writes : "no";
        return `${lane} loses power: ${count} unsynced write${writes === 1 ? "" : "s"} lost`;
      }
      return `${lane} note ${note?.label ?? ""}${note?.data === null || note === undefined ? "" : ` ${formatValue(note.data)}`}`;
    }
    case "network":
      return step.label ?? "network change";
    case "invoke": {
      const operation = model.operations[step.ref];
      if (operation === undefined) return `${lane} invokes an operation`;
      const key = operation.key === null ? "" : ` ${operation.key}`;
      const input = operation.input === null ? "" : ` ${formatValue(operation.input)}`;
      return `${lane} invokes ${operation.f}${key}${input} (operation ${operation.id})`;
    }
    case "ok":
    case "fail":
    case "info": {
      const operation = model.operations[step.ref];
      if (operation === undefined) return `${lane} ${step.kind}`;
      return `${lane} ${step.kind}: ${operationText(operation)}${operation.error === null ? "" : ` [${operation.error}]`} (operation ${operation.id})`;
    }
    case "violation": {
      const violation = model.violations[step.ref];
      const first = (violation?.message ?? "").split("\n")[0] ?? "";
      return `violation ${violation?.invariant ?? ""}: ${first.length > 160 ? `${first.slice(0, 160)}…` : first}`;
    }
  }
}

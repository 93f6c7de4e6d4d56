/** Words for the diagram: a step, an operation, and the tooltip of anything drawn. */
import { formatDurationUs as fmt } from "../../format.js";
import { messageColumn as M, type OperationRow, type PageData } from "../../page-data.js";

/** An operation in a few words: `write x 1 → ok`. */
export function operationLabel(op: OperationRow): string {
  let text = op.f + (op.k !== null ? ` ${op.k}` : "") + (op.i !== "null" ? ` ${op.i}` : "");
  if (op.s === "ok") text += ` → ${op.o}`;
  else if (op.s !== "pending") text += ` (${op.s})`;
  return text;
}

export function laneName(data: PageData, index: number): string {
  return index < 0 ? "cluster" : (data.lanes[index]?.[0] ?? "?");
}

/**
 * A timeline step that found nothing to act on, in words: `crash skipped: n1 is down already`
 * (the kernel's `skipped-action` note); undefined for any other note.
 */
function skippedStep(label: string, json: string): string | undefined {
  if (label !== "skipped-action") return undefined;
  const parsed = JSON.parse(json) as { action?: unknown; reason?: unknown } | null;
  if (typeof parsed?.action !== "string" || typeof parsed.reason !== "string") return undefined;
  return `${parsed.action} skipped: ${parsed.reason}`;
}

/** Whether a step is a message's (send, deliver, drop, duplicate) and names one. */
export function isMessageStep(data: PageData, index: number): boolean {
  const step = data.steps[index];
  if (step === undefined) return false;
  const kind = data.stepKinds[step[2]];
  return (kind === "send" || kind === "deliver" || kind === "drop" || kind === "duplicate") && step[4] >= 0;
}

/** A step in one sentence: "n1 sends AppendEntries to n2". */
export function describeStep(data: PageData, index: number): string {
  const step = data.steps[index]!;
  const kind = data.stepKinds[step[2]] ?? "?";
  const lane = (value: number) => laneName(data, value);
  const message = data.msgs[step[4]];
  const type = message === undefined ? "" : (data.types[message[M.type]] ?? "?");
  switch (kind) {
    case "send":
      if (message === undefined) return `${lane(step[3])} sends a message`;
      return `${lane(message[M.from])} sends ${type} to ${lane(message[M.to])}${message[M.fate] === 1 && message[M.droppedAtSend] === 1 ? ` (dropped at once: ${message[M.dropReason]})` : ""}`;
    case "deliver":
      return message === undefined
        ? "a delivery"
        : `${lane(message[M.to])} receives ${type} from ${lane(message[M.from])}`;
    case "drop":
      return message === undefined
        ? "a drop"
        : `${type} ${lane(message[M.from])} → ${lane(message[M.to])} dropped (${message[M.dropReason]})`;
    case "duplicate":
      return message === undefined
        ? "a duplicate"
        : `${type} ${lane(message[M.from])} → ${lane(message[M.to])} duplicated by the network`;
    case "timer":
      return `${lane(step[3])} timer ${step[5] ?? ""} fires`;
    case "crash":
      return `${lane(step[3])} crashes (volatile state lost)`;
    case "restart":
      return `${lane(step[3])} restarts from durable storage`;
    case "pause":
      return `${lane(step[3])} pauses`;
    case "resume":
      return `${lane(step[3])} resumes`;
    case "note": {
      const note = data.notes[step[4]];
      if (note === undefined) return `${lane(step[3])} note`;
      return (
        skippedStep(note[2], note[3]) ??
        `${lane(step[3])} note ${note[2]}${note[3] !== "null" ? ` ${note[3]}` : ""}`
      );
    }
    case "network":
      return step[5] ?? "network";
    case "invoke": {
      const op = data.ops[step[4]];
      return op === undefined
        ? "an invocation"
        : `${lane(op.c)} invokes ${op.f}${op.k !== null ? ` ${op.k}` : ""}${op.i !== "null" ? ` ${op.i}` : ""} (operation ${step[4]})`;
    }
    case "ok":
    case "fail":
    case "info": {
      const op = data.ops[step[4]];
      return op === undefined
        ? "a completion"
        : `${lane(op.c)} ${kind}: ${operationLabel(op)}${op.err ? ` [${op.err}]` : ""} (operation ${step[4]})`;
    }
    case "violation": {
      const violation = data.violations[step[4]];
      return `VIOLATION ${violation?.invariant ?? "?"}: ${violation?.message.split("\n")[0] ?? ""}`;
    }
    default:
      return kind;
  }
}

/** The tooltip of a drawn element, by its data attributes (null: none). */
export function tipText(data: PageData, target: Element): string | null {
  let value = target.getAttribute("data-m");
  if (value !== null) return messageTip(data, Number(value));
  value = target.getAttribute("data-op");
  if (value !== null) return operationTip(data, Number(value));
  value = target.getAttribute("data-st");
  if (value !== null) {
    const [lane, stateIndex] = value.split(":").map(Number) as [number, number];
    return `${laneName(data, lane)}${stateIndex < 0 ? ": down (crashed)" : ` state\n${JSON.stringify(data.states[stateIndex], null, 1)}`}`;
  }
  value = target.getAttribute("data-iv");
  if (value !== null) {
    const interval = data.laneIv[Number(value)]!;
    return `${laneName(data, interval[0])} ${interval[1] === "crash" ? "crashed" : "paused"} from ${fmt(interval[2])}${interval[3] < 0 ? " to the end" : ` to ${fmt(interval[3])}`}`;
  }
  value = target.getAttribute("data-net");
  if (value !== null) {
    const fault = data.net[Number(value)]!;
    return `${fault[3]}\nfrom ${fmt(fault[1])}${fault[2] < 0 ? " to the end" : ` to ${fmt(fault[2])}`}`;
  }
  value = target.getAttribute("data-s");
  if (value !== null) return `t=${fmt(data.steps[Number(value)]![0])}  ${describeStep(data, Number(value))}`;
  return null;
}

function messageTip(data: PageData, index: number): string {
  const message = data.msgs[index]!;
  const fate =
    message[M.fate] === 0
      ? `delivered at ${fmt(message[M.arriveUs])}`
      : message[M.fate] === 1
        ? `dropped at ${fmt(message[M.arriveUs])} (${message[M.dropReason]})`
        : "still in flight at the end";
  let payload = data.payloads[message[M.payload]] ?? "";
  try {
    payload = JSON.stringify(JSON.parse(payload), null, 1);
  } catch {
    // Payloads cut to their first characters are not JSON: they stay as they are.
  }
  return `${data.types[message[M.type]]}  ${laneName(data, message[M.from])} → ${laneName(data, message[M.to])}${message[M.copy] === 1 ? "  (duplicate copy)" : ""}\nmessage ${message[M.id]}, sent at ${fmt(message[M.sendUs])}, ${fate}\n${payload}`;
}

function operationTip(data: PageData, index: number): string {
  const op = data.ops[index]!;
  const lines = [
    `operation ${index} by ${laneName(data, op.c)} (process ${op.p})`,
    operationLabel(op),
    `called ${fmt(op.a)}${op.b >= 0 ? `, returned ${fmt(op.b)} (${fmt(op.b - op.a)})` : ", never returned"}`,
  ];
  if (op.err) lines.push(`error: ${op.err}`);
  const explanation = data.explanation;
  if (explanation !== null) {
    explanation.prefix.forEach((step, position) => {
      if (step[0] === index) lines.push(`linearized #${position + 1}, state after: ${step[1]}`);
    });
    for (const item of explanation.unplaceable) {
      if (item[0] === index) lines.push(`cannot be placed: ${item[1]}`);
    }
    if (explanation.failing === index) lines.push("the operation the checker could not get past");
    if (explanation.minimal.includes(index)) lines.push("in the smallest failing subset");
  }
  return lines.join("\n");
}

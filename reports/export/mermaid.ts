/**
 * A Mermaid `sequenceDiagram` of a small trace, for pull requests and docs. Each delivered
 * message is an arrow (`->>`) at its delivery, each dropped one a cross (`-x`) at its drop,
 * faults and client events are notes. Mermaid draws arrows as instantaneous, so this shows
 * order, not time. Long traces are cut after `messagesMax` messages with a note saying so.
 */
import { describeStep } from "../describe.js";
import { escapeMermaid } from "../escape.js";
import { formatDurationUs } from "../format.js";
import type { ReportModel } from "../model.js";

export const mermaidMessagesMax = 120;

export function mermaidSequence(model: ReportModel, messagesMax = mermaidMessagesMax): string {
  const out: string[] = ["sequenceDiagram"];
  const alias = (lane: number) => `L${lane}`;
  model.lanes.forEach((lane, index) => {
    out.push(`  participant ${alias(index)} as ${escapeMermaid(lane.name)}`);
  });
  const all =
    model.lanes.length === 0
      ? ""
      : model.lanes.length === 1
        ? alias(0)
        : `${alias(0)},${alias(model.lanes.length - 1)}`;
  const bad = new Set(model.violations.map((violation) => violation.firstBadStep));
  let messages = 0;
  let omitted = 0;
  model.steps.forEach((step, index) => {
    const mark = bad.has(index) ? " ✗ FIRST BAD EVENT" : "";
    const at = `@${formatDurationUs(step.t)}`;
    switch (step.kind) {
      case "deliver":
      case "drop": {
        const message = model.messages[step.ref];
        if (message === undefined) return;
        if (messages >= messagesMax) {
          omitted++;
          return;
        }
        messages++;
        const arrow = step.kind === "deliver" ? "->>" : "-x";
        const suffix = step.kind === "drop" ? ` (dropped: ${message.dropReason})` : "";
        out.push(
          `  ${alias(message.from)}${arrow}${alias(message.to)}: ${escapeMermaid(`${message.type}${suffix} ${at}${mark}`)}`,
        );
        return;
      }
      case "send":
      case "duplicate":
      case "timer":
        if (mark !== "" && step.lane >= 0)
          out.push(
            `  Note over ${alias(step.lane)}: ${escapeMermaid(`${describeStep(model, index)} ${at}${mark}`)}`,
          );
        return;
      default: {
        if (messages >= messagesMax) return;
        const where = step.lane >= 0 ? alias(step.lane) : all;
        if (where === "") return;
        out.push(`  Note over ${where}: ${escapeMermaid(`${describeStep(model, index)} ${at}${mark}`)}`);
        return;
      }
    }
  });
  const inFlight = model.messages.filter((message) => message.fate === "in-flight").length;
  if (inFlight > 0 && all !== "") {
    out.push(`  Note over ${all}: ${escapeMermaid(`${inFlight} message(s) still in flight at the end`)}`);
  }
  if (omitted > 0 && all !== "") {
    out.push(
      `  Note over ${all}: ${escapeMermaid(`… ${omitted} more messages omitted (the trace has ${model.messages.length}); see the HTML report`)}`,
    );
  }
  return `${out.join("\n")}\n`;
}

/**
 * The Markdown report, for a pull request comment or an issue: the verdict, the replay command,
 * the timeline, the explanation of a non-linearizable history, the figures and, for small
 * traces, a Mermaid sequence diagram (GitHub renders it). Every trace string is escaped.
 */

import { formatSpan } from "../sim/time.js";
import { describeStep, laneName, operationSpan, operationText } from "./describe.js";
import { escapeMarkdown, markdownCode } from "./escape.js";
import { mermaidSequence } from "./export/mermaid.js";
import { formatDurationUs } from "./format.js";
import { neverRanWhen, type ReportModel, timelineLinesMax, timelineText } from "./model.js";
import { outcomeLine } from "./text.js";

const mermaidMessagesMax = 60;

const e = escapeMarkdown;

export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [];
  headingSection(model, out);
  violationSections(model, out);
  replaySection(model, out);
  timelineSection(model, out);
  explanationSection(model, out);
  figuresSection(model, out);
  sequenceDiagramSection(model, out);
  return `${out.join("\n")}\n`;
}

/** The verdict as a title, then the run's settings in one line. */
function headingSection(model: ReportModel, out: string[]): void {
  const meta = model.meta;
  const nodes = model.lanes.filter((lane) => lane.kind === "node").length;
  out.push(
    `## ${model.outcome === "ok" ? "✅" : model.outcome === "liveness" ? "⚠️" : "❌"} ${e(meta.scenario)}`,
  );
  out.push("");
  out.push(
    `**${e(outcomeLine(model))}** · protocol ${markdownCode(meta.protocol)} · seed ${markdownCode(meta.seed)} · quorumlab ${e(meta.version || "unknown")} · ${nodes} nodes, ${model.lanes.length - nodes} clients · ${formatSpan(meta.endUs)} simulated · ${meta.events} events`,
  );
  out.push("");
}

/** Per violation: the invariant, its statement and source, the first bad event and the message. */
function violationSections(model: ReportModel, out: string[]): void {
  for (const violation of model.violations) {
    out.push(`### ${e(violation.invariant)} violated at t=${formatDurationUs(violation.t)}`);
    out.push("");
    if (violation.statement !== "")
      out.push(
        `> ${e(violation.statement)}${violation.source === "" ? "" : `<br>Source: ${e(violation.source)}`}`,
      );
    out.push("");
    const bad = model.steps[violation.firstBadStep];
    if (bad !== undefined) {
      out.push(
        `First bad event (event ${bad.e}, t=${formatDurationUs(bad.t)}): ${e(describeStep(model, violation.firstBadStep))}`,
      );
      out.push("");
    }
    out.push(e(violation.message.length > 1500 ? `${violation.message.slice(0, 1500)}…` : violation.message));
    out.push("");
  }
}

function replaySection(model: ReportModel, out: string[]): void {
  out.push("Replay:");
  out.push("");
  out.push("```sh");
  out.push(model.meta.replay.replace(/`/g, "'").replace(/[\r\n]+/g, " "));
  out.push("```");
  out.push("");
}

/**
 * The timeline as `quorumlab run` prints it, at most `timelineLinesMax` moments, then the steps
 * that never ran.
 */
function timelineSection(model: ReportModel, out: string[]): void {
  const notable = model.timeline;
  if (notable.length === 0 && model.neverRan.length === 0) return;
  out.push("### Timeline");
  out.push("");
  out.push("| t | event |");
  out.push("|---:|---|");
  for (const entry of notable.slice(0, timelineLinesMax))
    out.push(`| ${formatDurationUs(entry.t)} | ${e(timelineText(entry))} |`);
  if (notable.length > timelineLinesMax) out.push(`| … | ${notable.length - timelineLinesMax} more |`);
  for (const spans of model.neverRan) out.push(`| ${neverRanWhen} | ${e(timelineText({ spans }))} |`);
  out.push("");
}

/** Why a history is not linearizable: each operation the explanation mentions, with its role. */
function explanationSection(model: ReportModel, out: string[]): void {
  const found = model.violations.find((violation) => violation.explanation !== null)?.explanation ?? null;
  if (found === null) return;
  out.push("### Why the history is not linearizable");
  out.push("");
  out.push(e(found.summary));
  out.push("");
  const prefix = new Map(found.longestPrefix.map((step, position) => [step.operation, { position, step }]));
  const reasons = new Map(found.unplaceable.map((item) => [item.operation, item.reason]));
  const minimal = new Set(found.minimalSet);
  const mentioned = model.operations.filter(
    (operation) => prefix.has(operation.id) || reasons.has(operation.id) || minimal.has(operation.id),
  );
  out.push("| op | client | operation | call–return | role in the failure |");
  out.push("|---:|---|---|---|---|");
  for (const operation of mentioned.slice(0, 40)) {
    const roles: string[] = [];
    const placed = prefix.get(operation.id);
    if (placed !== undefined) roles.push(e(`prefix #${placed.position + 1} → ${placed.step.stateAfter}`));
    const reason = reasons.get(operation.id);
    if (reason !== undefined) roles.push(`**cannot be placed**: ${e(reason)}`);
    if (minimal.has(operation.id)) roles.push("in the smallest failing subset");
    out.push(
      `| ${operation.id} | ${e(laneName(model, operation.client))} | ${e(operationText(operation))} | ${operationSpan(operation)} | ${roles.join("; ")} |`,
    );
  }
  if (mentioned.length > 40) out.push(`| … | | ${mentioned.length - 40} more | | |`);
  out.push("");
}

/** Messages by type, operations, leader changes, faults, and latency by function. */
function figuresSection(model: ReportModel, out: string[]): void {
  const figures = model.figures;
  out.push("### Figures");
  out.push("");
  out.push("| message type | sent | delivered | dropped | duplicated |");
  out.push("|---|---:|---:|---:|---:|");
  for (const row of figures.messagesByType) {
    out.push(`| ${e(row.type)} | ${row.sent} | ${row.delivered} | ${row.dropped} | ${row.duplicated} |`);
  }
  out.push("");
  const ops = figures.operations;
  out.push(
    `Operations: ok ${ops.ok}, fail ${ops.fail}, info ${ops.info}, pending ${ops.pending}. Leader changes: ${figures.leaderChanges.length}. Crashes ${figures.crashes}, restarts ${figures.restarts}, pauses ${figures.pauses}.`,
  );
  if (figures.unavailability !== null) {
    out.push(
      `No live leader for ${formatDurationUs(figures.unavailableUs ?? 0)} in ${figures.unavailability.length} interval(s).`,
    );
  }
  out.push("");
  if (figures.latencyByFunction.length > 0) {
    out.push("| f | ok | min | p50 | p90 | p99 | max |");
    out.push("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of figures.latencyByFunction) {
      out.push(
        `| ${e(row.f)} | ${row.count} | ${[row.minUs, row.p50Us, row.p90Us, row.p99Us, row.maxUs].map(formatDurationUs).join(" | ")} |`,
      );
    }
    out.push("");
  }
}

/** A Mermaid sequence diagram, for runs of at most `mermaidMessagesMax` messages. */
function sequenceDiagramSection(model: ReportModel, out: string[]): void {
  if (model.messages.length === 0 || model.messages.length > mermaidMessagesMax) return;
  out.push("<details><summary>Sequence diagram</summary>");
  out.push("");
  out.push("```mermaid");
  out.push(mermaidSequence(model).trimEnd());
  out.push("```");
  out.push("");
  out.push("</details>");
  out.push("");
}

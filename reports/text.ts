/**
 * The plain-text report, for a terminal: the verdict first, then the timeline, the client
 * history with the linearizability explanation marked on it, and the figures.
 */

import { formatSpan } from "../sim/time.js";
import { describeStep, laneName, operationSpan, operationText } from "./describe.js";
import { plainText } from "./escape.js";
import { formatDurationUs } from "./format.js";
import { neverRanWhen, type ReportModel, timelineLinesMax, timelineText } from "./model.js";

const historyMax = 40;

export function renderText(model: ReportModel): string {
  const out: string[] = [];
  headingLines(model, out);
  violationLines(model, out);
  out.push(`replay: ${model.meta.replay}`);
  out.push("");
  timelineLines(model, out);
  historyLines(model, out);
  figureLines(model, out);
  return `${plainText(out.join("\n"))}\n`;
}

/** The scenario, the run's settings and the outcome. */
function headingLines(model: ReportModel, out: string[]): void {
  const meta = model.meta;
  const nodes = model.lanes.filter((lane) => lane.kind === "node").length;
  out.push(`quorumlab report: ${meta.scenario}`);
  out.push(
    `protocol ${meta.protocol} · seed ${meta.seed} · quorumlab ${meta.version || "unknown"} · ${nodes} nodes, ${model.lanes.length - nodes} clients · ${formatSpan(meta.endUs)} simulated · ${meta.events} events`,
  );
  out.push(`outcome: ${outcomeLine(model)}`);
  out.push("");
}

/** Per violation: the invariant, its statement and source, the first bad event and the message. */
function violationLines(model: ReportModel, out: string[]): void {
  for (const violation of model.violations) {
    out.push(`✗ ${violation.invariant} violated at t=${formatDurationUs(violation.t)}`);
    if (violation.statement !== "") out.push(`  invariant: ${violation.statement}`);
    if (violation.source !== "") out.push(`  source: ${violation.source}`);
    const bad = model.steps[violation.firstBadStep];
    if (bad !== undefined) {
      out.push(
        `  first bad event: event ${bad.e} at t=${formatDurationUs(bad.t)}: ${describeStep(model, violation.firstBadStep)}`,
      );
    }
    for (const line of violation.message.split("\n")) out.push(`  ${line}`);
    out.push("");
  }
}

/**
 * The timeline as `quorumlab run` prints it, at most `timelineLinesMax` moments, then the steps
 * that never ran.
 */
function timelineLines(model: ReportModel, out: string[]): void {
  const timeline = model.timeline;
  out.push("timeline:");
  for (const entry of timeline.slice(0, timelineLinesMax)) {
    out.push(`  ${formatDurationUs(entry.t).padStart(10)}  ${timelineText(entry)}`);
  }
  if (timeline.length > timelineLinesMax) out.push(`  … ${timeline.length - timelineLinesMax} more`);
  if (timeline.length === 0) out.push("  nothing notable");
  for (const spans of model.neverRan) out.push(`  ${neverRanWhen.padStart(10)}  ${timelineText({ spans })}`);
  out.push("");
}

/**
 * The client history (with an explanation, only the operations it mentions, marked), then why
 * the history is not linearizable.
 */
function historyLines(model: ReportModel, out: string[]): void {
  const explanation =
    model.violations.find((violation) => violation.explanation !== null)?.explanation ?? null;
  const prefix = new Map(explanation?.longestPrefix.map((step, position) => [step.operation, position + 1]));
  const unplaceable = new Set(explanation?.unplaceable.map((item) => item.operation));
  const minimal = new Set(explanation?.minimalSet);
  if (model.operations.length > 0) {
    out.push(
      `history (${model.operations.length} operations${explanation === null ? "" : "; Pn = n-th in the longest linearizable prefix, ✗ cannot be placed, * in the smallest failing subset"}):`,
    );
    const shown =
      explanation === null
        ? model.operations.slice(0, historyMax)
        : model.operations
            .filter(
              (operation) =>
                prefix.has(operation.id) || unplaceable.has(operation.id) || minimal.has(operation.id),
            )
            .slice(0, historyMax);
    for (const operation of shown) {
      const marks =
        explanation === null
          ? ""
          : `${prefix.has(operation.id) ? `P${prefix.get(operation.id)}` : ""}${unplaceable.has(operation.id) ? "✗" : ""}${minimal.has(operation.id) ? "*" : ""}`.padEnd(
              5,
            );
      out.push(
        `  ${marks}#${String(operation.id).padEnd(4)} ${laneName(model, operation.client).padEnd(6)} ${operationText(operation).padEnd(28)} ${operationSpan(operation)}`,
      );
    }
    const hidden = (explanation === null ? model.operations.length : shown.length) - shown.length;
    if (explanation === null && model.operations.length > historyMax)
      out.push(`  … ${model.operations.length - historyMax} more`);
    else if (hidden > 0) out.push(`  … ${hidden} more`);
    out.push("");
  }
  if (explanation !== null) {
    out.push("why it is not linearizable:");
    out.push(`  ${explanation.summary}`);
    for (const item of explanation.unplaceable) out.push(`  ✗ #${item.operation}: ${item.reason}`);
    out.push("");
  }
}

/** Messages by type, leader changes, operations, latency, unavailability and faults. */
function figureLines(model: ReportModel, out: string[]): void {
  const figures = model.figures;
  out.push("figures:");
  out.push(
    `  messages ${figures.messages}: ${figures.messagesByType.map((row) => `${row.type} ${row.sent} sent / ${row.delivered} delivered / ${row.dropped} dropped${row.duplicated > 0 ? ` / ${row.duplicated} duplicated` : ""}`).join("; ") || "none"}`,
  );
  out.push(`  leader changes ${figures.leaderChanges.length}`);
  const ops = figures.operations;
  out.push(`  operations ok ${ops.ok} / fail ${ops.fail} / info ${ops.info} / pending ${ops.pending}`);
  for (const row of figures.latencyByFunction) {
    out.push(
      `  latency ${row.f}: n=${row.count} min ${formatDurationUs(row.minUs)} p50 ${formatDurationUs(row.p50Us)} p90 ${formatDurationUs(row.p90Us)} p99 ${formatDurationUs(row.p99Us)} max ${formatDurationUs(row.maxUs)}`,
    );
  }
  if (figures.unavailability !== null) {
    out.push(
      `  no live leader for ${formatDurationUs(figures.unavailableUs ?? 0)} in ${figures.unavailability.length} interval(s)${
        figures.unavailability.length === 0
          ? ""
          : `: ${figures.unavailability
              .slice(0, 10)
              .map((gap) => `${formatDurationUs(gap.startUs)}–${formatDurationUs(gap.endUs)}`)
              .join(", ")}${figures.unavailability.length > 10 ? ", …" : ""}`
      }`,
    );
  }
  out.push(`  crashes ${figures.crashes}, restarts ${figures.restarts}, pauses ${figures.pauses}`);
}

export function outcomeLine(model: ReportModel): string {
  if (model.outcome === "ok") return "ok: every checked invariant held";
  const names = [...new Set(model.violations.map((violation) => violation.invariant))].join(", ");
  return model.outcome === "liveness" ? `liveness failure: ${names}` : `VIOLATION: ${names}`;
}

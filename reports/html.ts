/**
 * The HTML report: one self-contained file (inline CSS and script, no network, works from
 * `file://`). The header, verdict, explanation and figures are rendered here as escaped HTML;
 * the space-time diagram, state strip and client history are drawn by the page's script
 * (bundled from `reports/page/`) from the page data (page-data.ts), packed and compressed, only
 * for the visible time window.
 */

import { formatSpan } from "../sim/time.js";
import { escapeHtml, jsonForScript, scriptElementText } from "./escape.js";
import { renderFindingGraphs } from "./finding-graph.js";
import { formatDurationUs, formatValue } from "./format.js";
import {
  type ExplanationView,
  neverRanWhen,
  type ReportModel,
  type ReportOperation,
  type TimelineSpan,
  timelineLinesMax,
} from "./model.js";
import { messagePalette, packPageData, pageData } from "./page-data.js";
import { reportCss } from "./template/style.js";

/** Most moments of the page's timeline: ten times a terminal's, in a list that scrolls. */
const htmlTimelineMax = 10 * timelineLinesMax;

/** What a page carries beside the report body: its script, and the lab when it is one. */
export interface HtmlPage {
  /**
   * The page's script, an IIFE bundled from `reports/page/`: the viewer (the diagram only) or,
   * for a lab, the simulator, the checkers and the run's protocol too.
   */
  readonly bundle: string;
  /**
   * gzip-compresses a text and writes it in base64 (the CLI's `node:zlib`: reports take no Node
   * module). The page data is embedded so and unpacked in the page.
   */
  readonly gzipBase64: (text: string) => string;
  /** What makes the page a lab: the scenario the page re-simulates when the reader forks. */
  readonly lab?: LabEmbedding;
}

/** The scenario of a lab page and the run's verdict (`reports/page/verdict.ts`, plain data). */
export interface LabEmbedding {
  /** The scenario file that replays the run (its seed is the run's). */
  readonly scenarioYaml: string;
  readonly verdict: unknown;
  /** The run checked liveness invariants too (`run --liveness`): so do the page's runs. */
  readonly liveness?: boolean;
}

/** Renders the whole report page; with `page.lab`, a page that forks the run and re-simulates. */
export function renderHtml(model: ReportModel, page: HtmlPage): string {
  const meta = model.meta;
  const title = `${meta.scenario} · ${meta.protocol} · seed ${meta.seed}`;
  const lab = page.lab;
  const labData =
    lab === undefined
      ? ""
      : `<script type="application/json" id="lab-data">${jsonForScript({
          scenarioYaml: lab.scenarioYaml,
          traceHash: meta.traceHash,
          version: meta.version,
          replay: meta.replay,
          verdict: lab.verdict,
          ...(lab.liveness === true ? { liveness: true } : {}),
        })}</script>`;
  const packed = packPageData(pageData(model));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} — quorumlab report</title>
<style>${reportCss}</style>
</head>
<body>
<main id="report">
${renderReportBody(model)}
</main>
<div id="tip"></div>
<script type="application/octet-stream" id="report-data">${page.gzipBase64(JSON.stringify(packed))}</script>
${labData}
<script>${scriptElementText(page.bundle)}</script>
</body>
</html>
`;
}

/** Everything inside `<main>`: header, diagram section, explanation, figures, footer. */
export function renderReportBody(model: ReportModel): string {
  const meta = model.meta;
  return `${renderHeader(model)}
<section id="diagram-section">
<h2>Space-time diagram</h2>
<div class="toolbar">
<span><button id="step-back" title="previous event (← or k)">◀</button> <button id="step-next" title="next event (→ or j)">▶</button>${model.violations.length > 0 ? ' <button id="goto-bad" title="first bad event (b)">first bad event</button>' : ""}</span>
<span><button id="zoom-out" title="zoom out (-)">−</button> <button id="zoom-in" title="zoom in (+)">+</button> <button id="zoom-fit" title="whole run (0)">fit</button></span>
<span class="filters" id="filters" title="show or hide lanes"></span>
<span class="hint">keys: ←/→ step (Shift ×10) · b first bad event · +/− zoom · 0 fit · [ ] pan · Ctrl+wheel zoom · drag to pan · click an arrow or operation to select it</span>
</div>
<div id="step-info"></div>
<svg id="overview" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none"></svg>
<div id="notice"></div>
<div id="diagram-wrap"><svg id="diagram" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="space-time diagram"></svg></div>
${renderLegend(model)}
<div id="logs"></div>
</section>
${renderTimeline(model)}
${renderExplanation(model)}
${renderFindingGraphs(model)}
${renderFigures(model)}
<footer>quorumlab${meta.version === "" ? "" : ` ${escapeHtml(meta.version)}`} · trace ${escapeHtml(meta.traceHash.slice(0, 16))} · ${meta.events} kernel events, ${model.steps.length} trace events, ${model.messages.length} messages</footer>`;
}

function renderHeader(model: ReportModel): string {
  const meta = model.meta;
  const outcomeText =
    model.outcome === "ok"
      ? "✓ every checked invariant held"
      : model.outcome === "liveness"
        ? `⚠ liveness: ${model.violations.map((violation) => violation.invariant).join(", ")}`
        : `✗ violated: ${[...new Set(model.violations.map((violation) => violation.invariant))].join(", ")}`;
  const row = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${value}</dd>`;
  const nodes = model.lanes.filter((lane) => lane.kind === "node").length;
  const clients = model.lanes.length - nodes;
  const options = JSON.stringify(meta.options);
  return `<header class="report">
<h1>${escapeHtml(meta.scenario)}</h1>
<div class="outcome ${model.outcome}" id="outcome">${escapeHtml(outcomeText)}</div>
<dl class="meta">
${row("protocol", escapeHtml(meta.protocol))}${row("seed", `<code>${escapeHtml(meta.seed)}</code>`)}${row("quorumlab", escapeHtml(meta.version || "unknown"))}
${row("nodes / clients", `${nodes} / ${clients}`)}${row("simulated", escapeHtml(formatSpan(meta.endUs)))}${row("events", String(meta.events))}
${row("trace", `<code>${escapeHtml(meta.traceHash.slice(0, 16))}</code>`)}
</dl>
<div class="options">options <code>${escapeHtml(options.length > 600 ? `${options.slice(0, 600)}…` : options)}</code></div>
${model.violations.map((_, index) => renderViolation(model, index)).join("\n")}
<div>Replay this run: <div class="replay"><code id="replay">${escapeHtml(meta.replay)}</code></div></div>
${meta.description === "" ? "" : `<details class="description"><summary>About this scenario</summary>${escapeHtml(meta.description)}</details>`}
</header>`;
}

function renderViolation(model: ReportModel, index: number): string {
  const violation = model.violations[index];
  if (violation === undefined) return "";
  const step = model.steps[violation.firstBadStep];
  const jump =
    step === undefined
      ? ""
      : ` <a class="jump" href="#first-bad" ${index === 0 ? 'id="first-bad-link" ' : ""}data-goto-step="${violation.firstBadStep}">→ first bad event at t=${escapeHtml(formatDurationUs(step.t))} (event ${step.e})</a>`;
  const message =
    violation.message.length > 1200 ? `${violation.message.slice(0, 1200)}…` : violation.message;
  return `<div class="violation-box ${violation.kind === "liveness" ? "liveness" : ""}">
<div><span class="name">${escapeHtml(violation.invariant)}</span> violated at t=${escapeHtml(formatDurationUs(violation.t))}${jump}</div>
${violation.statement === "" ? "" : `<div class="statement">${escapeHtml(violation.statement)}</div>`}
${violation.source === "" ? "" : `<div class="source">Source: ${escapeHtml(violation.source)}</div>`}
<div class="message">${escapeHtml(message)}</div>
</div>`;
}

/**
 * The timeline, in the words `quorumlab run` prints; each moment's time selects its event in the
 * diagram. The list scrolls, so it may hold more than a terminal shows.
 */
function renderTimeline(model: ReportModel): string {
  const timeline = model.timeline;
  if (timeline.length === 0 && model.neverRan.length === 0) return "";
  const shown = timeline.slice(0, htmlTimelineMax).map((entry) => {
    const time = escapeHtml(formatDurationUs(entry.t));
    const at =
      entry.step < 0
        ? `<span class="t">${time}</span>`
        : `<a class="t" href="#diagram-section" data-goto-step="${entry.step}" title="show this moment in the diagram">${time}</a>`;
    return `<li class="k-${entry.kind}">${at} ${spansHtml(entry.spans)}</li>`;
  });
  if (timeline.length > htmlTimelineMax) shown.push(`<li>… ${timeline.length - htmlTimelineMax} more</li>`);
  const neverRan = model.neverRan.map(
    (spans) =>
      `<li class="k-never-ran"><span class="t">${escapeHtml(neverRanWhen)}</span> ${spansHtml(spans)}</li>`,
  );
  return `<section id="timeline">
<h2>Timeline</h2>
<ol class="timeline">${[...shown, ...neverRan].join("\n")}</ol>
</section>`;
}

/** A timeline entry's spans, each marked one in the class of its mark. */
function spansHtml(spans: readonly TimelineSpan[]): string {
  return spans
    .map((span) =>
      span.mark === undefined
        ? escapeHtml(span.text)
        : `<span class="m-${span.mark}">${escapeHtml(span.text)}</span>`,
    )
    .join("");
}

function renderLegend(model: ReportModel): string {
  const types = [...new Set(model.messages.map((message) => message.type))].sort();
  const swatches = types
    .map(
      (type, index) =>
        `<span><i class="swatch" style="background:${messagePalette[index % messagePalette.length]}"></i>${escapeHtml(type)}</span>`,
    )
    .join("");
  return `<p class="legend">${swatches}<span>— delivered</span><span>- - ✕ dropped</span><span>● duplicate copy</span><span>· · · in flight at the end</span><span><i class="swatch" style="background:#fdecea;border:1px solid #e57373"></i>crashed</span><span><i class="swatch" style="background:#b0b7c3"></i>paused</span><span><i class="swatch" style="background:#ffcc80"></i>partition</span></p>`;
}

function operationText(operation: ReportOperation): string {
  const key = operation.key === null ? "" : ` ${operation.key}`;
  const input =
    operation.input === null || operation.input === undefined ? "" : ` ${formatValue(operation.input)}`;
  const output = operation.status === "ok" ? ` → ${formatValue(operation.output)}` : ` (${operation.status})`;
  return `${operation.f}${key}${input}${output}`;
}

function operationLink(model: ReportModel, id: number): string {
  const operation = model.operations[id];
  if (operation === undefined) return `operation ${id}`;
  const client = model.lanes[operation.client]?.name ?? "?";
  return `<a class="op-link" href="#diagram-section" data-goto-op="${id}">${escapeHtml(`#${id} ${client}: ${operationText(operation)}`)}</a>`;
}

function renderExplanation(model: ReportModel): string {
  const violation = model.violations.find((candidate) => candidate.explanation !== null);
  const explanation: ExplanationView | null | undefined = violation?.explanation;
  if (explanation === null || explanation === undefined) return "";
  const prefix = explanation.longestPrefix
    .map(
      (step) =>
        `<li>${operationLink(model, step.operation)} — state after: <code>${escapeHtml(step.stateAfter)}</code></li>`,
    )
    .join("");
  const unplaceable = explanation.unplaceable
    .map((item) => `<li>${operationLink(model, item.operation)} — ${escapeHtml(item.reason)}</li>`)
    .join("");
  const minimal = explanation.minimalSet.map((id) => `<li>${operationLink(model, id)}</li>`).join("");
  return `<section id="explanation">
<h2>Why the history is not linearizable</h2>
<div class="explanation">
<p>${escapeHtml(explanation.summary)}</p>
<p>Initial state <code>${escapeHtml(explanation.initialState)}</code>${explanation.partition === null ? "" : `, key <code>${escapeHtml(explanation.partition)}</code>`}. In the history lane, blue <b>#n</b> badges number the longest linearizable prefix; red outlines mark the operations that cannot be placed next; red dots mark the smallest failing subset.</p>
<div class="grid2">
<div><b>Longest linearizable prefix</b> (${explanation.longestPrefix.length})<ol>${prefix || "<li>empty</li>"}</ol></div>
<div><b>Cannot be placed</b> after it (state <code>${escapeHtml(explanation.stateAtFailure)}</code>)<ul>${unplaceable}</ul>
<b>Smallest failing subset</b><ul>${minimal}</ul></div>
</div>
</div>
</section>`;
}

function renderFigures(model: ReportModel): string {
  const figures = model.figures;
  const types = [...new Set(model.messages.map((message) => message.type))].sort();
  const messageRows = figures.messagesByType
    .map((row) => {
      const colour = messagePalette[types.indexOf(row.type) % messagePalette.length];
      return `<tr><td><i class="swatch" style="background:${colour}"></i>${escapeHtml(row.type)}</td><td>${row.sent}</td><td>${row.delivered}</td><td>${row.dropped}</td><td>${row.duplicated}</td></tr>`;
    })
    .join("");
  const latencyRows = figures.latencyByFunction
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.f)}</td><td>${row.count}</td>${[row.minUs, row.p50Us, row.p90Us, row.p99Us, row.maxUs].map((value) => `<td>${escapeHtml(formatDurationUs(value))}</td>`).join("")}</tr>`,
    )
    .join("");
  const leaders = figures.leaderChanges
    .slice(0, 50)
    .map(
      (change) =>
        `<tr><td>${escapeHtml(formatDurationUs(change.t))}</td><td>${escapeHtml(change.node)}</td><td>${change.term ?? ""}</td></tr>`,
    )
    .join("");
  const gaps =
    figures.unavailability === null
      ? "<p>No role leads, or no node reports a role, so leader availability is not measured.</p>"
      : `<p>No live leader for ${escapeHtml(formatDurationUs(figures.unavailableUs ?? 0))} in ${figures.unavailability.length} interval${figures.unavailability.length === 1 ? "" : "s"}${
          figures.unavailability.length === 0
            ? "."
            : `: ${figures.unavailability
                .slice(0, 20)
                .map((gap) => escapeHtml(`${formatDurationUs(gap.startUs)}–${formatDurationUs(gap.endUs)}`))
                .join(", ")}${figures.unavailability.length > 20 ? ", …" : ""}.`
        }</p>`;
  const ops = figures.operations;
  return `<section id="figures">
<h2>Figures</h2>
<div class="grid2">
<div><b>Messages by type</b> (${figures.messages} in all)
<table class="figures"><tr><th>type</th><th>sent</th><th>delivered</th><th>dropped</th><th>duplicated</th></tr>${messageRows}</table></div>
${
  // Sections only where they mean something: operations with clients, leaders where one led.
  !model.lanes.some((lane) => lane.kind === "client")
    ? ""
    : `<div><b>Operations</b>: ok ${ops.ok}, fail ${ops.fail}, info ${ops.info}, pending ${ops.pending}
${
  // Latencies are of operations that returned ok; with none, a table would be a header alone.
  latencyRows === ""
    ? "<p>No client operation completed ok, so no latency is measured.</p>"
    : `<table class="figures"><tr><th>f</th><th>ok</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>${latencyRows}</table>`
}</div>`
}
${
  figures.leaderChanges.length === 0
    ? ""
    : `<div><b>Leader changes</b>: ${figures.leaderChanges.length}
${leaders === "" ? "" : `<table class="figures"><tr><th>t</th><th>leader</th><th>term</th></tr>${leaders}</table>`}</div>`
}
<div>${figures.leaderChanges.length === 0 ? "" : `<b>Unavailability</b>${gaps}`}<p>Crashes ${figures.crashes}, restarts ${figures.restarts}, pauses ${figures.pauses}.</p></div>
</div>
</section>`;
}

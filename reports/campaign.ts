/**
 * The campaign report of `quorumlab fuzz --report FILE`: what a fuzz campaign did, as one
 * self-contained HTML page with no script at all (charts are inline SVG drawn here). It shows
 * coverage growing over the runs and over time, runs per second, the fault kinds and plan sizes
 * tried, the swarm themes, the probes reached and (of those the protocol declares) never reached,
 * and a link to each counterexample's own report. Every string from the campaign (protocol,
 * invariant, probe and file names) is escaped.
 *
 * The input is plain data (the command line builds it from a campaign outcome), so that reports/
 * depends on no fuzzer module.
 */
import { escapeHtml } from "./escape.js";

export interface CampaignReportInput {
  readonly protocol: string;
  readonly bugs: readonly string[];
  readonly seed: string;
  readonly search: "guided" | "uniform";
  readonly runs: number;
  readonly wallMs: number;
  readonly runsPerSec: number;
  /** Null when the runs did not record coverage (uniform search without `--coverage`). */
  readonly coverage: number | null;
  readonly corpus: number;
  readonly corpusLoaded: number;
  readonly mutants: number;
  readonly sampled: number;
  readonly timeline: ReadonlyArray<{ runs: number; elapsedMs: number; coverage: number; corpus: number }>;
  readonly faultKinds: Readonly<Record<string, number>>;
  readonly planSizes: Readonly<Record<string, number>>;
  readonly themes: Readonly<Record<string, number>>;
  readonly probes: Readonly<Record<string, { runs: number; firstRun: number }>>;
  /** Probe names the protocol declares (so that "never reached" is known); may be empty. */
  readonly declaredProbes: readonly string[];
  readonly newCoverageBy: { readonly fresh: number; readonly mutant: number };
  readonly counterexamples: ReadonlyArray<{
    readonly invariant: string;
    readonly message: string;
    readonly run: number;
    readonly faultActions: number;
    /** Paths relative to the campaign report, when written. */
    readonly report?: string;
    readonly scenario?: string;
    readonly replay: string;
  }>;
  readonly nondeterminism?: string;
  readonly version: string;
}

const width = 560;
const height = 200;
const margin = { left: 56, right: 16, top: 12, bottom: 32 };

function number(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** At most `limit` points, evenly picked, always keeping the first and the last. */
function thin<T>(points: readonly T[], limit: number): T[] {
  if (points.length <= limit) return [...points];
  const out: T[] = [];
  for (let index = 0; index < limit; index++) {
    out.push(points[Math.round((index * (points.length - 1)) / (limit - 1))] as T);
  }
  return out;
}

/** An SVG line chart of `points` ([x, y]) with labelled axes. */
function lineChart(options: {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ReadonlyArray<readonly [number, number]>;
}): string {
  const points = thin(options.points, 400);
  const xMax = Math.max(1, ...points.map(([x]) => x));
  const yMax = Math.max(1, ...points.map(([, y]) => y));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (value: number) => margin.left + (value / xMax) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - (value / yMax) * plotHeight;
  const path = points.map(
    ([px, py], index) => `${index === 0 ? "M" : "L"}${x(px).toFixed(1)},${y(py).toFixed(1)}`,
  );
  return `<figure class="chart" id="${escapeHtml(options.id)}">
<figcaption>${escapeHtml(options.title)}</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">
<line class="axis" x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${width - margin.right}" y2="${margin.top + plotHeight}"/>
<line class="axis" x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}"/>
<text class="tick" x="${margin.left - 6}" y="${margin.top + 10}" text-anchor="end">${escapeHtml(number(yMax))}</text>
<text class="tick" x="${margin.left - 6}" y="${margin.top + plotHeight}" text-anchor="end">0</text>
<text class="tick" x="${width - margin.right}" y="${height - 14}" text-anchor="end">${escapeHtml(number(xMax))}</text>
<text class="label" x="${margin.left + plotWidth / 2}" y="${height - 2}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>
<text class="label" x="12" y="${margin.top + plotHeight / 2}" transform="rotate(-90 12 ${margin.top + plotHeight / 2})" text-anchor="middle">${escapeHtml(options.yLabel)}</text>
${points.length > 1 ? `<path class="line" d="${path.join(" ")}"/>` : ""}
</svg>
</figure>`;
}

/** A horizontal bar chart of counts, as a table (bars are inline SVG widths). */
function barTable(
  id: string,
  title: string,
  counts: Readonly<Record<string, number>>,
  order?: readonly string[],
): string {
  const keys = order ?? Object.keys(counts).sort();
  const max = Math.max(1, ...keys.map((key) => counts[key] ?? 0));
  const rows = keys
    .map((key) => {
      const count = counts[key] ?? 0;
      const barWidth = Math.round((count / max) * 240);
      return `<tr><th scope="row">${escapeHtml(key)}</th><td class="count">${escapeHtml(number(count))}</td><td><svg width="240" height="12" aria-hidden="true"><rect class="bar" width="${barWidth}" height="12"/></svg></td></tr>`;
    })
    .join("\n");
  return `<section class="bars" id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>
<table><tbody>
${rows.length > 0 ? rows : '<tr><td class="none">none</td></tr>'}
</tbody></table></section>`;
}

function probesSection(input: CampaignReportInput): string {
  const reached = Object.keys(input.probes).sort();
  const never = input.declaredProbes.filter((probe) => input.probes[probe] === undefined).sort();
  const reachedRows = reached
    .map((probe) => {
      const seen = input.probes[probe] as { runs: number; firstRun: number };
      const undeclared = input.declaredProbes.length > 0 && !input.declaredProbes.includes(probe);
      return `<tr class="reached"><th scope="row"><code>${escapeHtml(probe)}</code>${undeclared ? ' <span class="note">(not declared)</span>' : ""}</th><td class="count">${escapeHtml(number(seen.runs))}</td><td class="count">${escapeHtml(String(seen.firstRun))}</td></tr>`;
    })
    .join("\n");
  const neverRows = never
    .map(
      (probe) =>
        `<tr class="never"><th scope="row"><code>${escapeHtml(probe)}</code></th><td colspan="2">never reached</td></tr>`,
    )
    .join("\n");
  const declared =
    input.declaredProbes.length === 0
      ? '<p class="note">The protocol declares no probes, so probes never reached cannot be listed.</p>'
      : `<p>${escapeHtml(String(reached.filter((probe) => input.declaredProbes.includes(probe)).length))} of ${escapeHtml(String(input.declaredProbes.length))} declared probes reached.</p>`;
  return `<section id="probes"><h2>Probes</h2>
${declared}
<table><thead><tr><th>probe</th><th>runs</th><th>first run</th></tr></thead><tbody>
${reachedRows}
${neverRows}
${reached.length + never.length === 0 ? '<tr><td colspan="3" class="none">no probes reached</td></tr>' : ""}
</tbody></table></section>`;
}

function counterexamplesSection(input: CampaignReportInput): string {
  if (input.counterexamples.length === 0) {
    return '<section id="counterexamples"><h2>Counterexamples</h2><p class="ok">No violation found.</p></section>';
  }
  const items = input.counterexamples
    .map((cx) => {
      const links = [
        cx.report === undefined
          ? ""
          : `<a class="report-link" href="${escapeHtml(encodeURI(cx.report))}">report</a>`,
        cx.scenario === undefined ? "" : `<a href="${escapeHtml(encodeURI(cx.scenario))}">scenario</a>`,
      ]
        .filter((link) => link !== "")
        .join(" · ");
      return `<li><strong>${escapeHtml(cx.invariant)}</strong> in run ${escapeHtml(String(cx.run))}, shrunk to ${escapeHtml(String(cx.faultActions))} fault actions ${links === "" ? "" : `(${links})`}<br><span class="message">${escapeHtml(cx.message)}</span><br><code>${escapeHtml(cx.replay)}</code></li>`;
    })
    .join("\n");
  return `<section id="counterexamples"><h2>Counterexamples</h2><ul>
${items}
</ul></section>`;
}

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 18px 0 6px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin: 12px 0; }
.summary div { background: #f3f5f9; border-radius: 6px; padding: 8px; } .summary b { display: block; font-size: 18px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; } figure { margin: 0; } figcaption { font-weight: 600; }
.axis { stroke: #778; } .line { fill: none; stroke: #2a6fdb; stroke-width: 2; }
.tick, .label { font-size: 11px; fill: #445; } .bar { fill: #2a6fdb; }
table { border-collapse: collapse; } th, td { padding: 2px 8px; text-align: left; } td.count { text-align: right; font-variant-numeric: tabular-nums; }
tr.never th, tr.never td { color: #a33; } .note { color: #667; } .ok { color: #1a7f37; } .bad { color: #b42318; font-weight: 600; }
.message { color: #445; } code { font-size: 12px; }
.columns { display: flex; flex-wrap: wrap; gap: 32px; }
`;

/** The campaign report as one HTML page. */
export function renderCampaignReport(input: CampaignReportInput): string {
  const coverageByRuns = input.timeline.map((point) => [point.runs, point.coverage] as const);
  const coverageByTime = input.timeline.map((point) => [point.elapsedMs / 1000, point.coverage] as const);
  const rates: Array<readonly [number, number]> = [];
  for (let index = 1; index < input.timeline.length; index++) {
    const before = input.timeline[index - 1] as CampaignReportInput["timeline"][number];
    const after = input.timeline[index] as CampaignReportInput["timeline"][number];
    const seconds = (after.elapsedMs - before.elapsedMs) / 1000;
    if (seconds > 0) rates.push([after.elapsedMs / 1000, (after.runs - before.runs) / seconds]);
  }
  const sizes = Object.keys(input.planSizes).sort((a, b) => Number(a) - Number(b));
  const title = `fuzz ${input.protocol}${input.bugs.length === 0 ? "" : ` (${input.bugs.join(", ")})`}`;
  const summary: Array<[string, string]> = [
    ["search", input.search],
    ["seed", input.seed],
    ["runs", number(input.runs)],
    ["runs/s", number(input.runsPerSec, 1)],
    ["wall time", `${number(input.wallMs / 1000, 1)} s`],
    ["coverage", input.coverage === null ? "not measured" : number(input.coverage)],
    [
      "corpus",
      `${number(input.corpus)}${input.corpusLoaded > 0 ? ` (${number(input.corpusLoaded)} loaded)` : ""}`,
    ],
    ["mutant runs", number(input.mutants)],
    [
      "new coverage from",
      input.coverage === null
        ? "not measured"
        : `${number(input.newCoverageBy.fresh)} fresh · ${number(input.newCoverageBy.mutant)} mutants`,
    ],
    ["determinism re-runs", number(input.sampled)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} — quorumlab campaign</title>
<style>${style}</style></head>
<body data-ready="true">
<h1>${escapeHtml(title)}</h1>
<p class="note">quorumlab ${escapeHtml(input.version)} campaign report</p>
${input.nondeterminism === undefined ? "" : `<p class="bad" id="nondeterminism">${escapeHtml(input.nondeterminism)}</p>`}
<div class="summary" id="summary">
${summary.map(([label, value]) => `<div><span>${escapeHtml(label)}</span><b>${escapeHtml(value)}</b></div>`).join("\n")}
</div>
<div class="charts">
${
  input.coverage === null
    ? `<p class="note" id="no-coverage">Coverage was not measured: uniform search does not use it (<code>--coverage</code> measures it).</p>`
    : `${lineChart({ id: "coverage-runs", title: "Coverage by runs", xLabel: "runs", yLabel: "coverage", points: coverageByRuns })}
${lineChart({ id: "coverage-time", title: "Coverage over time", xLabel: "seconds", yLabel: "coverage", points: coverageByTime })}`
}
${lineChart({ id: "throughput", title: "Runs per second", xLabel: "seconds", yLabel: "runs/s", points: rates })}
</div>
<div class="columns">
${barTable("fault-kinds", "Runs with each fault kind", input.faultKinds)}
${barTable("plan-sizes", "Runs by number of fault steps", input.planSizes, sizes)}
${barTable("themes", "Generated runs by swarm theme", input.themes)}
</div>
${probesSection(input)}
${counterexamplesSection(input)}
</body></html>
`;
}

/**
 * The "finding graph" section of the HTML report: a checker that explains a failure as a graph
 * (the transactional checker's dependency cycle: transactions and their ww/wr/rw/real-time edges)
 * declares it in the violation's explanation, and this section draws it: the nodes on a circle,
 * one labelled arrow per edge, and a table that links every node to its operation in the history
 * and to the events that invoked and completed it. The report knows nothing of the checker or the
 * protocol: it draws what the finding declares.
 *
 * The declaration, under `witnesses.explanation.graphs` (the first graph is the one reported):
 *
 * ```
 * {title, definition?, nodes: [{id, label, operation?}], edges: [{from, to, label, why?}]}
 * ```
 *
 * `operation` is the node's operation in the history (invocation order from 0, as the report
 * numbers them); `from` and `to` name node ids.
 */
import { escapeHtml } from "./escape.js";
import { formatDurationUs } from "./format.js";
import type { ReportModel } from "./model.js";

/** One node of a declared graph. */
export interface FindingGraphNode {
  readonly id: string;
  readonly label: string;
  /** The node's operation in the history, if it is one. */
  readonly operation?: number;
}

/** One edge of a declared graph. */
export interface FindingGraphEdge {
  readonly from: string;
  readonly to: string;
  /** A short label drawn on the arrow (`rw`). */
  readonly label: string;
  /** One sentence: why the edge exists. */
  readonly why?: string;
}

/** A graph a checker's finding declares: what the report draws. */
export interface FindingGraph {
  readonly title: string;
  readonly definition?: string;
  readonly nodes: readonly FindingGraphNode[];
  readonly edges: readonly FindingGraphEdge[];
}

/** How many graphs the section draws at most (the first is the reported anomaly). */
const graphsMax = 4;

/** Edge colours, by the order labels first appear in a graph. */
const edgePalette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#7f7f7f"];

/** Reads the declared graphs out of a violation's witnesses; malformed entries are skipped. */
export function readFindingGraphs(witnesses: unknown): FindingGraph[] {
  const explanation = (witnesses as { explanation?: unknown } | null | undefined)?.explanation;
  const raw = (explanation as { graphs?: unknown } | null | undefined)?.graphs;
  if (!Array.isArray(raw)) return [];
  const graphs: FindingGraph[] = [];
  for (const item of raw) {
    const graph = readGraph(item);
    if (graph !== undefined) graphs.push(graph);
  }
  return graphs;
}

function readGraph(item: unknown): FindingGraph | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const value = item as Record<string, unknown>;
  if (!Array.isArray(value.nodes) || !Array.isArray(value.edges)) return undefined;
  const nodes: FindingGraphNode[] = [];
  for (const node of value.nodes as unknown[]) {
    const fields = node as Record<string, unknown> | null;
    if (typeof fields?.id !== "string") continue;
    nodes.push({
      id: fields.id,
      label: String(fields.label ?? fields.id),
      ...(typeof fields.operation === "number" ? { operation: fields.operation } : {}),
    });
  }
  const ids = new Set(nodes.map((node) => node.id));
  const edges: FindingGraphEdge[] = [];
  for (const edge of value.edges as unknown[]) {
    const fields = edge as Record<string, unknown> | null;
    if (typeof fields?.from !== "string" || typeof fields.to !== "string") continue;
    if (!ids.has(fields.from) || !ids.has(fields.to)) continue;
    edges.push({
      from: fields.from,
      to: fields.to,
      label: String(fields.label ?? ""),
      ...(typeof fields.why === "string" ? { why: fields.why } : {}),
    });
  }
  if (nodes.length === 0) return undefined;
  return {
    title: String(value.title ?? "graph"),
    ...(typeof value.definition === "string" ? { definition: value.definition } : {}),
    nodes,
    edges,
  };
}

/** The operations the first declared graph of the report's violations names, in order. */
export function findingGraphOperations(model: ReportModel): number[] {
  for (const violation of model.violations) {
    const [graph] = readFindingGraphs(violation.witnesses);
    if (graph === undefined) continue;
    return graph.nodes.flatMap((node) => (node.operation === undefined ? [] : [node.operation]));
  }
  return [];
}

/** The section: every declared graph of the first violation that declares one; "" when none. */
export function renderFindingGraphs(model: ReportModel): string {
  for (const violation of model.violations) {
    const graphs = readFindingGraphs(violation.witnesses).slice(0, graphsMax);
    if (graphs.length === 0) continue;
    return `<section id="finding-graph">
<h2>What the checker found: ${escapeHtml(violation.invariant)}</h2>
${graphs.map((graph, index) => renderGraph(model, graph, index)).join("\n")}
</section>`;
  }
  return "";
}

const width = 560;
const nodeRadius = 26;

function renderGraph(model: ReportModel, graph: FindingGraph, graphIndex: number): string {
  // Two nodes sit side by side and need little height; more go around a circle.
  const height = graph.nodes.length <= 2 ? 170 : 320;
  const centre = { x: width / 2, y: height / 2 };
  const orbit = graph.nodes.length === 1 ? 0 : graph.nodes.length === 2 ? 110 : height / 2 - nodeRadius - 24;
  const position = new Map(
    graph.nodes.map((node, index) => {
      // Start on the left and go clockwise, so a two-node cycle reads left to right.
      const angle = Math.PI + (2 * Math.PI * index) / graph.nodes.length;
      return [node.id, { x: centre.x + orbit * Math.cos(angle), y: centre.y + orbit * Math.sin(angle) }];
    }),
  );
  const labels = [...new Set(graph.edges.map((edge) => edge.label))];
  const colour = (label: string) => edgePalette[labels.indexOf(label) % edgePalette.length]!;
  const markers = labels
    .map(
      (label, index) =>
        `<marker id="finding-arrow-${graphIndex}-${index}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour(label)}"/></marker>`,
    )
    .join("");
  const arrows = graph.edges
    .map((edge) => {
      const from = position.get(edge.from)!;
      const to = position.get(edge.to)!;
      return arrow(from, to, {
        colour: colour(edge.label),
        marker: `finding-arrow-${graphIndex}-${labels.indexOf(edge.label)}`,
        label: edge.label,
        title: `${edge.from} → ${edge.to}: ${edge.why ?? edge.label}`,
      });
    })
    .join("");
  const circles = graph.nodes
    .map((node) => {
      const at = position.get(node.id)!;
      const link = node.operation === undefined ? "" : ` data-goto-op="${node.operation}"`;
      // The link sits on the shapes themselves: the page's click handler reads the clicked element.
      return `<g class="finding-node" style="cursor:pointer"><title>${escapeHtml(node.label)}</title><circle${link} cx="${at.x.toFixed(1)}" cy="${at.y.toFixed(1)}" r="${nodeRadius}" fill="#fff" stroke="#333" stroke-width="1.5"/><text${link} x="${at.x.toFixed(1)}" y="${(at.y + 5).toFixed(1)}" text-anchor="middle" font-weight="600">${escapeHtml(node.id)}</text></g>`;
    })
    .join("");
  // A cycle reads as a chain back to its start; other graphs as their edges.
  const isCycle = graph.edges.length > 0 && graph.edges[graph.edges.length - 1]!.to === graph.edges[0]!.from;
  const cycleText = isCycle
    ? `${graph.edges.map((edge) => `${edge.from} -${edge.label}->`).join(" ")} ${graph.edges[0]!.from}`
    : graph.edges.map((edge) => `${edge.from} -${edge.label}-> ${edge.to}`).join(", ");
  return `<div class="explanation">
<p><b>${escapeHtml(graph.title)}</b>: <code>${escapeHtml(cycleText)}</code>${graph.definition === undefined ? "" : ` — ${escapeHtml(graph.definition)}`}</p>
<svg class="finding-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(graph.title)}" xmlns="http://www.w3.org/2000/svg"><defs>${markers}</defs>${arrows}${circles}</svg>
<div class="grid2">
<div><b>Transactions</b>, each linked to its operation in the history and to the events that invoked and completed it (red dots mark them in the history lane)<ul>${graph.nodes.map((node) => `<li>${nodeLine(model, node)}</li>`).join("")}</ul></div>
<div><b>Edges</b>: why each exists<ul>${graph.edges.map((edge) => `<li><code>${escapeHtml(`${edge.from} -${edge.label}-> ${edge.to}`)}</code>${edge.why === undefined ? "" : `: ${escapeHtml(edge.why)}`}</li>`).join("")}</ul></div>
</div>
</div>`;
}

/** A node's line: its label, a link to its operation, and links to its invoke and return events. */
function nodeLine(model: ReportModel, node: FindingGraphNode): string {
  const operation = node.operation === undefined ? undefined : model.operations[node.operation];
  if (operation === undefined || node.operation === undefined) return escapeHtml(node.label);
  const client = model.lanes[operation.client]?.name ?? "?";
  const event = (step: number | null, what: string) => {
    const at = step === null ? undefined : model.steps[step];
    if (step === null || at === undefined) return "";
    return ` · <a class="jump" href="#diagram-section" data-goto-step="${step}">${escapeHtml(`${what} at t=${formatDurationUs(at.t)} (event ${at.e})`)}</a>`;
  };
  return `<a class="op-link" href="#diagram-section" data-goto-op="${node.operation}">${escapeHtml(node.label)}</a> <span class="source">(${escapeHtml(client)}, ${escapeHtml(operation.status)})</span>${event(operation.invokeStep, "invoked")}${event(operation.returnStep, "completed")}`;
}

/** A curved arrow from one node's rim to another's, bending to its left, with a label. */
function arrow(
  from: { x: number; y: number },
  to: { x: number; y: number },
  style: { colour: string; marker: string; label: string; title: string },
): string {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length = Math.hypot(dx, dy) || 1;
  // Bend by a fixed share of the distance, so the two arrows between a pair never overlap.
  const bend = 0.25 * length;
  const normal = { x: dy / length, y: -dx / length };
  const control = { x: (from.x + to.x) / 2 + normal.x * bend, y: (from.y + to.y) / 2 + normal.y * bend };
  const rim = (point: { x: number; y: number }) => {
    const towardX = control.x - point.x;
    const towardY = control.y - point.y;
    const distance = Math.hypot(towardX, towardY) || 1;
    return { x: point.x + (towardX / distance) * nodeRadius, y: point.y + (towardY / distance) * nodeRadius };
  };
  const start = rim(from);
  const end = rim(to);
  const middle = {
    x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
    y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y,
  };
  const f = (value: number) => value.toFixed(1);
  return `<g><title>${escapeHtml(style.title)}</title><path d="M${f(start.x)},${f(start.y)} Q${f(control.x)},${f(control.y)} ${f(end.x)},${f(end.y)}" fill="none" stroke="${style.colour}" stroke-width="2" marker-end="url(#${style.marker})"/><text x="${f(middle.x)}" y="${f(middle.y - 4)}" text-anchor="middle" fill="${style.colour}" font-weight="600">${escapeHtml(style.label)}</text></g>`;
}

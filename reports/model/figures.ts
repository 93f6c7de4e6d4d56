/**
 * The figures of a report: messages by type, operations and latencies, leader changes and the
 * time without a leader (counting the roles the protocol declares leading), faults.
 */
import type { LatencyFigures, OperationStatus, ReportFigures, ReportModel, StepKind } from "./types.js";

export type FigureInput = Omit<ReportModel, "figures">;

export function computeFigures(model: FigureInput): ReportFigures {
  const byType = new Map<string, { sent: number; delivered: number; dropped: number; duplicated: number }>();
  for (const message of model.messages) {
    let entry = byType.get(message.type);
    if (entry === undefined) {
      entry = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
      byType.set(message.type, entry);
    }
    if (message.copyOf === null) entry.sent++;
    else entry.duplicated++;
    if (message.fate === "delivered") entry.delivered++;
    if (message.fate === "dropped") entry.dropped++;
  }
  const messagesByType = [...byType.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([type, counts]) => ({ type, ...counts }));

  const operations: Record<OperationStatus, number> = { ok: 0, fail: 0, info: 0, pending: 0 };
  const latencies = new Map<string, number[]>();
  for (const operation of model.operations) {
    operations[operation.status]++;
    if (operation.status !== "ok" || operation.returnUs === null) continue;
    const list = latencies.get(operation.f) ?? [];
    list.push(operation.returnUs - operation.callUs);
    latencies.set(operation.f, list);
  }
  const latencyByFunction = [...latencies.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([f, values]) => ({ f, ...latencyFigures(values) }));

  const { leaderChanges, unavailability } = leadership(model);
  const unavailableUs =
    unavailability === null ? null : unavailability.reduce((sum, gap) => sum + gap.endUs - gap.startUs, 0);
  const count = (kind: StepKind) => model.steps.reduce((sum, step) => sum + (step.kind === kind ? 1 : 0), 0);
  return {
    messages: model.messages.length,
    messagesByType,
    leaderChanges,
    operations,
    latencyByFunction,
    unavailability,
    unavailableUs,
    crashes: count("crash"),
    restarts: count("restart"),
    pauses: count("pause"),
  };
}

function latencyFigures(values: number[]): LatencyFigures {
  values.sort((left, right) => left - right);
  const at = (fraction: number) =>
    values[Math.min(values.length - 1, Math.floor(fraction * values.length))] ?? 0;
  return {
    count: values.length,
    minUs: values[0] ?? 0,
    p50Us: at(0.5),
    p90Us: at(0.9),
    p99Us: at(0.99),
    maxUs: values[values.length - 1] ?? 0,
  };
}

/** The role a state description reports, if any. */
export function roleOf(state: unknown): string | null {
  if (state === null || typeof state !== "object") return null;
  const role = (state as { role?: unknown }).role;
  return typeof role === "string" ? role : null;
}

export function termOf(state: unknown): number | null {
  if (state === null || typeof state !== "object") return null;
  const term = (state as { term?: unknown }).term;
  return typeof term === "number" ? term : null;
}

/**
 * Tells whether a node in a leading role at `term` is a new leadership: the first time that
 * (node, term) is seen, however often the node leaves and re-enters the role in that term. This
 * is the rule the kernel counts the `leaderChanges` figure by, so the reports and `quorumlab run`
 * list the leaderships the figure counts. A node that stays in its leading role into a new term
 * (a primary kept by the next view) is a new leadership.
 */
export function leadershipTracker(): (node: string, term: number | null) => boolean {
  const termsByNode = new Map<string, Set<number | null>>();
  return (node, term) => {
    let terms = termsByNode.get(node);
    if (terms === undefined) {
      terms = new Set();
      termsByNode.set(node, terms);
    }
    if (terms.has(term)) return false;
    terms.add(term);
    return true;
  };
}

/**
 * Leader changes (each node and term in a leading role, as the protocol declares them, once:
 * `leadershipTracker`) and the intervals in which no live node reported a leading role.
 */
function leadership(model: FigureInput): {
  leaderChanges: Array<{ t: number; node: string; role: string; term: number | null }>;
  unavailability: Array<{ startUs: number; endUs: number }> | null;
} {
  const leading = new Set(model.display.roles?.leading ?? []);
  const events: Array<{ t: number; lane: number; state: number }> = [];
  model.statePoints.forEach((points, lane) => {
    for (const [t, state] of points) events.push({ t, lane, state });
  });
  events.sort((left, right) => left.t - right.t || left.lane - right.lane);
  const leaders = new Set<number>();
  const leaderChanges: Array<{ t: number; node: string; role: string; term: number | null }> = [];
  const gaps: Array<{ startUs: number; endUs: number }> = [];
  const isNewLeadership = leadershipTracker();
  let anyRole = false;
  let gapStart: number | null = 0;
  for (const event of events) {
    const state = event.state < 0 ? null : model.states[event.state];
    const role = roleOf(state);
    if (role !== null) anyRole = true;
    if (role !== null && leading.has(role)) {
      const term = termOf(state);
      const node = model.lanes[event.lane]?.name ?? "?";
      if (isNewLeadership(node, term)) leaderChanges.push({ t: event.t, node, role, term });
      leaders.add(event.lane);
    } else {
      leaders.delete(event.lane);
    }
    if (leaders.size === 0 && gapStart === null) gapStart = event.t;
    if (leaders.size > 0 && gapStart !== null) {
      if (event.t > gapStart) gaps.push({ startUs: gapStart, endUs: event.t });
      gapStart = null;
    }
  }
  if (gapStart !== null && model.meta.endUs > gapStart)
    gaps.push({ startUs: gapStart, endUs: model.meta.endUs });
  return { leaderChanges, unavailability: anyRole && leading.size > 0 ? gaps : null };
}

/**
 * The report model: trace records → the plain data every report renders (HTML, Markdown, text,
 * exports). It reads records only, never live simulator objects, so a report can be built from
 * a trace file long after the run.
 *
 * What it derives:
 * - lanes: one per node, then one per client (and any other endpoint a record names);
 * - messages: each send (and each duplicate copy) with its arrival or drop time and fate;
 * - intervals: crashes and pauses per lane, partitions, cuts, clogs and bursts for the network;
 * - per-node state points (the nodes' `describe()` descriptions), deduplicated;
 * - client operations (invoke paired with ok / fail / info), numbered in invocation order, which
 *   is how the linearizability explanation (`sim/check/explain.ts`) names them;
 * - steps: every record a reader can step through, in trace order;
 * - violations, each with the step of its first bad event, and figures;
 * - the timeline: the moments `quorumlab run` tells, in its words (with what the run tells of
 *   its scenario's steps, when given it).
 *
 * The code lives in reports/model/: types.ts (the model), builder.ts (trace → model),
 * figures.ts (the figures), timeline.ts (the timeline) and check-record.ts (checking a trace
 * file's records). This module re-exports them.
 */
export { buildModel } from "./model/builder.js";
export { checkRecord } from "./model/check-record.js";
export { leadershipTracker, roleOf, termOf } from "./model/figures.js";
export {
  neverRanSpans,
  neverRanWhen,
  timelineEntries,
  timelineLinesMax,
  timelineText,
} from "./model/timeline.js";
export * from "./model/types.js";

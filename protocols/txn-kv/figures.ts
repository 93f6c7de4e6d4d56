/**
 * Run figures of the transactional store with placement, read from the placement group's trace
 * notes (every replica notes what it applies; each table version counts once, at the time its
 * first replica applied it):
 *
 * ```
 * txn.splits          ranges split (by size or by load)
 * txn.splitsByLoad    of those, splits because the range was hot
 * txn.merges          neighbouring ranges merged (small and cold)
 * txn.moves           ranges moved to another group (installed there and recorded)
 * txn.redirects       transactions a coordinator with a stale table sent on to the keys' new groups
 * txn.moveMsMax       longest time from a move's decision to its completion
 * txn.ranges          ranges at the end
 * txn.rangesByGroup   ranges per group at the end
 * txn.timeline        [{ms, event, at|start, group|from→to, reason?|into?}] in order
 * ```
 *
 * With static ranges, instead: `txn.byRange` and `txn.byHash`, the contrast with hash
 * partitioning (contrast.ts). No kept trace (`quorumlab verify`): empty.
 */
import type { TraceLine } from "../../sim/node.js";
import { partitioningContrast } from "./contrast.js";

interface NoteData {
  readonly version?: number;
  readonly at?: string;
  readonly start?: string;
  readonly group?: string;
  readonly from?: string;
  readonly to?: string;
  readonly ranges?: number;
  readonly byGroup?: Record<string, number>;
  readonly reason?: string;
  readonly into?: string;
}

type Note = Extract<TraceLine, { kind: "note" }>;

/** What the walk over the trace has counted so far. */
interface RangeTally {
  /** Table versions already counted (every replica notes each one). */
  readonly seen: Set<number>;
  /** When each move (`start→to`) was decided, in milliseconds. */
  readonly moveStartedMs: Map<string, number>;
  /** Transactions redirected, as `txn from`. */
  readonly redirected: Set<string>;
  readonly timeline: Record<string, unknown>[];
  splits: number;
  splitsByLoad: number;
  merges: number;
  moves: number;
  moveMsMax: number;
  /** The last table version's note: the ranges at the end. */
  last: NoteData | undefined;
}

export function txnFigures(records: readonly TraceLine[]): Record<string, unknown> {
  const header = records[0];
  if (header?.kind !== "header" || header.protocol !== "txn-kv") return {};
  const tally: RangeTally = {
    seen: new Set(),
    moveStartedMs: new Map(),
    redirected: new Set(),
    timeline: [],
    splits: 0,
    splitsByLoad: 0,
    merges: 0,
    moves: 0,
    moveMsMax: 0,
    last: undefined,
  };
  for (const record of records) {
    if (record.kind !== "note") continue;
    if (record.label === "txn-redirect") countRedirect(tally, record);
    else if (record.label.startsWith("range-") && record.label !== "range-installed")
      countRangeChange(tally, record);
  }
  const last = tally.last;
  if (last === undefined) {
    const contrast = partitioningContrast(records);
    return Object.keys(contrast).length === 0 ? {} : { txn: contrast };
  }
  return {
    txn: {
      splits: tally.splits,
      splitsByLoad: tally.splitsByLoad,
      merges: tally.merges,
      moves: tally.moves,
      redirects: tally.redirected.size,
      moveMsMax: tally.moveMsMax,
      ranges: last.ranges ?? null,
      rangesByGroup: Object.fromEntries(
        Object.entries(last.byGroup ?? {}).sort(([left], [right]) => (left < right ? -1 : 1)),
      ),
      timeline: tally.timeline,
    },
  };
}

/** A transaction sent on to its keys' new groups: counted once per transaction and coordinator. */
function countRedirect(tally: RangeTally, record: Note): void {
  const { txn, from, to } = (record.data ?? {}) as { txn?: string; from?: string; to?: string[] };
  const key = `${txn} ${from}`;
  if (tally.redirected.has(key)) return;
  tally.redirected.add(key);
  tally.timeline.push({ ms: Math.round(record.t / 10) / 100, event: "redirect", txn, from, to });
}

/** A split, merge, move decided or move done: counted at the first replica that applies it. */
function countRangeChange(tally: RangeTally, record: Note): void {
  const data = (record.data ?? {}) as NoteData;
  if (data.version === undefined || tally.seen.has(data.version)) return;
  tally.seen.add(data.version);
  const ms = Math.round(record.t / 10) / 100;
  tally.last = data;
  if (record.label === "range-split") {
    tally.splits++;
    if (data.reason === "load") tally.splitsByLoad++;
    tally.timeline.push({
      ms,
      event: "split",
      at: data.at,
      group: data.group,
      ...(data.reason === undefined ? {} : { reason: data.reason }),
    });
  } else if (record.label === "range-merge") {
    tally.merges++;
    tally.timeline.push({ ms, event: "merge", start: data.start, into: data.into, group: data.group });
  } else if (record.label === "range-move") {
    tally.moveStartedMs.set(`${data.start}→${data.to}`, ms);
    tally.timeline.push({ ms, event: "move", start: data.start, from: data.from, to: data.to });
  } else if (record.label === "range-moved") {
    tally.moves++;
    const startedMs = tally.moveStartedMs.get(`${data.start}→${data.to}`);
    if (startedMs !== undefined) {
      tally.moveMsMax = Math.max(tally.moveMsMax, Math.round((ms - startedMs) * 100) / 100);
    }
    tally.timeline.push({ ms, event: "moved", start: data.start, from: data.from, to: data.to });
  }
}

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

export function txnFigures(records: readonly TraceLine[]): Record<string, unknown> {
  const header = records[0];
  if (header?.kind !== "header" || header.protocol !== "txn-kv") return {};
  const seen = new Set<number>();
  const moveStartedMs = new Map<string, number>();
  let splits = 0;
  let splitsByLoad = 0;
  let merges = 0;
  const redirected = new Set<string>();
  let moves = 0;
  let moveMsMax = 0;
  let last: NoteData | undefined;
  const timeline: Record<string, unknown>[] = [];
  for (const record of records) {
    if (record.kind === "note" && record.label === "txn-redirect") {
      const { txn, from, to } = (record.data ?? {}) as { txn?: string; from?: string; to?: string[] };
      const key = `${txn} ${from}`;
      if (!redirected.has(key)) {
        redirected.add(key);
        timeline.push({ ms: Math.round(record.t / 10) / 100, event: "redirect", txn, from, to });
      }
      continue;
    }
    if (record.kind !== "note" || !record.label.startsWith("range-") || record.label === "range-installed")
      continue;
    const data = (record.data ?? {}) as NoteData;
    if (data.version === undefined || seen.has(data.version)) continue;
    seen.add(data.version);
    const ms = Math.round(record.t / 10) / 100;
    last = data;
    if (record.label === "range-split") {
      splits++;
      if (data.reason === "load") splitsByLoad++;
      timeline.push({
        ms,
        event: "split",
        at: data.at,
        group: data.group,
        ...(data.reason === undefined ? {} : { reason: data.reason }),
      });
    } else if (record.label === "range-merge") {
      merges++;
      timeline.push({ ms, event: "merge", start: data.start, into: data.into, group: data.group });
    } else if (record.label === "range-move") {
      moveStartedMs.set(`${data.start}→${data.to}`, ms);
      timeline.push({ ms, event: "move", start: data.start, from: data.from, to: data.to });
    } else if (record.label === "range-moved") {
      moves++;
      const startedMs = moveStartedMs.get(`${data.start}→${data.to}`);
      if (startedMs !== undefined) moveMsMax = Math.max(moveMsMax, Math.round((ms - startedMs) * 100) / 100);
      timeline.push({ ms, event: "moved", start: data.start, from: data.from, to: data.to });
    }
  }
  if (last === undefined) {
    const contrast = partitioningContrast(records);
    return Object.keys(contrast).length === 0 ? {} : { txn: contrast };
  }
  return {
    txn: {
      splits,
      splitsByLoad,
      merges,
      moves,
      redirects: redirected.size,
      moveMsMax,
      ranges: last.ranges ?? null,
      rangesByGroup: Object.fromEntries(
        Object.entries(last.byGroup ?? {}).sort(([left], [right]) => (left < right ? -1 : 1)),
      ),
      timeline,
    },
  };
}

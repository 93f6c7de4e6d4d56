/**
 * Range partitioning against hash partitioning, as figures of one run (the teaching contrast of
 * DeCandia et al., "Dynamo", SOSP 2007 §4.2 and of Corbett et al., "Spanner", OSDI 2012 §2, whose
 * directories keep neighbouring keys together): the committed transactions of a run with static
 * ranges, counted once by the groups their keys' ranges are on (what the run did) and once by the
 * groups hashing the same keys over the same data groups would put them on (FNV-1a of the key,
 * modulo the number of groups: what a hash-partitioned store would have done with the same
 * transactions).
 *
 * ```
 * txn.byRange / txn.byHash
 *   scanKeys             keys read by the widest read-only transaction (the "range scan")
 *   scanGroups           groups that scan touched
 *   appends              appends committed
 *   appendsHottestShare  share of the appends that landed on the busiest group (1: one hot spot)
 * ```
 */
import type { TraceLine } from "../../sim/node.js";
import { deriveTxnLayout, groupOfKey, parseTxnKvOptions } from "./options.js";

/** The figures of one partitioning scheme. */
interface SchemeFigures {
  scanKeys: number;
  scanGroups: number;
  appends: number;
  appendsHottestShare: number;
}

/** FNV-1a of the key: the group a hash-partitioned store would put it on. */
export function hashGroupOf(groups: readonly string[], key: string): string {
  let hash = 2166136261;
  for (let at = 0; at < key.length; at++) hash = Math.imul(hash ^ key.charCodeAt(at), 16777619) >>> 0;
  return groups[hash % groups.length]!;
}

/** The two schemes' figures for a static-range run; empty with placement or no transaction. */
export function partitioningContrast(records: readonly TraceLine[]): Record<string, unknown> {
  const header = records[0];
  if (header?.kind !== "header") return {};
  // Static ranges only. The header holds the options as parsed, and a parsed placement (with
  // its `loadWindowUs`) is not an input `parseTxnKvOptions` takes again.
  const placement = (header.options as { readonly placement?: unknown }).placement;
  if (placement !== undefined && placement !== null) return {};
  const options = parseTxnKvOptions(header.options);
  if (options.placement !== null) return {};
  const layout = deriveTxnLayout(options, header.nodes);
  const transactions: (readonly [string, string, unknown])[][] = [];
  for (const record of records) {
    if (record.kind === "ok" && record.f === "txn" && Array.isArray(record.value)) {
      transactions.push(record.value as [string, string, unknown][]);
    }
  }
  if (transactions.length === 0) return {};
  const scheme = (groupOf: (key: string) => string): SchemeFigures => {
    let scan: string[] = [];
    const appendsByGroup = new Map<string, number>();
    let appends = 0;
    for (const ops of transactions) {
      const reads = [...new Set(ops.filter(([f]) => f === "r").map(([, key]) => key))];
      if (reads.length === ops.length && reads.length > scan.length) scan = reads;
      for (const [f, key] of ops) {
        if (f !== "append") continue;
        appends++;
        const group = groupOf(key);
        appendsByGroup.set(group, (appendsByGroup.get(group) ?? 0) + 1);
      }
    }
    const hottest = Math.max(0, ...appendsByGroup.values());
    return {
      scanKeys: scan.length,
      scanGroups: new Set(scan.map(groupOf)).size,
      appends,
      appendsHottestShare: appends === 0 ? 0 : Math.round((hottest / appends) * 100) / 100,
    };
  };
  return {
    byRange: scheme((key) => groupOfKey(layout.initialTable, key)),
    byHash: scheme((key) => hashGroupOf(layout.groupNames, key)),
  };
}

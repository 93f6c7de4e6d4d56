/**
 * Run figures of the sharded store, read from the trace's notes (every replica notes what it
 * applies; each event counts once, at the time its first replica applied it):
 *
 * ```
 * sharded.configurations        the highest configuration number created
 * sharded.shardsMoved           shards installed by a new owner, all configurations together
 * sharded.migrationMsMax        longest time from a configuration's creation to its last install
 * sharded.byConfig.<N>          {createdMs, groupsReconfigured, shardsMoved, lastInstallMs, migrationMs}
 * ```
 *
 * Without a kept trace (for example `quorumlab verify`) the figures are empty.
 */
import type { TraceLine } from "../../sim/node.js";

interface ConfigFigures {
  createdMs: number | null;
  groupsReconfigured: number;
  shardsMoved: number;
  lastInstallMs: number | null;
  migrationMs: number | null;
}

export function shardedFigures(records: readonly TraceLine[]): Record<string, unknown> {
  const header = records[0];
  if (header?.kind !== "header" || header.protocol !== "sharded-kv") return {};
  const byConfig = new Map<number, ConfigFigures>();
  const entry = (num: number): ConfigFigures => {
    let figures = byConfig.get(num);
    if (figures === undefined) {
      figures = {
        createdMs: null,
        groupsReconfigured: 0,
        shardsMoved: 0,
        lastInstallMs: null,
        migrationMs: null,
      };
      byConfig.set(num, figures);
    }
    return figures;
  };
  const seen = new Set<string>();
  let shardsMoved = 0;
  for (const record of records) {
    if (record.kind !== "note") continue;
    const data = (record.data ?? {}) as { num?: number; group?: string; config?: number; shard?: number };
    const timeMs = record.t / 1000;
    if (record.label === "configuration" && data.num !== undefined) {
      if (seen.has(`c/${data.num}`)) continue;
      seen.add(`c/${data.num}`);
      entry(data.num).createdMs = timeMs;
    } else if (record.label === "reconfigured" && data.num !== undefined) {
      if (seen.has(`r/${data.group}/${data.num}`)) continue;
      seen.add(`r/${data.group}/${data.num}`);
      entry(data.num).groupsReconfigured++;
    } else if (record.label === "shard-installed" && data.config !== undefined) {
      const key = `i/${data.group}/${data.config}/${data.shard}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const figures = entry(data.config);
      figures.shardsMoved++;
      figures.lastInstallMs = Math.max(figures.lastInstallMs ?? 0, timeMs);
      shardsMoved++;
    }
  }
  let configurations = 1;
  let migrationMsMax = 0;
  const shown: Record<string, ConfigFigures> = {};
  for (const num of [...byConfig.keys()].sort((left, right) => left - right)) {
    const figures = byConfig.get(num) as ConfigFigures;
    configurations = Math.max(configurations, num);
    if (figures.createdMs !== null && figures.lastInstallMs !== null) {
      figures.migrationMs = Math.round((figures.lastInstallMs - figures.createdMs) * 1000) / 1000;
      migrationMsMax = Math.max(migrationMsMax, figures.migrationMs);
    }
    shown[num] = figures;
  }
  return { sharded: { configurations, shardsMoved, migrationMsMax, byConfig: shown } };
}

/**
 * Range placement: the table of key ranges and the placement group's state machine (TiKV's
 * placement driver, Huang et al., "TiDB", VLDB 2020 §3; CockroachDB's range splits and
 * rebalancing, Taft et al., SIGMOD 2020 §2).
 *
 * The table cuts the key space, ordered as strings, into ranges: range i holds keys from its
 * `start` up to the next range's start (the first starts at "", the last runs to the end). Each
 * range has an owning group and, while it moves, the group it moves to. The placement group
 * replicates the table with Raft; every change makes a new `version`. Changes:
 *
 * - `split`: a group reports a range grown past the size threshold and the key to cut it at (the
 *   median of its keys), or past the load threshold and the key that halves its load; the range
 *   becomes two, both still with their owner;
 * - `merge`: a range and its lower neighbour, held by one group and neither moving, that are small
 *   and cold together (the placement leader decides, from the group's load report) become one;
 * - `move`: the placement leader sends a range to the group with the fewest ranges (balance); the
 *   range is marked moving, which freezes it at its owner;
 * - `moved`: the target group installed the range's data; it now owns the range.
 */

/** One range of the table. */
export interface Range {
  readonly start: string;
  readonly group: string;
  /** While the range moves: the group it moves to. Its owner refuses new prepares on it. */
  readonly moving?: string;
}

/** What a group's leader reports of one of its ranges, once per load window. */
export interface RangeStats {
  readonly start: string;
  /** List elements held. */
  readonly size: number;
  /** Transactions prepared on it in the last window. */
  readonly load: number;
}

/** A version of the range table. */
export interface RangeTable {
  readonly version: number;
  readonly ranges: readonly Range[];
}

/** The range holding `key`. */
export function rangeOf(table: RangeTable, key: string): { range: Range; index: number; end: string | null } {
  let index = 0;
  while (index + 1 < table.ranges.length && key >= table.ranges[index + 1]!.start) index++;
  const next = table.ranges[index + 1];
  return { range: table.ranges[index]!, index, end: next === undefined ? null : next.start };
}

/** Whether `key` lies in [start, end). */
export function inRange(key: string, start: string, end: string | null): boolean {
  return key >= start && (end === null || key < end);
}

export type PlacementCommand =
  | {
      readonly kind: "split";
      readonly version: number;
      readonly at: string;
      /** Why: absent for size, `load` for load. */
      readonly reason?: "load";
    }
  | { readonly kind: "merge"; readonly version: number; readonly start: string }
  | { readonly kind: "move"; readonly version: number; readonly start: string; readonly to: string }
  | { readonly kind: "moved"; readonly start: string; readonly to: string };

/** The placement group's replicated state: the table. */
export class PlacementMachine {
  table: RangeTable;

  constructor(initial: RangeTable) {
    this.table = initial;
  }

  /** Applies a command; returns a note for the trace when the table changed. */
  apply(command: PlacementCommand): { label: string; data: Record<string, unknown> } | undefined {
    const note = this.change(command);
    if (note === undefined) return undefined;
    const byGroup: Record<string, number> = {};
    for (const range of this.table.ranges) byGroup[range.group] = (byGroup[range.group] ?? 0) + 1;
    return { label: note.label, data: { ...note.data, ranges: this.table.ranges.length, byGroup } };
  }

  private change(command: PlacementCommand): { label: string; data: Record<string, unknown> } | undefined {
    const { table } = this;
    switch (command.kind) {
      case "split": {
        if (command.version !== table.version) return undefined;
        const { range, index } = rangeOf(table, command.at);
        if (range.start === command.at || range.moving !== undefined) return undefined;
        const ranges = [...table.ranges];
        ranges.splice(index + 1, 0, { start: command.at, group: range.group });
        this.table = { version: table.version + 1, ranges };
        return {
          label: "range-split",
          data: {
            version: this.table.version,
            at: command.at,
            group: range.group,
            ...(command.reason === undefined ? {} : { reason: command.reason }),
          },
        };
      }
      case "merge": {
        if (command.version !== table.version) return undefined;
        const index = table.ranges.findIndex((range) => range.start === command.start);
        const upper = table.ranges[index];
        const lower = table.ranges[index - 1];
        if (upper === undefined || lower === undefined || lower.group !== upper.group) return undefined;
        if (lower.moving !== undefined || upper.moving !== undefined) return undefined;
        const ranges = [...table.ranges];
        ranges.splice(index, 1);
        this.table = { version: table.version + 1, ranges };
        return {
          label: "range-merge",
          data: { version: this.table.version, start: command.start, into: lower.start, group: lower.group },
        };
      }
      case "move": {
        if (command.version !== table.version) return undefined;
        const index = table.ranges.findIndex((range) => range.start === command.start);
        const range = table.ranges[index];
        if (range === undefined || range.moving !== undefined || range.group === command.to) return undefined;
        const ranges = [...table.ranges];
        ranges[index] = { ...range, moving: command.to };
        this.table = { version: table.version + 1, ranges };
        return {
          label: "range-move",
          data: { version: this.table.version, start: command.start, from: range.group, to: command.to },
        };
      }
      case "moved": {
        const index = table.ranges.findIndex((range) => range.start === command.start);
        const range = table.ranges[index];
        if (range === undefined || range.moving !== command.to) return undefined;
        const ranges = [...table.ranges];
        ranges[index] = { start: range.start, group: command.to };
        this.table = { version: table.version + 1, ranges };
        return {
          label: "range-moved",
          data: { version: this.table.version, start: command.start, from: range.group, to: command.to },
        };
      }
    }
  }

  /**
   * The merge a group's load report calls for, if any: the first range whose lower neighbour has
   * the same group, neither moving, that together hold at most `mergeSize` list elements and
   * carried at most `loadMax` transactions in the report's window.
   */
  mergeFor(
    report: { readonly version: number; readonly group: string; readonly ranges: readonly RangeStats[] },
    limits: { readonly mergeSize: number; readonly loadMax: number },
  ): PlacementCommand | undefined {
    const { table } = this;
    if (report.version !== table.version) return undefined;
    const stats = new Map(report.ranges.map((range) => [range.start, range]));
    for (let index = 1; index < table.ranges.length; index++) {
      const lower = table.ranges[index - 1]!;
      const upper = table.ranges[index]!;
      if (lower.group !== report.group || upper.group !== report.group) continue;
      if (lower.moving !== undefined || upper.moving !== undefined) continue;
      const lowerStats = stats.get(lower.start);
      const upperStats = stats.get(upper.start);
      if (lowerStats === undefined || upperStats === undefined) continue;
      if (lowerStats.size + upperStats.size > limits.mergeSize) continue;
      if (lowerStats.load + upperStats.load > limits.loadMax) continue;
      return { kind: "merge", version: table.version, start: upper.start };
    }
    return undefined;
  }

  /**
   * The move that balances the table, if any: when no range is moving and the group with the most
   * ranges has two more than the one with the fewest, its last range goes to the latter.
   */
  balancingMove(groups: readonly string[]): PlacementCommand | undefined {
    const { table } = this;
    if (table.ranges.some((range) => range.moving !== undefined)) return undefined;
    const counts = new Map(groups.map((group) => [group, 0]));
    for (const range of table.ranges) counts.set(range.group, (counts.get(range.group) ?? 0) + 1);
    const sorted = [...counts].sort(
      ([leftGroup, left], [rightGroup, right]) => left - right || (leftGroup < rightGroup ? -1 : 1),
    );
    const [fewest, fewestCount] = sorted[0]!;
    const [most, mostCount] = sorted[sorted.length - 1]!;
    if (mostCount - fewestCount < 2) return undefined;
    const range = [...table.ranges].reverse().find((candidate) => candidate.group === most)!;
    return { kind: "move", version: table.version, start: range.start, to: fewest };
  }
}

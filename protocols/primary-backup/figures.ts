/**
 * Liveness figures of a primary-backup run, computed from its trace records (a pure function;
 * the runner or a report hands in the records). They read the `became-primary {view}` notes
 * servers write and the `crash` records.
 *
 * - `failovers`: times a server other than the current primary became primary.
 * - `failoverUs` / `failoverUsMax`: mean and largest time from the primary's crash to the next
 *   primary, over failovers that followed a crash (null when none did).
 * - `falseFailovers`: failovers while the old primary had not crashed (it was partitioned, slow
 *   or paused): each one is a moment where two servers may both believe they are primary.
 */

/** The fields of a trace record this function reads (structurally a subset of the trace format). */
export interface FigureRecord {
  readonly kind: string;
  readonly t?: number;
  readonly node?: string;
  readonly label?: string;
}

export interface PrimaryBackupFigures {
  readonly failovers: number;
  readonly failoverUs: number | null;
  readonly failoverUsMax: number | null;
  readonly falseFailovers: number;
}

export function primaryBackupFigures(records: readonly FigureRecord[]): PrimaryBackupFigures {
  let primary: string | undefined;
  const crashedAtUs = new Map<string, number>();
  let failovers = 0;
  let falseFailovers = 0;
  const durationsUs: number[] = [];
  for (const record of records) {
    const node = record.node;
    if (node === undefined) continue;
    const timeUs = record.t ?? 0;
    if (record.kind === "crash") {
      crashedAtUs.set(node, timeUs);
    } else if (record.kind === "restart") {
      crashedAtUs.delete(node);
    } else if (record.kind === "note" && record.label === "became-primary") {
      if (primary !== undefined && primary !== node) {
        failovers++;
        const crashUs = crashedAtUs.get(primary);
        if (crashUs === undefined) falseFailovers++;
        else durationsUs.push(timeUs - crashUs);
      }
      primary = node;
    }
  }
  const total = durationsUs.reduce((sum, value) => sum + value, 0);
  return {
    failovers,
    failoverUs: durationsUs.length === 0 ? null : Math.round(total / durationsUs.length),
    failoverUsMax: durationsUs.length === 0 ? null : Math.max(...durationsUs),
    falseFailovers,
  };
}

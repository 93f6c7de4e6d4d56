/**
 * The replicated log of one node, in memory, with an optional compacted prefix (§7).
 *
 * Indices start at 1. Entries up to `snapshotIndex` live only in the snapshot; `entries[i]` holds
 * index `snapshotIndex + 1 + i`. Index 0 (and the snapshot index) have a known term, which makes
 * the AppendEntries consistency check uniform. This class only keeps memory; the node persists
 * every change through durable storage before it replies (see node.ts).
 */
import { type RunStart, RunStarts } from "../shared/run-starts.js";
import type { Entry } from "./messages.js";

/** The first index of a run of entries of one term, and that term. */
export type TermStart = RunStart;

/** The entries of an empty range (see `RaftLog.slice`). */
const noEntries: readonly Entry[] = Object.freeze([]);

export class RaftLog {
  snapshotIndex = 0;
  snapshotTerm = 0;
  entries: Entry[] = [];
  /**
   * How many times entries were removed from the end, and the first index removed the last time.
   * Observers use them to re-check only what changed (a step truncates at most once).
   */
  truncations = 0;
  lastTruncatedFrom = 0;
  /** Where the terms of the entries after the snapshot change. */
  private readonly runs = new RunStarts();

  get lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  /**
   * The log by where its terms change, from `snapshotIndex + 1`: `[[index, term], ...]`, each pair
   * the first index of a run of entries of that term. Immutable; replaced when it changes.
   */
  get termStarts(): readonly TermStart[] {
    return this.runs.starts;
  }

  get lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? this.snapshotTerm : last.term;
  }

  /** The term at `index`, or undefined if it was compacted away or is past the end. */
  termAt(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1]?.term;
  }

  entryAt(index: number): Entry | undefined {
    if (index <= this.snapshotIndex) return undefined;
    return this.entries[index - this.snapshotIndex - 1];
  }

  /**
   * Entries with indices in [from, toExclusive), clamped to what the log holds in memory. An empty
   * range gives one shared empty list: every heartbeat asks for one, and a fresh array each time
   * was about 1.5% of the bytes a uniform Raft fuzz campaign allocated (a sampling heap profile).
   */
  slice(from: number, toExclusive: number): readonly Entry[] {
    const base = this.snapshotIndex + 1;
    const start = Math.max(from, base) - base;
    const end = Math.min(Math.max(toExclusive, base) - base, this.entries.length);
    return start >= end ? noEntries : this.entries.slice(start, end);
  }

  /** Drops every entry at `index` and after. Returns the number of entries kept after the snapshot. */
  truncateFrom(index: number): number {
    const kept = Math.max(0, index - this.snapshotIndex - 1);
    if (this.entries.length > kept) {
      this.entries.length = kept;
      this.runs.truncateFrom(this.snapshotIndex + 1 + kept);
      this.truncations++;
      this.lastTruncatedFrom = this.snapshotIndex + 1 + kept;
    }
    return kept;
  }

  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      this.entries.push(entry);
      this.runs.append(this.lastIndex, entry.term);
    }
  }

  /** The first index of the run of entries sharing `index`'s term (not below the snapshot). */
  firstIndexOfTerm(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first - 1 > this.snapshotIndex && this.termAt(first - 1) === term) first--;
    return first;
  }

  /** The last index holding `term`, or 0 if the log (after the snapshot) holds none. */
  lastIndexOfTerm(term: number): number {
    for (let index = this.lastIndex; index > this.snapshotIndex; index--) {
      const entryTerm = this.termAt(index) as number;
      if (entryTerm === term) return index;
      if (entryTerm < term) return 0;
    }
    return this.snapshotTerm === term ? this.snapshotIndex : 0;
  }

  /** Forgets entries up to `index` (inclusive), which a snapshot now covers. */
  compactTo(index: number): void {
    const term = this.termAt(index);
    if (term === undefined || index <= this.snapshotIndex) return;
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.runs.dropBefore(index + 1, this.lastIndex);
  }

  /** Replaces the whole log by a snapshot position (InstallSnapshot with a conflicting log). */
  resetTo(index: number, term: number): void {
    if (this.entries.length > 0) {
      this.truncations++;
      this.lastTruncatedFrom = this.snapshotIndex + 1;
    }
    this.entries = [];
    this.runs.clear();
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** True if a log ending at (lastIndex, lastTerm) is at least as up-to-date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm;
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex);
  }
}

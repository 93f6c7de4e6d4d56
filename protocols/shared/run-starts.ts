/**
 * Where the runs of equal values start in a sequence that grows at its end, is cut back at its
 * end and loses its prefix: `[[index, value], ...]`, each pair the first index of a run and its
 * value. Raft's log uses it for the terms of its entries (`logTerms` in its state description).
 *
 * The array is immutable and replaced only when a run starts, is cut or loses its head, so
 * descriptions taken step after step share one array while entries of the last term are appended:
 * a traced run keeps every description, and rebuilding the runs from the log at every step would
 * cost a scan of the whole log per step.
 */

/** The first index of a run of equal values, and that value. */
export type RunStart = readonly [index: number, value: number];

export class RunStarts {
  private current: readonly RunStart[] = [];

  /** The runs, oldest first. Never mutated: a change replaces it. */
  get starts(): readonly RunStart[] {
    return this.current;
  }

  /** Records `value` at `index`, the new last position of the sequence. */
  append(index: number, value: number): void {
    const last = this.current[this.current.length - 1];
    if (last !== undefined && last[1] === value) return;
    this.current = [...this.current, [index, value]];
  }

  /** Forgets positions `index` and after. */
  truncateFrom(index: number): void {
    let kept = this.current.length;
    while (kept > 0 && (this.current[kept - 1] as RunStart)[0] >= index) kept--;
    if (kept < this.current.length) this.current = this.current.slice(0, kept);
  }

  /** Forgets positions before `index`; `lastIndex` is the sequence's last position. */
  dropBefore(index: number, lastIndex: number): void {
    if (index > lastIndex) {
      if (this.current.length > 0) this.current = [];
      return;
    }
    let first = 0;
    while (first + 1 < this.current.length && (this.current[first + 1] as RunStart)[0] <= index) first++;
    const head = this.current[first];
    if (head === undefined || (first === 0 && head[0] >= index)) return;
    const rest = this.current.slice(first + 1);
    this.current = [[index, head[1]], ...rest];
  }

  clear(): void {
    if (this.current.length > 0) this.current = [];
  }
}

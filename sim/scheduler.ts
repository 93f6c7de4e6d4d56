/**
 * The scheduler seam: where the kernel keeps the steps that may run next, and who picks one.
 *
 * - Time order (`EventQueue`, the default): the earliest due step runs next, ties in the order
 *   they were scheduled. Every scenario run and fuzz run uses it.
 * - Choice (`ChoiceQueue`): every pending step stays enabled whatever its due time, and the
 *   caller (an exploration strategy, or a scenario's `schedule:`) names the one to run next.
 *   The network is then asynchronous: any in-flight message may arrive next and any pending
 *   timer may fire next.
 */

/** What the kernel needs of a store of pending steps. */
export interface StepQueue<T> {
  readonly size: number;
  /** Due time of the step time order would run next, or Infinity when empty. */
  peekTime(): number;
  push(timeUs: number, item: T): void;
  /** Removes and returns the step time order would run next. */
  pop(): T | undefined;
  /** Whether some pending step passes `test`. */
  some(test: (item: T) => boolean): boolean;
}

/** One pending step of a `ChoiceQueue`: its due time, its arrival number and the step. */
export interface ChoiceEntry<T> {
  readonly dueUs: number;
  /** Arrival order in the queue: deterministic for a given sequence of choices. */
  readonly seq: number;
  readonly item: T;
  /** On a frozen entry (see `ChoiceQueue`), what a reader derived from it (`EntryMemo`). */
  readonly memo?: EntryMemo;
}

/**
 * The one mutable part of a frozen entry: where a reader of the queue keeps a value it derived
 * from the entry alone (an exploration keeps the entry's hash there, sim/explore/world.ts), with
 * who computed it. It is no part of the system's state: a snapshot passes over frozen objects
 * and what they hold.
 */
export interface EntryMemo {
  owner: unknown;
  value: unknown;
}

/**
 * Pending steps in arrival order, any of which may be taken. `pop` (time order over the pending
 * steps) is there so that a kernel in choice mode can still run to the end on its own.
 */
export class ChoiceQueue<T> implements StepQueue<T> {
  private entries: ChoiceEntry<T>[] = [];
  private nextSeq = 0;

  /**
   * `immutable`: the steps that never change once queued. They are frozen with their entries, so
   * that saving an explored state (which passes over frozen objects) skips them: a queued
   * message and its entry were two objects of every pending delivery to compare and copy on every
   * save and restore, and two fields to add to each new one.
   */
  constructor(private readonly immutable?: (item: T) => boolean) {}

  get size(): number {
    return this.entries.length;
  }

  /** The pending steps, oldest first. The array is the queue's own: read it, do not keep it. */
  pending(): readonly ChoiceEntry<T>[] {
    return this.entries;
  }

  push(timeUs: number, item: T): void {
    const seq = this.nextSeq++;
    if (this.immutable?.(item) === true) {
      Object.freeze(item);
      this.entries.push(
        Object.freeze({ dueUs: timeUs, seq, item, memo: { owner: undefined, value: undefined } }),
      );
      return;
    }
    this.entries.push({ dueUs: timeUs, seq, item });
  }

  some(test: (item: T) => boolean): boolean {
    return this.entries.some((entry) => test(entry.item));
  }

  /** Takes a pending step out of the queue; false when it is not pending. */
  remove(entry: ChoiceEntry<T>): boolean {
    const index = this.entries.indexOf(entry);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  /** Keeps only the steps `keep` accepts (dropping spent timers and cancelled actions). */
  retain(keep: (item: T) => boolean): void {
    let kept = 0;
    const entries = this.entries;
    for (const entry of entries) if (keep(entry.item)) entries[kept++] = entry;
    entries.length = kept;
  }

  peekTime(): number {
    const earliest = this.earliest();
    return earliest < 0 ? Number.POSITIVE_INFINITY : (this.entries[earliest] as ChoiceEntry<T>).dueUs;
  }

  pop(): T | undefined {
    const earliest = this.earliest();
    if (earliest < 0) return undefined;
    const [entry] = this.entries.splice(earliest, 1);
    return entry?.item;
  }

  private earliest(): number {
    let best = -1;
    let bestUs = Number.POSITIVE_INFINITY;
    this.entries.forEach((entry, index) => {
      if (entry.dueUs < bestUs) {
        best = index;
        bestUs = entry.dueUs;
      }
    });
    return best;
  }
}

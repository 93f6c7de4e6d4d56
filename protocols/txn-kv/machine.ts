/**
 * A group's replicated state machine: the group's range of keys (lists, for list-append), its
 * locks, its participant records (one per transaction it prepared) and its coordinator records
 * (one per transaction it coordinates). Every replica of the group applies the same commands in
 * log order, so all of this is agreed state; a replica that restarts rebuilds it from the log or
 * a snapshot. Nothing here sends messages: node.ts reacts to what was applied.
 *
 * Locking is strict two-phase locking (Bernstein, Hadzilacos & Goodman 1987, §3.2): a prepare
 * takes an exclusive lock on every key the transaction touches in this group, or refuses at once
 * if another transaction holds one (no waiting, so no deadlock: "no-wait" 2PL); locks are released
 * only when the decision is applied. Reads are taken at prepare time, under the locks.
 */
import type { TxnBugName } from "./bugs.js";
import { inRange, type RangeTable, rangeOf } from "./placement.js";

/** One micro-operation, with its position in the transaction. */
export interface TxnOp {
  readonly index: number;
  readonly f: "append" | "r";
  readonly key: string;
  readonly value: number | string | null;
}

/** A read's result: the micro-operation's position and the list read. */
export type ReadResult = readonly [index: number, list: readonly (number | string)[]];

export type GroupCommand =
  | {
      readonly kind: "begin";
      readonly txn: string;
      readonly ops: readonly TxnOp[];
      /** The group each operation goes to, by the coordinator's table when it began. */
      readonly owners: readonly string[];
      readonly participants: readonly string[];
    }
  | {
      readonly kind: "decide";
      readonly txn: string;
      readonly commit: boolean;
      readonly reads: readonly ReadResult[];
    }
  | { readonly kind: "ended"; readonly txn: string }
  | {
      readonly kind: "prepare";
      readonly txn: string;
      readonly coordinator: string;
      readonly ops: readonly TxnOp[];
    }
  | {
      readonly kind: "finish";
      readonly txn: string;
      readonly coordinator: string;
      readonly commit: boolean;
      /** This group's operations, as the coordinator sent them (used only by a bug). */
      readonly ops: readonly TxnOp[];
    }
  | { readonly kind: "table"; readonly table: RangeTable }
  | {
      /** The coordinator sends a refused group's operations to the groups a newer table names. */
      readonly kind: "reroute";
      readonly txn: string;
      readonly group: string;
      readonly owners: readonly string[];
    }
  | {
      readonly kind: "install";
      readonly start: string;
      readonly end: string | null;
      readonly data: readonly (readonly [string, readonly (number | string)[]])[];
    };

/** What a participant knows of one transaction. */
export interface ParticipantRecord {
  state: "prepared" | "refused" | "committed" | "aborted";
  readonly coordinator: string;
  readonly ops: readonly TxnOp[];
  readonly reads: readonly ReadResult[];
  /**
   * Refused because other groups serve every key, by this group's table, which is given: the
   * coordinator's table was stale, and it may send the operations there instead.
   */
  readonly table?: RangeTable;
}

/** What the coordinator knows of one transaction. */
export interface CoordinatorRecord {
  readonly ops: readonly TxnOp[];
  owners: readonly string[];
  participants: readonly string[];
  decision: { readonly commit: boolean; readonly reads: readonly ReadResult[] } | undefined;
  /** Every participant acknowledged the decision: nothing left to resend. */
  ended: boolean;
}

/** One participant outcome, for the atomicity invariant. */
export interface OutcomeAudit {
  readonly txn: string;
  readonly group: string;
  readonly commit: boolean;
}

interface GroupSnapshot {
  readonly table: RangeTable;
  readonly installed: string[];
  readonly data: [string, (number | string)[]][];
  readonly locks: [string, string][];
  readonly participant: [string, ParticipantRecord][];
  readonly coordinator: [string, CoordinatorRecord][];
}

export class GroupMachine {
  readonly data = new Map<string, (number | string)[]>();
  /** Key → the transaction holding its lock. */
  readonly locks = new Map<string, string>();
  readonly participant = new Map<string, ParticipantRecord>();
  readonly coordinator = new Map<string, CoordinatorRecord>();
  /** Outcomes applied on this replica since it was built, for invariant monitors. */
  readonly audit: OutcomeAudit[] = [];
  /** Ranges installed here, as `start@version` of the table that moved them. */
  readonly installed = new Set<string>();

  constructor(
    readonly group: string,
    private readonly bugs: ReadonlySet<TxnBugName>,
    /** The range table as this group's log last recorded it. */
    public table: RangeTable,
  ) {}

  /** Whether this group serves `key` now: it owns the key's range and the range is not moving. */
  serves(key: string): boolean {
    const { range } = rangeOf(this.table, key);
    return range.group === this.group && range.moving === undefined;
  }

  apply(command: GroupCommand): void {
    switch (command.kind) {
      case "begin":
        if (!this.coordinator.has(command.txn)) {
          this.coordinator.set(command.txn, {
            ops: command.ops,
            owners: command.owners,
            participants: command.participants,
            decision: undefined,
            ended: false,
          });
        }
        return;
      case "decide": {
        // The first decision in the log wins: a later one (a new leader presuming abort for a
        // transaction whose commit it had not applied yet) changes nothing.
        const record = this.coordinator.get(command.txn);
        if (record !== undefined && record.decision === undefined) {
          record.decision = { commit: command.commit, reads: command.reads };
        }
        return;
      }
      case "ended": {
        const record = this.coordinator.get(command.txn);
        if (record !== undefined) record.ended = true;
        return;
      }
      case "prepare":
        this.prepare(command.txn, command.coordinator, command.ops);
        return;
      case "finish":
        this.finish(command.txn, command.coordinator, command.commit, command.ops);
        return;
      case "table":
        this.adoptTable(command.table);
        return;
      case "reroute": {
        // Only before the decision, and only away from a group that refused (never prepared).
        const record = this.coordinator.get(command.txn);
        if (record === undefined || record.decision !== undefined) return;
        if (!record.participants.includes(command.group)) return;
        record.owners = command.owners;
        record.participants = [...new Set(command.owners)].sort();
        return;
      }
      case "install":
        this.install(command.start, command.end, command.data);
        return;
    }
  }

  /** Takes a newer table; drops the data of ranges that moved away for good. */
  private adoptTable(table: RangeTable): void {
    if (table.version <= this.table.version) return;
    this.table = table;
    for (const key of [...this.data.keys()]) {
      const { range } = rangeOf(table, key);
      if (range.group !== this.group && range.moving !== this.group) this.data.delete(key);
    }
  }

  /** Installs a range moving here, once its owner froze it and sent its data. */
  private install(
    start: string,
    end: string | null,
    data: readonly (readonly [string, readonly (number | string)[]])[],
  ): void {
    const { range } = rangeOf(this.table, start);
    if (range.start !== start || range.moving !== this.group) return;
    for (const key of [...this.data.keys()]) if (inRange(key, start, end)) this.data.delete(key);
    for (const [key, list] of data) this.data.set(key, [...list]);
    this.installed.add(`${start}@${this.table.version}`);
  }

  /**
   * What a prepare of `ops` would do now, without doing it: the vote and the reads. Only
   * BUG(commit-unprepared) uses it, to vote before the prepare is in the log.
   */
  votePreview(txn: string, ops: readonly TxnOp[]): { yes: boolean; reads: readonly ReadResult[] } {
    const saved = { locks: new Map(this.locks), record: this.participant.get(txn) };
    this.prepare(txn, "", ops);
    const record = this.participant.get(txn)!;
    const preview = { yes: record.state === "prepared", reads: record.reads };
    this.locks.clear();
    for (const [key, holder] of saved.locks) this.locks.set(key, holder);
    if (saved.record === undefined) this.participant.delete(txn);
    else this.participant.set(txn, saved.record);
    return preview;
  }

  /** Takes the locks and the reads, or refuses if a lock is held by another transaction. */
  private prepare(txn: string, coordinator: string, ops: readonly TxnOp[]): void {
    if (this.participant.has(txn)) return;
    // A key this group does not serve (stale routing, or its range is moving) is refused. When
    // other groups serve all of them (no range moving), the refusal carries this group's table,
    // so that a coordinator whose table is older can send them there: the redirect.
    if (ops.some((op) => !this.serves(op.key))) {
      const elsewhere = ops.every((op) => {
        const { range } = rangeOf(this.table, op.key);
        return range.group !== this.group && range.moving === undefined;
      });
      this.participant.set(txn, {
        state: "refused",
        coordinator,
        ops,
        reads: [],
        ...(elsewhere ? { table: this.table } : {}),
      });
      return;
    }
    // BUG(read-without-lock): only the keys the transaction appends to are locked.
    const locked = this.bugs.has("read-without-lock") ? ops.filter((op) => op.f === "append") : ops;
    const keys = [...new Set(locked.map((op) => op.key))];
    if (keys.some((key) => this.locks.has(key) && this.locks.get(key) !== txn)) {
      this.participant.set(txn, { state: "refused", coordinator, ops, reads: [] });
      return;
    }
    for (const key of keys) this.locks.set(key, txn);
    // Reads see the committed data and the transaction's own earlier appends.
    const view = new Map<string, (number | string)[]>();
    const reads: ReadResult[] = [];
    for (const op of ops) {
      let list = view.get(op.key);
      if (list === undefined) view.set(op.key, (list = [...(this.data.get(op.key) ?? [])]));
      if (op.f === "append") list.push(op.value as number | string);
      else reads.push([op.index, [...list]]);
    }
    this.participant.set(txn, { state: "prepared", coordinator, ops, reads });
  }

  /** Applies (commit) or drops (abort) a prepared transaction and releases its locks. */
  private finish(txn: string, coordinator: string, commit: boolean, ops: readonly TxnOp[]): void {
    const record = this.participant.get(txn);
    if (record === undefined) {
      // Never prepared here: an abort leaves a tombstone, so that a late prepare is refused.
      if (!commit) this.participant.set(txn, { state: "aborted", coordinator, ops: [], reads: [] });
      // BUG(commit-unprepared): a commit for a transaction never prepared here applies its appends.
      if (commit && this.bugs.has("commit-unprepared")) {
        this.participant.set(txn, { state: "prepared", coordinator, ops, reads: [] });
        this.finish(txn, coordinator, true, ops);
      }
      return;
    }
    if (record.state === "committed" || record.state === "aborted") return;
    if (commit && record.state === "prepared") {
      for (const op of record.ops) {
        if (op.f !== "append") continue;
        let list = this.data.get(op.key);
        if (list === undefined) this.data.set(op.key, (list = []));
        list.push(op.value as number | string);
      }
    }
    for (const [key, holder] of [...this.locks]) if (holder === txn) this.locks.delete(key);
    record.state = commit && record.state === "prepared" ? "committed" : "aborted";
    this.audit.push({ txn, group: this.group, commit: record.state === "committed" });
  }

  snapshot(): GroupSnapshot {
    return {
      table: this.table,
      installed: [...this.installed],
      data: [...this.data].map(([key, list]) => [key, [...list]]),
      locks: [...this.locks],
      participant: [...this.participant].map(([txn, record]) => [txn, { ...record }]),
      coordinator: [...this.coordinator].map(([txn, record]) => [txn, { ...record }]),
    };
  }

  restore(snapshot: unknown): void {
    const state = snapshot as GroupSnapshot;
    this.data.clear();
    this.locks.clear();
    this.participant.clear();
    this.coordinator.clear();
    this.installed.clear();
    this.table = state.table;
    for (const entry of state.installed) this.installed.add(entry);
    for (const [key, list] of state.data) this.data.set(key, [...list]);
    for (const [key, txn] of state.locks) this.locks.set(key, txn);
    for (const [txn, record] of state.participant) this.participant.set(txn, { ...record });
    for (const [txn, record] of state.coordinator) this.coordinator.set(txn, { ...record });
  }
}

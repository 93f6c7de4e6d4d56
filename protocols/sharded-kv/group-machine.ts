/**
 * The state machine a replica group replicates: its shards (data and client sessions), the
 * configuration it is in, and each shard's migration state.
 *
 * Every replica of a group applies the same commands in the same log order, so every decision
 * below is taken at apply time, on replicated state, never on a leader's local view:
 *
 * - `op` executes a client operation if, at that point of the log, the group serves the key's
 *   shard; otherwise it is answered "wrong group" and has definitely not taken effect. A session
 *   per (shard, client) remembers the last sequence number applied and its result, so a retried
 *   operation is executed once (Raft thesis §6.3), also after the shard moved: the sessions travel
 *   with the data.
 * - `reconfigure` moves to configuration N+1, only from N and only when no shard is mid-migration
 *   (configurations are processed one at a time, in order). A shard leaving the group freezes
 *   ("handing-off"): no operation applies to it any more, and its data and sessions wait for the
 *   new owner. A shard arriving is "pulling" until its data arrives, unless nobody owned it before.
 * - `install` puts a pulled shard's data and sessions in place and starts serving it; the old
 *   owner still holds its frozen copy ("gc pending").
 * - `delete` (old owner) drops the frozen copy once the new owner has installed it; `gc-done`
 *   (new owner) records that the old owner has dropped it.
 *
 * This is the shard migration of the MIT 6.5840 sharded key/value service (lab 5B), with pulls
 * driven by the receiving group. Deliberate bugs are marked `BUG(<name>)`.
 */
import type { ShardBugName } from "./bugs.js";
import { type Configuration, emptyConfiguration, type GroupId, type ShardLayout, shardOf } from "./config.js";

/** The result of an operation, as the client sees it. */
export type OpResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

export interface Session {
  readonly seq: number;
  readonly result: OpResult;
}

export type ShardState = "serving" | "pulling" | "handing-off";

/** One shard held by this group. */
export interface ShardRecord {
  state: ShardState;
  data: Map<string | null, unknown>;
  sessions: Map<string, Session>;
  /** Serving, while the previous owner still holds a frozen copy. */
  gcPending: boolean;
  /** Pulling or gc pending: the previous owner; handing-off: the new owner. */
  peerGroup: GroupId | null;
  /** BUG(serve-before-data): served although its data has not arrived yet. */
  awaitingData: boolean;
}

/** Wire form of a shard's contents. */
export interface ShardContents {
  readonly data: ReadonlyArray<readonly [string | null, unknown]>;
  readonly sessions: ReadonlyArray<readonly [string, number, OpResult]>;
}

export interface OpCommand {
  readonly kind: "op";
  readonly id: string;
  readonly client: string;
  readonly seq: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

/** A plain-data copy of a group's state machine (Raft snapshots carry it). */
export interface GroupSnapshot {
  readonly config: Configuration;
  readonly previous: Configuration;
  readonly shards: ReadonlyArray<
    readonly [
      shard: number,
      state: ShardState,
      contents: ShardContents,
      gcPending: boolean,
      peerGroup: GroupId | null,
      awaitingData: boolean,
    ]
  >;
}

export type GroupCommand =
  | OpCommand
  | { readonly kind: "reconfigure"; readonly config: Configuration }
  | ({ readonly kind: "install"; readonly config: number; readonly shard: number } & ShardContents)
  | { readonly kind: "delete"; readonly config: number; readonly shard: number }
  | { readonly kind: "gc-done"; readonly config: number; readonly shard: number };

export type ApplyOutcome =
  | { readonly kind: "op"; readonly result: OpResult; readonly fresh: boolean }
  | { readonly kind: "wrong-group"; readonly owner: GroupId | null }
  | { readonly kind: "changed" }
  | { readonly kind: "ignored" };

/** What invariant monitors read: one entry per applied command that mattered. */
export type AuditEvent =
  | {
      readonly kind: "op";
      readonly index: number;
      readonly config: number;
      readonly shard: number;
      readonly command: OpCommand;
      readonly result: OpResult;
      /** False when answered from the session (a retry of an applied operation). */
      readonly fresh: boolean;
    }
  | { readonly kind: "config"; readonly index: number; readonly config: Configuration }
  | {
      /** The shard starts being served here, holding `data`. */
      readonly kind: "serve";
      readonly index: number;
      readonly config: number;
      readonly shard: number;
      readonly data: ReadonlyArray<readonly [string | null, unknown]>;
    };

const writeFunctions = new Set(["write", "put", "append", "cas"]);

export function isWrite(f: string): boolean {
  return writeFunctions.has(f);
}

function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Executes one key-value operation on `data` (sim/history.ts conventions). */
export function executeOp(
  data: Map<string | null, unknown>,
  f: string,
  key: string | null,
  value: unknown,
): OpResult {
  const current = data.has(key) ? data.get(key) : null;
  switch (f) {
    case "read":
    case "get":
      return { ok: true, value: current };
    case "write":
    case "put":
      data.set(key, value);
      return { ok: true, value };
    case "append":
      data.set(key, `${current === null ? "" : String(current)}${String(value)}`);
      return { ok: true, value };
    case "cas": {
      if (!Array.isArray(value) || value.length !== 2)
        return { ok: false, error: "cas needs [expected, next]" };
      const swapped = sameValue(current, value[0]);
      if (swapped) data.set(key, value[1]);
      return { ok: true, value: swapped };
    }
    default:
      return { ok: false, error: `unknown operation '${f}'` };
  }
}

export function isKnownFunction(f: string): boolean {
  return f === "read" || f === "get" || writeFunctions.has(f);
}

export class GroupMachine {
  config: Configuration;
  previous: Configuration;
  readonly shards = new Map<number, ShardRecord>();
  /** Applied commands that matter to invariants, in log order. */
  readonly audit: AuditEvent[] = [];
  /** Every configuration this group moved to, in order (what `sharded.config-agreed` reads). */
  readonly configHistory: Configuration[] = [];
  /** The configuration this machine started from (1, or the one of the snapshot it was restored from). */
  readonly startConfigNum: number;

  constructor(
    readonly group: GroupId,
    readonly layout: ShardLayout,
    initial: Configuration,
    private readonly bugs: ReadonlySet<ShardBugName>,
  ) {
    this.config = initial;
    this.startConfigNum = initial.num;
    this.previous = emptyConfiguration(layout);
    initial.shards.forEach((owner, shard) => {
      if (owner === group) this.shards.set(shard, newRecord("serving", null));
    });
  }

  snapshot(): GroupSnapshot {
    const shards: Array<GroupSnapshot["shards"][number]> = [];
    for (const shard of [...this.shards.keys()].sort((left, right) => left - right)) {
      const record = this.shards.get(shard) as ShardRecord;
      shards.push([
        shard,
        record.state,
        contentsOf(record),
        record.gcPending,
        record.peerGroup,
        record.awaitingData,
      ]);
    }
    return { config: this.config, previous: this.previous, shards };
  }

  /** Rebuilds a machine from `snapshot`; its audit starts empty (monitors skip what it covers). */
  static restore(
    group: GroupId,
    layout: ShardLayout,
    snapshot: GroupSnapshot,
    bugs: ReadonlySet<ShardBugName>,
  ): GroupMachine {
    const machine = new GroupMachine(group, layout, snapshot.config, bugs);
    machine.previous = snapshot.previous;
    machine.shards.clear();
    for (const [shard, state, contents, gcPending, peerGroup, awaitingData] of snapshot.shards) {
      const record = newRecord(state, peerGroup);
      record.data = new Map(contents.data);
      record.sessions = new Map(contents.sessions.map(([client, seq, result]) => [client, { seq, result }]));
      record.gcPending = gcPending;
      record.awaitingData = awaitingData;
      machine.shards.set(shard, record);
    }
    return machine;
  }

  /** No shard is mid-migration: the group may move to the next configuration. */
  get stable(): boolean {
    for (const record of this.shards.values()) {
      if (record.state !== "serving" || record.gcPending || record.awaitingData) return false;
    }
    return true;
  }

  shardOf(key: string | null): number {
    return shardOf(key, this.layout.shardCount);
  }

  /** Whether this group serves `shard` now. */
  serves(shard: number): boolean {
    return this.config.shards[shard] === this.group && this.shards.get(shard)?.state === "serving";
  }

  /** The remembered result of (client, seq) on `shard`, if that operation was applied here. */
  resultOf(shard: number, client: string, seq: number): OpResult | undefined {
    const session = this.shards.get(shard)?.sessions.get(client);
    return session !== undefined && session.seq === seq ? session.result : undefined;
  }

  /** The frozen contents of `shard` for the owner of configuration `config`, if handed off here. */
  handOff(config: number, shard: number): ShardContents | undefined {
    const record = this.shards.get(shard);
    if (this.config.num !== config || record?.state !== "handing-off") return undefined;
    return contentsOf(record);
  }

  /** Whether this group has dropped its frozen copy of `shard` handed off in `config`. */
  deleted(config: number, shard: number): boolean {
    if (this.config.num > config) return true;
    return this.config.num === config && this.shards.get(shard)?.state !== "handing-off";
  }

  apply(command: GroupCommand, index: number): ApplyOutcome {
    const outcome = this.applyCommand(command, index);
    return outcome;
  }

  private applyCommand(command: GroupCommand, index: number): ApplyOutcome {
    switch (command.kind) {
      case "op":
        return this.applyOp(command, index);
      case "reconfigure":
        return this.applyReconfigure(command.config, index);
      case "install":
        return this.applyInstall(command, index);
      case "delete": {
        const record = this.shards.get(command.shard);
        if (command.config !== this.config.num || record?.state !== "handing-off") return { kind: "ignored" };
        this.shards.delete(command.shard);
        return { kind: "changed" };
      }
      case "gc-done": {
        const record = this.shards.get(command.shard);
        if (command.config !== this.config.num || record === undefined || !record.gcPending)
          return { kind: "ignored" };
        record.gcPending = false;
        record.peerGroup = null;
        return { kind: "changed" };
      }
    }
  }

  private applyOp(command: OpCommand, index: number): ApplyOutcome {
    const shard = this.shardOf(command.key);
    const record = this.shards.get(shard);
    if (record === undefined || !this.serves(shard)) {
      return { kind: "wrong-group", owner: this.config.shards[shard] ?? null };
    }
    const session = record.sessions.get(command.client);
    if (session !== undefined && command.seq <= session.seq) {
      if (command.seq < session.seq) return { kind: "ignored" };
      this.audit.push({
        kind: "op",
        index,
        config: this.config.num,
        shard,
        command,
        result: session.result,
        fresh: false,
      });
      return { kind: "op", result: session.result, fresh: false };
    }
    const result = executeOp(record.data, command.f, command.key, command.value);
    record.sessions.set(command.client, { seq: command.seq, result });
    this.audit.push({ kind: "op", index, config: this.config.num, shard, command, result, fresh: true });
    return { kind: "op", result, fresh: true };
  }

  private applyReconfigure(next: Configuration, index: number): ApplyOutcome {
    if (next.num !== this.config.num + 1 || !this.stable) return { kind: "ignored" };
    const current = this.config;
    for (let shard = 0; shard < this.layout.shardCount; shard++) {
      const before = current.shards[shard] ?? null;
      const after = next.shards[shard] ?? null;
      if (before === this.group && after !== this.group) {
        const record = this.shards.get(shard) as ShardRecord;
        record.state = "handing-off";
        record.peerGroup = after;
      } else if (before !== this.group && after === this.group) {
        if (before === null) {
          this.shards.set(shard, newRecord("serving", null));
          this.audit.push({ kind: "serve", index, config: next.num, shard, data: [] });
        } else if (this.bugs.has("serve-before-data")) {
          // BUG(serve-before-data): serve the shard at once, empty, while its data is still pulled.
          const record = newRecord("serving", before);
          record.awaitingData = true;
          this.shards.set(shard, record);
          this.audit.push({ kind: "serve", index, config: next.num, shard, data: [] });
        } else {
          this.shards.set(shard, newRecord("pulling", before));
        }
      }
    }
    this.previous = current;
    this.config = next;
    this.audit.push({ kind: "config", index, config: next });
    this.configHistory.push(next);
    return { kind: "changed" };
  }

  private applyInstall(command: Extract<GroupCommand, { kind: "install" }>, index: number): ApplyOutcome {
    const record = this.shards.get(command.shard);
    if (command.config !== this.config.num || record === undefined) return { kind: "ignored" };
    if (record.state !== "pulling" && !record.awaitingData) return { kind: "ignored" };
    record.data = new Map(command.data);
    // BUG(drop-sessions-on-migration): the shard's client sessions are left behind.
    record.sessions = this.bugs.has("drop-sessions-on-migration")
      ? new Map()
      : new Map(command.sessions.map(([client, seq, result]) => [client, { seq, result }]));
    record.state = "serving";
    record.gcPending = true;
    record.awaitingData = false;
    this.audit.push({
      kind: "serve",
      index,
      config: this.config.num,
      shard: command.shard,
      data: command.data,
    });
    return { kind: "changed" };
  }

  /** Per-shard state for traces: `serving`, `serving (gc)`, `pulling ← g1`, `handing-off → g3`. */
  describeShards(): Record<string, string> {
    const shown: Record<string, string> = {};
    for (const shard of [...this.shards.keys()].sort((left, right) => left - right)) {
      const record = this.shards.get(shard) as ShardRecord;
      let text: string = record.state;
      if (record.state === "pulling") text = `pulling ← ${record.peerGroup}`;
      else if (record.state === "handing-off") text = `handing-off → ${record.peerGroup ?? "nobody"}`;
      else if (record.awaitingData) text = `serving, data from ${record.peerGroup} not yet here`;
      else if (record.gcPending) text = `serving, ${record.peerGroup} to delete its copy`;
      shown[shard] = `${text} (${record.data.size} keys)`;
    }
    return shown;
  }
}

function newRecord(state: ShardState, peerGroup: GroupId | null): ShardRecord {
  return { state, data: new Map(), sessions: new Map(), gcPending: false, peerGroup, awaitingData: false };
}

function contentsOf(record: ShardRecord): ShardContents {
  return {
    data: [...record.data.entries()],
    sessions: [...record.sessions.entries()].map(
      ([client, session]) => [client, session.seq, session.result] as const,
    ),
  };
}

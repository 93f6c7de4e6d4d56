/**
 * A Raft replica replicating any command type: the `RaftNode` of ../raft, embedded, with the
 * embedding protocol's state machine plugged in through Raft's `StateMachineFactory`
 * (../raft/state-machine.ts).
 *
 * - The node gets a context restricted to its replica group: its `nodes` and `peers` are the
 *   group, `broadcast` goes to the group only, client replies are swallowed, and state
 *   annotations are captured for the host to merge into its own.
 * - A command is proposed as a client write of the command object to a reserved key, under an
 *   internal client identity unique per node incarnation (kept in durable storage), so Raft's
 *   duplicate check never mistakes one proposal for another.
 * - Raft applies each committed entry to the plugged-in machine, which hands the command and its
 *   log index to the host; snapshots are the host's state (Raft treats them as opaque), so Raft's
 *   log compaction and InstallSnapshot work for the host's state machine too.
 */
import type {
  ClientRequest,
  NodeContext,
  NodeId,
  RoleDeclaration,
  StateDescription,
} from "../../sim/node.js";
import { type RaftMessage, raftRoles } from "../raft/index.js";
import type { KvResult, KvSnapshot } from "../raft/kv.js";
import { RaftNode } from "../raft/node.js";
import type { RaftOptions } from "../raft/options.js";
import type { ReplicatedStateMachine, StateMachineFactory } from "../raft/state-machine.js";

/** The key under which commands travel through Raft's log. */
export const commandKey = "~command";
const epochKey = "sharded/epoch";

/** What the embedding node provides: applying its commands, and its state as a snapshot. */
export interface ReplicaHost<C> {
  /** Called by Raft for each committed command, in log order, with its log index. */
  onApply(command: C, index: number): void;
  snapshot(): unknown;
  /** Replaces the host's state with a snapshot's (restart or InstallSnapshot). */
  restore(snapshot: unknown): void;
}

const applied: KvResult = { ok: true, value: null };

/**
 * The roles of a protocol whose nodes each hold a `RaftReplica` in one of several groups: Raft's
 * roles and colours, read from the replica, with leaderships counted per group (every group has
 * its own leader). The highest term of all groups wins the scenario target `leader`.
 */
export function replicaGroupRoles<
  N extends { readonly replica: RaftReplica<unknown>; readonly group: string },
>(): RoleDeclaration<N> {
  return {
    names: raftRoles.names,
    leading: raftRoles.leading,
    ...(raftRoles.colours === undefined ? {} : { colours: raftRoles.colours }),
    roleOf: (node) => node.replica.raft.role,
    termOf: (node) => node.replica.raft.currentTerm,
    groupOf: (node) => node.group,
  };
}

/** The fields of a group member's Raft description that a sharded node's own description shows. */
export function raftFields(raft: StateDescription): Record<string, unknown> {
  return {
    role: raft.role,
    term: raft.term,
    votedFor: raft.votedFor,
    leader: raft.leader,
    commitIndex: raft.commitIndex,
    lastApplied: raft.lastApplied,
    logFrom: raft.logFrom,
    lastIndex: raft.lastIndex,
    logTerms: raft.logTerms,
  };
}

export class RaftReplica<C> {
  readonly raft: RaftNode;
  private readonly client: string;
  private seq = 0;

  constructor(
    private readonly ctx: NodeContext<RaftMessage>,
    readonly members: readonly NodeId[],
    options: RaftOptions,
    host: ReplicaHost<C>,
  ) {
    if (!members.includes(ctx.id)) throw new Error(`${ctx.id} is not in its replica group`);
    const epoch = (ctx.storage.get<number>(epochKey) ?? 0) + 1;
    ctx.storage.set(epochKey, epoch);
    // The epoch names this incarnation's client sessions: it must never be reused.
    ctx.storage.sync();
    this.client = `~${ctx.id}.${epoch}`;
    const peers = members.filter((member) => member !== ctx.id);
    const groupContext: NodeContext<RaftMessage> = {
      id: ctx.id,
      nodes: members,
      peers,
      random: ctx.random,
      storage: ctx.storage,
      now: () => ctx.now(),
      send: (to, message) => ctx.send(to, message),
      broadcast: (message) => {
        for (const peer of peers) ctx.send(peer, message);
      },
      setTimer: (name, delayUs) => ctx.setTimer(name, delayUs),
      cancelTimer: (name) => ctx.cancelTimer(name),
      hasTimer: (name) => ctx.hasTimer(name),
      reply: () => {},
      note: (label, data) => ctx.note(label, data),
      probe: (name) => ctx.probe(name),
    };
    const machine: ReplicatedStateMachine = {
      apply: (command, index) => {
        if (command.key === commandKey) host.onApply(command.value as C, index);
        return applied;
      },
      // Every proposal has its own (client, seq), so Raft never needs to answer one from memory.
      resultOf: () => undefined,
      read: () => null,
      snapshot: () => host.snapshot() as KvSnapshot,
    };
    const machines: StateMachineFactory = {
      create: () => machine,
      restore: (snapshot) => {
        host.restore(snapshot);
        return machine;
      },
    };
    this.raft = new RaftNode(groupContext, options, machines);
  }

  get isLeader(): boolean {
    return this.raft.role === "leader";
  }

  /** The leader this replica follows, if known. */
  get leader(): NodeId | null {
    return this.raft.leaderId;
  }

  /**
   * Answers a client request this replica cannot serve because it does not lead: a redirect to
   * the leader it follows, or a bare redirect (try another node) when it knows none.
   */
  redirectToLeader(request: ClientRequest): void {
    const leader = this.leader;
    this.ctx.reply(
      request,
      leader === null || leader === this.ctx.id ? { status: "redirect" } : { status: "redirect", leader },
    );
  }

  /** Appends `command` to the log if this replica leads; returns whether it did. */
  propose(command: C): boolean {
    if (!this.isLeader) return false;
    this.seq++;
    const request: ClientRequest = {
      id: `${this.client}:${this.seq}`,
      client: this.client,
      seq: this.seq,
      f: "write",
      key: commandKey,
      value: command,
    };
    this.raft.onClientRequest(request);
    return true;
  }

  start(restarted: boolean): void {
    this.raft.onStart({ restarted });
  }

  onMessage(from: NodeId, message: RaftMessage): void {
    this.raft.onMessage(from, message);
  }

  onTimer(name: string): void {
    this.raft.onTimer(name);
  }
}

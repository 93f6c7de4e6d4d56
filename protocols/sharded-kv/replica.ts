/**
 * A Raft replica replicating any command type: the unmodified `RaftNode` of ../raft, embedded.
 *
 * RaftNode replicates its own key-value store. To replicate another state machine without
 * changing it, the embedding node (1) gives it a context restricted to its replica group (its
 * `nodes` and `peers` are the group, `broadcast` goes to the group only, client replies are
 * swallowed), (2) proposes a command by handing Raft a client write of the command to a reserved
 * key, under an internal client identity that is unique per node incarnation, and (3) reads the
 * applied log itself after every step: each committed entry carrying a command is passed, in log
 * order and exactly once per incarnation, to `onApply`. Raft's own key-value store also applies
 * these writes, harmlessly.
 *
 * Consequences, stated honestly: Raft snapshots must stay off (`snapshotThreshold: 0`), because a
 * snapshot would carry Raft's store, not ours; a restarted replica rebuilds the embedding state
 * machine by re-applying the whole log, as Raft itself re-learns commitIndex from the leader.
 * Reads go through the log, not ReadIndex.
 */
import type { ClientRequest, NodeContext, NodeId, StateDescription } from "../../sim/node.js";
import type { RaftMessage } from "../raft/index.js";
import { RaftNode } from "../raft/node.js";
import type { RaftOptions } from "../raft/options.js";

/** The key under which commands travel through Raft's log. */
export const commandKey = "~command";
const epochKey = "sharded/epoch";

export class RaftReplica<C> {
  readonly raft: RaftNode;
  /** Last log index handed to `onApply`. */
  applied = 0;
  /** Raft's latest state description. */
  raftState: StateDescription = {};
  private readonly client: string;
  private seq = 0;

  constructor(
    ctx: NodeContext<RaftMessage>,
    readonly members: readonly NodeId[],
    options: RaftOptions,
    private readonly onApply: (command: C, index: number) => void,
  ) {
    if (options.snapshotThreshold !== 0) throw new Error("an embedded Raft replica cannot take snapshots");
    if (!members.includes(ctx.id)) throw new Error(`${ctx.id} is not in its replica group`);
    const epoch = (ctx.storage.get<number>(epochKey) ?? 0) + 1;
    ctx.storage.set(epochKey, epoch);
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
      annotate: (state) => {
        this.raftState = state;
      },
      note: (label, data) => ctx.note(label, data),
    };
    this.raft = new RaftNode(groupContext, options);
  }

  get isLeader(): boolean {
    return this.raft.role === "leader";
  }

  /** The leader this replica follows, if known. */
  get leader(): NodeId | null {
    return this.raft.leaderId;
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
    this.drain();
    return true;
  }

  start(restarted: boolean): void {
    this.raft.onStart({ restarted });
    this.drain();
  }

  onMessage(from: NodeId, message: RaftMessage): void {
    this.raft.onMessage(from, message);
    this.drain();
  }

  onTimer(name: string): void {
    this.raft.onTimer(name);
    this.drain();
  }

  /** Hands every newly applied command to `onApply`, in log order. */
  private drain(): void {
    const raft = this.raft;
    while (this.applied < raft.lastApplied) {
      const index = this.applied + 1;
      const entry = raft.log.entryAt(index);
      if (entry === undefined)
        throw new Error(`applied entry ${index} is not in the log (snapshots are off)`);
      this.applied = index;
      const command = entry.command;
      if (command.kind === "kv" && command.key === commandKey) this.onApply(command.value as C, index);
    }
  }
}

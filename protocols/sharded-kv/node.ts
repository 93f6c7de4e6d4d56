/**
 * A node of the sharded key-value store: a member of one Raft group, either the configuration
 * group or a replica group serving shards. Built on ../raft (each group is an unmodified
 * RaftNode, see replica.ts) and ../consistent-hashing (shards are placed on groups by the ring,
 * see config.ts). The design follows the MIT 6.5840 sharded key/value service.
 *
 * Configuration group (n1–n3 by default): replicates the sequence of configurations. At each time
 * of the scenario's timeline its leader proposes the group join or leave, retrying until applied;
 * any of its replicas answers a `ConfigQuery` from what it has applied.
 *
 * Replica groups: the leader polls for configuration N+1 every tick while no shard is mid-move,
 * and proposes it through its log; on apply each shard leaving freezes (handing-off) and each
 * shard arriving is pulled from its previous owner (`ShardPull` → `ShardData`, data and client
 * sessions), installed through the log, then the old copy is deleted (`ShardDelete` →
 * `ShardDeleted`). See group-machine.ts for the state machine and messages.ts for the exchange.
 *
 * Clients: any node answers a request for a key of another group with `redirect` to a member of
 * the owning group (the ring routing of the generic kernel client); a follower redirects to its
 * leader. The leader of the owning group puts the operation in its log, and answers when it is
 * applied: `ok` with the result, or `redirect` if at that point of the log the group no longer
 * serves the shard (so it definitely did not take effect). Requests for a shard still being pulled
 * wait at the leader until it is installed. Every operation, reads included, goes through the log.
 */
import type {
  ClientReply,
  ClientRequest,
  NodeContext,
  NodeId,
  ProtocolNode,
  StartInfo,
  StateDescription,
} from "../../sim/node.js";
import { buildRing } from "../consistent-hashing/ring.js";
import type { RaftMessage } from "../raft/index.js";
import {
  type ConfigCommand,
  ConfigMachine,
  type ConfigSnapshot,
  type Configuration,
  type GroupId,
  makeConfiguration,
  type ShardLayout,
  shardOf,
} from "./config.js";
import {
  type GroupCommand,
  GroupMachine,
  type GroupSnapshot,
  isKnownFunction,
  type OpResult,
} from "./group-machine.js";
import { isShardMessage, type ShardedMessage, type ShardMessage } from "./messages.js";
import { configGroupId, deriveLayout, type Layout, type ShardedOptions } from "./options.js";
import { RaftReplica, raftFields } from "./replica.js";

export const tickTimer = "sk-tick";
const changeTimerPrefix = "sk-change-";

/** What the configuration group applied, for invariant monitors. */
export interface ConfigAuditEvent {
  readonly index: number;
  readonly config: Configuration;
}

export class ShardedNode implements ProtocolNode<ShardedMessage> {
  readonly group: string;
  readonly layout: Layout;
  readonly shardLayout: ShardLayout;
  readonly replica: RaftReplica<ConfigCommand | GroupCommand>;
  /** Set on configuration-group members (replaced when Raft restores a snapshot). */
  configMachine: ConfigMachine | undefined;
  readonly configAudit: ConfigAuditEvent[] = [];
  /** Set on replica-group members (replaced when Raft restores a snapshot). */
  groupMachine: GroupMachine | undefined;
  /** Client requests in the log, by request id, awaiting their apply (leader only). */
  private readonly waiters = new Map<string, ClientRequest>();
  /** Requests for shards being pulled, by client (each client has one operation pending). */
  private readonly parked = new Map<string, ClientRequest>();
  private retryParked = false;
  private wasLeader = false;
  private cursor = 0;

  constructor(
    private readonly ctx: NodeContext<ShardedMessage>,
    readonly options: ShardedOptions,
  ) {
    this.layout = deriveLayout(options, ctx.nodes);
    const group = this.layout.groupOf.get(ctx.id);
    if (group === undefined) throw new Error(`sharded-kv: ${ctx.id} is in no group`);
    this.group = group;
    this.shardLayout = { shardCount: options.shardCount, vnodesPerGroup: options.vnodesPerGroup };
    const initialGroups: Record<GroupId, readonly string[]> = {};
    for (const name of this.layout.initialGroups)
      initialGroups[name] = this.layout.groups[name] as readonly string[];
    const initial = makeConfiguration(1, initialGroups, this.shardLayout);
    const members =
      group === configGroupId ? this.layout.configMembers : (this.layout.groups[group] as readonly string[]);
    if (group === configGroupId) {
      this.configMachine = new ConfigMachine(this.shardLayout, initial);
      this.groupMachine = undefined;
    } else {
      this.configMachine = undefined;
      this.groupMachine = new GroupMachine(group, this.shardLayout, initial, new Set(options.bugs));
    }
    this.replica = new RaftReplica(ctx as unknown as NodeContext<RaftMessage>, members, options.raft, {
      onApply: (command, index) => this.applyCommand(command, index),
      snapshot: () => (this.groupMachine ?? (this.configMachine as ConfigMachine)).snapshot(),
      restore: (snapshot) => this.restoreMachine(snapshot),
    });
  }

  /** The configuration this node works in: the latest applied one. */
  get config(): Configuration {
    if (this.groupMachine !== undefined) return this.groupMachine.config;
    return (this.configMachine as ConfigMachine).latest;
  }

  // ---- handlers ---------------------------------------------------------------------------------

  onStart(info: StartInfo): void {
    this.replica.start(info.restarted);
    this.ctx.setTimer(tickTimer, this.options.tickUs);
    if (this.configMachine !== undefined) {
      const nowUs = this.ctx.now();
      this.layout.changes.forEach((change, index) => {
        this.ctx.setTimer(`${changeTimerPrefix}${index}`, Math.max(0, change.atUs - nowUs));
      });
    }
    this.settle();
  }

  onTimer(name: string): void {
    if (name === tickTimer) {
      this.tick();
      this.ctx.setTimer(tickTimer, this.options.tickUs);
    } else if (name.startsWith(changeTimerPrefix)) {
      this.proposeChange(Number(name.slice(changeTimerPrefix.length)));
    } else {
      this.replica.onTimer(name);
    }
    this.settle();
  }

  onMessage(from: NodeId, message: ShardedMessage): void {
    if (isShardMessage(message)) this.onShardMessage(from, message);
    else this.replica.onMessage(from, message);
    this.settle();
  }

  onClientRequest(request: ClientRequest): void {
    this.handleRequest(request);
    this.settle();
  }

  // ---- clients ----------------------------------------------------------------------------------

  private handleRequest(request: ClientRequest): void {
    if (!isKnownFunction(request.f)) {
      this.ctx.reply(request, { status: "fail", error: `unknown operation '${request.f}'` });
      return;
    }
    const machine = this.groupMachine;
    const shard = shardOf(request.key, this.shardLayout.shardCount);
    const owner = this.config.shards[shard] ?? null;
    if (machine === undefined || owner !== this.group) {
      this.redirectToGroup(request, owner);
      return;
    }
    if (!this.replica.isLeader) {
      this.replica.redirectToLeader(request);
      return;
    }
    if (!machine.serves(shard)) {
      this.parked.set(request.client, request);
      return;
    }
    const done = machine.resultOf(shard, request.client, request.seq);
    if (done !== undefined) {
      this.replyResult(request, done);
      return;
    }
    const pending = this.waiters.has(request.id);
    this.waiters.set(request.id, request);
    if (pending) return;
    this.replica.propose({
      kind: "op",
      id: request.id,
      client: request.client,
      seq: request.seq,
      f: request.f,
      key: request.key,
      value: request.value,
    });
  }

  /** Sends the client to a member of the group that serves the shard (it redirects to its leader). */
  private redirectToGroup(request: ClientRequest, owner: GroupId | null): void {
    const members = owner === null ? undefined : this.layout.groups[owner];
    if (members === undefined || members.length === 0) return; // No group serves it: the client times out.
    const reply: ClientReply = { status: "redirect", leader: this.ctx.random.pick(members) };
    this.ctx.reply(request, reply);
  }

  private replyResult(request: ClientRequest, result: OpResult): void {
    this.ctx.reply(
      request,
      result.ok ? { status: "ok", value: result.value } : { status: "fail", error: result.error },
    );
  }

  // ---- applying the log ---------------------------------------------------------------------------

  private applyCommand(command: ConfigCommand | GroupCommand, index: number): void {
    if (this.configMachine !== undefined) {
      const next = this.configMachine.apply(command as ConfigCommand);
      if (next === undefined) return;
      this.configAudit.push({ index, config: next });
      this.ctx.note("configuration", { num: next.num, groups: Object.keys(next.groups) });
      return;
    }
    const machine = this.groupMachine as GroupMachine;
    const groupCommand = command as GroupCommand;
    const outcome = machine.apply(groupCommand, index);
    if (groupCommand.kind === "op") {
      const waiter = this.waiters.get(groupCommand.id);
      if (waiter === undefined) return;
      if (outcome.kind === "op") {
        this.waiters.delete(groupCommand.id);
        this.replyResult(waiter, outcome.result);
      } else if (outcome.kind === "wrong-group") {
        this.waiters.delete(groupCommand.id);
        this.redirectToGroup(waiter, outcome.owner);
      }
      return;
    }
    if (outcome.kind !== "changed") return;
    this.retryParked = true;
    // Every replica notes what it applies; figures.ts counts each event from its first replica.
    if (groupCommand.kind === "reconfigure") {
      this.ctx.note("reconfigured", {
        group: this.group,
        num: groupCommand.config.num,
        shards: machine.describeShards(),
      });
    } else if (groupCommand.kind === "install") {
      this.ctx.note("shard-installed", {
        group: this.group,
        config: groupCommand.config,
        shard: groupCommand.shard,
      });
    }
  }

  /** Raft restored a snapshot (restart or InstallSnapshot): the state machine is replaced. */
  private restoreMachine(snapshot: unknown): void {
    if (this.groupMachine !== undefined) {
      const bugs = new Set(this.options.bugs);
      this.groupMachine = GroupMachine.restore(this.group, this.shardLayout, snapshot as GroupSnapshot, bugs);
    } else {
      this.configMachine = ConfigMachine.restore(this.shardLayout, snapshot as ConfigSnapshot);
    }
    this.retryParked = true;
  }

  // ---- configuration changes and migration --------------------------------------------------------

  private proposeChange(index: number): void {
    const machine = this.configMachine;
    const change = this.layout.changes[index];
    if (machine === undefined || change === undefined || machine.changesApplied > index) return;
    if (this.replica.isLeader && machine.changesApplied === index) {
      const command: ConfigCommand =
        change.kind === "join"
          ? {
              kind: "join",
              change: index,
              group: change.group,
              members: this.layout.groups[change.group] ?? [],
            }
          : { kind: "leave", change: index, group: change.group };
      this.replica.propose(command);
    }
    this.ctx.setTimer(`${changeTimerPrefix}${index}`, this.options.tickUs);
  }

  /** A group leader's periodic work: ask for the next configuration, retry pulls and deletes. */
  private tick(): void {
    const machine = this.groupMachine;
    if (machine === undefined || !this.replica.isLeader) return;
    this.cursor++;
    const configMembers = this.layout.configMembers;
    if (machine.stable) {
      this.ctx.send(configMembers[this.cursor % configMembers.length] as NodeId, {
        type: "ConfigQuery",
        num: machine.config.num + 1,
      });
    }
    for (const [shard, record] of machine.shards) {
      const peers = record.peerGroup === null ? undefined : this.layout.groups[record.peerGroup];
      if (peers === undefined || peers.length === 0) continue;
      const peer = peers[this.cursor % peers.length] as NodeId;
      if (record.state === "pulling" || record.awaitingData) {
        this.ctx.send(peer, { type: "ShardPull", config: machine.config.num, shard });
      } else if (record.gcPending) {
        this.ctx.send(peer, { type: "ShardDelete", config: machine.config.num, shard });
      }
    }
  }

  private onShardMessage(from: NodeId, message: ShardMessage): void {
    const machine = this.groupMachine;
    switch (message.type) {
      case "ConfigQuery": {
        const config = this.configMachine?.at(message.num);
        if (config !== undefined) this.ctx.send(from, { type: "ConfigReply", config });
        return;
      }
      case "ConfigReply":
        if (machine === undefined || !this.replica.isLeader || !machine.stable) return;
        if (message.config.num === machine.config.num + 1)
          this.replica.propose({ kind: "reconfigure", config: message.config });
        return;
      case "ShardPull": {
        const contents = machine?.handOff(message.config, message.shard);
        if (contents !== undefined) {
          this.ctx.send(from, {
            type: "ShardData",
            config: message.config,
            shard: message.shard,
            ...contents,
          });
        }
        return;
      }
      case "ShardData": {
        const record = machine?.shards.get(message.shard);
        if (machine === undefined || record === undefined || !this.replica.isLeader) return;
        if (machine.config.num !== message.config || (record.state !== "pulling" && !record.awaitingData))
          return;
        this.replica.propose({
          kind: "install",
          config: message.config,
          shard: message.shard,
          data: message.data,
          sessions: message.sessions,
        });
        return;
      }
      case "ShardDelete":
        if (machine === undefined) return;
        if (machine.deleted(message.config, message.shard)) {
          this.ctx.send(from, { type: "ShardDeleted", config: message.config, shard: message.shard });
        } else if (this.replica.isLeader && machine.config.num === message.config) {
          this.replica.propose({ kind: "delete", config: message.config, shard: message.shard });
        }
        return;
      case "ShardDeleted": {
        const record = machine?.shards.get(message.shard);
        if (machine === undefined || record === undefined || !this.replica.isLeader) return;
        if (machine.config.num === message.config && record.gcPending) {
          this.replica.propose({ kind: "gc-done", config: message.config, shard: message.shard });
        }
        return;
      }
    }
  }

  // ---- after every step ---------------------------------------------------------------------------

  /** Drops leader-only work after losing leadership, and retries parked requests. */
  private settle(): void {
    const leader = this.replica.isLeader;
    if (this.wasLeader && !leader) {
      // Proposed operations may still commit; their clients learn the outcome by retrying.
      this.waiters.clear();
      this.parked.clear();
    }
    this.wasLeader = leader;
    if (this.retryParked && this.parked.size > 0) {
      this.retryParked = false;
      const parked = [...this.parked.values()];
      this.parked.clear();
      for (const request of parked) this.handleRequest(request);
    }
    this.retryParked = false;
  }

  /**
   * The replica's Raft state at the top level (role, term, log: reports draw it as Raft's), its
   * group and configuration, and its shards (replica groups) or the shard ring (configuration group).
   */
  describe(): StateDescription {
    const config = this.config;
    const raft = this.replica.raft.describe();
    const state: Record<string, unknown> = {
      ...raftFields(raft),
      group: this.group,
      configNum: config.num,
    };
    if (raft.matchIndex !== undefined) state.matchIndex = raft.matchIndex;
    if (this.groupMachine !== undefined) state.shards = this.groupMachine.describeShards();
    else state.ring = describeRing(config, this.shardLayout);
    return state;
  }
}

/**
 * The ring a configuration places shards with, for reports to draw as a circle: each group's
 * tokens on [0, 2^32), and each shard's range (shard s covers [s, s + 1) · 2^32 / S) and group.
 */
function describeRing(config: Configuration, layout: ShardLayout): Record<string, unknown> {
  const groups = Object.keys(config.groups);
  const tokens: Record<string, number[]> = {};
  if (groups.length > 0) {
    const ring = buildRing({ nodes: groups, vnodesPerNode: layout.vnodesPerGroup });
    for (const group of ring.nodes) tokens[group] = [];
    ring.tokens.forEach((token, index) => {
      tokens[ring.nodes[ring.tokenOwnerIndexes[index] as number] as string]?.push(token);
    });
  }
  return {
    groups,
    vnodes: layout.vnodesPerGroup,
    shardCount: layout.shardCount,
    shards: config.shards,
    tokens,
  };
}

/**
 * What must always hold in the sharded store, checked after every step from the node that acted.
 *
 * | Invariant | Statement | Source |
 * |---|---|---|
 * | `sharded.single-owner-per-config` | in each configuration, at most one group serves a shard | MIT 6.5840 Lab 5 (shardkv): "each shard is served by exactly one group" per configuration |
 * | `sharded.no-lost-or-duplicated-write` | a group starts serving a shard holding exactly the writes applied to it before, and no write (client, seq) is applied twice | 6.5840 Lab 5B (migration, duplicate detection); Raft thesis §6.3 (sessions) |
 * | `sharded.config-agreed` | every node that holds configuration N holds the same one, and groups move through configurations one by one | 6.5840 Lab 5A (shard controller); Raft §5 (one replicated log) |
 * | `raft.*` | every invariant of ../raft, checked within each Raft group | Raft paper Figure 3 |
 *
 * How they see the run: each group's state machine appends audit events (ops, configurations,
 * shards starting to be served) as it applies its log. The monitors read each acting node's new
 * events; an event of a group is counted once, from the first replica that applies its log index
 * (the replicas apply the same log, which the `raft.*` invariants check). The monitors keep a
 * reference copy of every shard, built from the writes in the order they were first applied, and
 * compare it with the data a group holds when it starts serving the shard.
 *
 * NB: if every group leaves, shards have no owner and their data is dropped by design; the
 * no-lost-write check assumes some group always remains (true in every scenario here).
 */
import {
  type Invariant,
  type InvariantFailure,
  type InvariantMonitor,
  SharedRecords,
  type StepView,
} from "../../sim/node.js";
import type { RaftNode } from "../raft/index.js";
import { raftInvariants } from "../raft/invariants.js";
import { ReadPositions } from "../shared/read-positions.js";
import { type Configuration, configurationDigest } from "./config.js";
import { type AuditEvent, executeOp, isWrite } from "./group-machine.js";
import type { ShardedNode } from "./node.js";

/** Reads each node's audit events once, counting each (group, log index) from its first replica. */
class AuditReader {
  private readonly positions = new ReadPositions<AuditEvent>();
  private readonly processedIndex = new Map<string, number>();

  /** New events of the acting node that no replica of its group has reported yet. */
  read(step: StepView<ShardedNode>): AuditEvent[] {
    const node = step.node(step.actor);
    const machine = node?.groupMachine;
    if (node === undefined || machine === undefined) return [];
    // A restart or a restored snapshot gives the node a new machine, whose audit starts over
    // with other events (or none).
    const audit = machine.audit;
    const cursor = this.positions.unreadFrom(step.actor, audit);
    if (cursor === audit.length) return [];
    const before = this.processedIndex.get(node.group) ?? 0;
    let after = before;
    const fresh: AuditEvent[] = [];
    for (let position = cursor; position < audit.length; position++) {
      const event = audit[position] as AuditEvent;
      if (event.index > before) {
        fresh.push(event);
        after = Math.max(after, event.index);
      }
    }
    this.processedIndex.set(node.group, after);
    return fresh;
  }
}

export const singleOwnerPerConfig: Invariant<ShardedNode> = {
  name: "sharded.single-owner-per-config",
  statement: "In each configuration, at most one group serves (applies operations on) a given shard.",
  source: "MIT 6.5840 Lab 5 shardkv: each shard is served by exactly one replica group per configuration",
  kind: "safety",
  create(): InvariantMonitor<ShardedNode> {
    const reader = new AuditReader();
    const servedBy = new Map<string, string>();
    return {
      state: { reader, servedBy },
      afterStep(step) {
        const node = step.node(step.actor);
        for (const event of reader.read(step)) {
          if (event.kind !== "op" && event.kind !== "serve") continue;
          const key = `${event.config}/${event.shard}`;
          const group = (node as ShardedNode).group;
          const previous = servedBy.get(key);
          if (previous === undefined) servedBy.set(key, group);
          else if (previous !== group) {
            return {
              message: `shard ${event.shard} is served by both ${previous} and ${group} in configuration ${event.config}`,
              witnesses: {
                shard: event.shard,
                config: event.config,
                groups: [previous, group],
                index: event.index,
              },
            };
          }
        }
        return undefined;
      },
    };
  },
};

/** The reference copy of one shard. */
interface ReferenceShard {
  readonly data: Map<string | null, unknown>;
  readonly writeIds: Map<string, { group: string; index: number; config: number }>;
}

function compareData(
  reference: ReadonlyMap<string | null, unknown>,
  held: ReadonlyArray<readonly [string | null, unknown]>,
): Array<{ key: string | null; expected: unknown; held: unknown }> {
  const differences: Array<{ key: string | null; expected: unknown; held: unknown }> = [];
  const heldMap = new Map(held);
  for (const [key, expected] of reference) {
    const value = heldMap.has(key) ? heldMap.get(key) : null;
    if (JSON.stringify(value) !== JSON.stringify(expected)) differences.push({ key, expected, held: value });
  }
  for (const [key, value] of heldMap) {
    if (!reference.has(key)) differences.push({ key, expected: null, held: value });
  }
  return differences;
}

export const noLostOrDuplicatedWrite: Invariant<ShardedNode> = {
  name: "sharded.no-lost-or-duplicated-write",
  statement:
    "A group starts serving a shard holding exactly the writes applied to it before (none lost across a migration), and no write (client, seq) is applied twice.",
  source: "MIT 6.5840 Lab 5B (shard migration and duplicate detection); Raft thesis §6.3 (client sessions)",
  kind: "safety",
  create(): InvariantMonitor<ShardedNode> {
    const reader = new AuditReader();
    const shards = new Map<number, ReferenceShard>();
    const shardOf = (shard: number): ReferenceShard => {
      let reference = shards.get(shard);
      if (reference === undefined) {
        reference = { data: new Map(), writeIds: new Map() };
        shards.set(shard, reference);
      }
      return reference;
    };
    return {
      state: { reader, shards },
      afterStep(step) {
        const node = step.node(step.actor) as ShardedNode | undefined;
        for (const event of reader.read(step)) {
          if (event.kind === "op" && event.fresh && isWrite(event.command.f)) {
            const reference = shardOf(event.shard);
            const earlier = reference.writeIds.get(event.command.id);
            if (earlier !== undefined) {
              return {
                message: `${event.command.f} ${event.command.id} on key ${event.command.key} was applied twice: by ${earlier.group} (configuration ${earlier.config}) and again by ${node?.group} (configuration ${event.config})`,
                witnesses: {
                  operation: event.command,
                  first: earlier,
                  again: { group: node?.group, index: event.index, config: event.config },
                },
              };
            }
            reference.writeIds.set(event.command.id, {
              group: node?.group ?? "",
              index: event.index,
              config: event.config,
            });
            executeOp(reference.data, event.command.f, event.command.key, event.command.value);
          } else if (event.kind === "serve") {
            const differences = compareData(shardOf(event.shard).data, event.data);
            if (differences.length > 0) {
              return {
                message: `${node?.group} started serving shard ${event.shard} in configuration ${event.config} without ${differences.length} key(s) as written before, e.g. ${JSON.stringify(differences[0])}`,
                witnesses: {
                  group: node?.group,
                  shard: event.shard,
                  config: event.config,
                  differences: differences.slice(0, 10),
                },
              };
            }
          }
        }
        return undefined;
      },
    };
  },
};

export const configAgreed: Invariant<ShardedNode> = {
  name: "sharded.config-agreed",
  statement:
    "Every node holding configuration N holds the same configuration N, and every group moves through configurations one at a time, in order.",
  source: "MIT 6.5840 Lab 5A (shard controller: a numbered sequence of configurations); Raft §5",
  kind: "safety",
  create(): InvariantMonitor<ShardedNode> {
    const digests = new Map<number, { digest: string; node: string }>();
    /**
     * How far a node's configuration history and audit were read. A node restarts with both
     * empty; a restored snapshot gives it a new history, which begins with another configuration.
     */
    interface Cursor {
      historyFirst: Configuration | undefined;
      cursor: number;
      configCursor: number;
      lastNum: number;
    }
    const cursors = new Map<string, Cursor>();
    const check = (node: string, num: number, digest: string): InvariantFailure | undefined => {
      const known = digests.get(num);
      if (known === undefined) digests.set(num, { digest, node });
      else if (known.digest !== digest) {
        return {
          message: `${node} and ${known.node} hold different configurations numbered ${num}`,
          witnesses: { num, nodes: [known.node, node], first: known.digest, second: digest },
        };
      }
      return undefined;
    };
    return {
      state: { digests, cursors },
      afterStep(step) {
        const node = step.node(step.actor);
        if (node === undefined) return undefined;
        let entry = cursors.get(step.actor);
        if (entry === undefined || step.cause === "restart" || step.cause === "start") {
          entry = { historyFirst: undefined, cursor: 0, configCursor: 0, lastNum: 1 };
          cursors.set(step.actor, entry);
        }
        const history = node.groupMachine?.configHistory ?? [];
        if (entry.historyFirst !== history[0] || entry.cursor > history.length) {
          // A new machine (restored from a snapshot) continues from the configuration it holds.
          entry.historyFirst = history[0];
          entry.cursor = 0;
          entry.lastNum = node.groupMachine?.startConfigNum ?? 1;
        }
        for (; entry.cursor < history.length; entry.cursor++) {
          const config = history[entry.cursor] as (typeof history)[number];
          if (config.num !== entry.lastNum + 1) {
            return {
              message: `${step.actor} (group ${node.group}) moved from configuration ${entry.lastNum} to ${config.num}`,
              witnesses: { node: step.actor, from: entry.lastNum, to: config.num },
            };
          }
          entry.lastNum = config.num;
          const failure = check(step.actor, config.num, configurationDigest(config));
          if (failure !== undefined) return failure;
        }
        for (; entry.configCursor < node.configAudit.length; entry.configCursor++) {
          const event = node.configAudit[entry.configCursor] as (typeof node.configAudit)[number];
          const failure = check(step.actor, event.config.num, configurationDigest(event.config));
          if (failure !== undefined) return failure;
        }
        return undefined;
      },
    };
  },
};

/** The step as a Raft invariant sees it: each node is its replica's Raft node. */
function raftView(step: StepView<ShardedNode>): StepView<RaftNode> {
  return {
    timeUs: step.timeUs,
    eventIndex: step.eventIndex,
    nodes: step.nodes,
    actor: step.actor,
    actorIndex: step.actorIndex,
    cause: step.cause,
    node: (id) => step.node(id)?.replica.raft,
    storage: (id) => step.storage(id),
  };
}

/** A Raft invariant checked separately inside every Raft group (terms are per group). */
function perGroup(invariant: Invariant<RaftNode>): Invariant<ShardedNode> {
  return {
    name: invariant.name,
    statement: `${invariant.statement} (within each Raft group)`,
    source: invariant.source,
    kind: invariant.kind,
    create(): InvariantMonitor<ShardedNode> {
      // Per group, the monitor and the records it shares (with no other group's).
      const monitors = new Map<
        string,
        { monitor: InvariantMonitor<RaftNode>; run: SharedRecords<RaftNode> }
      >();
      return {
        state: { monitors },
        afterStep(stepView) {
          // A crashed node has no object; Raft's monitors skip such steps too.
          const group = stepView.node(stepView.actor)?.group;
          if (group === undefined) return undefined;
          let inGroup = monitors.get(group);
          if (inGroup === undefined) {
            const run = new SharedRecords<RaftNode>();
            inGroup = { monitor: invariant.create(run), run };
            monitors.set(group, inGroup);
          }
          const view = raftView(stepView);
          inGroup.run.afterStep(view);
          if (inGroup.monitor.afterStep === undefined) return undefined;
          const failure = inGroup.monitor.afterStep(view);
          return failure === undefined
            ? undefined
            : { ...failure, message: `group ${group}: ${failure.message}` };
        },
      };
    },
  };
}

export const shardedInvariants: readonly Invariant<ShardedNode>[] = [
  singleOwnerPerConfig,
  noLostOrDuplicatedWrite,
  configAgreed,
  ...raftInvariants.map(perGroup),
];

/**
 * Safety invariants of Multi-Paxos ("Paxos Made Simple" §3), checked after every step. Monitors
 * look only at the node that just acted and keep their own record of what every node did. A
 * restarted node is a new object; monitors notice and start reading its fresh (volatile) history.
 */
import type { Invariant, NodeId, StepView } from "../../sim/node.js";
import { NodeSet } from "../shared/node-set.js";
import { type Command, commandKey } from "./messages.js";
import type { MultiPaxosNode } from "./node.js";

type View = StepView<MultiPaxosNode>;

/**
 * Remembers, per node, which node object it last saw and how far it has read a growing list.
 * `read` fills its own fields (`node`, `from`, `restarted`) rather than returning a new object:
 * it runs after every step.
 */
class Cursor {
  private readonly objects: Array<MultiPaxosNode | undefined> = [];
  private readonly positions: number[] = [];
  node: MultiPaxosNode | undefined;
  from = 0;
  restarted = false;

  /** Reads the actor; false when it is down. */
  read(view: View): boolean {
    const node = view.node(view.actor);
    if (node === undefined) return false;
    const index = view.actorIndex;
    this.restarted = this.objects[index] !== node;
    if (this.restarted) {
      this.objects[index] = node;
      this.positions[index] = 0;
    }
    this.node = node;
    this.from = this.positions[index] ?? 0;
    return true;
  }

  advance(view: View, to: number): void {
    this.positions[view.actorIndex] = to;
  }
}

/** The acceptors that accepted one ballot's proposal for a slot. */
interface Vote {
  readonly ballot: number;
  readonly command: Command;
  /** The acceptors that accepted it, by their index among the cluster's nodes. */
  readonly voters: NodeSet;
}

/** A slot's chosen command, the ballot that chose it and the acceptors of that ballot. */
interface Choice {
  readonly command: Command;
  readonly ballot: number;
  /** The acceptors of that ballot when it became chosen. */
  readonly voters: NodeSet;
}

/** The names of a set's nodes, sorted. */
function voterNames(voters: NodeSet, nodes: readonly NodeId[]): NodeId[] {
  return voters
    .indexes()
    .map((index) => nodes[index] as NodeId)
    .sort();
}

function sameCommand(left: Command, right: Command): boolean {
  return left === right || commandKey(left) === commandKey(right);
}

export const slotAgreement: Invariant<MultiPaxosNode> = {
  name: "multi-paxos.slot-agreement",
  statement: "For every slot, all proposals a majority of acceptors accepted carry the same command.",
  source: "Paxos Made Simple §3 (one instance of the consensus algorithm per slot) and §2.2 (P2)",
  kind: "safety",
  create() {
    const cursor = new Cursor();
    // Per slot, the votes of each ballot seen (nearly always one ballot per slot).
    const votes: Array<Vote[] | undefined> = [];
    const chosen: Array<Choice | undefined> = [];
    return {
      state: { cursor, votes, chosen },
      afterStep(view) {
        if (!cursor.read(view)) return undefined;
        const node = cursor.node as MultiPaxosNode;
        const history = node.acceptHistory;
        const from = cursor.from;
        cursor.advance(view, history.length);
        for (let position = from; position < history.length; position++) {
          const proposal = history[position];
          if (proposal === undefined) continue;
          let slotVotes = votes[proposal.slot];
          if (slotVotes === undefined) votes[proposal.slot] = slotVotes = [];
          let vote: Vote | undefined;
          for (const each of slotVotes) if (each.ballot === proposal.ballot) vote = each;
          if (vote === undefined) {
            vote = { ballot: proposal.ballot, command: proposal.command, voters: new NodeSet() };
            slotVotes.push(vote);
          }
          if (!sameCommand(vote.command, proposal.command)) {
            const keys = [commandKey(vote.command), commandKey(proposal.command)];
            return {
              message: `slot ${proposal.slot} ballot ${proposal.ballot} carried two commands: ${keys[0]} and ${keys[1]}`,
              witnesses: { slot: proposal.slot, ballot: proposal.ballot, commands: keys },
            };
          }
          vote.voters.add(view.actorIndex);
          // A majority of acceptors accepted this ballot's proposal: it is chosen (§2.2).
          if (vote.voters.size !== node.majority) continue;
          const earlier = chosen[proposal.slot];
          if (earlier === undefined) {
            chosen[proposal.slot] = {
              command: proposal.command,
              ballot: proposal.ballot,
              voters: vote.voters.copy(),
            };
          } else if (!sameCommand(earlier.command, proposal.command)) {
            const first = {
              key: commandKey(earlier.command),
              ballot: earlier.ballot,
              acceptors: voterNames(earlier.voters, view.nodes),
            };
            const second = {
              key: commandKey(proposal.command),
              ballot: proposal.ballot,
              acceptors: voterNames(vote.voters, view.nodes),
            };
            return {
              message: `slot ${proposal.slot}: ${first.key} was chosen at ballot ${first.ballot}, then ${second.key} at ballot ${second.ballot}`,
              witnesses: { slot: proposal.slot, first, second },
            };
          }
        }
        return undefined;
      },
    };
  },
};

export const executedPrefix: Invariant<MultiPaxosNode> = {
  name: "multi-paxos.executed-prefix",
  statement: "The sequences of commands replicas executed are prefixes of one another.",
  source: "Paxos Made Simple §3 (every server executes the same sequence of commands)",
  kind: "safety",
  create() {
    const cursor = new Cursor();
    const reference: Array<{ key: string; node: NodeId }> = [];
    return {
      state: { cursor, reference },
      afterStep(view) {
        if (!cursor.read(view)) return undefined;
        const executed = (cursor.node as MultiPaxosNode).executed;
        const from = cursor.from;
        cursor.advance(view, executed.length);
        for (let index = from; index < executed.length; index++) {
          const entry = executed[index];
          if (entry === undefined) continue;
          const first = reference[index];
          if (first === undefined) {
            reference[index] = { key: entry.key, node: view.actor };
          } else if (first.key !== entry.key) {
            return {
              message: `slot ${index + 1}: ${first.node} executed ${first.key} but ${view.actor} executed ${entry.key}`,
              witnesses: { slot: index + 1, first, second: { key: entry.key, node: view.actor } },
            };
          }
        }
        return undefined;
      },
    };
  },
};

export const exactlyOnce: Invariant<MultiPaxosNode> = {
  name: "multi-paxos.exactly-once",
  statement: "No replica lets one client operation (client, seq) take effect twice.",
  source: "Raft thesis §6.3 and Paxos Made Live §5 (client sessions make retried commands exactly-once)",
  kind: "safety",
  create() {
    const cursor = new Cursor();
    // For every operation, each slot at which some replica executed it with effect: nearly
    // always one, shared by all replicas, so one table serves them all. A replica executing an
    // operation with effect at slot s breaks the rule iff its own log shows that operation taking
    // effect at another of these slots before s.
    const effectiveAt = new Map<string, number | number[]>();
    return {
      state: { cursor, effectiveAt },
      afterStep(view) {
        if (!cursor.read(view)) return undefined;
        const executed = (cursor.node as MultiPaxosNode).executed;
        const from = cursor.from;
        cursor.advance(view, executed.length);
        for (let index = from; index < executed.length; index++) {
          const entry = executed[index];
          if (entry === undefined || !entry.effective) continue;
          const slot = index + 1;
          const known = effectiveAt.get(entry.key);
          if (known === undefined) {
            effectiveAt.set(entry.key, slot);
            continue;
          }
          const slots = typeof known === "number" ? [known] : known;
          for (const other of slots) {
            if (other >= slot) continue;
            const earlier = executed[other - 1];
            if (earlier?.effective && earlier.key === entry.key) {
              return {
                message: `${view.actor} executed ${entry.key} at slot ${other} and again at slot ${slot}`,
                witnesses: { node: view.actor, command: entry.key, slots: [other, slot] },
              };
            }
          }
          if (!slots.includes(slot)) {
            slots.push(slot);
            if (typeof known === "number") effectiveAt.set(entry.key, slots);
          }
        }
        return undefined;
      },
    };
  },
};

export const promiseMonotone: Invariant<MultiPaxosNode> = {
  name: "multi-paxos.promise-monotone",
  statement: "An acceptor's promised ballot never decreases, even across crashes and restarts.",
  source: "Paxos Made Simple §2.5 (acceptors remember promises in stable storage)",
  kind: "safety",
  create() {
    const highest = new Map<NodeId, number>();
    return {
      state: highest,
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const before = highest.get(view.actor) ?? 0;
        if (node.promised >= before) {
          highest.set(view.actor, node.promised);
          return undefined;
        }
        return {
          message: `${view.actor}'s promise went back from ballot ${before} to ${node.promised} (${view.cause})`,
          witnesses: { acceptor: view.actor, before, after: node.promised, cause: view.cause },
        };
      },
    };
  },
};

export const multiPaxosInvariants: readonly Invariant<MultiPaxosNode>[] = [
  slotAgreement,
  executedPrefix,
  exactlyOnce,
  promiseMonotone,
];

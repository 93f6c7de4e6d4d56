/**
 * Safety invariants of Multi-Paxos ("Paxos Made Simple" §3), checked after every step. Monitors
 * look only at the node that just acted and keep their own record of what every node did. A
 * restarted node is a new object; monitors notice and start reading its fresh (volatile) history.
 */
import type { Invariant, NodeId, StepView } from "../../sim/node.js";
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
  readonly voters: Set<NodeId>;
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
    const chosen = new Map<number, { key: string; ballot: number; acceptors: NodeId[] }>();
    return {
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
          let vote = slotVotes.find((each) => each.ballot === proposal.ballot);
          if (vote === undefined) {
            vote = { ballot: proposal.ballot, command: proposal.command, voters: new Set() };
            slotVotes.push(vote);
          }
          if (
            vote.command !== proposal.command &&
            commandKey(vote.command) !== commandKey(proposal.command)
          ) {
            const keys = [commandKey(vote.command), commandKey(proposal.command)];
            return {
              message: `slot ${proposal.slot} ballot ${proposal.ballot} carried two commands: ${keys[0]} and ${keys[1]}`,
              witnesses: { slot: proposal.slot, ballot: proposal.ballot, commands: keys },
            };
          }
          vote.voters.add(view.actor);
          if (vote.voters.size !== node.majority) continue;
          const key = commandKey(proposal.command);
          const earlier = chosen.get(proposal.slot);
          const now = { key, ballot: proposal.ballot, acceptors: [...vote.voters].sort() };
          if (earlier === undefined) {
            chosen.set(proposal.slot, now);
          } else if (earlier.key !== key) {
            return {
              message: `slot ${proposal.slot}: ${earlier.key} was chosen at ballot ${earlier.ballot}, then ${key} at ballot ${proposal.ballot}`,
              witnesses: { slot: proposal.slot, first: earlier, second: now },
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
    const effective = new Map<NodeId, Map<string, number>>();
    return {
      afterStep(view) {
        if (!cursor.read(view)) return undefined;
        let seen = effective.get(view.actor);
        if (seen === undefined || cursor.restarted) effective.set(view.actor, (seen = new Map()));
        const executed = (cursor.node as MultiPaxosNode).executed;
        const from = cursor.from;
        cursor.advance(view, executed.length);
        for (let index = from; index < executed.length; index++) {
          const entry = executed[index];
          if (entry === undefined || !entry.effective) continue;
          const earlier = seen.get(entry.key);
          if (earlier !== undefined) {
            return {
              message: `${view.actor} executed ${entry.key} at slot ${earlier} and again at slot ${index + 1}`,
              witnesses: { node: view.actor, command: entry.key, slots: [earlier, index + 1] },
            };
          }
          seen.set(entry.key, index + 1);
        }
        return undefined;
      },
    };
  },
};

export const promiseMonotone: Invariant<MultiPaxosNode> = {
  name: "multi-paxos.promise-monotone",
  statement: "An acceptor's promised ballot never decreases, even across crashes and restarts.",
  source: "Paxos Made Simple §2.4 (acceptors remember promises in stable storage)",
  kind: "safety",
  create() {
    const highest = new Map<NodeId, number>();
    return {
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

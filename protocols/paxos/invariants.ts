/**
 * Safety invariants of single-decree Paxos ("Paxos Made Simple" §2), checked after every step.
 *
 * Monitors look only at the node that just acted (`view.actor`). Five of them rest on one record
 * of the run, kept once and shared (`AcceptorRecord`): every proposal each acceptor ever accepted,
 * every ballot it ever promised, and the proposals a majority accepted. A value is
 * *chosen* when a majority of acceptors accepted the same proposal (same ballot and value) at some
 * point, even if some of them later accepted a higher ballot: that is the paper's definition.
 */
import type {
  Invariant,
  InvariantFailure,
  MonitorRun,
  NodeId,
  SharedRecord,
  StepView,
} from "../../sim/node.js";
import type { AcceptedProposal } from "./messages.js";
import type { PaxosNode, PhaseTwoStart } from "./node.js";

type View = StepView<PaxosNode>;

/** What one step changed at the acting acceptor. */
interface AcceptorStep {
  readonly node: PaxosNode;
  /** A proposal newly accepted in this step (never on start or restart). */
  readonly accepted: AcceptedProposal | undefined;
  /** The highest promise observed at this acceptor before this step (across restarts). */
  readonly promisedBefore: number;
}

/** Watches acceptors, step by step, remembering what each did. */
class AcceptorWatch {
  private readonly lastAccepted = new Map<NodeId, AcceptedProposal | null>();
  private readonly maxPromised = new Map<NodeId, number>();
  /** Every ballot each acceptor promised (or accepted, which implies the promise). */
  readonly promisedBallots = new Map<NodeId, Set<number>>();
  /** Every proposal each acceptor accepted. */
  readonly history = new Map<NodeId, AcceptedProposal[]>();

  step(view: View): AcceptorStep | undefined {
    const node = view.node(view.actor);
    if (node === undefined || !node.isAcceptor) return undefined;
    const id = view.actor;
    const promisedBefore = this.maxPromised.get(id) ?? 0;
    if (node.promised > promisedBefore) this.maxPromised.set(id, node.promised);
    let promised = this.promisedBallots.get(id);
    if (promised === undefined) this.promisedBallots.set(id, (promised = new Set()));
    if (node.promised > 0) promised.add(node.promised);
    const previous = this.lastAccepted.get(id);
    this.lastAccepted.set(id, node.accepted);
    const fresh = view.cause !== "start" && view.cause !== "restart";
    if (!fresh || node.accepted === null || node.accepted === previous) {
      return { node, accepted: undefined, promisedBefore };
    }
    let history = this.history.get(id);
    if (history === undefined) this.history.set(id, (history = []));
    history.push(node.accepted);
    return { node, accepted: node.accepted, promisedBefore };
  }
}

/** A proposal a majority of acceptors accepted, and who they were. */
interface Chosen {
  readonly ballot: number;
  readonly value: string;
  readonly acceptors: NodeId[];
}

/** Counts votes per proposal and reports each proposal the moment a majority accepted it. */
class ChosenTracker {
  private readonly votes = new Map<string, Set<NodeId>>();
  /** Every chosen proposal, in the order they became chosen. */
  readonly chosen: Chosen[] = [];
  readonly values = new Set<string>();

  /** Records that `acceptor` accepted `proposal`; returns it if that made it chosen. */
  add(acceptor: NodeId, proposal: AcceptedProposal, majority: number): Chosen | undefined {
    const key = `${proposal.ballot}\u0000${proposal.value}`;
    let voters = this.votes.get(key);
    if (voters === undefined) this.votes.set(key, (voters = new Set()));
    if (voters.has(acceptor)) return undefined;
    voters.add(acceptor);
    if (voters.size !== majority) return undefined;
    const chosen: Chosen = { ballot: proposal.ballot, value: proposal.value, acceptors: [...voters].sort() };
    this.chosen.push(chosen);
    this.values.add(proposal.value);
    return chosen;
  }
}

/**
 * What the acceptors did, kept once for the run's monitors (`MonitorRun.shared`) and brought up
 * to date after every step before they read it.
 */
class AcceptorRecord implements SharedRecord<PaxosNode> {
  readonly watch = new AcceptorWatch();
  readonly tracker = new ChosenTracker();
  /** The proposal the last step's actor newly accepted, if it did. */
  accepted: AcceptedProposal | undefined = undefined;
  /** The highest promise the last step's actor had made before that step (0 if not an acceptor). */
  promisedBefore = 0;
  /** The proposal the last step made chosen, if it did. */
  newlyChosen: Chosen | undefined = undefined;

  afterStep(view: View): void {
    const step = this.watch.step(view);
    this.accepted = step?.accepted;
    this.promisedBefore = step?.promisedBefore ?? 0;
    this.newlyChosen =
      step?.accepted === undefined
        ? undefined
        : this.tracker.add(view.actor, step.accepted, step.node.majority);
  }
}

/** The run's `AcceptorRecord`. */
function acceptorRecord(run: MonitorRun<PaxosNode>): AcceptorRecord {
  return run.shared("paxos.acceptors", () => new AcceptorRecord());
}

export const agreement: Invariant<PaxosNode> = {
  name: "paxos.agreement",
  statement: "At most one value is chosen: every proposal a majority accepted carries the same value.",
  source: "Paxos Made Simple §2.1 (safety requirements) and §2.2 (P2)",
  kind: "safety",
  create(run) {
    const acceptors = acceptorRecord(run);
    return {
      state: acceptors,
      afterStep() {
        const chosen = acceptors.newlyChosen;
        const first = acceptors.tracker.chosen[0];
        if (chosen === undefined || first === undefined || first.value === chosen.value) return undefined;
        return {
          message: `two values chosen: '${first.value}' at ballot ${first.ballot} and '${chosen.value}' at ballot ${chosen.ballot}`,
          witnesses: { first, second: chosen },
        };
      },
    };
  },
};

export const validity: Invariant<PaxosNode> = {
  name: "paxos.validity",
  statement: "Only a value that some proposer proposed can be chosen.",
  source: "Paxos Made Simple §2.1 (safety requirements)",
  kind: "safety",
  create(run) {
    const acceptors = acceptorRecord(run);
    const proposed = new Set<string>();
    return {
      state: { acceptors, proposed },
      afterStep(view) {
        const actor = view.node(view.actor);
        if (actor?.isProposer && actor.ballotsStarted > 0) proposed.add(actor.value);
        const chosen = acceptors.newlyChosen;
        if (chosen === undefined || proposed.has(chosen.value)) return undefined;
        return {
          message: `value '${chosen.value}' was chosen at ballot ${chosen.ballot} but no proposer proposed it`,
          witnesses: { chosen, proposed: [...proposed].sort() },
        };
      },
    };
  },
};

export const learnerIntegrity: Invariant<PaxosNode> = {
  name: "paxos.learner-integrity",
  statement: "A learner learns a value only if that value has been chosen.",
  source: "Paxos Made Simple §2.1 (a process never learns a value unless it has been chosen) and §2.3",
  kind: "safety",
  create(run) {
    const { tracker } = acceptorRecord(run);
    const learned = new Map<NodeId, string | undefined>();
    return {
      state: { tracker, learned },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || !node.isLearner) return undefined;
        const before = learned.get(view.actor);
        learned.set(view.actor, node.learned);
        if (node.learned === undefined || node.learned === before || tracker.values.has(node.learned)) {
          return undefined;
        }
        return {
          message: `${view.actor} learned '${node.learned}', which no majority of acceptors accepted in one ballot`,
          witnesses: { learner: view.actor, learned: node.learned, chosen: tracker.chosen },
        };
      },
    };
  },
};

export const promiseRespected: Invariant<PaxosNode> = {
  name: "paxos.p1-promise-respected",
  statement: "An acceptor accepts a proposal numbered n only if it has not promised a ballot above n.",
  source: "Paxos Made Simple §2.2, P1a",
  kind: "safety",
  create(run) {
    const acceptors = acceptorRecord(run);
    return {
      state: acceptors,
      afterStep(view) {
        const { accepted, promisedBefore } = acceptors;
        if (accepted === undefined || accepted.ballot >= promisedBefore) return undefined;
        return {
          message: `${view.actor} accepted ballot ${accepted.ballot} after promising ballot ${promisedBefore}`,
          witnesses: { acceptor: view.actor, accepted, promised: promisedBefore },
        };
      },
    };
  },
};

export const p2cJustified: Invariant<PaxosNode> = {
  name: "paxos.p2c-justified",
  statement:
    "Every phase 2a (n, v) rests on promises for n from a majority S, and v is the value of the " +
    "highest-numbered proposal below n accepted in S (any value if none was).",
  source: "Paxos Made Simple §2.2, P2c",
  kind: "safety",
  create(run) {
    const { watch } = acceptorRecord(run);
    const lastPhaseTwo = new Map<NodeId, PhaseTwoStart | undefined>();
    return {
      state: { watch, lastPhaseTwo },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || !node.isProposer) return undefined;
        const start = node.phaseTwo;
        if (start === lastPhaseTwo.get(view.actor)) return undefined;
        lastPhaseTwo.set(view.actor, start);
        if (start === undefined || view.cause === "restart" || view.cause === "start") return undefined;
        return checkPhaseTwo(view.actor, start, node.majority, watch);
      },
    };
  },
};

function checkPhaseTwo(
  proposer: NodeId,
  start: PhaseTwoStart,
  majority: number,
  watch: AcceptorWatch,
): InvariantFailure | undefined {
  if (new Set(start.quorum).size < majority) {
    return {
      message: `${proposer} sent accept(${start.ballot}) on promises from ${start.quorum.length} acceptors, fewer than a majority (${majority})`,
      witnesses: { proposer, ...start },
    };
  }
  let highest: { acceptor: NodeId; proposal: AcceptedProposal } | undefined;
  for (const acceptor of start.quorum) {
    if (!watch.promisedBallots.get(acceptor)?.has(start.ballot)) {
      return {
        message: `${proposer} counted ${acceptor} toward ballot ${start.ballot}, but ${acceptor} never promised it`,
        witnesses: { proposer, ...start, acceptor },
      };
    }
    for (const proposal of watch.history.get(acceptor) ?? []) {
      if (
        proposal.ballot < start.ballot &&
        (highest === undefined || proposal.ballot > highest.proposal.ballot)
      ) {
        highest = { acceptor, proposal };
      }
    }
  }
  if (highest === undefined || highest.proposal.value === start.value) return undefined;
  return {
    message:
      `${proposer} proposed '${start.value}' at ballot ${start.ballot}, but ${highest.acceptor} in its quorum ` +
      `had accepted '${highest.proposal.value}' at ballot ${highest.proposal.ballot}, the highest below it`,
    witnesses: { proposer, ...start, highestAccepted: { acceptor: highest.acceptor, ...highest.proposal } },
  };
}

export const promiseMonotone: Invariant<PaxosNode> = {
  name: "paxos.promise-monotone",
  statement:
    "An acceptor's promised ballot never decreases, even across crashes and restarts, and is at least its accepted ballot.",
  source: "Paxos Made Simple §2.5 (acceptors remember promises in stable storage)",
  kind: "safety",
  create() {
    const highest = new Map<NodeId, number>();
    return {
      state: highest,
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || !node.isAcceptor) return undefined;
        const before = highest.get(view.actor) ?? 0;
        if (node.promised < before) {
          return {
            message: `${view.actor}'s promise went back from ballot ${before} to ${node.promised} (${view.cause})`,
            witnesses: { acceptor: view.actor, before, after: node.promised, cause: view.cause },
          };
        }
        highest.set(view.actor, node.promised);
        if (node.accepted !== null && node.accepted.ballot > node.promised) {
          return {
            message: `${view.actor} accepted ballot ${node.accepted.ballot} above its promise ${node.promised}`,
            witnesses: { acceptor: view.actor, accepted: node.accepted, promised: node.promised },
          };
        }
        return undefined;
      },
    };
  },
};

export const ballotUnique: Invariant<PaxosNode> = {
  name: "paxos.ballot-unique",
  statement: "No ballot is started twice, by the same proposer or by different ones.",
  source: "Paxos Made Simple §2.2 (proposals are numbered uniquely) and §2.5",
  kind: "safety",
  create() {
    const started = new Map<number, NodeId>();
    const current = new Map<NodeId, number>();
    return {
      state: { started, current },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined || !node.isProposer) return undefined;
        const before = current.get(view.actor) ?? 0;
        current.set(view.actor, node.ballot);
        if (node.ballot === 0 || node.ballot === before) return undefined;
        const owner = started.get(node.ballot);
        if (owner === undefined) {
          started.set(node.ballot, view.actor);
          return undefined;
        }
        return {
          message: `${view.actor} started ballot ${node.ballot}, which ${owner} had already started`,
          witnesses: { ballot: node.ballot, first: owner, second: view.actor },
        };
      },
    };
  },
};

export const paxosInvariants: readonly Invariant<PaxosNode>[] = [
  validity,
  agreement,
  learnerIntegrity,
  promiseRespected,
  p2cJustified,
  promiseMonotone,
  ballotUnique,
];

/**
 * What a Paxos node shows in traces and reports: its roles, the proposer's ballot and phase, the
 * acceptor's promise and accepted proposal, and what the learner learned.
 */
import type { StateDescription } from "../../sim/node.js";
import type { AcceptedProposal } from "./messages.js";

export type ProposerPhase = "idle" | "prepare" | "accept" | "chosen";

/** The fields of a node that its description reads. */
export interface PaxosNodeState {
  readonly isProposer: boolean;
  readonly isAcceptor: boolean;
  readonly isLearner: boolean;
  readonly ballot: number;
  readonly phase: ProposerPhase;
  readonly promised: number;
  readonly accepted: AcceptedProposal | null;
  readonly learned: string | undefined;
}

export function describePaxosNode(node: PaxosNodeState): StateDescription {
  const roles: string[] = [];
  if (node.isProposer) roles.push("proposer");
  if (node.isAcceptor) roles.push("acceptor");
  if (node.isLearner) roles.push("learner");
  const state: Record<string, unknown> = { role: roles[0] ?? "idle", roles };
  if (node.isProposer) {
    state.ballot = node.ballot;
    state.phase = node.phase;
  }
  if (node.isAcceptor) {
    state.promised = node.promised;
    state.accepted = node.accepted === null ? null : `(${node.accepted.ballot}, ${node.accepted.value})`;
  }
  if (node.isLearner) state.learned = node.learned ?? null;
  return state;
}

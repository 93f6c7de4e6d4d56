/**
 * What a Multi-Paxos node shows in traces and reports: its role and ballot (`term`, so the
 * scenario target `leader` picks the highest), its promise, how far it has executed, how many
 * slots it knows chosen and, as leader, its open slots and next free slot.
 */
import type { StateDescription } from "../../sim/node.js";

export type MultiPaxosRole = "follower" | "candidate" | "leader";

export interface MultiPaxosNodeState {
  readonly role: MultiPaxosRole;
  readonly ballot: number;
  readonly promised: number;
  readonly executedThrough: number;
  readonly chosenCount: number;
  readonly leaderHint: string | undefined;
  readonly openSlots: number;
  readonly nextFreeSlot: number;
}

export function describeMultiPaxosNode(node: MultiPaxosNodeState): StateDescription {
  const leader = node.role === "leader";
  // One shape for every description; the leader's fields are undefined on the others, which
  // JSON (the trace) leaves out.
  return {
    role: node.role,
    term: node.role === "follower" ? node.promised : node.ballot,
    ballot: node.ballot,
    promised: node.promised,
    executed: node.executedThrough,
    chosen: node.chosenCount,
    leader: node.leaderHint ?? null,
    openSlots: leader ? node.openSlots : undefined,
    nextSlot: leader ? node.nextFreeSlot : undefined,
  };
}

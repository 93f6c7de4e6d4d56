/**
 * A rare-bug variant for bench/fuzz-rare.ts: Raft serving reads from leader leases (thesis
 * §6.4.1), designed for clocks within 5 % of real time, with the deliberate bug
 * `read-lease-ignores-drift`: the leader computes its lease as if clocks were exact.
 *
 * A correct lease runs from the moment S a round was sent that a majority acknowledged, for
 * electionTimeoutMin·(1−ρ)/(1+ρ) on the leader's clock: whatever the drift within ρ, none of
 * those followers votes for another leader (CheckQuorum) before it ends. The buggy lease runs for
 * electionTimeoutMin. At zero drift that is still safe, since no election can finish before the
 * followers' own electionTimeoutMin has passed. It breaks only when the leader is cut off while
 * its clock runs a little slow (or a follower's a little fast), the followers elect a leader
 * whose election timeout was drawn near the minimum, and that leader commits an entry of its term
 * before the old lease runs out: for a moment the old leader would answer a read from its lease
 * while a write may already have completed at the new one (`raft-lease.read-lease-exclusive`).
 *
 * The drift must stay within the bound the design claims (the invariant says nothing of clocks
 * beyond it), so a drift drawn from the whole range the fuzzer allows (−50 % to +100 %) rarely
 * counts; and it must meet an isolation of the leader. The election timeouts are drawn from a
 * narrow range (600–630 ms, 5 % wide): a slow clock's gain (about 32 ms at 5 %) then exceeds
 * the spread of the first timeout to fire, and a new leader can commit within it when messages
 * take a few milliseconds. PreVote is left off (CheckQuorum alone keeps a cut-off node from
 * deposing the leader). `quorumlab fuzz` loads it as any
 * protocol module: `quorumlab fuzz dist/bench/fuzz-rare-read-lease.js --bug
 * read-lease-ignores-drift --no-hints`.
 */
import { raft } from "../protocols/raft/index.js";
import type { RaftMessage } from "../protocols/raft/messages.js";
import { RaftNode } from "../protocols/raft/node.js";
import type { RaftOptions } from "../protocols/raft/options.js";
import { type ClockSample, clockLeftBound } from "../protocols/shared/drift-bound.js";
import type { DeliberateBug, Invariant, NodeContext, NodeId, Protocol, StartInfo } from "../sim/node.js";

/** The relative clock drift the lease design tolerates. */
const driftBound = 0.05;

const bugName = "read-lease-ignores-drift";

const bugs: readonly DeliberateBug[] = [
  {
    name: bugName,
    id: "L1",
    change:
      "The leader's read lease lasts electionTimeoutMin on its own clock, with no margin for clock drift.",
    breaks: ["raft-lease.read-lease-exclusive"],
    source:
      "Ongaro's thesis §6.4.1 (leases need a bound on clock drift); Gray and Cheriton, Leases (SOSP 1989)",
    kind: "safety",
  },
];

/**
 * A Raft server for leases: after a restart it grants no vote for electionTimeoutMin, since it
 * may have acknowledged a leader just before it crashed and has forgotten when (CheckQuorum's
 * memory of the leader is volatile); without that wait a crash and a quick restart end a lease
 * early whatever the clocks do. It also shows its local clock, which the invariant reads to check
 * the drift bound.
 */
class LeaseRaftNode extends RaftNode {
  private readonly clock: NodeContext["now"];
  private readonly voteHoldUs: number;
  private restartedAtUs = Number.NEGATIVE_INFINITY;

  constructor(context: NodeContext, options: RaftOptions) {
    super(context as never, options);
    this.clock = () => context.now();
    this.voteHoldUs = options.electionTimeoutMinUs;
  }

  override onStart(info: StartInfo): void {
    if (info.restarted) this.restartedAtUs = this.clock();
    super.onStart(info);
  }

  override onMessage(from: NodeId, message: RaftMessage): void {
    if (message.type === "RequestVote" && this.clock() - this.restartedAtUs < this.voteHoldUs) return;
    super.onMessage(from, message);
  }

  localNowUs(): number {
    return this.clock();
  }
}

/**
 * Thesis §6.4.1: a leader answers reads from its lease only while no other leader can have been
 * elected. So, while every clock stays within the bound, no leader holds its read lease while a
 * later term has committed an entry (at that moment a write may have completed there).
 */
const readLeaseExclusive: Invariant<LeaseRaftNode> = {
  name: "raft-lease.read-lease-exclusive",
  statement:
    "While every clock stays within the drift bound, no leader holds its read lease once a later term has committed an entry.",
  source: "Ongaro's thesis §6.4.1 (leases); Raft paper §8 (reads must not return stale data)",
  kind: "safety",
  create() {
    const samples = new Map<NodeId, ClockSample>();
    const state = { samples, boundExceeded: false };
    return {
      state,
      afterStep(view) {
        if (state.boundExceeded) return undefined;
        let holder: LeaseRaftNode | undefined;
        let holderId: NodeId | undefined;
        let committedTermMax = 0;
        let committedBy: NodeId | undefined;
        for (const id of view.nodes) {
          const node = view.node(id);
          if (node === undefined) continue;
          if (clockLeftBound(samples, id, view.timeUs, node.localNowUs(), driftBound)) {
            state.boundExceeded = true;
            return undefined;
          }
          const committedTerm = node.log.termAt(node.commitIndex) ?? 0;
          if (committedTerm > committedTermMax) {
            committedTermMax = committedTerm;
            committedBy = id;
          }
          if (holder === undefined && node.holdsReadLease()) {
            holder = node;
            holderId = id;
          }
        }
        if (holder === undefined || committedTermMax <= holder.currentTerm) return undefined;
        return {
          message: `${holderId} holds its read lease of term ${holder.currentTerm} while ${committedBy} has committed an entry of term ${committedTermMax}`,
          witnesses: {
            holder: holderId,
            term: holder.currentTerm,
            committedBy,
            committedTerm: committedTermMax,
          },
        };
      },
    };
  },
};

interface LeaseOptions extends RaftOptions {
  readonly ignoresDrift: boolean;
}

export const protocol: Protocol = {
  ...(raft as unknown as Protocol),
  name: "raft-read-lease",
  summary: "Raft with leader leases for reads, designed for clocks within 5 % of real time.",
  parseOptions: (input) => {
    const requested = Array.isArray(input.bugs) ? (input.bugs as unknown[]) : [];
    const ignoresDrift = requested.includes(bugName);
    const rest = requested.filter((name) => name !== bugName);
    const options = raft.parseOptions({
      electionTimeoutMin: "600ms",
      electionTimeoutMax: "630ms",
      ...input,
      readMode: "lease",
      checkQuorum: true,
      leaseDriftBound: driftBound,
      bugs: rest,
    }) as unknown as RaftOptions;
    return { ...options, ignoresDrift } satisfies LeaseOptions as unknown as Readonly<
      Record<string, unknown>
    >;
  },
  create: (context, options) => {
    const { ignoresDrift, ...raftOptions } = options as unknown as LeaseOptions;
    // BUG(read-lease-ignores-drift): the lease is computed as if every clock kept real time.
    return new LeaseRaftNode(context, ignoresDrift ? { ...raftOptions, leaseDriftBound: 0 } : raftOptions);
  },
  invariants: [...raft.invariants, readLeaseExclusive] as unknown as Protocol["invariants"],
  bugs,
  // The history checker knows no clocks: a drift beyond the bound breaks a correct lease too, and
  // would count as a stale read. The invariant holds the bound; the workload still runs.
  client: { operations: raft.client?.operations ?? {} },
  // CheckQuorum alone keeps a cut-off node from deposing the leader; PreVote is left off.
  fuzz: { options: {} },
  // No forced election timeouts: a timeout forced on a follower that has just acknowledged the
  // leader ends the lease's premise at once, as a clock jump would (the thesis asks a leadership
  // transfer to give up the lease first), whatever the drift.
  electionTimer: undefined,
};

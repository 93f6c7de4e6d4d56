/**
 * Three-phase commit (Skeen 1981) and quorum three-phase commit (after Skeen 1982 and Keidar and
 * Dolev 1995), registered as two protocols over one implementation. Node n1 coordinates every
 * transaction; the other nodes are participants. See README.md.
 */

import { commitFigureHook } from "../../sim/check/atomicity.js";
import type { KnownLimit, NodeContext, Protocol } from "../../sim/node.js";
import { checkCommitOptions } from "../shared/commit/options.js";
import { commitRoles, commitStrip } from "../shared/commit/site.js";
import { threePhaseBugs } from "./bugs.js";
import { Coordinator } from "./coordinator.js";
import { threePhaseInvariants } from "./invariants.js";
import type { ThreePhaseMessage } from "./messages.js";
import { parseThreePhaseOptions, type ThreePhaseOptions } from "./options.js";
import { Participant } from "./participant.js";
import type { Site } from "./site.js";

function variant(
  name: string,
  summary: string,
  which: "skeen" | "quorum",
): Protocol<ThreePhaseMessage, Site> {
  return {
    name,
    summary,
    defaultNodes: 5,
    // A coordinator and at least one participant.
    nodeCounts: { min: 2 },
    parseOptions: (options) =>
      parseThreePhaseOptions({ ...options, variant: which }) as unknown as Readonly<Record<string, unknown>>,
    checkOptions: (options, nodes) => checkCommitOptions(options as unknown as ThreePhaseOptions, nodes),
    create(context: NodeContext<ThreePhaseMessage>, options) {
      const parsed = options as unknown as ThreePhaseOptions;
      return context.id === context.nodes[0]
        ? new Coordinator(context, parsed)
        : new Participant(context, parsed);
    },
    invariants: threePhaseInvariants,
    bugs: threePhaseBugs,
    figures: commitFigureHook,
    measuresBlocking: true,
    roles: commitRoles,
    strip: commitStrip,
    // The coordinator's next transaction; any site's timeout.
    timers: ["begin", "timeout"],
    ...(which === "skeen" ? { knownLimits: skeenKnownLimits } : {}),
  };
}

/**
 * Known limits of Skeen's protocol: invariants it breaks by design. The fuzzer and the mutants
 * command report these as the protocol's limit, not as a bug.
 */
export const skeenKnownLimits: readonly KnownLimit[] = [
  {
    invariant: "commit.ac1-agreement",
    when: "network partitions (or delays beyond the timeouts)",
    source: "Skeen and Stonebraker 1983, A formal model of crash recovery in a distributed system, §5",
  },
];

export const threePhaseCommit = variant(
  "three-phase-commit",
  "Skeen's three-phase commit: does not block when sites crash, but can decide both ways under a partition.",
  "skeen",
);

export const quorumThreePhaseCommit = variant(
  "quorum-three-phase-commit",
  "Quorum three-phase commit: a majority decides, a minority blocks; atomic under partitions.",
  "quorum",
);

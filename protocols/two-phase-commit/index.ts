/**
 * Two-phase commit with presumed abort and the cooperative termination protocol (Bernstein,
 * Hadzilacos, Goodman 1987, ch. 7 §7.3–7.4; Mohan, Lindsay, Obermarck 1986). Node n1 coordinates
 * every transaction; the other nodes are participants. See README.md.
 */

import { commitFigureHook } from "../../sim/check/atomicity.js";
import type { NodeContext, Protocol } from "../../sim/node.js";
import { checkCommitOptions } from "../shared/commit/options.js";
import { commitRoles, commitStrip } from "../shared/commit/site.js";
import { twoPhaseBugs } from "./bugs.js";
import { Coordinator } from "./coordinator.js";
import { twoPhaseInvariants } from "./invariants.js";
import type { TwoPhaseMessage } from "./messages.js";
import { parseTwoPhaseOptions, type TwoPhaseOptions } from "./options.js";
import { Participant } from "./participant.js";
import type { Site } from "./site.js";

export const twoPhaseCommit: Protocol<TwoPhaseMessage, Site> = {
  name: "two-phase-commit",
  summary:
    "Two-phase commit, presumed abort, cooperative termination: safe, but blocks when the coordinator fails.",
  defaultNodes: 4,
  // A coordinator and at least one participant.
  nodeCounts: { min: 2 },
  parseOptions: (options) => parseTwoPhaseOptions(options) as unknown as Readonly<Record<string, unknown>>,
  checkOptions: (options, nodes) => checkCommitOptions(options as unknown as TwoPhaseOptions, nodes),
  create(context: NodeContext<TwoPhaseMessage>, options) {
    const parsed = options as unknown as TwoPhaseOptions;
    return context.id === context.nodes[0]
      ? new Coordinator(context, parsed)
      : new Participant(context, parsed);
  },
  invariants: twoPhaseInvariants,
  bugs: twoPhaseBugs,
  figures: commitFigureHook,
  measuresBlocking: true,
  roles: commitRoles,
  strip: commitStrip,
  // The coordinator's next transaction and its batched log flush; any site's decision timeout.
  timers: ["begin", "flush", "timeout"],
  // A coordinator and 3 participants; two timer firings (the coordinator begins, then one
  // timeout anywhere), on ordered links with quiet timeouts: 7,802 states, complete in seconds.
  // Without those two bounds it did not complete in minutes (docs/exploring.md).
  explore: { nodes: 4, faults: { timeouts: 2 }, network: "ordered", quietTimeouts: true },
};

/**
 * Consistent hashing as a quorumlab protocol: the nodes are ring members, and the scenario's
 * options describe the experiment (keys, placements, membership changes at given times). Each
 * change is measured by the node that joins or leaves: keys moved against the ideal, and the
 * load spread, for every placement. See README.md for the algorithm and ring.ts for the ring.
 */
import type { DeliberateBug, Protocol } from "../../sim/node.js";
import { ringInvariants } from "./invariants.js";
import { RingMemberNode, type RingMessage } from "./member.js";
import {
  checkRingExperimentOptions,
  parseRingExperimentOptions,
  type RingExperimentOptions,
} from "./options.js";
import { ringFigures } from "./ring-figures.js";

export { RingMemberNode } from "./member.js";
export { parseRingExperimentOptions, type RingExperimentOptions } from "./options.js";
export { ringFigures } from "./ring-figures.js";

/** The ring's deliberate bugs (implemented in ring.ts, selected with `bugs:`). */
export const ringBugs: readonly DeliberateBug[] = [
  {
    name: "mod-n-placement",
    id: "M24",
    change: "owner = nodes[hash(key) mod N] instead of the ring successor",
    breaks: ["ring.minimal-movement", "ring.successor"],
    source: "Karger et al., STOC 1997 §1",
  },
  {
    name: "no-wrap-around",
    id: "M25a",
    change:
      "a hash above the largest token is given to the largest token's node instead of wrapping to the smallest",
    breaks: ["ring.successor"],
    source: "Chord (SIGCOMM 2001) §4.2; Dynamo (SOSP 2007) §4.2",
  },
  {
    name: "sequential-vnode-tokens",
    id: "M25b",
    change: "token i of node n = hash(n) + i instead of hash(`n#i`)",
    breaks: ["ring.vnode-balance"],
    source: "Dynamo (SOSP 2007) §4.2; Karger et al. §4",
    // Balance is judged at 100 vnodes per node; five members leaving and rejoining show it (H2-like).
    fuzz: {
      nodes: [5, 5],
      options: {
        keys: [2_000],
        initial: [["n1", "n2", "n3", "n4", "n5"]],
        placements: [[{ kind: "consistent", vnodes: 100 }]],
        changes: [
          [
            { at: "500ms", leave: "n3" },
            { at: "1s", join: "n3" },
          ],
        ],
      },
    },
  },
];

export const consistentHashing: Protocol<RingMessage, RingMemberNode> = {
  name: "consistent-hashing",
  summary:
    "Consistent hashing (Karger et al. 1997, Chord, Dynamo, bounded loads): keys moved and load spread on joins and leaves.",
  defaultNodes: 5,
  parseOptions: (options) =>
    parseRingExperimentOptions(options) as unknown as Readonly<Record<string, unknown>>,
  checkOptions: (options, nodes) =>
    checkRingExperimentOptions(options as unknown as RingExperimentOptions, nodes),
  create: (context, options) => new RingMemberNode(context, options as unknown as RingExperimentOptions),
  invariants: ringInvariants,
  bugs: ringBugs,
  // Small key sets keep fuzz runs fast; n1–n3 exist at every size the fuzzer tries (3 to 5). The
  // membership timelines to try: a newcomer joins and an old member leaves, a newcomer joins and
  // leaves again, a member leaves and rejoins; each from two or three starting members. Swarm
  // runs pick one of each per run, so every ring the timelines pass through is reached.
  fuzz: {
    options: {
      keys: [2_000],
      initial: [
        ["n1", "n2"],
        ["n1", "n2", "n3"],
      ],
      changes: [
        [
          { at: "500ms", join: "n3" },
          { at: "1s", leave: "n1" },
        ],
        [
          { at: "500ms", join: "n3" },
          { at: "1s", leave: "n3" },
        ],
        [
          { at: "500ms", leave: "n2" },
          { at: "1s", join: "n2" },
        ],
      ],
      placements: [
        [
          { kind: "consistent", vnodes: 1 },
          { kind: "consistent", vnodes: 128 },
          { kind: "bounded", vnodes: 128, loadFactor: 1.25 },
        ],
      ],
    },
  },
  figures: (records) => ringFigures(records),
  roles: {
    names: ["member", "outside"],
    leading: [],
    colours: { member: "#90caf9", outside: "#e0e0e0" },
  },
};

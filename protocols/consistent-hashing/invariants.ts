/**
 * What a ring member's measurements must show, checked after every change a node carries out.
 *
 * | Invariant | Statement | Source |
 * |---|---|---|
 * | `ring.minimal-movement` | under a consistent placement, a join moves keys only to the newcomer and a leave moves only the leaver's keys | Karger et al., STOC 1997 §1, §4; Chord §4.2 |
 * | `ring.successor` | a key belongs to the first token clockwise from its hash, wrapping past 2^32 − 1 to the smallest token | Chord §4.2 (successor), Dynamo §4.2 |
 * | `ring.bounded-capacity` | under bounded loads, no node holds more than ceil(c·K/N) keys | Mirrokni, Thorup, Zadimoghaddam, arXiv 1608.01350 §2 |
 * | `ring.vnode-balance` | with at least 100 vnodes per node, no node holds more than 1.6× the mean load | Dynamo §4.2; Chord §4.2 (O(log N) virtual nodes give constant-factor balance) |
 *
 * Each monitor looks only at the node that just acted, and only when it carried out a change or
 * rebuilt its rings, so checks cost nothing on ordinary steps.
 */
import type { Invariant, InvariantFailure, InvariantMonitor, StepView } from "../../sim/node.js";
import type { RingMemberNode } from "./member.js";
import { ownerIndexOfHash, type Ring } from "./ring.js";

const BALANCE_VNODES_MIN = 100;
const BALANCE_MAX_OVER_MEAN = 1.6;

/** Calls `check` once per change a node carries out. */
function perChange(
  check: (node: RingMemberNode, step: StepView<RingMemberNode>) => InvariantFailure | undefined,
): () => InvariantMonitor<RingMemberNode> {
  return () => {
    // Per node, the number of changes it had carried out when last checked.
    const seen = new Map<string, number>();
    return {
      state: seen,
      afterStep(step) {
        const node = step.node(step.actor);
        if (node === undefined || node.changesMade === (seen.get(step.actor) ?? 0)) return undefined;
        seen.set(step.actor, node.changesMade);
        return check(node, step);
      },
    };
  };
}

export const minimalMovement: Invariant<RingMemberNode> = {
  name: "ring.minimal-movement",
  statement:
    "Under a consistent placement a join moves keys only to the newcomer and a leave moves only the leaver's keys.",
  source: "Karger et al., STOC 1997 §1 and §4; Chord (SIGCOMM 2001) §4.2",
  kind: "safety",
  create: perChange((node) => {
    const spec = node.options.placements;
    for (const placement of spec) {
      if (placement.kind !== "consistent") continue;
      const key = `consistent-v${placement.vnodesPerNode}`;
      const figures = node.lastChange?.[key];
      if (figures === undefined) continue;
      if (figures.onlyToNewcomer === false || figures.onlyFromLeaver === false) {
        return {
          message: `${node.lastChangeStep} under ${key} moved keys between nodes that did not change (${figures.moved} moved, ideal ${figures.idealMoved})`,
          witnesses: {
            step: node.lastChangeStep,
            placement: key,
            moved: figures.moved,
            idealMoved: figures.idealMoved,
            onlyToNewcomer: figures.onlyToNewcomer,
            onlyFromLeaver: figures.onlyFromLeaver,
          },
        };
      }
    }
    return undefined;
  }),
};

export const boundedCapacity: Invariant<RingMemberNode> = {
  name: "ring.bounded-capacity",
  statement: "Under bounded loads no node holds more than ceil(c·K/N) keys.",
  source: "Mirrokni, Thorup and Zadimoghaddam, Consistent Hashing with Bounded Loads (arXiv 1608.01350) §2",
  kind: "safety",
  create: perChange((node) => {
    for (const [key, figures] of Object.entries(node.lastChange ?? {})) {
      if (figures.withinCapacity === false) {
        return {
          message: `${node.lastChangeStep} under ${key}: max load ${figures.max} exceeds the capacity ${figures.capacity}`,
          witnesses: {
            step: node.lastChangeStep,
            placement: key,
            max: figures.max,
            capacity: figures.capacity,
          },
        };
      }
    }
    return undefined;
  }),
};

/** The reference successor: the owner index of the smallest token ≥ hash, else of the smallest token. */
function referenceOwnerIndex(ring: Ring, hash: number): number {
  const tokens = ring.tokens;
  for (let index = 0; index < tokens.length; index++) {
    if ((tokens[index] as number) >= hash) return ring.tokenOwnerIndexes[index] as number;
  }
  return ring.tokenOwnerIndexes[0] as number;
}

export const successor: Invariant<RingMemberNode> = {
  name: "ring.successor",
  statement:
    "A key belongs to the node of the first token clockwise from its hash, wrapping past 2^32 − 1 to the smallest token.",
  source: "Chord (SIGCOMM 2001) §4.2, successor(k); Dynamo (SOSP 2007) §4.2",
  kind: "safety",
  create: () => {
    // Per node, the rings it had when last checked.
    const seen = new Map<string, ReadonlyMap<string, Ring>>();
    return {
      state: seen,
      afterStep(step) {
        const node = step.node(step.actor);
        if (node === undefined || seen.get(step.actor) === node.rings) return undefined;
        seen.set(step.actor, node.rings);
        for (const [placement, ring] of node.rings) {
          const last = ring.tokens[ring.tokens.length - 1] as number;
          // Probes: the ends of the hash space, just past the largest token, and every 2^28.
          const probes = [0, 2 ** 32 - 1, Math.min(last + 1, 2 ** 32 - 1)];
          for (let probe = 0; probe < 2 ** 32; probe += 2 ** 28) probes.push(probe);
          for (const hash of probes) {
            const expected = referenceOwnerIndex(ring, hash);
            const actual = ownerIndexOfHash(ring, hash);
            if (actual !== expected) {
              return {
                message: `${node.label}'s ${placement} ring gives hash ${hash} to ${ring.nodes[actual]}, but its successor token belongs to ${ring.nodes[expected]}`,
                witnesses: {
                  placement,
                  hash,
                  owner: ring.nodes[actual],
                  successorOwner: ring.nodes[expected],
                  largestToken: last,
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

export const vnodeBalance: Invariant<RingMemberNode> = {
  name: "ring.vnode-balance",
  statement: `With at least ${BALANCE_VNODES_MIN} vnodes per node, no node holds more than ${BALANCE_MAX_OVER_MEAN}× the mean load.`,
  source: "Dynamo (SOSP 2007) §4.2; Chord (SIGCOMM 2001) §4.2, virtual nodes",
  kind: "safety",
  create: perChange((node) => {
    for (const placement of node.options.placements) {
      if (placement.kind !== "consistent" || placement.vnodesPerNode < BALANCE_VNODES_MIN) continue;
      const key = `consistent-v${placement.vnodesPerNode}`;
      const figures = node.lastChange?.[key];
      if (figures !== undefined && figures.maxOverMean > BALANCE_MAX_OVER_MEAN) {
        return {
          message: `${node.lastChangeStep} under ${key}: max/mean load ${figures.maxOverMean.toFixed(3)} exceeds ${BALANCE_MAX_OVER_MEAN}`,
          witnesses: {
            step: node.lastChangeStep,
            placement: key,
            maxOverMean: figures.maxOverMean,
            loads: figures.loads,
          },
        };
      }
    }
    return undefined;
  }),
};

export const ringInvariants: readonly Invariant<RingMemberNode>[] = [
  minimalMovement,
  successor,
  boundedCapacity,
  vnodeBalance,
];

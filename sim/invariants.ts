/**
 * Helpers for writing invariants: the two shapes most protocol invariants take, as small
 * factories that build a documented `Invariant` from a function over one node.
 *
 * - `nodeInvariant`: a rule about one node's own state, checked on the node that just acted
 *   (the incremental monitor docs/node-api.md recommends).
 * - `agreementInvariant`: once any node has decided a value, no node ever decides another one
 *   (consensus agreement, a write-once register, a commit decision).
 */
import type { Invariant, InvariantFailure, NodeId } from "./node.js";

/** What every invariant states about itself. */
export interface InvariantDescription {
  /** Dotted name, `protocol.rule`. */
  readonly name: string;
  /** One-line statement of what must always hold. */
  readonly statement: string;
  /** Where it comes from (a paper and section, or "this protocol's definition"). */
  readonly source: string;
}

/**
 * An invariant on the node that just acted: `check` returns a message (or a failure with
 * witnesses) when the node's state breaks the rule, and nothing when it holds.
 */
export function nodeInvariant<N>(
  description: InvariantDescription & {
    readonly check: (node: N, id: NodeId) => string | InvariantFailure | undefined;
  },
): Invariant<N> {
  const { check, ...about } = description;
  return {
    ...about,
    kind: "safety",
    create: () => ({
      // It remembers nothing between steps: exploration restores its states from snapshots.
      state: null,
      afterStep(step) {
        const node = step.node(step.actor);
        if (node === undefined) return undefined;
        const outcome = check(node, step.actor);
        return typeof outcome === "string" ? { message: `${step.actor}: ${outcome}` } : outcome;
      },
    }),
  };
}

/**
 * Agreement: `decided(node)` is the node's decision (undefined while it has none); every decision
 * of the run must equal the first one. Values are compared as JSON, so they should be plain data.
 */
export function agreementInvariant<N>(
  description: InvariantDescription & { readonly decided: (node: N) => unknown },
): Invariant<N> {
  const { decided, ...about } = description;
  return {
    ...about,
    kind: "safety",
    create: () => {
      // The first decision, in `state` so that exploration saves and restores it.
      const record: {
        first: { readonly node: NodeId; readonly value: unknown; readonly key: string } | undefined;
      } = { first: undefined };
      return {
        state: record,
        afterStep(step) {
          const node = step.node(step.actor);
          if (node === undefined) return undefined;
          const value = decided(node);
          if (value === undefined) return undefined;
          const key = JSON.stringify(value);
          const first = record.first;
          if (first === undefined) {
            record.first = { node: step.actor, value, key };
            return undefined;
          }
          if (key === first.key) return undefined;
          return {
            message: `${step.actor} decided ${key}, but ${first.node} decided ${first.key}`,
            witnesses: { [step.actor]: value, [first.node]: first.value },
          };
        },
      };
    },
  };
}

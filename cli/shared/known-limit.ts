/**
 * A protocol's known limits (`Protocol.knownLimits`): invariants the correct protocol breaks by
 * design, such as Skeen's three-phase commit breaking agreement under a partition. A violation of
 * one, found with no deliberate bug on, is the protocol's limit rather than a bug, and `fuzz`,
 * `explore` and `mutants` say so.
 */
import type { KnownLimit, Protocol } from "../../sim/node.js";

/** The known limit `invariant` is, when no deliberate bug was on; undefined otherwise. */
export function knownLimitOf(
  protocol: Protocol | undefined,
  invariant: string,
  bugs: readonly string[],
): KnownLimit | undefined {
  if (bugs.length > 0) return undefined;
  return protocol?.knownLimits?.find((known) => known.invariant === invariant);
}

/** The note printed under such a violation. */
export function knownLimitNote(protocolName: string, limit: KnownLimit): string {
  return `note: this is a known limit of ${protocolName}, not a bug: it breaks ${limit.invariant} under ${limit.when} (${limit.source})`;
}

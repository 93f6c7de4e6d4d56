/**
 * A protocol's known limits (`Protocol.knownLimits`): invariants the correct protocol breaks by
 * design, such as Skeen's three-phase commit breaking agreement under a partition. A violation of
 * one, found with no deliberate bug on, is the protocol's limit rather than a bug, and `fuzz`,
 * `explore` and `mutants` say so.
 */
import type { KnownLimit, Protocol } from "../../sim/node.js";

/**
 * The known limit `invariant` is, when no deliberate bug was on and the run's options (a
 * scenario's `options:`, read with the protocol's defaults) are those the limit holds under;
 * undefined otherwise.
 */
export function knownLimitOf(
  protocol: Protocol | undefined,
  invariant: string,
  bugs: readonly string[],
  options: Readonly<Record<string, unknown>>,
): KnownLimit | undefined {
  if (bugs.length > 0 || protocol === undefined) return undefined;
  return protocol.knownLimits?.find(
    (known) => known.invariant === invariant && holdsUnder(protocol, known, options),
  );
}

function holdsUnder(
  protocol: Protocol,
  limit: KnownLimit,
  options: Readonly<Record<string, unknown>>,
): boolean {
  const wanted = limit.options;
  if (wanted === undefined) return true;
  let parsed: Readonly<Record<string, unknown>>;
  try {
    parsed = protocol.parseOptions(options);
  } catch {
    return false;
  }
  return Object.entries(wanted).every(([name, value]) => parsed[name] === value);
}

/** The note printed under such a violation. */
export function knownLimitNote(protocolName: string, limit: KnownLimit): string {
  return `note: this is a known limit of ${protocolName}, not a bug: it breaks ${limit.invariant} under ${limit.when} (${limit.source})`;
}

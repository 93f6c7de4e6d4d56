/**
 * "Did you mean …?" for a misspelt name: the closest known name by edit distance, when it is close
 * enough to be a plausible typo (at most a third of the word's length, at least one edit).
 */
import { distance } from "fastest-levenshtein";

/** The known name closest to `word`, if one is close enough. */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean 'raft'?`, or nothing when no known name is close. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const best = closestName(word, known);
  return best === undefined ? "" : `; did you mean '${best}'?`;
}

/**
 * The first method of `object` (its own, then its classes', below Object.prototype) whose name is
 * a near miss of one of `called` that `object` lacks, with the name it misses. Nothing calls such
 * a method (a node's `onstart`, a monitor's `afterstep`), so the code in it never runs.
 */
export function misspeltMethod(
  object: object,
  called: readonly string[],
): { readonly name: string; readonly meant: string } | undefined {
  const fields = object as Record<string, unknown>;
  for (let holder: object | null = object; holder !== null && holder !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(holder)) {
      if (name === "constructor" || called.includes(name)) continue;
      if (typeof Object.getOwnPropertyDescriptor(holder, name)?.value !== "function") continue;
      const meant = closestName(name, called);
      if (meant !== undefined && fields[meant] === undefined) return { name, meant };
    }
    holder = Object.getPrototypeOf(holder) as object | null;
  }
  return undefined;
}

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

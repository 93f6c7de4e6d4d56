/**
 * Switches of the general search (../search.ts) that were tried and measured, each with the
 * reason it is set as it is. Each changes which placements the search tries, or in what order,
 * never a verdict.
 */

/**
 * Whether, among calls that follow each other in the entry list, the one that returns first is
 * tried first. It changes only the order in which the search tries candidates, never the set of
 * candidates. Off: with the other rules it saved 17-25 % of the steps on the hard kv and register
 * histories, but one Knossos file (memstress3-55) went from 4 K to 460 K steps and the Knossos
 * corpus took 40 % more time (docs/linearizability.md, "Hard histories").
 */
export const orderCallsByReturn = false;

/**
 * Whether indeterminate operations are placed just in time (see `needs`). Off: it is sound (and
 * tested against brute force with it on), but configurations reached by an indeterminate
 * operation then cannot be cached, and on the Knossos corpus that cost about half again as much
 * time as the pruning saved; on the hard benchmark it saved under 15 % of the steps.
 */
export const placeIndeterminateJustInTime = false;

/**
 * Whether indeterminate operations are tried after every completed candidate, rather than in
 * call order among them.
 */
export const indeterminateLast = false;

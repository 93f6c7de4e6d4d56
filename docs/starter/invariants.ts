/**
 * The register's own invariant, checked after every step on the node that acted: a replica's
 * stored tag never goes down. Reads return the value of the highest tag a majority reports, so a
 * replica that forgot a tag (say, one it acknowledged but did not persist) could let a read go
 * back in time.
 */
import type { Invariant } from "quorumlab";
/** What the invariant needs of a replica: the keys it stores (the tags it reads from storage). */
export interface Replica {
  keys(): readonly string[];
}

export const tagsOnlyGrow: Invariant<Replica> = {
  name: "quorum-register.tags-only-grow",
  statement: "The tag a replica stores for a key never decreases, across crashes too.",
  source: "Attiya, Bar-Noy and Dolev 1995, the replica's update rule",
  kind: "safety",
  create() {
    const highest = new Map<string, number>();
    return {
      // What the monitor remembers, so that exploration can save and restore it.
      state: highest,
      afterStep(step) {
        const storage = step.storage(step.actor);
        for (const key of step.node(step.actor)?.keys() ?? []) {
          const stored = storage.get<{ tag: [number, string] }>(`key/${key}`);
          if (stored === undefined) continue;
          const seen = `${step.actor}/${key}`;
          const before = highest.get(seen) ?? -1;
          if (stored.tag[0] < before) {
            return { message: `${step.actor} went back from tag ${before} to ${stored.tag[0]} on ${key}` };
          }
          highest.set(seen, stored.tag[0]);
        }
        return undefined;
      },
    };
  },
};

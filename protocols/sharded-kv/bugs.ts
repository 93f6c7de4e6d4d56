/**
 * Deliberate bugs of the sharded store (`options.bugs`). Each is one small branch marked
 * `BUG(<name>)` in group-machine.ts, and each names the invariants that catch it. They have no
 * id in the reference catalogue (which stops at M25); they are the two classic shard-migration
 * mistakes of the MIT 6.5840 sharded key/value lab.
 */
import type { DeliberateBug } from "../../sim/node.js";

export const shardBugs = [
  {
    name: "serve-before-data",
    change:
      "A group that gains a shard serves it at once, empty, instead of waiting in 'pulling' until the previous owner's data is installed.",
    breaks: ["sharded.no-lost-or-duplicated-write", "kv.linearizable"],
    source: "MIT 6.5840 Lab 5B (shard migration: a group must not serve a shard before it has its data)",
    kind: "safety",
  },
  {
    name: "drop-sessions-on-migration",
    change:
      "A migrated shard is installed with its data but without its client sessions, so a retried append that was applied by the old owner applies again.",
    breaks: ["sharded.no-lost-or-duplicated-write", "kv.linearizable"],
    source: "MIT 6.5840 Lab 5B (duplicate detection must survive shard movement); Raft thesis §6.3",
    kind: "safety",
    // It needs a retry to cross a migration: more migrations give more chances.
    fuzz: {
      nodes: [12, 12],
      options: {
        changes: [
          [
            { at: "500ms", join: "g3" },
            { at: "1s", leave: "g1" },
            { at: "1500ms", join: "g1" },
          ],
        ],
      },
    },
  },
] as const satisfies readonly DeliberateBug[];

export type ShardBugName = (typeof shardBugs)[number]["name"];

export const shardBugNames: readonly ShardBugName[] = shardBugs.map((bug) => bug.name);

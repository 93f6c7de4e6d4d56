/**
 * Deliberate bugs primary-backup can be switched into (`options.bugs`). Each is one small branch
 * in the node code, marked `BUG(<name>)`. Ids follow the mutation catalogue (section 4 of the
 * reference).
 */
import type { DeliberateBug } from "../../sim/node.js";

export const primaryBackupBugs = [
  {
    name: "ack-before-backup",
    id: "M22",
    change: "The primary answers the client as soon as it applied an operation, before the backup has it.",
    breaks: ["pb.ack-after-backup", "kv.linearizable"],
    source:
      "Jepsen: Redis (aphyr.com/posts/283-jepsen-redis); 6.824 Lab 2 (the primary forwards before replying)",
    kind: "safety",
    // Exploration needs the view service to name a primary and then a backup (three pings), a
    // state transfer and one client write. Lost messages in flight when a ping fires and
    // reordering on a link add states, not this bug; the view service's own tick is not needed.
    explore: { faults: { timeouts: 3 }, timers: ["ping"], network: "ordered", quietTimeouts: true },
  },
  {
    name: "view-without-ack",
    id: "M23",
    change:
      "The view service moves to the next view without waiting for the primary to acknowledge the current one.",
    breaks: ["pb.view-acked", "kv.linearizable"],
    source: "MIT 6.824 Lab 2 (2015), Part A: the view service must not change views until the primary acks",
    kind: "safety",
  },
  {
    name: "unsynced-view",
    id: "M31",
    change:
      "The view service announces a new view before syncing it, so a power loss takes it back to the previous view.",
    breaks: ["pb.views-monotone"],
    source:
      "MIT 6.824 Lab 2 (2015), Part A (views are numbered and only increase); the view service's state outlives its crashes",
    kind: "safety",
    // It shows only when a power loss takes an announced view back: one crash, no client.
    explore: { clients: 0, faults: { crash: 1, timeouts: 2 } },
  },
  {
    name: "lease-ignores-drift",
    change:
      "The backup waits exactly one lease period on its own clock before taking over, with no margin for clock drift.",
    breaks: ["pb.lease-exclusive", "kv.linearizable"],
    source: "Gray and Cheriton, Leases (SOSP 1989) §2: lease safety needs a bound on clock drift",
    kind: "safety",
    // Only the lease variant has leases; it runs on two servers (a third stays idle).
    fuzz: { options: { variant: ["lease"] }, nodes: [2, 3] },
    // One heartbeat and its grant give n1 a lease; one clock running 5 % slow or fast (within the
    // design's 10 % bound, so correct leases stay safe) and the backup's takeover make two
    // holders: 5 steps, no client needed (docs/exploring.md, "Bounds").
    explore: { clients: 0, faults: { drift: 1, timeouts: 2 } },
  },
] as const satisfies readonly DeliberateBug[];

export type PrimaryBackupBugName = (typeof primaryBackupBugs)[number]["name"];

export const primaryBackupBugNames: readonly PrimaryBackupBugName[] = primaryBackupBugs.map(
  (bug) => bug.name,
);

/**
 * A rare-bug variant for bench/fuzz-rare.ts: primary-backup with leases only, designed for clocks
 * within 2 % of real time (`driftBound: 0.02`; the built-in default is 10 %), with the deliberate
 * bug `lease-ignores-drift` (the backup waits exactly one lease on its own clock, no margin).
 *
 * The bug shows when the primary is cut off while one of the two clocks runs a little fast or slow
 * and the backup takes over: for a moment both hold the lease (`pb.lease-exclusive`). The drift
 * must stay within the bound the design claims to tolerate (`pb.lease-exclusive` says nothing of
 * clocks beyond it), so a drift drawn from the whole range the fuzzer allows (−50 % to +100 %)
 * rarely counts, and it must coincide with a takeover. `quorumlab fuzz` loads it as any protocol
 * module: `quorumlab fuzz dist/bench/fuzz-rare-lease.js --bug lease-ignores-drift --no-hints`.
 */
import { primaryBackup } from "../protocols/primary-backup/index.js";
import type { Protocol } from "../sim/node.js";

export const protocol: Protocol = {
  ...(primaryBackup as unknown as Protocol),
  name: "primary-backup-lease",
  summary: "Primary-backup with leases, designed for clocks within 2 % of real time.",
  bugs: primaryBackup.bugs.filter((bug) => bug.name === "lease-ignores-drift"),
  fuzz: { options: { variant: ["lease"], driftBound: [0.02] } },
};

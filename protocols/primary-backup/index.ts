/**
 * Primary-backup replication as a quorumlab protocol, in three variants (`variant:
 * view-service | lease | timeout`). See node.ts for the overview, invariants.ts for what is
 * checked, bugs.ts for the deliberate bugs, figures.ts for failover figures and README.md for the
 * sources.
 */
import type { Protocol } from "../../sim/node.js";
import { primaryBackupBugs } from "./bugs.js";
import { primaryBackupFigures } from "./figures.js";
import { primaryBackupInvariants } from "./invariants.js";
import type { PrimaryBackupMessage } from "./messages.js";
import { createPrimaryBackupNode, type PrimaryBackupNode } from "./node.js";
import { type PrimaryBackupOptions, parsePrimaryBackupOptions } from "./options.js";
import { failoverTimer } from "./pair-server.js";

export { type PrimaryBackupFigures, primaryBackupFigures } from "./figures.js";
export type { PrimaryBackupNode } from "./node.js";
export { type PrimaryBackupOptions, parsePrimaryBackupOptions } from "./options.js";

export const primaryBackup: Protocol<PrimaryBackupMessage, PrimaryBackupNode> = {
  name: "primary-backup",
  summary:
    "Primary-backup key-value store with a view service (6.824 Lab 2), with leases, or with naive timeouts.",
  defaultNodes: 3,
  // n1 is the view service; the others are the servers it picks a primary and a backup from.
  nodeCounts: { min: 2 },
  parseOptions: (options) =>
    parsePrimaryBackupOptions(options) as unknown as Readonly<Record<string, unknown>>,
  create: (context, options) => createPrimaryBackupNode(context, options as unknown as PrimaryBackupOptions),
  invariants: primaryBackupInvariants,
  bugs: primaryBackupBugs,
  // The fuzzer tries the view-service and lease variants (the timeout variant splits brains under
  // partitions by design: scenario pb-split-brain).
  fuzz: { options: { variant: ["view-service", "lease"] } },
  figures: (records) => primaryBackupFigures(records),
  client: { operations: { read: 1, write: 1, cas: 1 }, model: "kv" },
  roles: {
    names: ["primary", "backup", "idle", "view-service"],
    leading: ["primary"],
    colours: { primary: "#ffb74d", backup: "#90caf9", idle: "#e0e0e0", "view-service": "#a5d6a7" },
    roleOf: (node) => node.role,
    termOf: (node) => (node.kind === "view-service" ? node.view.viewnum : node.view),
  },
  electionTimer: failoverTimer,
  // The pair's servers' heartbeat and failover, the view servers' ping, the view service's tick.
  timers: ["heartbeat", failoverTimer, "ping", "tick"],
  knownLimits: [
    {
      // view-service.ts: the service moves on only once the primary acknowledged its view, and
      // promotes only a backup that holds the state.
      invariant: "liveness.leader",
      options: { variant: "view-service" },
      when: "a crash of the primary before a backup holds its state (the view service then stays in that view: unavailable but safe)",
      source: "MIT 6.824 Lab 2 (2015), Part A",
    },
  ],
};

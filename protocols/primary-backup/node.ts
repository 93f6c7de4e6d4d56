/**
 * Primary-backup replication of a linearizable key-value store, in three variants (see
 * options.ts): with the view service of MIT 6.824 Lab 2 (2015), with leases whose safety rests on
 * bounded clock drift, and the naive timeout design that splits the brain.
 *
 * The replication itself (forwarding, state transfer, sessions) is in replica.ts; the view service
 * in view-service.ts and its servers in view-server.ts; the two-node lease and timeout servers in
 * pair-server.ts. This file picks the right one for a node.
 */
import type { NodeContext } from "../../sim/node.js";
import type { PrimaryBackupMessage } from "./messages.js";
import type { PrimaryBackupOptions } from "./options.js";
import { PairServer } from "./pair-server.js";
import { ViewServer } from "./view-server.js";
import { ViewServiceNode } from "./view-service.js";

export type PrimaryBackupNode = ViewServiceNode | ViewServer | PairServer;

export function createPrimaryBackupNode(
  context: NodeContext<PrimaryBackupMessage>,
  options: PrimaryBackupOptions,
): PrimaryBackupNode {
  if (options.variant !== "view-service") return new PairServer(context, options);
  return context.id === context.nodes[0]
    ? new ViewServiceNode(context, options)
    : new ViewServer(context, options);
}

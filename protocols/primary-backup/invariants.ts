/**
 * Safety invariants of primary-backup replication (MIT 6.824 Lab 2, 2015; Gray and Cheriton's
 * leases), checked after every step. The client history's linearizability (`kv.linearizable`) is
 * checked by the runner at the end.
 */
import type { Invariant, NodeId, StepView } from "../../sim/node.js";
import { type ClockSample, clockLeftBound } from "../shared/drift-bound.js";
import type { PrimaryBackupNode } from "./node.js";
import type { PairServer } from "./pair-server.js";
import type { Replica } from "./replica.js";
import type { ViewServiceNode } from "./view-service.js";

type View = StepView<PrimaryBackupNode>;

function server(node: PrimaryBackupNode | undefined): Replica | undefined {
  return node !== undefined && node.kind === "server" ? (node as Replica) : undefined;
}

function viewService(node: PrimaryBackupNode | undefined): ViewServiceNode | undefined {
  return node !== undefined && node.kind === "view-service" ? node : undefined;
}

export const onePrimaryPerView: Invariant<PrimaryBackupNode> = {
  name: "pb.one-primary-per-view",
  statement: "At most one server acts as primary in any view.",
  source: "MIT 6.824 Lab 2 (2015): each view has exactly one primary",
  kind: "safety",
  create() {
    const primaries = new Map<number, NodeId>();
    return {
      state: primaries,
      afterStep(view) {
        const node = server(view.node(view.actor));
        if (node === undefined || node.role !== "primary") return undefined;
        const first = primaries.get(node.view);
        if (first === undefined) {
          primaries.set(node.view, view.actor);
          return undefined;
        }
        if (first === view.actor) return undefined;
        return {
          message: `${first} and ${view.actor} both acted as primary of view ${node.view}`,
          witnesses: { view: node.view, primaries: [first, view.actor] },
        };
      },
    };
  },
};

export const viewsMonotone: Invariant<PrimaryBackupNode> = {
  name: "pb.views-monotone",
  statement: "Views only move forward: at the view service (across restarts) and at every running server.",
  source: "MIT 6.824 Lab 2 (2015): views are numbered and only increase",
  kind: "safety",
  create() {
    const highest = new Map<NodeId, number>();
    const objects = new Map<NodeId, PrimaryBackupNode>();
    return {
      state: { highest, objects },
      afterStep(view) {
        const node = view.node(view.actor);
        if (node === undefined) return undefined;
        const service = viewService(node);
        const current = service !== undefined ? service.view.viewnum : (server(node)?.view ?? 0);
        // A restarted server keeps nothing in the view-service variant; its views start over.
        if (objects.get(view.actor) !== node) {
          objects.set(view.actor, node);
          if (service === undefined) highest.set(view.actor, current);
        }
        const before = highest.get(view.actor) ?? 0;
        if (current >= before) {
          highest.set(view.actor, current);
          return undefined;
        }
        return {
          message: `${view.actor} went back from view ${before} to view ${current}`,
          witnesses: { node: view.actor, before, after: current },
        };
      },
    };
  },
};

/** Watches the view service's view changes; `check` judges each change from `before` to `after`. */
function viewChangeInvariant(
  name: string,
  statement: string,
  check: (
    before: { view: ViewServiceNode["view"]; acked: boolean },
    after: ViewServiceNode["view"],
  ) => string | undefined,
): Invariant<PrimaryBackupNode> {
  return {
    name,
    statement,
    source: "MIT 6.824 Lab 2 (2015), Part A (the view service)",
    kind: "safety",
    create() {
      const state = { lastViewnum: 0 };
      return {
        state,
        afterStep(view: View) {
          const service = viewService(view.node(view.actor));
          if (service === undefined || service.view.viewnum === state.lastViewnum) return undefined;
          state.lastViewnum = service.view.viewnum;
          const before = service.previous;
          if (before === undefined || before.view.viewnum === 0) return undefined;
          const problem = check(before, service.view);
          return problem === undefined
            ? undefined
            : { message: problem, witnesses: { from: before.view, to: service.view, acked: before.acked } };
        },
      };
    },
  };
}

export const viewAcked = viewChangeInvariant(
  "pb.view-acked",
  "The view service moves past view v only after the primary of v acknowledged it.",
  (before, after) =>
    before.acked
      ? undefined
      : `view ${after.viewnum} was installed before ${before.view.primary} acknowledged view ${before.view.viewnum}`,
);

export const viewSuccessor = viewChangeInvariant(
  "pb.view-successor",
  "The primary of view v+1 was the primary or the backup of view v.",
  (before, after) =>
    after.primary === before.view.primary || after.primary === before.view.backup
      ? undefined
      : `view ${after.viewnum}'s primary ${after.primary} was neither primary nor backup of view ${before.view.viewnum}`,
);

export const ackAfterBackup: Invariant<PrimaryBackupNode> = {
  name: "pb.ack-after-backup",
  statement: "A primary with a backup acknowledges an operation only after the backup applied it.",
  source: "MIT 6.824 Lab 2 (2015), Part B; Jepsen: Redis (acknowledged writes lost on failover)",
  kind: "safety",
  create() {
    const read = new Map<Replica, number>();
    return {
      state: read,
      afterStep(view) {
        const node = server(view.node(view.actor));
        if (node === undefined) return undefined;
        const from = read.get(node) ?? 0;
        read.set(node, node.acks.length);
        for (let index = from; index < node.acks.length; index++) {
          const ack = node.acks[index];
          if (ack === undefined || ack.backup === null) continue;
          // Only a backup that still follows this view with its state can be asked; one that
          // crashed and restarted since lost what it had applied, which is not the primary's doing.
          const backup = server(view.node(ack.backup));
          if (backup === undefined || backup.role !== "backup" || backup.view !== ack.view || !backup.synced)
            continue;
          if (backup.hasApplied(ack.client, ack.seq)) continue;
          return {
            message: `${view.actor} acknowledged ${ack.client}:${ack.seq} in view ${ack.view} before its backup ${ack.backup} applied it`,
            witnesses: { primary: view.actor, ...ack },
          };
        }
        return undefined;
      },
    };
  },
};

export const leaseExclusive: Invariant<PrimaryBackupNode> = {
  name: "pb.lease-exclusive",
  statement:
    "While every clock stays within the drift bound, no two servers hold a primary's lease at the same moment.",
  source: "Gray and Cheriton, Leases (SOSP 1989) §2; lease variant of primary-backup",
  kind: "safety",
  create() {
    const samples = new Map<NodeId, ClockSample>();
    const state = { samples, boundExceeded: false };
    return {
      state,
      afterStep(view) {
        if (state.boundExceeded) return undefined;
        const holders: NodeId[] = [];
        for (const id of view.nodes) {
          const node = server(view.node(id)) as PairServer | undefined;
          if (node === undefined || !("holdsLease" in node) || node.variant !== "lease") continue;
          if (clockLeftBound(samples, id, view.timeUs, node.localNowUs(), node.driftBound)) {
            state.boundExceeded = true;
            return undefined;
          }
          if (node.holdsLease()) holders.push(id);
        }
        if (holders.length < 2) return undefined;
        return {
          message: `${holders.join(" and ")} both held the primary's lease at the same moment`,
          witnesses: { holders },
        };
      },
    };
  },
};

export const primaryBackupInvariants: readonly Invariant<PrimaryBackupNode>[] = [
  onePrimaryPerView,
  viewsMonotone,
  viewAcked,
  viewSuccessor,
  ackAfterBackup,
  leaseExclusive,
];

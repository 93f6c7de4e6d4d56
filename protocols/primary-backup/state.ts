/**
 * What a primary-backup server shows in traces and reports: its role, its view (as `term`, so
 * reports colour it like a term), the backup it replicates to, whether its state is in sync, and
 * how many operations wait for the backup. The view service describes itself (view-service.ts);
 * the lease variant adds the primary's lease end on its own clock.
 */
import type { StateDescription } from "../../sim/node.js";
import type { ServerRole } from "./replica.js";

export interface ServerState {
  readonly role: ServerRole;
  readonly view: number;
  readonly backupId: string | null;
  readonly backupReady: boolean;
  readonly synced: boolean;
  readonly inFlightCount: number;
}

export function describeServer(server: ServerState, primary: string | null): StateDescription {
  const state: Record<string, unknown> = { role: server.role, term: server.view, view: server.view, primary };
  if (server.role === "primary") {
    state.backup = server.backupId;
    state.backupReady = server.backupReady;
    state.waiting = server.inFlightCount;
  } else if (server.role === "backup") {
    state.synced = server.synced;
  }
  return state;
}

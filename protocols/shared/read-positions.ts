/**
 * How far a monitor has read each node's append-only list (an audit of applied outcomes), kept as
 * numbers and the list's first item, so that it can live in the monitor's `state`: exploration
 * saves and restores that state apart from the nodes' (docs/node-api.md, "Saving and restoring a
 * state"), and a WeakMap keyed by the node's objects cannot be saved. A node that replaces its
 * list (a restart, a snapshot installed) starts a new one, whose first item is another object or
 * none; it is then read from its start.
 */
import type { NodeId } from "../../sim/node.js";

export class ReadPositions<T> {
  private readonly read = new Map<NodeId, number>();
  private readonly firstItems = new Map<NodeId, T | undefined>();

  /** Where to start reading `node`'s `list` now; it is taken as read to its end from then on. */
  unreadFrom(node: NodeId, list: readonly T[]): number {
    const same = this.read.has(node) && this.firstItems.get(node) === list[0];
    const from = same ? (this.read.get(node) as number) : 0;
    this.read.set(node, list.length);
    this.firstItems.set(node, list[0]);
    return from;
  }
}

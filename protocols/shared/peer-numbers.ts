/**
 * A number per peer (a Raft leader's matchIndex), readable as a Map is, and shown as a record in
 * the peers' order (`shown`) that stays the same object until a number changes (it is never
 * changed itself: a change makes the next `shown` build a new one). A Raft leader describes itself
 * after every step and most of its steps change no match index: building the record afresh each
 * time was 2.8% of the CPU profile of Raft's kv bench (bench/raft.ts, trace in memory), before
 * the trace compared it field by field and dropped it.
 */
import type { NodeId } from "../../sim/node.js";

export class PeerNumbers {
  private readonly numbers = new Map<NodeId, number>();
  /** What `shown` returned last, and for which peers; undefined once a number changed since. */
  private record: Readonly<Record<NodeId, number>> | undefined;
  private recordPeers: readonly NodeId[] | undefined;

  get(peer: NodeId): number | undefined {
    return this.numbers.get(peer);
  }

  set(peer: NodeId, value: number): void {
    if (this.numbers.get(peer) === value) return;
    this.numbers.set(peer, value);
    this.record = undefined;
  }

  /** Each of `peers` with its number (0 when it has none), in that order. Do not change it. */
  shown(peers: readonly NodeId[]): Readonly<Record<NodeId, number>> {
    if (this.record !== undefined && this.recordPeers === peers) return this.record;
    const record: Record<NodeId, number> = {};
    for (const peer of peers) record[peer] = this.numbers.get(peer) ?? 0;
    this.record = record;
    this.recordPeers = peers;
    return this.record;
  }

  /** The numbers alone (exploration fingerprints state, and `record` is derived from them). */
  fingerprint(): ReadonlyMap<NodeId, number> {
    return this.numbers;
  }
}

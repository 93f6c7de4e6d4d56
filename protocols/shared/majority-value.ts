/**
 * The value a majority of a cluster has reached: given this node's own value and each peer's, the
 * largest value that at least `quorum` of them hold or exceed. Raft's commit rule asks it of match
 * indexes (§5.3), ReadIndex of acknowledged heartbeat rounds, and leases of acknowledgement times.
 */
import type { NodeId } from "../../sim/node.js";

export class MajorityValue {
  /**
   * One array reused by every call, kept sorted (largest first) by insertion: it holds one number
   * per node, and `Array.prototype.sort` with a comparator allocates scratch space on every call,
   * which the commit rule would pay on every acknowledgement.
   */
  private readonly values: number[];

  constructor(
    private readonly peers: readonly NodeId[],
    private readonly quorum: number,
  ) {
    if (quorum < 1 || quorum > peers.length + 1) {
      throw new Error(`quorum ${quorum} out of range for ${peers.length + 1} nodes`);
    }
    this.values = new Array<number>(peers.length + 1).fill(0);
  }

  /** The `quorum`-th largest of `own` and the peers' values (a peer missing from `byPeer` counts 0). */
  of(own: number, byPeer: { get(peer: NodeId): number | undefined }): number {
    const values = this.values;
    values[0] = own;
    let count = 1;
    for (const peer of this.peers) {
      const value = byPeer.get(peer) ?? 0;
      let position = count++;
      while (position > 0 && (values[position - 1] as number) < value) {
        values[position] = values[position - 1] as number;
        position--;
      }
      values[position] = value;
    }
    return values[this.quorum - 1] as number;
  }
}

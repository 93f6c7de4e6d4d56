/**
 * What a lease invariant needs to know of the clocks: a lease promises nothing once some node's
 * clock runs faster or slower than the drift bound its design claims, so the invariant stops
 * checking from then on. Each node's clock rate is measured between samples at least 20 ms of
 * real time apart, with half a percent of slack for microsecond rounding.
 */
import type { NodeId } from "../../sim/node.js";

export interface ClockSample {
  readonly realUs: number;
  readonly localUs: number;
}

/**
 * Samples `node`'s clock (`localUs` at real time `realUs`) into `samples`, and answers whether its
 * rate since its last sample left `1 ± bound`. A sample that left it is not kept.
 */
export function clockLeftBound(
  samples: Map<NodeId, ClockSample>,
  node: NodeId,
  realUs: number,
  localUs: number,
  bound: number,
): boolean {
  const sample = samples.get(node);
  if (sample === undefined) {
    samples.set(node, { realUs, localUs });
    return false;
  }
  if (realUs - sample.realUs < 20_000) return false;
  const rate = (localUs - sample.localUs) / (realUs - sample.realUs);
  if (Math.abs(rate - 1) > bound + 0.005) return true;
  samples.set(node, { realUs, localUs });
  return false;
}

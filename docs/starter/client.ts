/**
 * The client side of the register: which operations the simulated clients issue (with weights),
 * and the sequential model their history is checked against. `kv` is a map of registers, one per
 * key: a read returns the last value written to its key (null before any write). Because the
 * model is named, every run's client history is checked for linearizability, and a failure is
 * reported as the invariant `kv.linearizable`.
 */
import type { ClientSpec } from "quorumlab";

export const client: ClientSpec = {
  operations: { read: 1, write: 1 },
  model: "kv",
};

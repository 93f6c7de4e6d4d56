/**
 * The registry of built-in protocols: name → protocol module. The CLI and the tests hand this
 * registry to the simulator; the simulator itself never imports protocols.
 */
import type { Protocol } from "../sim/node.js";
import { paxos } from "./paxos/index.js";
import { raft } from "./raft/index.js";

export const protocols: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([
  ["paxos", paxos as unknown as Protocol],
  ["raft", raft as unknown as Protocol],
]);

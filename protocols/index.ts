/**
 * The registry of built-in protocols: name → protocol module. The CLI and the tests hand this
 * registry to the simulator; the simulator itself never imports protocols.
 */
import type { Protocol } from "../sim/node.js";
import { consistentHashing } from "./consistent-hashing/index.js";
import { multiPaxos } from "./multi-paxos/index.js";
import { paxos } from "./paxos/index.js";
import { primaryBackup } from "./primary-backup/index.js";
import { raft } from "./raft/index.js";
import { shardedKv } from "./sharded-kv/index.js";
import { quorumThreePhaseCommit, threePhaseCommit } from "./three-phase-commit/index.js";
import { twoPhaseCommit } from "./two-phase-commit/index.js";
import { txnKv } from "./txn-kv/index.js";

export const protocols: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([
  ["consistent-hashing", consistentHashing as unknown as Protocol],
  ["paxos", paxos as unknown as Protocol],
  ["multi-paxos", multiPaxos as unknown as Protocol],
  ["primary-backup", primaryBackup as unknown as Protocol],
  ["raft", raft as unknown as Protocol],
  ["sharded-kv", shardedKv as unknown as Protocol],
  ["two-phase-commit", twoPhaseCommit as unknown as Protocol],
  ["three-phase-commit", threePhaseCommit as unknown as Protocol],
  ["quorum-three-phase-commit", quorumThreePhaseCommit as unknown as Protocol],
  ["txn-kv", txnKv as unknown as Protocol],
]);

/**
 * Messages between groups for two-phase commit (Gray & Lamport 2006's names, after Gray 1978):
 * the coordinator group's leader sends `Prepare` to each participant group; each participant
 * group's leader answers `Vote` once its prepare record is replicated; the coordinator's leader
 * sends `Decide` once its decision is replicated; participants answer `Ack` once they applied it.
 * Each is sent to every member of the receiving group; only its leader acts. Raft's own messages
 * stay inside a group. With placement, groups also exchange the range table, split requests and
 * moving ranges' data with the placement group and each other (see placement.ts).
 */
import type { RaftMessage } from "../raft/index.js";
import type { ReadResult, TxnOp } from "./machine.js";
import type { RangeStats, RangeTable } from "./placement.js";

export interface PrepareMessage {
  readonly type: "Prepare";
  readonly txn: string;
  readonly coordinator: string;
  readonly ops: readonly TxnOp[];
}

export interface VoteMessage {
  readonly type: "Vote";
  readonly txn: string;
  readonly group: string;
  readonly yes: boolean;
  readonly reads: readonly ReadResult[];
  /** A refusal for stale routing: the participant's newer table, which says who serves the keys. */
  readonly table?: RangeTable;
}

export interface DecideMessage {
  readonly type: "Decide";
  readonly txn: string;
  readonly coordinator: string;
  /** The receiving group's operations (a correct participant has them in its prepare record). */
  readonly ops: readonly TxnOp[];
  readonly commit: boolean;
}

export interface AckMessage {
  readonly type: "Ack";
  readonly txn: string;
  readonly group: string;
}

/** A data group asks the placement group for its table. */
export interface TableQueryMessage {
  readonly type: "TableQuery";
}

/** The placement group's table, as the answering replica applied it. */
export interface TableReplyMessage {
  readonly type: "TableReply";
  readonly table: RangeTable;
}

/** A group's leader reports a range past the size (or load) threshold, and where to cut it. */
export interface SplitRequestMessage {
  readonly type: "SplitRequest";
  readonly version: number;
  readonly at: string;
  /** Absent for size, `load` for load. */
  readonly reason?: "load";
}

/** A group's leader reports its ranges' sizes and loads, once per load window (merging on). */
export interface RangeStatsMessage {
  readonly type: "RangeStats";
  readonly version: number;
  readonly group: string;
  readonly ranges: readonly RangeStats[];
}

/** A frozen range's data, from its owner to the group it moves to. */
export interface RangeDataMessage {
  readonly type: "RangeData";
  readonly start: string;
  readonly end: string | null;
  readonly data: readonly (readonly [string, readonly (number | string)[]])[];
}

/** The target installed a moving range (to the placement group). */
export interface RangeInstalledMessage {
  readonly type: "RangeInstalled";
  readonly start: string;
  readonly group: string;
}

export type PlacementMessage =
  | TableQueryMessage
  | TableReplyMessage
  | SplitRequestMessage
  | RangeStatsMessage
  | RangeDataMessage
  | RangeInstalledMessage;
export type CommitMessage = PrepareMessage | VoteMessage | DecideMessage | AckMessage;
export type TxnKvMessage = CommitMessage | PlacementMessage | RaftMessage;

const commitTypes = new Set(["Prepare", "Vote", "Decide", "Ack"]);
const placementTypes = new Set([
  "TableQuery",
  "TableReply",
  "SplitRequest",
  "RangeStats",
  "RangeData",
  "RangeInstalled",
]);

export function isPlacementMessage(message: TxnKvMessage): message is PlacementMessage {
  return placementTypes.has(message.type);
}

export function isCommitMessage(message: TxnKvMessage): message is CommitMessage {
  return commitTypes.has(message.type);
}

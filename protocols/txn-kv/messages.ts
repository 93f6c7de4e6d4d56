/**
 * Messages between groups for two-phase commit (Gray & Lamport 2006's names, after Gray 1978):
 * the coordinator group's leader sends `Prepare` to each participant group; each participant
 * group's leader answers `Vote` once its prepare record is replicated; the coordinator's leader
 * sends `Decide` once its decision is replicated; participants answer `Ack` once they applied it.
 * Each is sent to every member of the receiving group; only its leader acts. Raft's own messages
 * stay inside a group.
 */
import type { RaftMessage } from "../raft/index.js";
import type { ReadResult, TxnOp } from "./machine.js";

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
}

export interface DecideMessage {
  readonly type: "Decide";
  readonly txn: string;
  readonly coordinator: string;
  readonly commit: boolean;
}

export interface AckMessage {
  readonly type: "Ack";
  readonly txn: string;
  readonly group: string;
}

export type CommitMessage = PrepareMessage | VoteMessage | DecideMessage | AckMessage;
export type TxnKvMessage = CommitMessage | RaftMessage;

const commitTypes = new Set(["Prepare", "Vote", "Decide", "Ack"]);

export function isCommitMessage(message: TxnKvMessage): message is CommitMessage {
  return commitTypes.has(message.type);
}

/**
 * Multi-Paxos messages. Phase 1 runs once for every slot from `fromSlot` on; phase 2 runs per
 * slot. Names follow "Paxos Made Simple" §2 and §3: `prepare` (1a), `promise` (1b), `nack`,
 * `accept` (2a), `accepted` (2b), plus `decide` (the leader tells every replica which commands
 * were chosen, in answer to `catchup`), `heartbeat` (the distinguished proposer is alive) and
 * `catchup` (a replica asks for decisions it missed). Accepts and heartbeats carry the leader's
 * `chosenThrough`: a follower that accepted slot s at the leader's ballot knows, once s ≤
 * chosenThrough, that its accepted command is the chosen one (one ballot proposes one command per
 * slot), so decisions travel without messages of their own.
 */

/** A client operation as it travels through the log. */
export interface OperationCommand {
  readonly kind: "op";
  readonly client: string;
  readonly seq: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

/** Fills a slot that a new leader found empty (§3: "a special no-op command"). */
export interface NoopCommand {
  readonly kind: "noop";
}

export type Command = OperationCommand | NoopCommand;

/** A short identity of a command: `client:seq`, or `noop`. */
export function commandKey(command: Command): string {
  return command.kind === "noop" ? "noop" : `${command.client}:${command.seq}`;
}

/** An acceptor's accepted proposal for one slot. */
export interface SlotProposal {
  readonly slot: number;
  readonly ballot: number;
  readonly command: Command;
}

export interface Prepare {
  readonly type: "prepare";
  readonly ballot: number;
  /** The first slot the candidate does not know to be chosen; promises report slots from here on. */
  readonly fromSlot: number;
}

export interface Promise {
  readonly type: "promise";
  readonly ballot: number;
  readonly accepted: readonly SlotProposal[];
}

export interface Nack {
  readonly type: "nack";
  readonly ballot: number;
  readonly promised: number;
}

export interface Accept {
  readonly type: "accept";
  readonly ballot: number;
  readonly slot: number;
  readonly command: Command;
  /** Every slot up to here is chosen (as in `heartbeat`); followers learn decisions from it. */
  readonly chosenThrough: number;
}

export interface Accepted {
  readonly type: "accepted";
  readonly ballot: number;
  readonly slot: number;
}

export interface Decide {
  readonly type: "decide";
  readonly entries: ReadonlyArray<{ readonly slot: number; readonly command: Command }>;
}

export interface Heartbeat {
  readonly type: "heartbeat";
  readonly ballot: number;
  /** Every slot up to here is chosen and known to the leader. */
  readonly chosenThrough: number;
}

export interface Catchup {
  readonly type: "catchup";
  readonly fromSlot: number;
}

export type MultiPaxosMessage = Prepare | Promise | Nack | Accept | Accepted | Decide | Heartbeat | Catchup;

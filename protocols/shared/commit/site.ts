/**
 * What the coordinator and the participants of a commit protocol share: the durable log (a list
 * of one-line records in storage under `log`), the table of known outcomes, the observations the
 * atomicity monitor (sim/check/atomicity.ts) reads after each step, one `timeout` timer armed for
 * the earliest deadline, the participants' vote and local vote rule, and the state description
 * for traces.
 *
 * Used by two-phase-commit/site.ts and three-phase-commit/site.ts, whose `Site` classes extend
 * `CommitSite` and document their own log records. Node n1 coordinates every transaction.
 */
import type { CommitObservation, Decision, DecisionReason } from "../../../sim/check/atomicity.js";
import type {
  Message,
  NodeContext,
  ProtocolNode,
  RoleDeclaration,
  StateDescription,
  StripDeclaration,
} from "../../../sim/node.js";
import type { Prepare, VoteOrDecision } from "./messages.js";
import type { CommitOptions } from "./options.js";

export type { Decision } from "../../../sim/check/atomicity.js";

const none: readonly CommitObservation[] = Object.freeze([]);
export const logKey = "log";
const recentLogLines = 4;

/** The roles of a commit protocol: n1 coordinates (and counts as the leader), the others take part. */
export const commitRoles: RoleDeclaration<{ readonly role: string }> = {
  names: ["coordinator", "participant"],
  leading: ["coordinator"],
  colours: { coordinator: "#ffb74d", participant: "#90caf9" },
  roleOf: (site) => site.role,
};

/**
 * What a report's state strip shows of a site: the state of its latest open transaction
 * (`voting`, `prepared`, `wait`, `precommit`...), else its latest log record (`commit`, `abort`).
 */
export const commitStrip: StripDeclaration = {
  sources: [
    { field: "transactions", firstWord: true },
    { field: logKey, firstWord: true },
  ],
  colours: { commit: "#81c784", abort: "#e57373", precommit: "#aed581", wait: "#fff176" },
};

export abstract class CommitSite<
  M extends Message,
  Options extends CommitOptions<string>,
  Reason extends DecisionReason,
> implements ProtocolNode<M>
{
  /** What this site did in its last step, for the atomicity monitor (not protocol state). */
  observations: readonly CommitObservation[] = none;
  /** Known outcomes, indexed by transaction number (transactions are numbered densely from 1). */
  private readonly outcomes: Array<Decision | undefined> = [];
  private armedAtUs = Number.POSITIVE_INFINITY;

  constructor(
    protected readonly ctx: NodeContext<M | VoteOrDecision>,
    protected readonly options: Options,
  ) {}

  abstract readonly role: "coordinator" | "participant";

  /** Every handler starts a new step. */
  protected step(): void {
    this.observations = none;
  }

  protected observe(observation: CommitObservation): void {
    if (this.observations === none) this.observations = [];
    (this.observations as CommitObservation[]).push(observation);
  }

  protected hasBug(name: Options["bugs"][number]): boolean {
    return this.options.bugs.includes(name);
  }

  /** The coordinator of every transaction: the first node. */
  protected get coordinator(): string {
    return this.ctx.nodes[0] as string;
  }

  // ---- the durable log ---------------------------------------------------------------------

  protected append(line: string): void {
    this.ctx.storage.append(logKey, line);
  }

  protected get logLength(): number {
    return this.ctx.storage.list(logKey).length;
  }

  protected logLines(): readonly string[] {
    return this.ctx.storage.list<string>(logKey);
  }

  // ---- outcomes ----------------------------------------------------------------------------

  outcome(tx: number): Decision | undefined {
    return this.outcomes[tx];
  }

  protected setOutcome(tx: number, decision: Decision): void {
    this.outcomes[tx] = decision;
  }

  /** Records a decision reached now (the caller has logged it when the protocol says so). */
  protected decided(tx: number, decision: Decision, reason: Reason, from?: string): void {
    this.setOutcome(tx, decision);
    this.observe(
      from === undefined
        ? { kind: "decide", tx, decision, reason }
        : { kind: "decide", tx, decision, reason, from },
    );
    this.ctx.note("decided", { tx, decision });
  }

  /**
   * Forces the log: every record appended so far survives a power loss (the force-write of the
   * commit protocols' literature; a write not forced may be lost in a crash).
   */
  protected forceLog(): void {
    this.ctx.storage.sync();
  }

  /** Sends a decision message, after forcing the log, recording it for the durability check. */
  protected sendDecision(to: string, tx: number, decision: Decision): void {
    this.forceLog();
    this.observe({ kind: "send-decision", tx, decision, to, logLength: this.logLength });
    this.ctx.send(to, { type: decision, tx });
  }

  // ---- voting (participants) ---------------------------------------------------------------

  /**
   * Sends a vote to the coordinator, after forcing the log (unless `force` is false), recording
   * it for the durability check.
   */
  protected vote(
    tx: number,
    vote: "yes" | "no",
    options: { readonly force: boolean } = { force: true },
  ): void {
    if (options.force) this.forceLog();
    this.observe({ kind: "vote", tx, vote, logLength: this.logLength });
    this.ctx.send(this.coordinator, { type: vote === "yes" ? "vote-yes" : "vote-no", tx });
  }

  // ---- deadlines ---------------------------------------------------------------------------

  /** Makes sure the `timeout` timer fires no later than `deadlineUs` (local time). */
  protected armDeadline(deadlineUs: number): void {
    if (deadlineUs < this.armedAtUs || !this.ctx.hasTimer("timeout")) {
      this.armedAtUs = deadlineUs;
      this.ctx.setTimer("timeout", Math.max(0, deadlineUs - this.ctx.now()));
    }
  }

  /** Handles expired deadlines; returns the next pending deadline or +∞. */
  protected abstract expire(nowUs: number): number;

  /**
   * The deadline scan every site does: each transaction in `pending` whose deadline has passed is
   * suspected and handed to `onExpired`, which may decide it (removing it from `pending`), replace
   * it or move its deadline. Returns the earliest deadline still pending afterwards, or +∞.
   */
  protected expireEach<T extends { readonly deadlineUs: number }>(
    pending: ReadonlyMap<number, T>,
    nowUs: number,
    onExpired: (tx: number, entry: T) => void,
  ): number {
    let next = Number.POSITIVE_INFINITY;
    for (const [tx, entry] of pending) {
      if (entry.deadlineUs > nowUs) {
        next = Math.min(next, entry.deadlineUs);
        continue;
      }
      this.observe({ kind: "suspect", tx });
      onExpired(tx, entry);
      const after = pending.get(tx);
      if (after !== undefined) next = Math.min(next, after.deadlineUs);
    }
    return next;
  }

  onTimer(name: string): void {
    this.step();
    if (name === "timeout") {
      this.armedAtUs = Number.POSITIVE_INFINITY;
      const next = this.expire(this.ctx.now());
      if (next !== Number.POSITIVE_INFINITY) this.armDeadline(next);
    } else {
      this.onOtherTimer(name);
    }
  }

  protected onOtherTimer(_name: string): void {}

  // ---- state description -------------------------------------------------------------------

  protected abstract transactionStates(): Record<string, string>;

  /** The role, each transaction's phase and the last few records of the durable log. */
  describe(): StateDescription {
    const log = this.logLines();
    return {
      role: this.role,
      transactions: this.transactionStates(),
      log: log.length <= recentLogLines ? log.slice() : log.slice(log.length - recentLogLines),
    };
  }
}

/** Exponential backoff for retries: doubles up to `maxUs`. */
export function backoff(currentUs: number, maxUs: number): number {
  return Math.min(maxUs, currentUs * 2);
}

/**
 * The participants of a new transaction: every peer of the coordinator, or `wanted` of them
 * drawn from the coordinator's random stream, in node order.
 */
export function drawParticipants(ctx: NodeContext<Message>, wanted: number | undefined): readonly string[] {
  const peers = ctx.peers;
  if (wanted === undefined || wanted >= peers.length) return peers;
  const chosen = new Set<string>();
  while (chosen.size < wanted) chosen.add(ctx.random.pick(peers));
  return peers.filter((peer) => chosen.has(peer));
}

/**
 * A participant's local vote rule: a scripted vote, then a lock conflict on the transaction's key
 * (`locks` maps locked keys to their transaction), then a random local abort with probability
 * `voteNoProbability`. Draws from the random stream only in the last case.
 */
export function localVote(
  ctx: NodeContext<Message>,
  rule: {
    readonly scriptedVotes: Readonly<Record<string, "yes" | "no">>;
    readonly locks: ReadonlyMap<number, number>;
    readonly voteNoProbability: number;
  },
  message: Prepare,
): "yes" | "no" {
  const scripted = rule.scriptedVotes[String(message.tx)];
  if (scripted !== undefined) return scripted;
  if (message.key >= 0 && rule.locks.has(message.key)) return "no";
  return ctx.random.chance(rule.voteNoProbability) ? "no" : "yes";
}

/**
 * The atomicity checker for commit protocols (two-phase commit, three-phase commit and their
 * variants), shared by every commit protocol and by reports.
 *
 * It follows the atomic-commitment properties of Bernstein, Hadzilacos and Goodman, "Concurrency
 * Control and Recovery in Database Systems" (1987), ch. 7 §7.3:
 * - AC1: all processes that reach a decision reach the same one;
 * - AC2: a process cannot reverse its decision after it has reached one;
 * - AC3: the Commit decision can only be reached if all processes voted Yes;
 * - AC4: if there are no failures and all processes voted Yes, the decision will be Commit;
 * - AC5: after all failures are repaired and no new failures occur for long enough, all
 *   processes eventually decide;
 * plus three rules of the same chapter that the protocols rely on:
 * - a Yes voter never aborts alone (it is uncertain, §7.3: it must learn the outcome);
 * - the prepared record is durable before the Yes vote is sent (§7.4, the DT log);
 * - the decision record is durable before the decision is sent (§7.4; presumed abort lets an
 *   Abort go unlogged, Mohan, Lindsay and Obermarck 1986).
 *
 * Input: per step, what one site did (`CommitObservation`s, reported by the protocol node) plus
 * the site's durable log (read from its storage). The `AtomicityTracker` turns these into a
 * per-transaction record of participants, votes and decisions and reports each broken rule with
 * witnesses. It is incremental: each step costs in proportion to what that step did.
 *
 * Blocking figures (`commitFigures`) are computed from a run's trace instead, from the notes
 * commit protocols write: `begin {tx, participants}`, `uncertain {tx}` (a participant voted Yes
 * and holds its locks without knowing the outcome) and `decided {tx, decision}`.
 */
import type { ClusterView, Invariant, MonitorRun, SharedRecord, StepView } from "../node.js";
import type { TraceLine } from "../trace.js";

export type Vote = "yes" | "no";
export type Decision = "commit" | "abort";

/**
 * Why a site decided:
 * - `votes`: the coordinator counted the votes (all Yes, or a No);
 * - `timeout`: the coordinator gave up waiting for votes (or, in a bug, a participant gave up);
 * - `unilateral`: a participant that had not voted Yes aborted on its own;
 * - `message`: learned from site `from`;
 * - `presumed`: a presumed-abort coordinator found no record of the transaction;
 * - `termination`: an elected termination coordinator decided from the states it collected;
 * - `quorum`: a quorum acknowledged the pre-decision (quorum three-phase commit).
 */
export type DecisionReason =
  | "votes"
  | "timeout"
  | "unilateral"
  | "message"
  | "presumed"
  | "termination"
  | "quorum";

/** What a commit-protocol site did during one step, as the atomicity monitor sees it. */
export type CommitObservation =
  | { readonly kind: "begin"; readonly tx: number; readonly participants: readonly string[] }
  /** A vote sent; `logLength` is the length of the site's durable log when it was sent. */
  | { readonly kind: "vote"; readonly tx: number; readonly vote: Vote; readonly logLength: number }
  | {
      readonly kind: "decide";
      readonly tx: number;
      readonly decision: Decision;
      readonly reason: DecisionReason;
      readonly from?: string;
    }
  /** A decision message sent; `logLength` as for votes. */
  | {
      readonly kind: "send-decision";
      readonly tx: number;
      readonly decision: Decision;
      readonly to: string;
      readonly logLength: number;
    }
  /** The site acted on a timeout for this transaction: a failure was suspected. */
  | { readonly kind: "suspect"; readonly tx: number };

/** The names of the rules, as invariants carry them. */
export const atomicityRules = {
  agreement: "commit.ac1-agreement",
  irreversible: "commit.ac2-irreversible",
  commitNeedsAllYes: "commit.ac3-commit-needs-all-yes",
  noFailureCommit: "commit.ac4-no-failure-commit",
  termination: "commit.ac5-termination",
  yesVoterNotAlone: "commit.yes-voter-not-alone",
  preparedDurable: "commit.prepared-durable-before-yes",
  decisionDurable: "commit.decision-durable-before-send",
} as const;

export type AtomicityRule = (typeof atomicityRules)[keyof typeof atomicityRules];

export interface AtomicityFailure {
  readonly rule: AtomicityRule;
  readonly message: string;
  readonly witnesses: Readonly<Record<string, unknown>>;
}

/** What one transaction looks like to the checker. */
export interface TransactionRecord {
  readonly tx: number;
  participants: readonly string[] | undefined;
  /** The site that began the transaction. */
  coordinator: string | undefined;
  beganUs: number;
  readonly votes: Map<string, Vote>;
  /** Each site's first decision, with when it was reached. */
  readonly decisions: Map<string, { decision: Decision; reason: DecisionReason; timeUs: number }>;
  /** A crash or a timeout happened while the transaction was open (AC4 does not apply). */
  failure: boolean;
}

/**
 * Which durable record a vote or decision message needs before it is sent, as a log line, or
 * `undefined` when none is needed (an abort under presumed abort, a No vote).
 */
export interface DurabilityRules {
  preparedRecord(tx: number): string;
  decisionRecord(tx: number, decision: Decision): string | undefined;
}

/** Pure rule: AC1 and AC2 for one new decision, given the record before it. */
export function checkDecision(
  record: TransactionRecord,
  site: string,
  decision: Decision,
): AtomicityFailure | undefined {
  const own = record.decisions.get(site);
  if (own !== undefined && own.decision !== decision) {
    return {
      rule: atomicityRules.irreversible,
      message: `${site} decided ${own.decision} for tx ${record.tx}, then ${decision}`,
      witnesses: { tx: record.tx, site, first: own.decision, second: decision, firstAtUs: own.timeUs },
    };
  }
  for (const [other, earlier] of record.decisions) {
    if (other !== site && earlier.decision !== decision) {
      return {
        rule: atomicityRules.agreement,
        message: `tx ${record.tx}: ${other} decided ${earlier.decision} but ${site} decided ${decision}`,
        witnesses: { tx: record.tx, decisions: { [other]: earlier.decision, [site]: decision } },
      };
    }
  }
  return undefined;
}

/** Pure rule: AC3, for a commit decision. */
export function checkCommitNeedsAllYes(
  record: TransactionRecord,
  site: string,
): AtomicityFailure | undefined {
  const participants = record.participants;
  if (participants === undefined) {
    return {
      rule: atomicityRules.commitNeedsAllYes,
      message: `${site} committed tx ${record.tx}, which no coordinator began`,
      witnesses: { tx: record.tx, site },
    };
  }
  const missing = participants.filter((participant) => record.votes.get(participant) !== "yes");
  if (missing.length === 0) return undefined;
  return {
    rule: atomicityRules.commitNeedsAllYes,
    message: `${site} committed tx ${record.tx} though ${missing.join(", ")} did not vote yes`,
    witnesses: {
      tx: record.tx,
      site,
      votes: Object.fromEntries(participants.map((p) => [p, record.votes.get(p) ?? "none"])),
    },
  };
}

/** Pure rule: AC4, for an abort decision. */
export function checkNoFailureCommit(record: TransactionRecord, site: string): AtomicityFailure | undefined {
  const participants = record.participants;
  if (record.failure || participants === undefined) return undefined;
  if (!participants.every((participant) => record.votes.get(participant) === "yes")) return undefined;
  return {
    rule: atomicityRules.noFailureCommit,
    message: `${site} aborted tx ${record.tx} though every participant voted yes and nothing failed`,
    witnesses: { tx: record.tx, site, participants },
  };
}

/** Pure rule: a Yes voter aborts only when told by a site that decided abort, or by termination. */
export function checkYesVoterNotAlone(
  record: TransactionRecord,
  site: string,
  reason: DecisionReason,
  from: string | undefined,
): AtomicityFailure | undefined {
  if (record.votes.get(site) !== "yes") return undefined;
  if (reason === "termination" || reason === "quorum") return undefined;
  if (reason === "message" && from !== undefined && record.decisions.get(from)?.decision === "abort") {
    return undefined;
  }
  const told =
    reason === "message" ? ` (told by ${from ?? "?"}, which had not decided abort)` : ` (${reason})`;
  return {
    rule: atomicityRules.yesVoterNotAlone,
    message: `${site} voted yes on tx ${record.tx} and then aborted alone${told}`,
    witnesses: { tx: record.tx, site, reason, ...(from === undefined ? {} : { from }) },
  };
}

/**
 * The incremental checker. Feed it each step's observations with `observe`, crashes with
 * `crash`; it returns the failures found (each rule reported at most once per tracker).
 */
export class AtomicityTracker {
  readonly transactions = new Map<number, TransactionRecord>();
  /** Outcomes of transactions every site has decided, whose records were dropped. */
  private finished = new Uint8Array(64);
  private readonly reported = new Set<AtomicityRule>();
  /** Transactions some site has not decided yet (candidates for a crash marking them failed). */
  private readonly open = new Set<number>();

  constructor(private readonly durability: DurabilityRules) {}

  /** The transaction's record, created on first mention. */
  record(tx: number, timeUs: number): TransactionRecord {
    let record = this.transactions.get(tx);
    if (record === undefined) {
      record = {
        tx,
        participants: undefined,
        coordinator: undefined,
        beganUs: timeUs,
        votes: new Map(),
        decisions: new Map(),
        failure: false,
      };
      const earlier = tx < this.finished.length ? this.finished[tx] : 0;
      if (earlier !== 0) {
        // Every site had decided: stand for them all, so that any later decision is compared.
        const decision = earlier === 1 ? "commit" : "abort";
        record.decisions.set("(every site)", { decision, reason: "votes", timeUs: 0 });
        record.failure = true;
      } else {
        this.open.add(tx);
      }
      this.transactions.set(tx, record);
    }
    return record;
  }

  /** A site crashed: every open transaction had a failure. */
  crash(): void {
    for (const tx of this.open) {
      const record = this.transactions.get(tx);
      if (record !== undefined) record.failure = true;
    }
  }

  /**
   * Checks one site's step. `log` is the site's durable log as it stands after the step.
   * Returns the failures of rules not reported before.
   */
  observe(
    site: string,
    timeUs: number,
    observations: readonly CommitObservation[],
    log: readonly string[],
  ): AtomicityFailure[] {
    const failures: AtomicityFailure[] = [];
    for (const observation of observations) {
      const record = this.record(observation.tx, timeUs);
      switch (observation.kind) {
        case "begin":
          record.participants = observation.participants;
          record.coordinator = site;
          record.beganUs = timeUs;
          break;
        case "suspect":
          record.failure = true;
          break;
        case "vote": {
          // A Yes vote binds the site: one that forgot it (an unforced prepared record lost in a
          // crash) and answers No later is still a Yes voter to the coordinator that counted it.
          if (record.votes.get(site) !== "yes") record.votes.set(site, observation.vote);
          if (observation.vote === "yes") {
            const needed = this.durability.preparedRecord(observation.tx);
            if (!loggedBefore(log, needed, observation.logLength)) {
              this.push(failures, {
                rule: atomicityRules.preparedDurable,
                message: `${site} voted yes on tx ${observation.tx} before '${needed}' was durable`,
                witnesses: { tx: observation.tx, site, record: needed, logLength: observation.logLength },
              });
            }
          }
          break;
        }
        case "send-decision": {
          const needed = this.durability.decisionRecord(observation.tx, observation.decision);
          if (needed !== undefined && !loggedBefore(log, needed, observation.logLength)) {
            this.push(failures, {
              rule: atomicityRules.decisionDurable,
              message: `${site} sent ${observation.decision} for tx ${observation.tx} to ${observation.to} before '${needed}' was durable`,
              witnesses: { tx: observation.tx, site, to: observation.to, record: needed },
            });
          }
          break;
        }
        case "decide":
          this.decide(failures, record, site, observation, timeUs);
          break;
      }
    }
    return failures;
  }

  private decide(
    failures: AtomicityFailure[],
    record: TransactionRecord,
    site: string,
    observation: CommitObservation & { kind: "decide" },
    timeUs: number,
  ): void {
    const { decision, reason, from } = observation;
    this.push(failures, checkDecision(record, site, decision));
    if (decision === "commit") {
      this.push(failures, checkCommitNeedsAllYes(record, site));
    } else {
      this.push(failures, checkNoFailureCommit(record, site));
      this.push(failures, checkYesVoterNotAlone(record, site, reason, from));
    }
    if (!record.decisions.has(site)) record.decisions.set(site, { decision, reason, timeUs });
    const participants = record.participants;
    if (participants?.every((participant) => record.decisions.has(participant))) {
      this.open.delete(record.tx);
      if (record.coordinator !== undefined && record.decisions.has(record.coordinator))
        this.retire(record, decision);
    }
  }

  /** Drops a transaction every site has decided, keeping only its outcome. */
  private retire(record: TransactionRecord, decision: Decision): void {
    if (!this.transactions.delete(record.tx)) return;
    if (record.tx >= this.finished.length) {
      let size = this.finished.length * 2;
      while (size <= record.tx) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.finished);
      this.finished = grown;
    }
    this.finished[record.tx] = decision === "commit" ? 1 : 2;
  }

  /**
   * AC5 at the end of a run: every site that voted yes, and every site that decided, must know
   * the outcome, unless it is down now or the transaction began less than `settleUs` ago.
   */
  checkTermination(
    endUs: number,
    settleUs: number,
    isUp: (site: string) => boolean,
  ): AtomicityFailure | undefined {
    for (const tx of this.open) {
      const record = this.transactions.get(tx);
      if (record === undefined || record.beganUs > endUs - settleUs) continue;
      const undecided = [...record.votes]
        .filter(([site, vote]) => vote === "yes" && !record.decisions.has(site) && isUp(site))
        .map(([site]) => site);
      if (undecided.length > 0) {
        return {
          rule: atomicityRules.termination,
          message: `tx ${tx} (began at ${record.beganUs} µs) is still undecided at ${undecided.join(", ")}`,
          witnesses: {
            tx,
            undecided,
            decisions: Object.fromEntries([...record.decisions].map(([s, d]) => [s, d.decision])),
          },
        };
      }
    }
    return undefined;
  }

  private push(failures: AtomicityFailure[], failure: AtomicityFailure | undefined): void {
    if (failure === undefined || this.reported.has(failure.rule)) return;
    this.reported.add(failure.rule);
    failures.push(failure);
  }
}

/** A log line's identity: its first two words (`commit 12 n2,n3` → `commit 12`). */
export function recordKey(line: string): string {
  const first = line.indexOf(" ");
  if (first < 0) return line;
  const second = line.indexOf(" ", first + 1);
  return second < 0 ? line : line.slice(0, second);
}

/**
 * Whether the record `key` sits among the first `logLength` lines of `log`. Searches backwards:
 * the record a vote or a decision needs was almost always written just before it.
 */
export function loggedBefore(log: readonly string[], key: string, logLength: number): boolean {
  for (let index = Math.min(logLength, log.length) - 1; index >= 0; index--) {
    const line = log[index] as string;
    if (line.startsWith(key) && (line.length === key.length || line.charCodeAt(key.length) === 32))
      return true;
  }
  return false;
}

// ---- invariants over a run ---------------------------------------------------------------------

/** How a commit protocol exposes itself to the atomicity invariants. */
export interface AtomicitySubject<N> {
  /** What the node did in its last step (the same array object until its next step). */
  observations(node: N): readonly CommitObservation[];
  /** The storage key of the node's durable log (a list of one-line records). */
  readonly logKey: string;
  readonly durability: DurabilityRules;
  /** AC5 leaves out transactions begun less than this long before the end of the run. */
  readonly settleUs: number;
}

const bhg = "Bernstein, Hadzilacos, Goodman 1987, Concurrency Control and Recovery in Database Systems";

/** Statements and sources of the rules, in the order invariants are listed. */
export const atomicityStatements: ReadonlyArray<{
  name: AtomicityRule;
  statement: string;
  source: string;
  kind: "safety" | "liveness";
}> = [
  {
    name: atomicityRules.agreement,
    statement: "All sites that decide a transaction decide the same.",
    source: `${bhg}, ch. 7 §7.3 (AC1)`,
    kind: "safety",
  },
  {
    name: atomicityRules.irreversible,
    statement: "A site never changes its decision, not even across a crash.",
    source: `${bhg}, ch. 7 §7.3 (AC2)`,
    kind: "safety",
  },
  {
    name: atomicityRules.commitNeedsAllYes,
    statement: "Commit is decided only if every participant voted Yes.",
    source: `${bhg}, ch. 7 §7.3 (AC3)`,
    kind: "safety",
  },
  {
    name: atomicityRules.noFailureCommit,
    statement: "With no failure or timeout and all votes Yes, the decision is Commit.",
    source: `${bhg}, ch. 7 §7.3 (AC4)`,
    kind: "safety",
  },
  {
    name: atomicityRules.termination,
    statement: "After repairs and a quiet period, every up site that voted Yes knows the outcome.",
    source: `${bhg}, ch. 7 §7.3 (AC5)`,
    kind: "liveness",
  },
  {
    name: atomicityRules.yesVoterNotAlone,
    statement:
      "A site that voted Yes aborts only when told by a site that decided Abort, or by a termination protocol.",
    source: `${bhg}, ch. 7 §7.3 (the uncertainty period)`,
    kind: "safety",
  },
  {
    name: atomicityRules.preparedDurable,
    statement: "A participant's prepared record is durable before its Yes vote is sent.",
    source: `${bhg}, ch. 7 §7.4 (DT log)`,
    kind: "safety",
  },
  {
    name: atomicityRules.decisionDurable,
    statement: "A decision record is durable before the decision is sent (presumed abort exempts Abort).",
    source: `${bhg}, ch. 7 §7.4; Mohan, Lindsay, Obermarck 1986`,
    kind: "safety",
  },
];

/**
 * What the atomicity invariants of a run share (`MonitorRun.shared`): one tracker, fed each
 * site's observations once per step, and the failures that step brought to light.
 */
class AtomicityRecord<N> implements SharedRecord<N> {
  readonly tracker: AtomicityTracker;
  /** Per site, the observations already fed (a site's array stays the same until its next step). */
  private readonly consumed = new Map<string, readonly CommitObservation[]>();
  private readonly down = new Set<string>();
  /** The failures the last step brought to light. */
  latest: readonly AtomicityFailure[] = [];

  constructor(private readonly subject: AtomicitySubject<N>) {
    this.tracker = new AtomicityTracker(subject.durability);
  }

  afterStep(step: StepView<N>): void {
    this.latest = this.observe(step);
  }

  private observe(step: StepView<N>): readonly AtomicityFailure[] {
    const site = step.actor;
    if (step.cause === "crash") {
      if (!this.down.has(site)) {
        this.down.add(site);
        this.tracker.crash();
      }
      return [];
    }
    this.down.delete(site);
    const node = step.node(site);
    if (node === undefined) return [];
    const observations = this.subject.observations(node);
    if (observations.length === 0 || this.consumed.get(site) === observations) return [];
    this.consumed.set(site, observations);
    const log = step.storage(site).list<string>(this.subject.logKey);
    return this.tracker.observe(site, step.timeUs, observations, log);
  }
}

/** The eight atomicity invariants for a protocol, sharing one tracker per run. */
export function atomicityInvariants<N>(subject: AtomicitySubject<N>): Invariant<N>[] {
  return atomicityStatements.map(({ name, statement, source, kind }) => ({
    name,
    statement,
    source,
    kind,
    create(run: MonitorRun<N>) {
      const record = run.shared("atomicity", () => new AtomicityRecord(subject));
      return {
        state: record,
        afterStep: () => {
          const failure = record.latest.find((found) => found.rule === name);
          return failure === undefined
            ? undefined
            : { message: failure.message, witnesses: failure.witnesses };
        },
        atEnd: (view: ClusterView<N>) => {
          if (name !== atomicityRules.termination) return undefined;
          const failure = record.tracker.checkTermination(
            view.timeUs,
            subject.settleUs,
            (site) => view.node(site) !== undefined,
          );
          return failure === undefined
            ? undefined
            : { message: failure.message, witnesses: failure.witnesses };
        },
      };
    },
  }));
}

// ---- blocking figures from a trace -------------------------------------------------------------

/** How long one participant held one transaction's locks without knowing the outcome. */
export interface UncertainInterval {
  readonly tx: number;
  readonly participant: string;
  readonly uncertainUs: number;
  readonly blockedAtEnd: boolean;
}

export interface CommitFigures {
  readonly transactions: number;
  /** Transactions every site that decided them committed. */
  readonly committed: number;
  /** Transactions every site that decided them aborted. */
  readonly aborted: number;
  /** Transactions some site committed and another aborted (an AC1 violation). */
  readonly split: number;
  /** Transactions begun but decided by no site. */
  readonly undecided: number;
  readonly perTransaction: readonly UncertainInterval[];
  /** Some participant is still uncertain at the end of the run. */
  readonly blockedAtEnd: boolean;
  readonly blockedParticipantsAtEnd: number;
  readonly maxUncertainUs: number;
  readonly meanUncertainUs: number;
}

/**
 * Blocking figures from a run's trace: per transaction and participant, the time from its
 * `uncertain` note to its first `decided` note (or to the end of the run), and whether it was
 * still uncertain at the end. Crashes do not end uncertainty: locks and the prepared record
 * survive them.
 */
export function commitFigures(records: readonly TraceLine[]): CommitFigures {
  const began = new Set<number>();
  /** Per transaction, the decision its sites took, or "split" once they took both. */
  const outcome = new Map<number, Decision | "split">();
  const since = new Map<string, { tx: number; participant: string; fromUs: number }>();
  const intervals: UncertainInterval[] = [];
  let endUs = 0;
  for (const line of records) {
    if (line.kind === "header") continue;
    endUs = Math.max(endUs, line.t);
    if (line.kind !== "note") continue;
    const data = (line.data ?? {}) as { tx?: unknown; decision?: unknown };
    if (typeof data.tx !== "number") continue;
    const tx = data.tx;
    const key = `${tx} ${line.node}`;
    if (line.label === "begin") {
      began.add(tx);
    } else if (line.label === "uncertain") {
      if (!since.has(key)) since.set(key, { tx, participant: line.node, fromUs: line.t });
    } else if (line.label === "decided") {
      if (data.decision === "commit" || data.decision === "abort") {
        const before = outcome.get(tx);
        outcome.set(tx, before === undefined || before === data.decision ? data.decision : "split");
      }
      const open = since.get(key);
      if (open !== undefined) {
        intervals.push({
          tx,
          participant: line.node,
          uncertainUs: line.t - open.fromUs,
          blockedAtEnd: false,
        });
        since.delete(key);
      }
    }
  }
  for (const open of since.values()) {
    intervals.push({
      tx: open.tx,
      participant: open.participant,
      uncertainUs: endUs - open.fromUs,
      blockedAtEnd: true,
    });
  }
  intervals.sort(
    (a, b) => a.tx - b.tx || (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0),
  );
  let committed = 0;
  let split = 0;
  for (const decision of outcome.values()) {
    if (decision === "commit") committed++;
    else if (decision === "split") split++;
  }
  const blocked = intervals.filter((interval) => interval.blockedAtEnd).length;
  const total = intervals.reduce((sum, interval) => sum + interval.uncertainUs, 0);
  return {
    transactions: began.size,
    committed,
    aborted: outcome.size - committed - split,
    split,
    undecided: [...began].filter((tx) => !outcome.has(tx)).length,
    perTransaction: intervals,
    blockedAtEnd: blocked > 0,
    blockedParticipantsAtEnd: blocked,
    maxUncertainUs: intervals.reduce((max, interval) => Math.max(max, interval.uncertainUs), 0),
    meanUncertainUs: intervals.length === 0 ? 0 : Math.round(total / intervals.length),
  };
}

/**
 * The runner's figure hook for commit protocols: `commitFigures` merged into a run's figures when
 * the trace holds commit notes (`begin`), nothing otherwise. Needs the trace kept in memory.
 */
export function commitFigureHook(records: readonly TraceLine[]): Record<string, unknown> {
  const hasCommitNotes = records.some((line) => line.kind === "note" && line.label === "begin");
  return hasCommitNotes ? { ...commitFigures(records) } : {};
}

/**
 * Liveness figures of a Paxos run, computed from its trace records (pure functions; the runner
 * or a report hands in the records). They read the notes nodes write:
 * `prepare {ballot}` when a proposer starts a ballot, `chosen {ballot, value, slot?}` when it
 * sees its proposal chosen and `learned {ballot, value, slot?}` when a learner learns a value
 * (which implies it was chosen). Multi-Paxos writes the same notes, with `slot`.
 *
 * - `ballots`: ballots started; `decisions`: distinct decisions (slots) chosen;
 *   `ballotsPerDecision`: their ratio (null without a decision).
 * - `dueling`: true when, for at least `windowUs` (default 1 s) with no decision, two or more
 *   proposers kept starting ballots (at least four in all): the livelock of "Paxos Made Simple"
 *   §2.4. `duelingSinceUs` is when that stretch began.
 */

/** The fields of a trace record these figures read (structurally a subset of the trace format). */
export interface FigureRecord {
  readonly kind: string;
  readonly t?: number;
  readonly node?: string;
  readonly label?: string;
  readonly data?: unknown;
}

export interface PaxosFigures {
  readonly ballots: number;
  readonly decisions: number;
  readonly ballotsPerDecision: number | null;
  readonly firstDecisionUs: number | null;
  readonly messagesPerDecision: number | null;
  readonly dueling: boolean;
  readonly duelingSinceUs: number | null;
}

export interface DuelingOptions {
  /** How long ballots must keep rising without a decision. Default 1 s. */
  readonly windowUs?: number;
  /** How many ballots that stretch must hold at least. Default 4. */
  readonly ballotsMin?: number;
}

export function paxosFigures(records: readonly FigureRecord[], options: DuelingOptions = {}): PaxosFigures {
  const windowUs = options.windowUs ?? 1_000_000;
  const ballotsMin = options.ballotsMin ?? 4;
  let ballots = 0;
  let messages = 0;
  let firstDecisionUs: number | null = null;
  let lastTimeUs = 0;
  const decided = new Set<string>();
  // The current stretch without a decision.
  let stretchStartUs: number | null = null;
  let stretchBallots = 0;
  const stretchProposers = new Set<string>();
  let duelingSinceUs: number | null = null;
  const checkStretch = (nowUs: number) => {
    if (
      duelingSinceUs === null &&
      stretchStartUs !== null &&
      nowUs - stretchStartUs >= windowUs &&
      stretchBallots >= ballotsMin &&
      stretchProposers.size >= 2
    ) {
      duelingSinceUs = stretchStartUs;
    }
  };
  for (const record of records) {
    const timeUs = record.t ?? lastTimeUs;
    lastTimeUs = timeUs;
    if (record.kind === "send") {
      messages++;
      continue;
    }
    if (record.kind === "end") {
      checkStretch(timeUs);
      continue;
    }
    if (record.kind !== "note") continue;
    if (record.label === "prepare") {
      ballots++;
      if (stretchStartUs === null) stretchStartUs = timeUs;
      stretchBallots++;
      if (record.node !== undefined) stretchProposers.add(record.node);
      checkStretch(timeUs);
    } else if (record.label === "chosen" || record.label === "learned") {
      const data = (record.data ?? {}) as { slot?: unknown };
      const key = data.slot === undefined ? "single" : String(data.slot);
      if (decided.has(key)) continue;
      decided.add(key);
      firstDecisionUs ??= timeUs;
      checkStretch(timeUs);
      stretchStartUs = null;
      stretchBallots = 0;
      stretchProposers.clear();
    }
  }
  checkStretch(lastTimeUs);
  const decisions = decided.size;
  return {
    ballots,
    decisions,
    ballotsPerDecision: decisions === 0 ? null : ballots / decisions,
    firstDecisionUs,
    messagesPerDecision: decisions === 0 ? null : messages / decisions,
    dueling: duelingSinceUs !== null,
    duelingSinceUs,
  };
}

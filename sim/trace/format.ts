/**
 * The trace: every send, delivery, drop, duplicate, timer, crash, restart, pause, partition
 * change, client event, state description and violation of a run, as versioned JSON Lines.
 *
 * The trace is the one format everything downstream reads: reports, exports and the replay
 * check. Its first line is a `header`, its last an `end`. The `traceHash` of a run is the SHA-256
 * of every line before `end` (each followed by "\n"), so two runs are the same run exactly when
 * their hashes are equal.
 *
 * Every record has `t` (virtual time in microseconds) and `e` (the number of the kernel event
 * that produced it, from 0).
 *
 * This file is the format: the records, their version, and parsing trace text back. The recorder
 * (recorder.ts) writes them, through a compact in-memory store (rows.ts) and hand serialization
 * (lines.ts).
 */

/** Bumped whenever a record changes shape. */
export const traceVersion = 1;

export interface TraceHeader {
  readonly kind: "header";
  readonly version: number;
  readonly scenario: string;
  readonly protocol: string;
  /** The run seed, 0x-hex. */
  readonly seed: string;
  readonly nodes: readonly string[];
  readonly clients: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly description?: string;
  readonly durationUs: number;
  readonly invariants: ReadonlyArray<{ name: string; statement: string; source: string; kind: string }>;
}

interface At {
  readonly t: number;
  readonly e: number;
}

export type MessageRecord =
  | (At & { kind: "send"; from: string; to: string; id: number; type: string; msg: unknown })
  | (At & { kind: "deliver"; from: string; to: string; id: number; type: string })
  | (At & { kind: "drop"; from: string; to: string; id: number; type: string; reason: DropReason })
  | (At & { kind: "duplicate"; from: string; to: string; id: number; type: string; copy: number });

/**
 * Why a message was not delivered: `loss`, the network's (or its link's) random loss; `burst`, a
 * scripted loss burst, for a message the link's own loss would have let through; `partition`, its
 * link was cut when it was sent or when it arrived; `crashed`, its receiver was down when it
 * arrived; `scripted`, a scenario's `drop` step.
 */
export type DropReason = "loss" | "partition" | "crashed" | "burst" | "scripted";

export type NodeRecord =
  | (At & { kind: "timer"; node: string; name: string })
  | (At & { kind: "crash" | "restart" | "pause" | "resume"; node: string })
  | (At & { kind: "state"; node: string; state: unknown })
  | (At & { kind: "note"; node: string; label: string; data?: unknown });

export type NetworkRecord =
  | (At & { kind: "partition"; groups: string[][] })
  | (At & { kind: "cut"; from: string; to: string; oneWay: boolean })
  | (At & { kind: "heal" })
  | (At & { kind: "clog"; from: string; to: string; extraUs: number; untilUs: number })
  | (At & { kind: "burst"; loss: number; duplicate: number; untilUs: number })
  | (At & { kind: "drift"; node: string; rate: number });

export type ClientRecord = At & {
  kind: "invoke" | "ok" | "fail" | "info";
  client: string;
  process: number;
  f: string;
  key: string | null;
  value: unknown;
  error?: string;
};

export type VerdictRecord =
  | (At & {
      kind: "violation";
      invariant: string;
      message: string;
      witnesses?: unknown;
    })
  | (At & { kind: "end"; events: number; traceHash: string });

export type TraceRecord = MessageRecord | NodeRecord | NetworkRecord | ClientRecord | VerdictRecord;
export type TraceLine = TraceHeader | TraceRecord;

/** Where serialized trace lines go when a trace file is asked for. */
export interface TraceSink {
  /** Called with chunks of complete lines, each ending in "\n". */
  write(chunk: string): void;
}

/** What a client record says of its operation (a history event has these fields). */
export interface ClientEventFields {
  readonly process: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
  readonly error?: string;
}

/** A delivery or drop on arrival, for `TraceRecorder.arrival`. */
export type ArrivalKind = "deliver" | "drop";

export const dropReasons: readonly DropReason[] = ["loss", "partition", "crashed", "burst", "scripted"];
export const clientKinds: ReadonlyArray<ClientRecord["kind"]> = ["invoke", "ok", "fail", "info"];

/** Parses trace text (JSON Lines) back into records; throws with the line number on bad input. */
export function parseTrace(text: string): TraceLine[] {
  const lines: TraceLine[] = [];
  let lineNumber = 0;
  for (const raw of text.split("\n")) {
    lineNumber++;
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${lineNumber}: not JSON (${(error as Error).message})`);
    }
    if (
      typeof value !== "object" ||
      value === null ||
      typeof (value as { kind?: unknown }).kind !== "string"
    ) {
      throw new Error(`line ${lineNumber}: expected an object with a string 'kind'`);
    }
    lines.push(value as TraceLine);
  }
  const header = lines[0];
  if (header === undefined || header.kind !== "header") throw new Error("line 1: expected the trace header");
  if (header.version !== traceVersion) {
    throw new Error(`line 1: trace version ${header.version} is not supported (expected ${traceVersion})`);
  }
  return lines;
}

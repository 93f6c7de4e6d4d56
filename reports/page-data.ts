/**
 * The data the HTML page draws from: the report model in short rows (a 100,000-event report
 * stays small), and its packed form, which the page embeds gzip-compressed.
 *
 * Packing stores the message and step rows column by column, with times, event numbers, step
 * numbers and message ids as differences from the previous row: they only grow, so the
 * differences are small numbers that compress well. (For a 100 s, 5-node Raft run, the page data
 * is 20 MB of JSON and 3.1 MB gzip-compressed; packed, it is about 1 MB compressed.)
 *
 * No DOM and no I/O: the CLI packs, the page (reports/page/) unpacks.
 */
import { type DisplayDeclaration, holdsLog } from "./display.js";
import { findingGraphOperations } from "./finding-graph.js";
import { type ReportMeta, type ReportModel, type StepKind, stepKinds } from "./model.js";

/** Arrow colours by message type (types sorted by name). */
export const messagePalette: readonly string[] = [
  "#1f77b4",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#bcbd22",
  "#ff7f0e",
  "#7f7f7f",
  "#393b79",
  "#637939",
];

/** A message: who, what type (index into `types`), when, its fate and its steps. */
export type MessageRow = [
  from: number,
  to: number,
  type: number,
  sendUs: number,
  /** -1: never arrives. */
  arriveUs: number,
  /** 0 delivered, 1 dropped, 2 in flight at the end. */
  fate: number,
  droppedAtSend: number,
  copy: number,
  /** Index into `payloads`. */
  payload: number,
  sendStep: number,
  /** -1: none. */
  endStep: number,
  id: number,
  dropReason: string,
];

/** The position of each column of a `MessageRow`. */
export const messageColumn = {
  from: 0,
  to: 1,
  type: 2,
  sendUs: 3,
  arriveUs: 4,
  fate: 5,
  droppedAtSend: 6,
  copy: 7,
  payload: 8,
  sendStep: 9,
  endStep: 10,
  id: 11,
  dropReason: 12,
} as const;

/** A step: time, kernel event, kind (index into `stepKinds`), lane, what it refers to, label. */
export type StepRow = [t: number, e: number, kind: number, lane: number, ref: number, label?: string];
/** A node outage: lane, "crash" or "pause", start and end (-1: to the end). */
export type LaneIntervalRow = [lane: number, kind: string, startUs: number, endUs: number];
/** A network fault: kind, start, end (-1: to the end), text, the lanes of the isolated side. */
export type NetworkRow = [kind: string, startUs: number, endUs: number, text: string, lanes: number[]];
/** A protocol note: lane, time, label, its data as JSON. */
export type NoteRow = [lane: number, t: number, label: string, data: string];

/** A client operation, in invocation order. */
export interface OperationRow {
  /** Client lane. */
  readonly c: number;
  /** Process. */
  readonly p: number;
  readonly f: string;
  readonly k: string | null;
  /** Input and output as JSON. */
  readonly i: string;
  readonly o: string;
  /** Status: ok, fail, info or pending. */
  readonly s: string;
  /** Call and return times (-1: never returned). */
  readonly a: number;
  readonly b: number;
  readonly err: string | null;
  /** Invoke and return steps (-1: none). */
  readonly is: number;
  readonly rs: number;
}

export interface PageData {
  readonly meta: ReportMeta;
  /** [name, "node" | "client"] */
  readonly lanes: ReadonlyArray<readonly [string, string]>;
  readonly types: readonly string[];
  readonly palette: readonly string[];
  readonly stepKinds: readonly StepKind[];
  readonly msgs: readonly MessageRow[];
  readonly payloads: readonly string[];
  readonly laneIv: readonly LaneIntervalRow[];
  readonly net: readonly NetworkRow[];
  readonly marks: ReportModel["marks"];
  /** Per lane, [time, index into `states` (-1: down)] where its description changes. */
  readonly statePoints: ReportModel["statePoints"];
  readonly states: readonly unknown[];
  readonly display: DisplayDeclaration;
  readonly hasLog: boolean;
  readonly ops: readonly OperationRow[];
  readonly notes: readonly NoteRow[];
  readonly steps: readonly StepRow[];
  readonly violations: ReadonlyArray<{ invariant: string; message: string; t: number; firstBadStep: number }>;
  readonly explanation: {
    readonly failing: number;
    readonly prefix: ReadonlyArray<readonly [number, string]>;
    readonly unplaceable: ReadonlyArray<readonly [number, string]>;
    readonly minimal: readonly number[];
  } | null;
}

const fateCode = { delivered: 0, dropped: 1, "in-flight": 2 } as const;

/** The page data of a report model. */
export function pageData(model: ReportModel): PageData {
  const types = [...new Set(model.messages.map((message) => message.type))].sort();
  return {
    meta: model.meta,
    lanes: model.lanes.map((lane) => [lane.name, lane.kind] as const),
    types,
    palette: messagePalette,
    stepKinds,
    msgs: messageRows(model, types),
    payloads: model.payloads,
    laneIv: model.laneIntervals.map((interval) => [
      interval.lane,
      interval.kind,
      interval.startUs,
      interval.endUs ?? -1,
    ]),
    net: model.network.map((interval) => [
      interval.kind,
      interval.startUs,
      interval.endUs ?? -1,
      interval.text,
      [...interval.lanes],
    ]),
    marks: model.marks,
    statePoints: model.statePoints,
    states: model.states,
    display: model.display,
    hasLog: model.states.some((state) => holdsLog(model.display, state)),
    ops: model.operations.map(operationRow),
    notes: model.notes.map((note) => [note.lane, note.t, note.label, JSON.stringify(note.data ?? null)]),
    steps: stepRows(model),
    violations: model.violations.map((violation) => ({
      invariant: violation.invariant,
      message: violation.message,
      t: violation.t,
      firstBadStep: violation.firstBadStep,
    })),
    explanation: pageExplanation(model),
  };
}

/** The message rows, with each type as its index in `types`. */
function messageRows(model: ReportModel, types: readonly string[]): MessageRow[] {
  const typeIndex = new Map(types.map((type, index) => [type, index]));
  return model.messages.map(
    (message): MessageRow => [
      message.from,
      message.to,
      typeIndex.get(message.type) ?? 0,
      message.sendUs,
      message.arriveUs ?? -1,
      fateCode[message.fate],
      message.droppedAtSend ? 1 : 0,
      message.copyOf === null ? 0 : 1,
      message.payload,
      message.sendStep,
      message.endStep ?? -1,
      message.id,
      message.dropReason ?? "",
    ],
  );
}

function operationRow(operation: ReportModel["operations"][number]): OperationRow {
  return {
    c: operation.client,
    p: operation.process,
    f: operation.f,
    k: operation.key,
    i: JSON.stringify(operation.input ?? null),
    o: JSON.stringify(operation.output ?? null),
    s: operation.status,
    a: operation.callUs,
    b: operation.returnUs ?? -1,
    err: operation.error,
    is: operation.invokeStep,
    rs: operation.returnStep ?? -1,
  };
}

/** The step rows, with each kind as its index in `stepKinds`. */
function stepRows(model: ReportModel): StepRow[] {
  const kindIndex = new Map<StepKind, number>(stepKinds.map((kind, index) => [kind, index]));
  return model.steps.map((step): StepRow => {
    const row: StepRow = [step.t, step.e, kindIndex.get(step.kind) ?? 0, step.lane, step.ref];
    if (step.label !== undefined) row.push(step.label);
    return row;
  });
}

/** The first violation's linearizability explanation, else a declared finding graph's operations. */
function pageExplanation(model: ReportModel): PageData["explanation"] {
  const explanation =
    model.violations.find((violation) => violation.explanation !== null)?.explanation ?? null;
  if (explanation === null) return findingGraphExplanation(model);
  return {
    failing: explanation.failingOperation,
    prefix: explanation.longestPrefix.map((step) => [step.operation, step.stateAfter] as const),
    unplaceable: explanation.unplaceable.map((item) => [item.operation, item.reason] as const),
    minimal: explanation.minimalSet,
  };
}

/** A declared finding graph's operations, marked in the history lane as a failing subset. */
function findingGraphExplanation(model: ReportModel): PageData["explanation"] {
  const operations = findingGraphOperations(model);
  return operations.length === 0 ? null : { failing: -1, prefix: [], unplaceable: [], minimal: operations };
}

/** The page data with its message and step rows stored as delta-coded columns. */
export interface PackedPageData extends Omit<PageData, "msgs" | "steps"> {
  /** One array per message column; growing columns as differences (see `packColumns`). */
  readonly msgColumns: ReadonlyArray<ReadonlyArray<number | string | null>>;
  readonly stepColumns: ReadonlyArray<ReadonlyArray<number | string | null>>;
}

/** Message columns stored as differences from the previous row. */
const deltaMessageColumns: ReadonlySet<number> = new Set([
  messageColumn.sendUs,
  messageColumn.sendStep,
  messageColumn.id,
]);
/** Message columns stored relative to another column of the row (-1, none, as null). */
const relativeMessageColumns: ReadonlyMap<number, number> = new Map([
  [messageColumn.arriveUs, messageColumn.sendUs],
  [messageColumn.endStep, messageColumn.sendStep],
]);
const messageColumnCount = Object.keys(messageColumn).length;
const stepColumnCount = 6;

/** Packs page data for embedding: `unpackPageData(packPageData(data))` equals `data`. */
export function packPageData(data: PageData): PackedPageData {
  const { msgs, steps, ...rest } = data;
  const msgColumns: Array<Array<number | string | null>> = Array.from(
    { length: messageColumnCount },
    () => [],
  );
  const previous: number[] = new Array(messageColumnCount).fill(0);
  for (const row of msgs) {
    for (let column = 0; column < messageColumnCount; column++) {
      const value = row[column] as number | string;
      const base = relativeMessageColumns.get(column);
      if (deltaMessageColumns.has(column)) {
        msgColumns[column]!.push((value as number) - previous[column]!);
        previous[column] = value as number;
      } else if (base !== undefined) {
        msgColumns[column]!.push((value as number) < 0 ? null : (value as number) - (row[base] as number));
      } else {
        msgColumns[column]!.push(value);
      }
    }
  }
  const stepColumns: Array<Array<number | string | null>> = Array.from({ length: stepColumnCount }, () => []);
  let previousT = 0;
  let previousE = 0;
  for (const row of steps) {
    stepColumns[0]!.push(row[0] - previousT);
    stepColumns[1]!.push(row[1] - previousE);
    previousT = row[0];
    previousE = row[1];
    stepColumns[2]!.push(row[2]);
    stepColumns[3]!.push(row[3]);
    stepColumns[4]!.push(row[4]);
    stepColumns[5]!.push(row[5] ?? null);
  }
  return { ...rest, msgColumns, stepColumns };
}

/** The page data a packed form holds. */
export function unpackPageData(packed: PackedPageData): PageData {
  const { msgColumns, stepColumns, ...rest } = packed;
  const count = msgColumns[0]?.length ?? 0;
  // Column by column first (a running sum, or the base column added), then row by row.
  const columns = msgColumns.map((column) => column.slice());
  for (const column of deltaMessageColumns) {
    const values = columns[column]!;
    let running = 0;
    for (let index = 0; index < count; index++) {
      running += values[index] as number;
      values[index] = running;
    }
  }
  for (const [column, base] of relativeMessageColumns) {
    const values = columns[column]!;
    const bases = columns[base]!;
    for (let index = 0; index < count; index++) {
      const value = values[index];
      values[index] =
        value === null || value === undefined ? -1 : (value as number) + (bases[index] as number);
    }
  }
  const msgs: MessageRow[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const row = new Array(messageColumnCount) as MessageRow;
    for (let column = 0; column < messageColumnCount; column++)
      row[column] = columns[column]![index] as number;
    msgs[index] = row;
  }
  const stepCount = stepColumns[0]?.length ?? 0;
  const steps: StepRow[] = new Array(stepCount);
  let t = 0;
  let e = 0;
  for (let index = 0; index < stepCount; index++) {
    t += stepColumns[0]![index] as number;
    e += stepColumns[1]![index] as number;
    const row: StepRow = [
      t,
      e,
      stepColumns[2]![index] as number,
      stepColumns[3]![index] as number,
      stepColumns[4]![index] as number,
    ];
    const label = stepColumns[5]![index];
    if (typeof label === "string") row.push(label);
    steps[index] = row;
  }
  return { ...rest, msgs, steps };
}

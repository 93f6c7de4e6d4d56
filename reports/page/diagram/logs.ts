/**
 * The log panel under the diagram: every node's last entries at a moment, drawn as the protocol
 * declares its log (`Protocol.log`): cells coloured by term, a bar after the commit index,
 * uncommitted cells faded.
 */
import type { DisplayDeclaration } from "../../display.js";
import { formatDurationUs as fmt } from "../../format.js";
import type { PageData } from "../../page-data.js";
import { roleOf, termColour, termOf } from "./strip.js";
import { firstAtOrAfter } from "./svg.js";

type Description = Readonly<Record<string, unknown>>;

interface LogTail {
  /** Index of the first entry shown. */
  readonly from: number;
  readonly entries: readonly unknown[];
  /** Index of the last entry. */
  readonly last: number;
}

const entriesShown = 40;

function numberField(state: Description, field: string | undefined, fallback: number): number {
  const value = field === undefined ? undefined : state[field];
  return typeof value === "number" ? value : fallback;
}

/**
 * The last (at most) `max` entries of a state's log, in the first declared form its state
 * holds: "entries" (terms, or entries with a term), "term-starts" ([[index, term], ...] up to
 * the declared last index) or "term-runs" ([[term, count], ...]).
 */
export function logTail(declaration: DisplayDeclaration, state: Description, max: number): LogTail | null {
  const log = declaration.log;
  if (log === undefined) return null;
  const base = numberField(state, log.firstIndexField, 1);
  for (const form of log.forms) {
    const value = state[form.field];
    if (!Array.isArray(value)) continue;
    if (form.form === "entries") {
      const skip = Math.max(0, value.length - max);
      return { from: base + skip, entries: value.slice(skip), last: base + value.length - 1 };
    }
    if (form.form === "term-starts") {
      const lastIndex = numberField(state, log.lastIndexField, Number.NaN);
      if (!Number.isNaN(lastIndex))
        return termStartsTail(value as Array<[number, number]>, { firstIndex: base, lastIndex, max });
    }
    if (form.form === "term-runs") return termRunsTail(value as Array<[number, number]>, base, max);
  }
  return null;
}

/** The last `max` terms of a log from `firstIndex` to `lastIndex`, given where its terms start. */
function termStartsTail(
  starts: ReadonlyArray<readonly [number, number]>,
  { firstIndex, lastIndex, max }: { firstIndex: number; lastIndex: number; max: number },
): LogTail {
  const entries: number[] = [];
  let last = lastIndex;
  const first = Math.max(firstIndex, last - max + 1);
  for (let position = starts.length - 1; position >= 0 && last >= first; position--) {
    const [startIndex, term] = starts[position]!;
    const start = Math.max(startIndex, first);
    for (let index = last; index >= start; index--) entries.push(term);
    last = start - 1;
  }
  entries.reverse();
  return { from: lastIndex - entries.length + 1, entries, last: lastIndex };
}

function termRunsTail(runs: ReadonlyArray<readonly [number, number]>, base: number, max: number): LogTail {
  const entries: number[] = [];
  let total = 0;
  for (const run of runs) total += run[1];
  for (let position = runs.length - 1; position >= 0 && entries.length < max; position--) {
    const [term, count] = runs[position]!;
    for (let copy = 0; copy < count && entries.length < max; copy++) entries.push(term);
  }
  entries.reverse();
  return { from: base + total - entries.length, entries, last: base + total - 1 };
}

function span(cls: string, text?: string): HTMLSpanElement {
  const element = document.createElement("span");
  element.className = cls;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Draws the logs at `atUs` into `box`, once per change of what they show (`key`). */
export class LogPanel {
  private lastKey: string | null = null;

  constructor(
    private readonly data: PageData,
    private readonly box: HTMLElement,
  ) {}

  draw(atUs: number, selected: boolean, hidden: ReadonlySet<number>): void {
    const data = this.data;
    if (!data.hasLog) return;
    const rows: Array<{ lane: number; stateIndex: number | null }> = [];
    data.lanes.forEach((lane, index) => {
      if (lane[1] !== "node" || hidden.has(index)) return;
      const points = data.statePoints[index] ?? [];
      const position = firstAtOrAfter(points, atUs + 1, 0) - 1;
      rows.push({ lane: index, stateIndex: position >= 0 ? points[position]![1] : null });
    });
    // Rebuild only when some node's state at that time changed.
    const key = `${atUs}/${selected}/${rows.map((row) => `${row.lane}:${row.stateIndex}`).join(",")}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.box.textContent = "";
    const title = span(
      "log-meta",
      `Logs at t=${fmt(Math.round(atUs))}${selected ? " (the selected event)" : " (the right edge of the view)"}; cells coloured by term, the bar marks the commit index, faded cells are not committed.`,
    );
    const heading = document.createElement("div");
    heading.append(title);
    this.box.appendChild(heading);
    for (const row of rows) this.box.appendChild(this.row(row.lane, row.stateIndex));
  }

  private row(lane: number, stateIndex: number | null): HTMLElement {
    const row = document.createElement("div");
    row.className = "log-row";
    row.appendChild(span("log-node", this.data.lanes[lane]?.[0] ?? "?"));
    if (stateIndex !== null && stateIndex < 0) {
      row.appendChild(document.createTextNode("down"));
      return row;
    }
    const state = stateIndex === null ? null : (this.data.states[stateIndex] as Description | null);
    const tail = state === null ? null : logTail(this.data.display, state, entriesShown);
    if (state === null || tail === null) {
      row.appendChild(document.createTextNode("no log reported"));
      return row;
    }
    const commit = numberField(state, this.data.display.log?.commitField, 0);
    if (tail.from > 1) row.appendChild(span("log-meta", `… ${tail.from - 1} earlier`));
    if (commit > 0 && commit === tail.from - 1) row.appendChild(span("commit"));
    tail.entries.forEach((entry, position) => {
      const entryIndex = tail.from + position;
      const term =
        typeof entry === "number"
          ? entry
          : entry !== null &&
              typeof entry === "object" &&
              typeof (entry as { term?: unknown }).term === "number"
            ? (entry as { term: number }).term
            : null;
      const cell = span(
        `cell${entryIndex > commit ? " uncommitted" : ""}`,
        term === null ? "?" : String(term),
      );
      cell.style.background = termColour(term);
      cell.title = `index ${entryIndex}, term ${term}${entry !== null && typeof entry === "object" ? `\n${JSON.stringify(entry)}` : ""}`;
      row.appendChild(cell);
      if (entryIndex === commit) row.appendChild(span("commit"));
    });
    const term = termOf(state);
    row.appendChild(
      span(
        "log-meta",
        `${roleOf(state) ?? ""}${term !== null ? ` term ${term}` : ""}, commit ${commit}, last index ${tail.last}`,
      ),
    );
    return row;
  }
}

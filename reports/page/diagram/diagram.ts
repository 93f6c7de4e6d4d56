/**
 * The space-time diagram, the state strip and the client history in one SVG, drawn from the
 * page data (reports/page-data.ts). Only what falls inside the visible time window is drawn, and
 * redrawn on each change, so a 100,000-event run stays smooth: above `arrowsMax` arrows in view an
 * even sample is drawn, above `labelsMax` operations their labels are left out.
 *
 * Every string from the trace reaches the page through `textContent` or `setAttribute`, never
 * through HTML parsing. `drawDiagram` is called again after each fork of the lab:
 * `options.signal` removes the previous drawing's listeners.
 */
import { formatDurationUs as fmt } from "../../format.js";
import { messageColumn as M, type PageData } from "../../page-data.js";
import { describeStep, isMessageStep, operationLabel, tipText } from "./describe.js";
import { LogPanel } from "./logs.js";
import { labelColour, stripBand, termColour } from "./strip.js";
import { svgElement as el, firstAtOrAfter, svgText as text } from "./svg.js";

/** A labelled time line drawn across the diagram (the lab's fork and divergence). */
export interface DiagramMark {
  readonly t: number;
  readonly label: string;
  readonly cls: string;
}

export interface DiagramOptions {
  /** Aborting it removes the drawing's listeners (the lab draws again after a fork). */
  readonly signal?: AbortSignal;
  readonly marks?: readonly DiagramMark[];
  /** The step selected at first (-1: none). */
  readonly select?: number;
  /** Hears the selected step (-1: none). */
  readonly onSelect?: (step: number) => void;
  /** Hears a click on no event, with its time. */
  readonly onTime?: (timeUs: number) => void;
}

export interface DiagramHandle {
  goto(step: number): void;
  selected(): number;
}

const LEFT = 120;
const RIGHT = 18;
const AXIS_H = 22;
const LANE_H = 34;
const GAP = 24;
const STATE_H = 18;
const HIST_H = 22;
const arrowsMax = 2000;
const marksMax = 1500;
const labelsMax = 600;

interface Layout {
  readonly width: number;
  readonly height: number;
  readonly laneY: ReadonlyMap<number, number>;
  readonly stateY: ReadonlyMap<number, number>;
  readonly histY: ReadonlyMap<number, number>;
  readonly bands: { messagesY: number; stateY: number; histY: number };
  readonly visible: readonly number[];
}

interface View {
  start: number;
  end: number;
}

function byId<T extends Element>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as unknown as T;
}

/** Draws `data` into the page's diagram elements and wires the toolbar, keys and mouse. */
export function drawDiagram(data: PageData, options: DiagramOptions = {}): DiagramHandle {
  const diagram = new Diagram(data, options);
  diagram.start();
  return { goto: (step) => diagram.goto(step), selected: () => diagram.cursor };
}

class Diagram {
  cursor = -1;
  private readonly endUs: number;
  private readonly firstBad: number;
  private readonly hidden = new Set<number>();
  private readonly svg = byId<SVGSVGElement>("diagram");
  private readonly overview = byId<SVGSVGElement>("overview");
  private readonly tip = byId<HTMLElement>("tip");
  private readonly info = byId<HTMLElement>("step-info");
  private readonly notice = byId<HTMLElement>("notice");
  private readonly logs: LogPanel | undefined;
  private layout: Layout | undefined;
  private maxFlight = 0;
  private readonly operationByStep = new Map<number, number>();
  private readonly nextOfClient: number[] = [];
  private view: View;
  private pending = false;
  private drag: { x: number; start: number; end: number; moved: boolean } | null = null;

  constructor(
    private readonly data: PageData,
    private readonly options: DiagramOptions,
  ) {
    this.endUs = Math.max(1, data.meta.endUs);
    this.firstBad = data.violations[0]?.firstBadStep ?? -1;
    const logs = document.getElementById("logs");
    this.logs = logs === null ? undefined : new LogPanel(data, logs);
    for (const message of data.msgs) {
      const arrive = message[M.arriveUs] < 0 ? this.endUs : message[M.arriveUs];
      this.maxFlight = Math.max(this.maxFlight, arrive - message[M.sendUs]);
    }
    const lastOfClient = new Map<number, number>();
    data.ops.forEach((op, index) => {
      this.nextOfClient.push(-1);
      const previous = lastOfClient.get(op.c);
      if (previous !== undefined) this.nextOfClient[previous] = index;
      lastOfClient.set(op.c, index);
      this.operationByStep.set(op.is, index);
      if (op.rs >= 0) this.operationByStep.set(op.rs, index);
    });
    this.view = this.initialView();
  }

  start(): void {
    this.listen();
    if (window.location.hash === "#first-bad" && this.firstBad >= 0) this.cursor = this.firstBad;
    if (this.options.select !== undefined && this.options.select >= 0) this.cursor = this.options.select;
    this.showInfo();
    this.render();
    document.body.setAttribute("data-ready", "true");
  }

  private initialView(): View {
    const count = this.data.msgs.length;
    if (count <= 2000) return { start: 0, end: this.endUs };
    const span = Math.max(1000, (this.endUs * 800) / count);
    const center = this.firstBad >= 0 ? this.data.steps[this.firstBad]![0] : span / 2;
    const start = Math.max(0, center - span / 2);
    return { start, end: Math.min(this.endUs, start + span) };
  }

  private get box(): Layout {
    if (this.layout === undefined) throw new Error("the diagram is not laid out yet");
    return this.layout;
  }

  private xOf(t: number): number {
    const { start, end } = this.view;
    return LEFT + ((t - start) / (end - start)) * (this.box.width - LEFT - RIGHT);
  }

  private tOf(x: number): number {
    const { start, end } = this.view;
    return start + ((x - LEFT) / (this.box.width - LEFT - RIGHT)) * (end - start);
  }

  private typeColour(type: number): string {
    return this.data.palette[type % this.data.palette.length] ?? "#000";
  }

  // ---- layout ------------------------------------------------------------------------------

  private computeLayout(): Layout {
    const data = this.data;
    let y = AXIS_H + 16;
    const laneY = new Map<number, number>();
    const stateY = new Map<number, number>();
    const histY = new Map<number, number>();
    const visible = data.lanes.map((_, index) => index).filter((index) => !this.hidden.has(index));
    const bands = { messagesY: y - 4, stateY: -1, histY: -1 };
    for (const index of visible) {
      laneY.set(index, y + LANE_H / 2);
      y += LANE_H;
    }
    y += GAP;
    const stateTop = y - 4;
    for (const index of visible) {
      if (data.lanes[index]![1] !== "node" || (data.statePoints[index]?.length ?? 0) === 0) continue;
      stateY.set(index, y);
      y += STATE_H + 3;
    }
    if (stateY.size > 0) {
      bands.stateY = stateTop;
      y += GAP;
    }
    const historyTop = y - 4;
    for (const index of visible) {
      if (data.lanes[index]![1] !== "client") continue;
      histY.set(index, y);
      y += HIST_H + 3;
    }
    if (histY.size > 0) bands.histY = historyTop;
    const width = Math.max(400, (this.svg.parentNode as HTMLElement).clientWidth);
    return { width, height: y + 8, laneY, stateY, histY, bands, visible };
  }

  // ---- drawing -----------------------------------------------------------------------------

  private render(): void {
    this.layout = this.computeLayout();
    const { svg } = this;
    const { width, height } = this.layout;
    svg.textContent = "";
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const defs = el("defs", {}, svg);
    const pattern = el(
      "pattern",
      { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      defs,
    );
    el("rect", { width: 6, height: 6, fill: "#fdecea" }, pattern);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#e57373", "stroke-width": 2 }, pattern);
    const clip = el("clipPath", { id: "plot" }, defs);
    el("rect", { x: LEFT, y: 0, width: width - LEFT - RIGHT + 6, height }, clip);

    let started = performance.now();
    const phases: string[] = [];
    const phase = (name: string) => {
      const now = performance.now();
      phases.push(`${name}=${Math.round(now - started)}`);
      started = now;
    };
    this.drawAxis();
    const plot = el("g", { "clip-path": "url(#plot)" }, svg);
    this.drawNetwork(plot);
    phase("network");
    this.drawLanes(plot);
    phase("lanes");
    this.drawMessages(plot);
    phase("messages");
    this.drawMarks(plot);
    phase("marks");
    this.drawStates(plot);
    phase("states");
    this.drawHistory(plot);
    phase("history");
    this.drawCursor(plot);
    this.drawOverview();
    const at = this.cursor >= 0 ? this.data.steps[this.cursor]![0] : this.view.end;
    this.logs?.draw(at, this.cursor >= 0, this.hidden);
    phase("logs");
    svg.setAttribute("data-render-ms", phases.join(" "));
  }

  private drawAxis(): void {
    const { svg, view } = this;
    const layout = this.box;
    const g = el("g", { class: "axis" }, svg);
    const span = view.end - view.start;
    const target = span / Math.max(2, (layout.width - LEFT - RIGHT) / 110);
    const power = 10 ** Math.floor(Math.log10(Math.max(1, target)));
    let tick = power;
    for (const factor of [1, 2, 5, 10]) if (power * factor <= target * 1.5) tick = power * factor;
    tick = Math.max(1, tick);
    for (let t = Math.ceil(view.start / tick) * tick; t <= view.end; t += tick) {
      const x = this.xOf(t);
      el("line", { x1: x, y1: AXIS_H - 4, x2: x, y2: layout.height }, g);
      text(g, x + 2, AXIS_H - 8, fmt(Math.round(t)));
    }
    text(svg, 4, layout.bands.messagesY, "Messages", "band-label");
    if (layout.bands.stateY >= 0) text(svg, 4, layout.bands.stateY, "State", "band-label");
    if (layout.bands.histY >= 0) text(svg, 4, layout.bands.histY, "History", "band-label");
  }

  private drawNetwork(g: SVGElement): void {
    const layout = this.box;
    const top = AXIS_H;
    const bottom = layout.height;
    const labels: Array<{ x: number; startUs: number; texts: string[] }> = [];
    this.data.net.forEach((fault, index) => {
      const start = fault[1];
      const end = fault[2] < 0 ? this.endUs : fault[2];
      if (end < this.view.start || start > this.view.end) return;
      const x1 = Math.max(LEFT - 2, this.xOf(start));
      const x2 = Math.min(layout.width, this.xOf(end));
      const width = Math.max(1, x2 - x1);
      el(
        "rect",
        { x: x1, y: top, width, height: bottom - top, class: `net net-${fault[0]}`, "data-net": index },
        g,
      );
      for (const lane of fault[4]) {
        const y = layout.laneY.get(lane);
        if (y === undefined) continue;
        el(
          "rect",
          { x: x1, y: y - LANE_H / 2, width, height: LANE_H, class: "net-lane", "data-net": index },
          g,
        );
      }
      const last = labels[labels.length - 1];
      if (last !== undefined && last.startUs === start) last.texts.push(fault[3]);
      else labels.push({ x: Math.max(LEFT + 2, x1 + 3), startUs: start, texts: [fault[3]] });
    });
    this.drawNetworkLabels(g, labels, top + 10);
  }

  /**
   * The faults' labels on one line above the lanes: those of faults that begin at one instant as
   * one label (`cut n1↔n3, n1↔n4`), and a label that would run into the next one cut short with
   * an ellipsis, its whole text in its tooltip. Drawn over each other, three cuts made at once
   * read as one garbled word.
   */
  private drawNetworkLabels(
    g: SVGElement,
    labels: ReadonlyArray<{ x: number; texts: readonly string[] }>,
    y: number,
  ): void {
    labels.forEach((label, index) => {
      const whole = joinedLabel(label.texts);
      const node = text(g, label.x, y, whole, "net-text") as SVGTextElement;
      const next = labels[index + 1];
      if (next === undefined) return;
      const room = next.x - label.x - 4;
      if (node.getComputedTextLength() <= room) return;
      let shown = whole.length;
      while (shown > 1) {
        shown--;
        node.textContent = `${whole.slice(0, shown)}…`;
        if (node.getComputedTextLength() <= room) break;
      }
      if (node.getComputedTextLength() > room) node.textContent = "";
      el("title", {}, node).textContent = whole;
    });
  }

  private drawLanes(g: SVGElement): void {
    const layout = this.box;
    for (const index of layout.visible) {
      const y = layout.laneY.get(index)!;
      const [name, kind] = this.data.lanes[index]!;
      const lane = el("g", { class: `lane ${kind}`, "data-lane": name }, this.svg);
      el("line", { x1: LEFT, y1: y, x2: layout.width - RIGHT, y2: y, class: "lane-line" }, lane);
      el("title", {}, lane).textContent = name;
      text(lane, 6, y + 4, name.length > 16 ? `${name.slice(0, 15)}…` : name, "lane-label");
    }
    this.data.laneIv.forEach((interval, index) => {
      const y = layout.laneY.get(interval[0]);
      if (y === undefined) return;
      const start = interval[2];
      const end = interval[3] < 0 ? this.endUs : interval[3];
      if (end < this.view.start || start > this.view.end) return;
      const x1 = this.xOf(start);
      const x2 = this.xOf(end);
      el(
        "rect",
        { x: x1, y: y - 9, width: Math.max(2, x2 - x1), height: 18, class: interval[1], "data-iv": index },
        g,
      );
    });
  }

  private visibleMessages(): number[] {
    const out: number[] = [];
    const msgs = this.data.msgs;
    const from = firstAtOrAfter(msgs, this.view.start - this.maxFlight, M.sendUs);
    for (let index = from; index < msgs.length; index++) {
      const message = msgs[index]!;
      if (message[M.sendUs] > this.view.end) break;
      const arrive = message[M.arriveUs] < 0 ? this.endUs : message[M.arriveUs];
      if (arrive < this.view.start) continue;
      if (this.hidden.has(message[M.from]) || this.hidden.has(message[M.to])) continue;
      out.push(index);
    }
    return out;
  }

  /** The message a step names, when it is a message's step. */
  private messageOfStep(step: number): number | undefined {
    return step >= 0 && isMessageStep(this.data, step) ? this.data.steps[step]![4] : undefined;
  }

  private drawMessages(g: SVGElement): void {
    const list = this.visibleMessages();
    const stride = list.length > arrowsMax ? Math.ceil(list.length / arrowsMax) : 1;
    const current = this.messageOfStep(this.cursor);
    const bad = this.messageOfStep(this.firstBad);
    let drawn = 0;
    list.forEach((index, position) => {
      if (stride > 1 && position % stride !== 0 && index !== current && index !== bad) return;
      this.drawMessage(g, index, index === current, index === bad);
      drawn++;
    });
    this.notice.textContent =
      stride > 1
        ? `${list.length} messages in view; drawing ${drawn} of them. Zoom in (+ or Ctrl+wheel) to see every arrow.`
        : "";
    this.svg.setAttribute("data-arrows", String(drawn));
  }

  private drawMessage(g: SVGElement, index: number, current: boolean, bad: boolean): void {
    const layout = this.box;
    const message = this.data.msgs[index]!;
    const x1 = this.xOf(message[M.sendUs]);
    const y1 = layout.laneY.get(message[M.from])!;
    const y2 = layout.laneY.get(message[M.to])!;
    const fate = message[M.fate];
    let x2: number;
    let yEnd: number;
    if (fate === 1 && message[M.droppedAtSend] === 1) {
      x2 = x1 + 8;
      yEnd = y1 + (y2 - y1) * 0.35;
    } else {
      x2 = this.xOf(message[M.arriveUs] < 0 ? this.endUs : message[M.arriveUs]);
      yEnd = y2;
    }
    let cls = "msg";
    if (fate === 1) cls += " dropped";
    if (fate === 2) cls += " inflight";
    if (message[M.copy] === 1) cls += " duplicate";
    if (current) cls += " current";
    if (bad) cls += " bad";
    const angle = Math.atan2(yEnd - y1, x2 - x1);
    const head =
      fate === 1
        ? ""
        : ` M ${x2 - 7 * Math.cos(angle - 0.4)} ${yEnd - 7 * Math.sin(angle - 0.4)} L ${x2} ${yEnd} L ${x2 - 7 * Math.cos(angle + 0.4)} ${yEnd - 7 * Math.sin(angle + 0.4)}`;
    el(
      "path",
      {
        d: `M ${x1} ${y1} L ${x2} ${yEnd}${head}`,
        class: cls,
        stroke: this.typeColour(message[M.type]),
        "data-m": index,
      },
      g,
    );
    if (fate === 1) {
      el(
        "path",
        {
          d: `M ${x2 - 4} ${yEnd - 4} L ${x2 + 4} ${yEnd + 4} M ${x2 - 4} ${yEnd + 4} L ${x2 + 4} ${yEnd - 4}`,
          class: "x-mark",
          "data-m": index,
        },
        g,
      );
    }
    if (message[M.copy] === 1) el("circle", { cx: x1, cy: y1, r: 3, class: "dup-mark", "data-m": index }, g);
  }

  private drawMarks(g: SVGElement): void {
    const { data, view } = this;
    const layout = this.box;
    const steps = data.steps;
    const from = firstAtOrAfter(steps, view.start, 0);
    let timers = 0;
    for (let index = from; index < steps.length && steps[index]![0] <= view.end; index++) {
      if (data.stepKinds[steps[index]![2]] === "timer") timers++;
    }
    const showTimers = timers <= marksMax;
    let drawn = 0;
    for (let index = from; index < steps.length; index++) {
      const step = steps[index]!;
      if (step[0] > view.end || drawn > marksMax * 2) break;
      const kind = data.stepKinds[step[2]];
      const y = layout.laneY.get(step[3]);
      const x = this.xOf(step[0]);
      if (kind === "timer" && showTimers && y !== undefined) {
        el("line", { x1: x, y1: y - 6, x2: x, y2: y + 6, class: "timer", "data-s": index }, g);
      } else if (kind === "note") {
        const yy = y === undefined ? AXIS_H + 4 : y - 12;
        el(
          "path",
          {
            d: `M ${x} ${yy - 4} L ${x + 4} ${yy} L ${x} ${yy + 4} L ${x - 4} ${yy} Z`,
            class: "note",
            "data-s": index,
          },
          g,
        );
      } else if (kind === "crash" || kind === "restart" || kind === "pause" || kind === "resume") {
        if (y === undefined) continue;
        el("line", { x1: x, y1: y - 13, x2: x, y2: y + 13, class: "mark", "data-s": index }, g);
        text(g, x + 2, y - 11, kind, "net-text");
      } else if (kind === "network" && data.marks[step[4]] !== undefined && step[3] >= 0 && y !== undefined) {
        el("line", { x1: x, y1: y - 13, x2: x, y2: y + 13, class: "mark", "data-s": index }, g);
      } else if (kind === "violation") {
        el(
          "path",
          { d: `M ${x} ${AXIS_H + 2} l 6 10 l -12 0 Z`, class: "violation-mark", "data-s": index },
          g,
        );
      } else {
        continue;
      }
      drawn++;
    }
  }

  /** One row per node: bands of what the protocol declares its strip shows, and the term. */
  private drawStates(g: SVGElement): void {
    const layout = this.box;
    const { data, view } = this;
    const minWidthUs = (view.end - view.start) / (layout.width - LEFT - RIGHT);
    for (const lane of layout.visible) {
      const y = layout.stateY.get(lane);
      if (y === undefined) continue;
      const points = data.statePoints[lane] ?? [];
      let bandStart = -1;
      let bandKey: string | null = null;
      let bandState = -1;
      const flush = (endT: number) => {
        if (bandStart < 0) return;
        const x1 = this.xOf(Math.max(bandStart, view.start - minWidthUs));
        const x2 = this.xOf(Math.min(endT, view.end + minWidthUs));
        const width = Math.max(1, x2 - x1);
        const down = bandState < 0;
        const band = stripBand(data.display, down ? null : this.stateAt(bandState));
        const rect = el(
          "rect",
          {
            x: x1,
            y,
            width,
            height: STATE_H,
            class: down ? "state state-down" : "state",
            "data-st": `${lane}:${bandState}`,
          },
          g,
        );
        if (!down) {
          rect.setAttribute(
            "fill",
            band.label !== "" ? labelColour(data.display, band.label) : termColour(band.term),
          );
          if (band.term !== null)
            el("rect", { x: x1, y: y + STATE_H - 4, width, height: 4, fill: termColour(band.term) }, g);
        }
        const label = down ? "down" : band.label + (band.term !== null ? ` t${band.term}` : "");
        if (x2 - x1 > label.length * 6 + 6) text(g, x1 + 3, y + 12, label, "state-text");
      };
      for (
        let index = Math.max(0, firstAtOrAfter(points, view.start, 0) - 1);
        index < points.length;
        index++
      ) {
        const [t, stateIndex] = points[index]!;
        if (t > view.end) break;
        const band = stripBand(data.display, stateIndex < 0 ? null : this.stateAt(stateIndex));
        const key = stateIndex < 0 ? "down" : `${band.label}/${band.term}`;
        if (key !== bandKey) {
          flush(t);
          bandStart = t;
          bandKey = key;
          bandState = stateIndex;
        }
      }
      flush(this.endUs);
    }
  }

  private stateAt(index: number): Readonly<Record<string, unknown>> | null {
    const state = this.data.states[index];
    return state !== null && typeof state === "object" ? (state as Record<string, unknown>) : null;
  }

  private drawHistory(g: SVGElement): void {
    const { data, view } = this;
    const layout = this.box;
    const explanation = data.explanation;
    const prefix = new Map<number, number>();
    const unplaceable = new Set<number>();
    const minimal = new Set<number>(explanation?.minimal ?? []);
    explanation?.prefix.forEach((step, position) => {
      prefix.set(step[0], position + 1);
    });
    for (const item of explanation?.unplaceable ?? []) unplaceable.add(item[0]);
    const current = this.cursor >= 0 ? (this.operationByStep.get(this.cursor) ?? -1) : -1;
    const bad =
      this.firstBad >= 0 && explanation !== null ? (this.operationByStep.get(this.firstBad) ?? -1) : -1;
    const endOf = (b: number) => (b < 0 ? this.endUs : b);
    const inView = data.ops.filter((op) => endOf(op.b) >= view.start && op.a <= view.end).length;
    const labels = inView <= labelsMax;
    data.ops.forEach((op, index) => {
      const y = layout.histY.get(op.c);
      if (y === undefined) return;
      const end = endOf(op.b);
      if (end < view.start || op.a > view.end) return;
      const x1 = this.xOf(op.a);
      const x2 = Math.max(x1 + 3, this.xOf(end));
      let cls = `op op-${op.s}`;
      if (unplaceable.has(index)) cls += " unplaceable";
      if (explanation?.failing === index) cls += " failing";
      if (index === current) cls += " current";
      if (index === bad) cls += " bad";
      el("rect", { x: x1, y, width: x2 - x1, height: HIST_H, rx: 3, class: cls, "data-op": index }, g);
      if (labels) this.drawOperationLabel(g, index, { x1, x2, y });
      const badge = prefix.get(index);
      if (badge !== undefined) text(g, x1 + 1, y - 2, `#${badge}`, "lin-badge");
      if (minimal.has(index)) el("circle", { cx: x2 - 5, cy: y + 5, r: 3, class: "minimal-dot" }, g);
    });
  }

  /**
   * An operation's label: inside its bar (from `x1` to `x2`, top at `y`) when it fits, else after
   * it, up to the next one.
   */
  private drawOperationLabel(
    g: SVGElement,
    index: number,
    { x1, x2, y }: { x1: number; x2: number; y: number },
  ): void {
    const label = operationLabel(this.data.ops[index]!);
    if (x2 - x1 > 30) {
      const fits = label.length * 6 <= x2 - x1 - 6;
      const shown = fits ? label : `${label.slice(0, Math.max(1, Math.floor((x2 - x1 - 6) / 6) - 1))}…`;
      text(g, x1 + 4, y + 15, shown, "op-text");
      return;
    }
    const next = this.nextOfClient[index] ?? -1;
    const room = (next >= 0 ? this.xOf(this.data.ops[next]!.a) : this.box.width) - x2 - 6;
    const chars = Math.min(40, Math.floor(room / 6));
    if (chars >= 4)
      text(g, x2 + 3, y + 15, label.length > chars ? `${label.slice(0, chars - 1)}…` : label, "op-text");
  }

  private drawCursor(g: SVGElement): void {
    const layout = this.box;
    const steps = this.data.steps;
    if (this.firstBad >= 0) {
      const x = this.xOf(steps[this.firstBad]![0]);
      el("line", { x1: x, y1: AXIS_H, x2: x, y2: layout.height, class: "bad-line" }, g);
    }
    for (const mark of this.options.marks ?? []) {
      const x = this.xOf(mark.t);
      el("line", { x1: x, y1: AXIS_H, x2: x, y2: layout.height, class: mark.cls }, g);
      text(g, x + 3, AXIS_H + 10, mark.label, `${mark.cls}-label`);
    }
    if (this.cursor >= 0) {
      const x = this.xOf(steps[this.cursor]![0]);
      el("line", { x1: x, y1: AXIS_H, x2: x, y2: layout.height, class: "cursor-line" }, g);
    }
  }

  private drawOverview(): void {
    const { overview, data, endUs } = this;
    const width = overview.clientWidth || this.box.width;
    overview.textContent = "";
    overview.setAttribute("viewBox", `0 0 ${width} 26`);
    const ox = (t: number) => (t / endUs) * width;
    for (const fault of data.net) {
      const end = fault[2] < 0 ? endUs : fault[2];
      el(
        "rect",
        {
          x: ox(fault[1]),
          y: 0,
          width: Math.max(1, ox(end) - ox(fault[1])),
          height: 26,
          class: `net-${fault[0]}`,
        },
        overview,
      );
    }
    for (const violation of data.violations) {
      const t = data.steps[violation.firstBadStep]?.[0] ?? violation.t;
      el("rect", { x: ox(t) - 1, y: 0, width: 2, height: 26, class: "violation-mark" }, overview);
    }
    const { start, end } = this.view;
    el(
      "rect",
      { x: ox(start), y: 1, width: Math.max(3, ox(end) - ox(start)), height: 24, class: "window" },
      overview,
    );
  }

  // ---- steps -------------------------------------------------------------------------------

  private showInfo(): void {
    const { info, data, cursor } = this;
    if (cursor < 0) {
      info.textContent = "No event selected. Press → or j to step forward, b for the first bad event.";
      info.className = "";
      info.removeAttribute("data-step");
    } else {
      const step = data.steps[cursor]!;
      info.textContent = `Event ${cursor + 1} of ${data.steps.length} · t=${fmt(step[0])} · kernel event ${step[1]}\n${describeStep(data, cursor)}${cursor === this.firstBad ? "\n← the first bad event" : ""}`;
      info.className = cursor === this.firstBad || data.stepKinds[step[2]] === "violation" ? "bad" : "";
      info.setAttribute("data-step", String(cursor));
    }
    this.options.onSelect?.(cursor);
  }

  goto(index: number): void {
    const steps = this.data.steps;
    if (steps.length === 0) return;
    this.cursor = Math.max(0, Math.min(steps.length - 1, index));
    const t = steps[this.cursor]![0];
    const view = this.view;
    const span = view.end - view.start;
    if (t < view.start + span * 0.05 || t > view.end - span * 0.05) {
      view.start = Math.max(0, Math.min(t - span / 2, this.endUs - span * 0.98));
      view.end = view.start + span;
    }
    this.showInfo();
    this.schedule();
  }

  private stepVisible(index: number): boolean {
    const step = this.data.steps[index]!;
    if (step[3] >= 0 && this.hidden.has(step[3])) return false;
    const message = this.messageOfStep(index);
    if (message === undefined) return true;
    const row = this.data.msgs[message]!;
    return !this.hidden.has(row[M.from]) && !this.hidden.has(row[M.to]);
  }

  private move(delta: number): void {
    const count = this.data.steps.length;
    let index = this.cursor < 0 ? (delta > 0 ? -1 : count) : this.cursor;
    const direction = delta > 0 ? 1 : -1;
    for (let remaining = Math.abs(delta); remaining > 0; remaining--) {
      let next = index + direction;
      while (next >= 0 && next < count && !this.stepVisible(next)) next += direction;
      if (next < 0 || next >= count) break;
      index = next;
    }
    if (index >= 0 && index < count) this.goto(index);
  }

  // ---- view changes ------------------------------------------------------------------------

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    window.requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  private setView(start: number, end: number): void {
    const endUs = this.endUs;
    const span = Math.min(endUs * 1.02, Math.max(20, end - start));
    const from = Math.max(-endUs * 0.01, Math.min(start, endUs - span * 0.98));
    this.view = { start: from, end: from + span };
    this.schedule();
  }

  private zoom(factor: number, center?: number): void {
    const { view } = this;
    const c = center ?? (this.cursor >= 0 ? this.data.steps[this.cursor]![0] : (view.start + view.end) / 2);
    const fraction = (c - view.start) / (view.end - view.start);
    const span = (view.end - view.start) * factor;
    this.setView(c - fraction * span, c - fraction * span + span);
  }

  private pan(fraction: number): void {
    const span = this.view.end - this.view.start;
    this.setView(this.view.start + span * fraction, this.view.end + span * fraction);
  }

  // ---- input -------------------------------------------------------------------------------

  private listen(): void {
    const listen = { signal: this.options.signal } as AddEventListenerOptions;
    document.addEventListener("keydown", (event) => this.onKey(event), listen);
    const svg = this.svg;
    svg.addEventListener("wheel", (event) => this.onWheel(event), { passive: false, ...listen });
    svg.addEventListener(
      "mousedown",
      (event) => {
        if (event.button !== 0) return;
        this.drag = { x: event.clientX, start: this.view.start, end: this.view.end, moved: false };
        svg.classList.add("dragging");
      },
      listen,
    );
    window.addEventListener(
      "mousemove",
      (event) => {
        const drag = this.drag;
        if (drag === null) return;
        const dx = event.clientX - drag.x;
        if (Math.abs(dx) > 2) drag.moved = true;
        const dt = (dx / (this.box.width - LEFT - RIGHT)) * (drag.end - drag.start);
        this.setView(drag.start - dt, drag.end - dt);
      },
      listen,
    );
    window.addEventListener(
      "mouseup",
      (event) => {
        if (this.drag === null) return;
        const moved = this.drag.moved;
        this.drag = null;
        svg.classList.remove("dragging");
        if (!moved) this.select(event.target, event);
      },
      listen,
    );
    this.overview.addEventListener(
      "mousedown",
      (event) => {
        const rect = this.overview.getBoundingClientRect();
        const t = ((event.clientX - rect.left) / rect.width) * this.endUs;
        const span = this.view.end - this.view.start;
        this.setView(t - span / 2, t + span / 2);
      },
      listen,
    );
    svg.addEventListener("mousemove", (event) => this.showTip(event), listen);
    svg.addEventListener("mouseleave", () => (this.tip.style.display = "none"), listen);
    this.wireToolbar(listen);
  }

  private onKey(event: KeyboardEvent): void {
    // Keys typed into a field, or choosing in a list (`n` picks n1 there), are not the diagram's.
    const target = event.target as HTMLInputElement | null;
    if (target !== null && target.tagName === "INPUT" && target.type === "text") return;
    if (target !== null && (target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const big = event.shiftKey ? 10 : 1;
    const actions: Record<string, () => void> = {
      ArrowRight: () => this.move(big),
      j: () => this.move(big),
      n: () => this.move(big),
      ArrowLeft: () => this.move(-big),
      k: () => this.move(-big),
      p: () => this.move(-big),
      J: () => this.move(10),
      N: () => this.move(10),
      K: () => this.move(-10),
      P: () => this.move(-10),
      Home: () => this.goto(0),
      End: () => this.goto(this.data.steps.length - 1),
      b: () => this.firstBad >= 0 && this.goto(this.firstBad),
      "+": () => this.zoom(0.5),
      "=": () => this.zoom(0.5),
      "-": () => this.zoom(2),
      _: () => this.zoom(2),
      "0": () => this.setView(0, this.endUs),
      "[": () => this.pan(-0.25),
      "]": () => this.pan(0.25),
      Escape: () => {
        this.cursor = -1;
        this.showInfo();
        this.schedule();
      },
    };
    const action = Object.hasOwn(actions, event.key) ? actions[event.key] : undefined;
    if (action === undefined) return;
    action();
    event.preventDefault();
  }

  private onWheel(event: WheelEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      event.preventDefault();
      const rect = this.svg.getBoundingClientRect();
      this.zoom(event.deltaY > 0 ? 1.25 : 0.8, this.tOf(event.clientX - rect.left));
    } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      event.preventDefault();
      const delta = event.shiftKey ? event.deltaY : event.deltaX;
      this.pan(delta / Math.max(200, this.box.width));
    }
  }

  /** A click: on an arrow, an operation or a mark, select its step; elsewhere, pick a time. */
  private select(target: EventTarget | null, event: MouseEvent): void {
    if (!(target instanceof Element)) return;
    const step = this.stepOfElement(target);
    if (step !== undefined) {
      this.goto(step);
    } else if (this.options.onTime !== undefined) {
      // A click on no event picks a time: the lab forks there.
      const box = this.svg.getBoundingClientRect();
      const t = this.tOf(((event.clientX - box.left) * this.box.width) / Math.max(1, box.width));
      if (t >= 0 && t <= this.endUs) this.options.onTime(Math.round(t));
    }
  }

  /** The step an arrow, an operation or a mark stands for. */
  private stepOfElement(target: Element): number | undefined {
    const data = this.data;
    let value = target.getAttribute("data-m");
    if (value !== null) return data.msgs[Number(value)]![M.sendStep];
    value = target.getAttribute("data-op");
    if (value !== null) {
      const op = data.ops[Number(value)]!;
      return op.rs >= 0 ? op.rs : op.is;
    }
    value = target.getAttribute("data-s");
    return value === null ? undefined : Number(value);
  }

  private showTip(event: MouseEvent): void {
    const tip = this.tip;
    const target = event.target;
    const content = this.drag === null && target instanceof Element ? tipText(this.data, target) : null;
    if (content === null) {
      tip.style.display = "none";
      return;
    }
    tip.textContent = content;
    tip.style.display = "block";
    let x = event.clientX + 14;
    let y = event.clientY + 14;
    if (x + 420 > window.innerWidth) x = Math.max(0, event.clientX - 430);
    if (y + tip.offsetHeight > window.innerHeight) y = Math.max(0, event.clientY - tip.offsetHeight - 10);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }

  private wireToolbar(listen: AddEventListenerOptions): void {
    const filters = document.getElementById("filters");
    this.data.lanes.forEach(([name], index) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.setAttribute("data-lane", name);
      box.addEventListener("change", () => {
        if (box.checked) this.hidden.delete(index);
        else this.hidden.add(index);
        this.schedule();
      });
      label.append(box, ` ${name}`);
      filters?.appendChild(label);
    });
    const onClick = (id: string, action: () => void) =>
      document.getElementById(id)?.addEventListener("click", action, listen);
    onClick("zoom-in", () => this.zoom(0.5));
    onClick("zoom-out", () => this.zoom(2));
    onClick("zoom-fit", () => this.setView(0, this.endUs));
    onClick("step-back", () => this.move(-1));
    onClick("step-next", () => this.move(1));
    onClick("goto-bad", () => this.firstBad >= 0 && this.goto(this.firstBad));
    document.addEventListener("click", (event) => this.onLinkClick(event), listen);
    window.addEventListener("resize", () => this.schedule(), listen);
  }

  /** The header's links to the first bad event and to operations. */
  private onLinkClick(event: MouseEvent): void {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const step = target.getAttribute("data-goto-step");
    const op = target.getAttribute("data-goto-op");
    const operation = op === null ? undefined : this.data.ops[Number(op)];
    if (step === null && operation === undefined) return;
    event.preventDefault();
    if (step !== null) this.goto(Number(step));
    else if (operation !== undefined) this.goto(operation.rs >= 0 ? operation.rs : operation.is);
    document.getElementById("diagram-section")?.scrollIntoView();
  }
}

/**
 * Labels of faults that begin together as one: `cut n1↔n3, n1↔n4` when they share their first
 * word, else each in full, joined by commas.
 */
export function joinedLabel(texts: readonly string[]): string {
  if (texts.length === 1) return texts[0] ?? "";
  const first = (texts[0] ?? "").split(" ")[0] ?? "";
  const shared = first !== "" && texts.every((label) => label.startsWith(`${first} `));
  return shared
    ? `${first} ${texts.map((label) => label.slice(first.length + 1)).join(", ")}`
    : texts.join(", ");
}

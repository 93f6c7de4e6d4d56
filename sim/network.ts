/**
 * The simulated network, generic over the message type: it decides, for each message, whether it
 * is lost or duplicated and when each copy arrives. It knows nothing of protocols.
 *
 * Endpoints are nodes and clients, numbered in one list. Faults:
 * - loss and duplication probabilities (global, per link, or as a temporary burst);
 * - latency from a distribution (constant, uniform, exponential with a cap) with per-link
 *   overrides, plus temporary extra delay on a link ("clog");
 * - clogs of one link, and bursts, that overlap compose: each lasts until its own end, and while
 *   several are in force the longest delay, and the highest loss and duplication, apply;
 * - optional FIFO links: a message never overtakes an earlier one on the same directed link;
 * - partitions into groups, one-way link cuts, isolating one endpoint, and healing.
 *
 * In-flight messages: reachability is checked twice, when a message is sent and again when it
 * would be delivered. A message sent across a link that is cut at that moment is dropped at once;
 * a message already in flight when a partition starts is dropped on arrival if its link is still
 * cut then, and delivered normally if the partition healed before it arrived. Endpoints not named
 * in any group of a partition keep reaching everyone.
 */
import type { Rng } from "./random.js";

export type LatencySpec =
  | { readonly distribution: "constant"; readonly valueUs: number }
  | { readonly distribution: "uniform"; readonly minUs: number; readonly maxUs: number }
  | {
      readonly distribution: "exponential";
      readonly meanUs: number;
      readonly minUs: number;
      readonly maxUs: number;
    };

export interface LinkSpec {
  readonly from: string;
  readonly to: string;
  readonly latency?: LatencySpec;
  readonly loss?: number;
  readonly duplicate?: number;
}

export interface NetworkSpec {
  readonly latency: LatencySpec;
  /** Probability that a message is lost. */
  readonly loss: number;
  /** Probability that a message is delivered twice. */
  readonly duplicate: number;
  /** When true, messages on one directed link arrive in the order they were sent. */
  readonly fifo: boolean;
  /** Per-link overrides (directed; give both directions for a symmetric override). */
  readonly links: readonly LinkSpec[];
}

export const defaultNetwork: NetworkSpec = {
  latency: { distribution: "constant", valueUs: 1_000 },
  loss: 0,
  duplicate: 0,
  fifo: false,
  links: [],
};

/** `transmit` result: the message was lost to random loss. */
export const lostUs = -1;
/** `transmit` result: the link was cut when the message was sent. */
export const cutUs = -2;
/**
 * `transmit` result: the message was lost to a burst, one the link's own loss would have let
 * through (the same draw below the link's loss is `lostUs`).
 */
export const burstLostUs = -3;

/** A clog of one link, or a burst, in force until `untilUs`. */
interface Overlapping {
  readonly untilUs: number;
  /** A clog's extra delay, or a burst's loss. */
  readonly amount: number;
  /** A burst's duplication (0 for a clog). */
  readonly duplicate: number;
}

/** The timing of a clog or burst: from now, `fromUs`, until `untilUs`. */
export interface FaultSpan {
  readonly fromUs: number;
  readonly untilUs: number;
}

export class Network {
  private readonly endpoints: readonly string[];
  private readonly indexOf = new Map<string, number>();
  private readonly size: number;
  private readonly cut: Uint8Array;
  private readonly grouped: Uint8Array;
  private readonly linkLatency: Array<LatencySpec | undefined>;
  private readonly linkLoss: Float64Array;
  private readonly linkDuplicate: Float64Array;
  private readonly clogExtraUs: Float64Array;
  private readonly clogUntilUs: Float64Array;
  private readonly lastArrivalUs: Float64Array;
  private burstLoss = 0;
  private burstDuplicate = 0;
  private burstUntilUs = -1;
  /**
   * Overlapping faults. While a link has two or more clogs in force (or the network two or more
   * bursts), each is kept here with its own end, and the per-link tables (the burst fields) hold
   * what they add up to: the longest delay (highest loss and duplication) until the last one ends.
   * `…ChangeUs` is when the next of them ends, and what is in force changes: Infinity when no two
   * overlap, so a message crosses no more than one comparison it did not cross before, and only
   * while a clog or burst is in force.
   */
  private readonly clogStacks = new Map<number, Overlapping[]>();
  private clogChangeUs = Number.POSITIVE_INFINITY;
  private burstStack: Overlapping[] = [];
  private burstChangeUs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly spec: NetworkSpec,
    endpoints: readonly string[],
    private readonly random: Rng,
  ) {
    this.endpoints = endpoints;
    endpoints.forEach((name, index) => {
      this.indexOf.set(name, index);
    });
    this.size = endpoints.length;
    const links = this.size * this.size;
    // Every per-link table lives in one buffer: a run builds a network, and each separate buffer
    // would be an off-heap allocation of its own.
    const buffer = new ArrayBuffer(links * (5 * Float64Array.BYTES_PER_ELEMENT + 2));
    const table = (at: number) =>
      new Float64Array(buffer, at * links * Float64Array.BYTES_PER_ELEMENT, links);
    this.linkLoss = table(0).fill(spec.loss);
    this.linkDuplicate = table(1).fill(spec.duplicate);
    this.clogExtraUs = table(2);
    this.clogUntilUs = table(3).fill(-1);
    this.lastArrivalUs = table(4);
    this.cut = new Uint8Array(buffer, 5 * links * Float64Array.BYTES_PER_ELEMENT, links);
    this.grouped = new Uint8Array(buffer, 5 * links * Float64Array.BYTES_PER_ELEMENT + links, links);
    this.linkLatency = new Array(links).fill(undefined);
    for (const link of spec.links) {
      const index = this.link(link.from, link.to);
      if (link.latency !== undefined) this.linkLatency[index] = link.latency;
      if (link.loss !== undefined) this.linkLoss[index] = link.loss;
      if (link.duplicate !== undefined) this.linkDuplicate[index] = link.duplicate;
    }
  }

  /** The endpoint number of a name; throws on an unknown name. */
  endpoint(name: string): number {
    const index = this.indexOf.get(name);
    if (index === undefined) throw new Error(`unknown endpoint '${name}'`);
    return index;
  }

  /** Whether a message from `from` can currently reach `to`. */
  reachable(from: number, to: number): boolean {
    const index = from * this.size + to;
    return this.cut[index] === 0 && this.grouped[index] === 0;
  }

  /**
   * Arrival time of the second copy decided by the last `transmit`, or -1 when it made only one.
   * (Returned through a field so the per-message path allocates nothing.)
   */
  duplicateArrivalUs = -1;

  /**
   * Decides the fate of a message sent now: its arrival time, or `lostUs` / `burstLostUs` /
   * `cutUs`. When the message is duplicated, `duplicateArrivalUs` holds the second copy's arrival
   * time. A loss is one draw against the highest loss in force; a draw that the link's own loss
   * would not have lost is the burst's.
   */
  transmit(from: number, to: number, nowUs: number): number {
    this.duplicateArrivalUs = -1;
    const index = from * this.size + to;
    if (this.cut[index] !== 0 || this.grouped[index] !== 0) return cutUs;
    const linkLoss = this.linkLoss[index] as number;
    let loss = linkLoss;
    let duplicate = this.linkDuplicate[index] as number;
    if (nowUs < this.burstUntilUs) {
      if (nowUs >= this.burstChangeUs) this.settleBursts(nowUs);
      loss = Math.max(this.burstLoss, loss);
      duplicate = Math.max(this.burstDuplicate, duplicate);
    }
    if (loss > 0) {
      const draw = this.random.next();
      if (draw < loss) return draw < linkLoss ? lostUs : burstLostUs;
    }
    const first = this.arrival(index, nowUs);
    if (duplicate > 0 && this.random.next() < duplicate) this.duplicateArrivalUs = this.arrival(index, nowUs);
    return first;
  }

  private arrival(index: number, nowUs: number): number {
    const spec = this.linkLatency[index] ?? this.spec.latency;
    let arrivalUs = nowUs + this.latency(spec);
    if (nowUs < (this.clogUntilUs[index] as number)) {
      if (nowUs >= this.clogChangeUs) this.settleClogs(nowUs);
      arrivalUs += this.clogExtraUs[index] as number;
    }
    if (this.spec.fifo) {
      const last = this.lastArrivalUs[index] as number;
      if (arrivalUs < last) arrivalUs = last;
      this.lastArrivalUs[index] = arrivalUs;
    }
    return arrivalUs;
  }

  private latency(spec: LatencySpec): number {
    switch (spec.distribution) {
      case "constant":
        return spec.valueUs;
      case "uniform":
        return spec.minUs + Math.floor(this.random.next() * (spec.maxUs - spec.minUs + 1));
      case "exponential":
        return Math.min(spec.maxUs, spec.minUs + Math.round(this.random.exponential(spec.meanUs)));
    }
  }

  /** Splits the named endpoints into groups that cannot reach each other; replaces any earlier partition. */
  partition(groups: readonly (readonly string[])[]): void {
    this.grouped.fill(0);
    const groupOf = new Int32Array(this.size).fill(-1);
    groups.forEach((group, groupIndex) => {
      for (const name of group) groupOf[this.endpoint(name)] = groupIndex;
    });
    for (let from = 0; from < this.size; from++) {
      for (let to = 0; to < this.size; to++) {
        const a = groupOf[from] as number;
        const b = groupOf[to] as number;
        if (a >= 0 && b >= 0 && a !== b) this.grouped[from * this.size + to] = 1;
      }
    }
  }

  /** Cuts the link from `from` to `to`, and back too unless `oneWay`. */
  cutLink(from: string, to: string, oneWay: boolean): void {
    this.cut[this.link(from, to)] = 1;
    if (!oneWay) this.cut[this.link(to, from)] = 1;
  }

  /** Cuts every link between `name` and each of `others` (both ways). */
  isolate(name: string, others: readonly string[]): void {
    const index = this.endpoint(name);
    for (const otherName of others) {
      const other = this.endpoint(otherName);
      if (other === index) continue;
      this.cut[index * this.size + other] = 1;
      this.cut[other * this.size + index] = 1;
    }
  }

  /** Removes every partition and cut. Clogs and bursts run out by themselves. */
  heal(): void {
    this.cut.fill(0);
    this.grouped.fill(0);
  }

  /**
   * Adds `extraUs` to every message sent from `from` to `to` (and back unless `oneWay`) from
   * `span.fromUs` (now) until `span.untilUs`. A clog of a link already clogged adds to none of its
   * clogs: each lasts until its own end, and the longest delay in force applies.
   */
  clog(from: string, to: string, oneWay: boolean, extraUs: number, span: FaultSpan): void {
    for (const index of oneWay ? [this.link(from, to)] : [this.link(from, to), this.link(to, from)]) {
      if (span.fromUs >= (this.clogUntilUs[index] as number)) {
        this.clogStacks.delete(index);
        this.clogExtraUs[index] = extraUs;
        this.clogUntilUs[index] = span.untilUs;
        continue;
      }
      const stack = this.clogStacks.get(index) ?? [
        {
          amount: this.clogExtraUs[index] as number,
          duplicate: 0,
          untilUs: this.clogUntilUs[index] as number,
        },
      ];
      stack.push({ amount: extraUs, duplicate: 0, untilUs: span.untilUs });
      this.clogStacks.set(index, stack);
    }
    this.settleClogs(span.fromUs);
  }

  /**
   * Raises loss and duplication on every link from `span.fromUs` (now) until `span.untilUs`. A
   * burst during another lasts until its own end, as the other does, and the highest loss and
   * duplication in force apply.
   */
  burst(loss: number, duplicate: number, span: FaultSpan): void {
    if (span.fromUs >= this.burstUntilUs) {
      this.burstStack = [];
      this.burstChangeUs = Number.POSITIVE_INFINITY;
      this.burstLoss = loss;
      this.burstDuplicate = duplicate;
      this.burstUntilUs = span.untilUs;
      return;
    }
    if (this.burstStack.length === 0) {
      this.burstStack.push({
        amount: this.burstLoss,
        duplicate: this.burstDuplicate,
        untilUs: this.burstUntilUs,
      });
    }
    this.burstStack.push({ amount: loss, duplicate, untilUs: span.untilUs });
    this.settleBursts(span.fromUs);
  }

  /** Drops the bursts that ended by `nowUs` and sets what the others add up to. */
  private settleBursts(nowUs: number): void {
    const inForce = this.burstStack.filter((burst) => burst.untilUs > nowUs);
    this.burstLoss = Math.max(0, ...inForce.map((burst) => burst.amount));
    this.burstDuplicate = Math.max(0, ...inForce.map((burst) => burst.duplicate));
    this.burstUntilUs = Math.max(nowUs, ...inForce.map((burst) => burst.untilUs));
    this.burstStack = inForce.length > 1 ? inForce : [];
    this.burstChangeUs =
      inForce.length > 1 ? Math.min(...inForce.map((burst) => burst.untilUs)) : Number.POSITIVE_INFINITY;
  }

  /** Drops the clogs that ended by `nowUs`, on every link with several, and sets what the others add up to. */
  private settleClogs(nowUs: number): void {
    let changeUs = Number.POSITIVE_INFINITY;
    for (const [index, stack] of this.clogStacks) {
      const inForce = stack.filter((clog) => clog.untilUs > nowUs);
      this.clogExtraUs[index] = Math.max(0, ...inForce.map((clog) => clog.amount));
      this.clogUntilUs[index] = Math.max(nowUs, ...inForce.map((clog) => clog.untilUs));
      if (inForce.length > 1) {
        this.clogStacks.set(index, inForce);
        changeUs = Math.min(changeUs, ...inForce.map((clog) => clog.untilUs));
      } else {
        this.clogStacks.delete(index);
      }
    }
    this.clogChangeUs = changeUs;
  }

  /** Current groups of a partition (for traces), as endpoint names. */
  describe(): { cutLinks: number; partitioned: boolean } {
    let cutLinks = 0;
    let partitioned = false;
    for (let index = 0; index < this.cut.length; index++) {
      if (this.cut[index] !== 0) cutLinks++;
      if (this.grouped[index] !== 0) partitioned = true;
    }
    return { cutLinks, partitioned };
  }

  private link(from: string, to: string): number {
    return this.endpoint(from) * this.size + this.endpoint(to);
  }

  get names(): readonly string[] {
    return this.endpoints;
  }
}

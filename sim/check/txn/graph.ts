/**
 * The dependency graph over transactions (Adya 1999, §3.1.4, "direct serialization graph"), plus
 * the order edges of strict serializability, and the graph algorithms the cycle search needs.
 *
 * Edges are collected as flat records while the data models infer them, then frozen into a
 * compressed adjacency array: one entry per (from, to) pair whose `kinds` is the union of every
 * reason found. Flat typed arrays rather than a Map per transaction: a 100,000-transaction history
 * has about a million edge records, and the flat form builds in a tenth of the time and memory.
 */

/** Edge kinds, as bits so that one adjacency entry carries every reason for it. */
export const EdgeKind = {
  /** Write-write dependency: the target installed the version after the source's. */
  ww: 1,
  /** Write-read dependency: the target read the source's version. */
  wr: 2,
  /** Read-write anti-dependency: the source read a version the target overwrote. */
  rw: 4,
  /** Process order: the same process ran the source, then the target. */
  process: 8,
  /** Real-time order: the source completed before the target was invoked. */
  realtime: 16,
} as const;

/** The kinds the data models infer from reads and writes. */
export const dataKinds = EdgeKind.ww | EdgeKind.wr | EdgeKind.rw;
/** The kinds strict serializability adds. */
export const orderKinds = EdgeKind.process | EdgeKind.realtime;

/** Why an edge exists: the key (and version value) that justify it, for explanations. */
export interface EdgeReason {
  readonly key: string;
  /** The element or value the edge is about (for example the version read or appended). */
  readonly value: unknown;
}

/** Collects edge records; `freeze` turns them into a `DependencyGraph`. */
export class GraphBuilder {
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private reasons: (EdgeReason | undefined)[] = [];
  private count = 0;

  constructor(readonly size: number) {}

  /** Records an edge; self-edges are ignored (a transaction does not depend on itself). */
  add(from: number, to: number, kind: number, reason?: EdgeReason): void {
    if (from === to) return;
    if (this.count === this.from.length) this.grow();
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.kinds[this.count] = kind;
    this.reasons.push(reason);
    this.count++;
  }

  private grow(): void {
    const capacity = this.from.length * 2;
    const from = new Int32Array(capacity);
    from.set(this.from);
    const to = new Int32Array(capacity);
    to.set(this.to);
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    this.from = from;
    this.to = to;
    this.kinds = kinds;
  }

  /** Builds the adjacency arrays, merging parallel edges into one entry with all their kinds. */
  freeze(): DependencyGraph {
    const size = this.size;
    const start = new Int32Array(size + 1);
    for (let edge = 0; edge < this.count; edge++) start[this.from[edge]! + 1]!++;
    for (let node = 0; node < size; node++) start[node + 1]! += start[node]!;
    const fill = start.slice(0, size);
    const targets = new Int32Array(this.count);
    const kinds = new Uint8Array(this.count);
    for (let edge = 0; edge < this.count; edge++) {
      const slot = fill[this.from[edge]!]!++;
      targets[slot] = this.to[edge]!;
      kinds[slot] = this.kinds[edge]!;
    }
    // Merge parallel edges per node, using `seen[target]` = slot of its merged entry + 1.
    const seen = new Int32Array(size);
    const mergedStart = new Int32Array(size + 1);
    let write = 0;
    for (let node = 0; node < size; node++) {
      const begin = write;
      for (let slot = start[node]!; slot < start[node + 1]!; slot++) {
        const target = targets[slot]!;
        const existing = seen[target]!;
        if (existing > begin) kinds[existing - 1]! |= kinds[slot]!;
        else {
          targets[write] = target;
          kinds[write] = kinds[slot]!;
          write++;
          seen[target] = write;
        }
      }
      mergedStart[node + 1] = write;
    }
    return new DependencyGraph({
      size,
      start: mergedStart,
      targets: targets.subarray(0, write),
      kinds: kinds.subarray(0, write),
      records: {
        from: this.from.subarray(0, this.count),
        to: this.to.subarray(0, this.count),
        kinds: this.kinds.subarray(0, this.count),
        reasons: this.reasons,
      },
    });
  }
}

interface GraphParts {
  readonly size: number;
  readonly start: Int32Array;
  readonly targets: Int32Array;
  readonly kinds: Uint8Array;
  readonly records: {
    readonly from: Int32Array;
    readonly to: Int32Array;
    readonly kinds: Uint8Array;
    readonly reasons: readonly (EdgeReason | undefined)[];
  };
}

/** A frozen dependency graph in compressed adjacency form. */
export class DependencyGraph {
  readonly size: number;
  readonly start: Int32Array;
  readonly targets: Int32Array;
  readonly kinds: Uint8Array;
  private readonly records: GraphParts["records"];

  constructor(parts: GraphParts) {
    this.size = parts.size;
    this.start = parts.start;
    this.targets = parts.targets;
    this.kinds = parts.kinds;
    this.records = parts.records;
  }

  /** Number of distinct (from, to) edges. */
  get edgeCount(): number {
    return this.targets.length;
  }

  /** The kinds of the edge from → to (0 if none). */
  kindsOf(from: number, to: number): number {
    for (let slot = this.start[from]!; slot < this.start[from + 1]!; slot++) {
      if (this.targets[slot] === to) return this.kinds[slot]!;
    }
    return 0;
  }

  /** The first recorded reason for an edge of `kind` from → to (a linear scan: explanations only). */
  reasonOf(from: number, to: number, kind: number): EdgeReason | undefined {
    const { records } = this;
    for (let edge = 0; edge < records.from.length; edge++) {
      if (records.from[edge] === from && records.to[edge] === to && (records.kinds[edge]! & kind) !== 0) {
        return records.reasons[edge];
      }
    }
    return undefined;
  }

  /**
   * Strongly connected components over edges whose kinds meet `mask`, restricted to nodes with
   * `component[node] === within` when `component` is given: Tarjan's algorithm (Tarjan 1972),
   * iterative so that long chains cannot overflow the call stack. Returns each node's component
   * number (-1 for nodes outside `within`) and the components of two or more nodes.
   */
  components(mask: number, restrict?: { component: Int32Array; within: number }): Components {
    const size = this.size;
    const index = new Int32Array(size).fill(-1);
    const low = new Int32Array(size);
    const onStack = new Uint8Array(size);
    const stack = new Int32Array(size);
    let stackTop = 0;
    const callNode = new Int32Array(size);
    const callSlot = new Int32Array(size);
    const component = new Int32Array(size).fill(-1);
    const groups: number[][] = [];
    let counter = 0;
    let componentCount = 0;
    const inside = (node: number): boolean =>
      restrict === undefined || restrict.component[node] === restrict.within;
    for (let root = 0; root < size; root++) {
      if (index[root] !== -1 || !inside(root)) continue;
      let depth = 0;
      callNode[0] = root;
      callSlot[0] = this.start[root]!;
      index[root] = low[root] = counter++;
      stack[stackTop++] = root;
      onStack[root] = 1;
      while (depth >= 0) {
        const node = callNode[depth]!;
        let slot = callSlot[depth]!;
        const end = this.start[node + 1]!;
        let descended = false;
        for (; slot < end; slot++) {
          if ((this.kinds[slot]! & mask) === 0) continue;
          const next = this.targets[slot]!;
          if (!inside(next)) continue;
          if (index[next] === -1) {
            callSlot[depth] = slot + 1;
            depth++;
            callNode[depth] = next;
            callSlot[depth] = this.start[next]!;
            index[next] = low[next] = counter++;
            stack[stackTop++] = next;
            onStack[next] = 1;
            descended = true;
            break;
          }
          if (onStack[next] === 1 && index[next]! < low[node]!) low[node] = index[next]!;
        }
        if (descended) continue;
        if (low[node] === index[node]) {
          const members: number[] = [];
          let member: number;
          do {
            member = stack[--stackTop]!;
            onStack[member] = 0;
            component[member] = componentCount;
            members.push(member);
          } while (member !== node);
          if (members.length > 1) groups.push(members);
          componentCount++;
        }
        depth--;
        if (depth >= 0) {
          const parent = callNode[depth]!;
          if (low[node]! < low[parent]!) low[parent] = low[node]!;
        }
      }
    }
    return { component, groups };
  }
}

/** The result of `DependencyGraph.components`. */
export interface Components {
  /** Each node's component number; -1 for nodes outside the restriction. */
  readonly component: Int32Array;
  /** The members of every component with two or more nodes. */
  readonly groups: readonly (readonly number[])[];
}

/**
 * Breadth-first search for shortest paths inside one component, reusing its arrays between
 * searches (a cycle search runs many). `work` counts the edges visited, for the search budget.
 */
export class PathFinder {
  private readonly visitedStamp: Int32Array;
  private readonly parent: Int32Array;
  private readonly queue: Int32Array;
  private stamp = 0;
  work = 0;

  constructor(private readonly graph: DependencyGraph) {
    // Two layers of state, for searches that count anti-dependency edges (see `pathWithKind`).
    this.visitedStamp = new Int32Array(graph.size * 2);
    this.parent = new Int32Array(graph.size * 2);
    this.queue = new Int32Array(graph.size * 2);
  }

  /**
   * The shortest path source → … → target over edges meeting `mask` whose nodes all satisfy
   * `inside`, as a node list starting at `source` and ending at `target`, or undefined. With
   * `needKind`, the path must use at least one edge of that kind.
   */
  path(options: {
    source: number;
    target: number;
    mask: number;
    inside: (node: number) => boolean;
    needKind?: number;
  }): number[] | undefined {
    const { source, target, mask, inside } = options;
    const need = options.needKind ?? 0;
    const graph = this.graph;
    const size = graph.size;
    const stamp = ++this.stamp;
    // State s < size: node s, the needed kind not yet used; s >= size: node s - size, used.
    const startState = need === 0 ? size + source : source;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = startState;
    this.visitedStamp[startState] = stamp;
    this.parent[startState] = -1;
    const goal = size + target;
    while (head < tail) {
      const state = this.queue[head++]!;
      const node = state >= size ? state - size : state;
      const used = state >= size;
      for (let slot = graph.start[node]!; slot < graph.start[node + 1]!; slot++) {
        this.work++;
        const kinds = graph.kinds[slot]!;
        if ((kinds & mask) === 0) continue;
        const next = graph.targets[slot]!;
        if (next !== target && !inside(next)) continue;
        const nextState = used || (kinds & need) !== 0 ? size + next : next;
        if (this.visitedStamp[nextState] === stamp) continue;
        // The target closes the cycle; passing through it would make a walk, not a cycle.
        if (next === target && nextState !== goal) continue;
        this.visitedStamp[nextState] = stamp;
        this.parent[nextState] = state;
        if (nextState === goal) {
          const nodes: number[] = [];
          for (let at = nextState; at !== -1; at = this.parent[at]!) nodes.push(at >= size ? at - size : at);
          return nodes.reverse();
        }
        this.queue[tail++] = nextState;
      }
    }
    return undefined;
  }
}

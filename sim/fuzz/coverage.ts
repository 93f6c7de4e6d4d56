/**
 * The fuzzer's coverage signal: an abstract picture of what a run did, needing nothing from the
 * protocol beyond what the kernel already sees, hashed into a fixed-size map the way AFL hashes
 * branch edges.
 *
 * What counts as an edge (each hashed to one of `mapSize` slots, with its hit count bucketed):
 * - per node, each role change together with the two roles before it and how the new term
 *   relates to the node's last term (same, +1, +2, more) and to the highest term seen (behind,
 *   level, ahead);
 * - per link direction, each message type (`from → to : type`), and the same by the two ends'
 *   current roles;
 * - each fault kind after the fault kind before it, and each role change that comes within
 *   `coincidenceUs` of a fault, with that fault's kind;
 * - each named probe a protocol marks with `ctx.probe(name)`.
 *
 * A run reports the (slot, bucket) pairs it hit; the campaign's `CoverageMap` keeps the union, and
 * a run that adds a pair reached something new. Recording is a handful of integer operations per
 * message and role change, on an array reused from run to run.
 */
import type { KernelObserver } from "../observer.js";

/** Slots in the map (2^16, as AFL's default). */
export const mapSize = 1 << 16;
const mapMask = mapSize - 1;

/** A role change this soon after a fault counts as coinciding with it. */
const coincidenceUs = 50_000;

/** Clients are interchangeable: every client endpoint counts as this one. */
const clientEndpoint = 255;

/** 32-bit mixing of two integers (the finalizer of MurmurHash3 over their combination). */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A stable 32-bit hash of a string (FNV-1a), cached: message types and roles repeat. */
const stringHashes = new Map<string, number>();
function hashString(text: string): number {
  let hash = stringHashes.get(text);
  if (hash !== undefined) return hash;
  hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  hash >>>= 0;
  if (stringHashes.size < 10_000) stringHashes.set(text, hash);
  return hash;
}

/** AFL's hit-count buckets: 1, 2, 3, 4–7, 8–15, 16–31, 32–127, 128+. */
function bucket(count: number): number {
  if (count <= 3) return count - 1;
  if (count < 8) return 3;
  if (count < 16) return 4;
  if (count < 32) return 5;
  if (count < 128) return 6;
  return 7;
}

const edgeKind = { message: 1, roleMessage: 2, role: 3, fault: 4, faultRole: 5, probe: 6 } as const;

/**
 * Endpoint positions a message count can name: nodes 0..14, and position 15 for every client.
 * A run with more nodes hits its message edges one by one instead (`CoverageRecorder.message`).
 */
const endpointSlots = 16;
const clientSlot = endpointSlots - 1;
/** Distinct roles a role-pair count can name; more roles are hit one by one. */
const roleSlots = 16;

/**
 * A message type's two edge seeds (`mix(edgeKind, hashString(type))` for both message edges),
 * and how often this run sent the type over each (source, target) pair and each pair of
 * (source role, target role) positions, not yet hit. The counts become hits when the run's edges
 * are read (`CoverageRecorder.edges`), with the same hit counts as hitting each message at once:
 * hashing two edges per message was 3–5% of a uniform Raft campaign's CPU profile, where runs
 * send long streams of a few types over a few links.
 */
interface TypeSeed {
  readonly type: string;
  readonly message: number;
  readonly roleMessage: number;
  readonly links: Uint32Array;
  readonly roles: Uint32Array;
  /** The positions of `links` and `roles` counted since the last flush. */
  readonly linksTouched: number[];
  readonly rolesTouched: number[];
  /** Whether the type is in the recorder's list of types to flush. */
  pending: boolean;
}

/** The seeds of each message type, with the last type asked for kept in front. */
class TypeSeeds {
  private last: TypeSeed | undefined;
  private readonly seeds = new Map<string, TypeSeed>();

  of(type: string): TypeSeed {
    const last = this.last;
    if (last !== undefined && type === last.type) return last;
    let seed = this.seeds.get(type);
    if (seed === undefined) {
      const typeHash = hashString(type);
      seed = {
        type,
        message: mix(edgeKind.message, typeHash),
        roleMessage: mix(edgeKind.roleMessage, typeHash),
        links: new Uint32Array(endpointSlots * endpointSlots),
        roles: new Uint32Array(roleSlots * roleSlots),
        linksTouched: [],
        rolesTouched: [],
        pending: false,
      };
      if (this.seeds.size < 10_000) this.seeds.set(type, seed);
    }
    this.last = seed;
    return seed;
  }
}

/**
 * Records one run's coverage as a kernel observer. Reuse one recorder for many runs: `reset()`
 * between them, `edges()` at the end.
 */
export class CoverageRecorder implements KernelObserver {
  private readonly hits = new Uint32Array(mapSize);
  private readonly touched: number[] = [];
  private nodes = 0;
  /** Per node: current role hash, the two before it, and its last term. */
  private readonly roles: number[] = [];
  private readonly rolesBefore: number[] = [];
  private readonly rolesBeforeThat: number[] = [];
  private readonly terms: number[] = [];
  /** Per node: the position of its current role in `roleHashes` (see `TypeSeed.roles`). */
  private readonly rolePositions: number[] = [];
  /** Role hashes by position, and positions by role hash (kept from run to run). */
  private readonly roleHashes: number[] = [];
  private readonly rolePositionOf = new Map<number, number>();
  private termMax = 0;
  private lastFaultKind = 0;
  private lastFaultUs = Number.NEGATIVE_INFINITY;
  /** Probe names reached in this run, in the order first reached. */
  readonly probes: string[] = [];
  private readonly typeSeeds = new TypeSeeds();
  /** Message types with counts not yet hit. */
  private readonly pendingTypes: TypeSeed[] = [];
  /** The role position of every client endpoint, and of a node that has shown no role yet. */
  private readonly clientRolePosition = this.positionOfRole(clientEndpoint);
  private readonly noRolePosition = this.positionOfRole(0);
  /** Count messages and hit them when the edges are read (default), or hit each as it is sent. */
  private readonly countMessages: boolean;

  constructor(options: { readonly countMessages?: boolean } = {}) {
    this.countMessages = options.countMessages ?? true;
  }

  /** Starts a run of `nodes` nodes. */
  reset(nodes: number): void {
    this.discardCounts();
    for (const slot of this.touched) this.hits[slot] = 0;
    this.touched.length = 0;
    this.nodes = nodes;
    // The per-node arrays are refilled, not rebuilt: a Paxos campaign's runs are a few dozen
    // events, and five fresh arrays per run showed in its profile.
    for (const perNode of [this.roles, this.rolesBefore, this.rolesBeforeThat, this.terms]) {
      perNode.length = nodes;
      perNode.fill(0);
    }
    this.rolePositions.length = nodes;
    this.rolePositions.fill(this.noRolePosition);
    this.termMax = 0;
    this.lastFaultKind = 0;
    this.lastFaultUs = Number.NEGATIVE_INFINITY;
    this.probes.length = 0;
  }

  private hit(hash: number, times = 1): void {
    const slot = hash & mapMask;
    const count = this.hits[slot] as number;
    if (count === 0) this.touched.push(slot);
    this.hits[slot] = count + times;
  }

  /** The position of a role hash in `roleHashes`, added if new. */
  private positionOfRole(roleHash: number): number {
    let position = this.rolePositionOf.get(roleHash);
    if (position === undefined) {
      position = this.roleHashes.length;
      this.roleHashes.push(roleHash);
      this.rolePositionOf.set(roleHash, position);
    }
    return position;
  }

  message(from: number, to: number, type: string): void {
    const nodes = this.nodes;
    const seeds = this.typeSeeds.of(type);
    const sourceRole = from < nodes ? (this.rolePositions[from] as number) : this.clientRolePosition;
    const targetRole = to < nodes ? (this.rolePositions[to] as number) : this.clientRolePosition;
    if (!this.countMessages || nodes >= clientSlot || sourceRole >= roleSlots || targetRole >= roleSlots) {
      this.hitMessage(seeds, from, to);
      return;
    }
    if (!seeds.pending) {
      seeds.pending = true;
      this.pendingTypes.push(seeds);
    }
    const link = (from < nodes ? from : clientSlot) * endpointSlots + (to < nodes ? to : clientSlot);
    const links = seeds.links;
    if (links[link] === 0) seeds.linksTouched.push(link);
    links[link] = (links[link] as number) + 1;
    const pair = sourceRole * roleSlots + targetRole;
    const roles = seeds.roles;
    if (roles[pair] === 0) seeds.rolesTouched.push(pair);
    roles[pair] = (roles[pair] as number) + 1;
  }

  /** Hits a message's two edges at once (a run too large for the counts). */
  private hitMessage(seeds: TypeSeed, from: number, to: number): void {
    const nodes = this.nodes;
    const source = from < nodes ? from : clientEndpoint;
    const target = to < nodes ? to : clientEndpoint;
    this.hit(mix(seeds.message, (source << 8) | target));
    const sourceRole = from < nodes ? (this.roles[from] as number) : clientEndpoint;
    const targetRole = to < nodes ? (this.roles[to] as number) : clientEndpoint;
    this.hit(mix(seeds.roleMessage, mix(sourceRole, targetRole)));
  }

  /** Turns the counted messages into hits. */
  private flushCounts(): void {
    const roleHashes = this.roleHashes;
    for (const seeds of this.pendingTypes) {
      const links = seeds.links;
      for (const link of seeds.linksTouched) {
        const source = Math.floor(link / endpointSlots);
        const target = link % endpointSlots;
        const edge =
          ((source === clientSlot ? clientEndpoint : source) << 8) |
          (target === clientSlot ? clientEndpoint : target);
        this.hit(mix(seeds.message, edge), links[link] as number);
        links[link] = 0;
      }
      const roles = seeds.roles;
      for (const pair of seeds.rolesTouched) {
        const sourceRole = roleHashes[Math.floor(pair / roleSlots)] as number;
        const targetRole = roleHashes[pair % roleSlots] as number;
        this.hit(mix(seeds.roleMessage, mix(sourceRole, targetRole)), roles[pair] as number);
        roles[pair] = 0;
      }
      seeds.linksTouched.length = 0;
      seeds.rolesTouched.length = 0;
      seeds.pending = false;
    }
    this.pendingTypes.length = 0;
  }

  /** Drops counts a run left unread (it threw before its edges were read). */
  private discardCounts(): void {
    for (const seeds of this.pendingTypes) {
      for (const link of seeds.linksTouched) seeds.links[link] = 0;
      for (const pair of seeds.rolesTouched) seeds.roles[pair] = 0;
      seeds.linksTouched.length = 0;
      seeds.rolesTouched.length = 0;
      seeds.pending = false;
    }
    this.pendingTypes.length = 0;
  }

  role(node: number, role: string, term: number, timeUs: number): void {
    if (node >= this.nodes) return;
    const roleHash = hashString(role);
    const lastTerm = this.terms[node] as number;
    const step = Math.min(3, Math.max(0, term - lastTerm));
    const standing = term < this.termMax ? 0 : term === this.termMax ? 1 : 2;
    if (term > this.termMax) this.termMax = term;
    this.terms[node] = term;
    this.rolesBeforeThat[node] = this.rolesBefore[node] as number;
    this.rolesBefore[node] = this.roles[node] as number;
    this.roles[node] = roleHash;
    this.rolePositions[node] = this.positionOfRole(roleHash);
    const history = mix(
      mix(this.rolesBeforeThat[node] as number, this.rolesBefore[node] as number),
      roleHash,
    );
    this.hit(mix(mix(edgeKind.role, history), (step << 2) | standing));
    if (timeUs - this.lastFaultUs <= coincidenceUs) {
      this.hit(mix(mix(edgeKind.faultRole, this.lastFaultKind), roleHash));
    }
  }

  fault(kind: string, timeUs: number): void {
    const kindHash = hashString(kind);
    this.hit(mix(mix(edgeKind.fault, this.lastFaultKind), kindHash));
    this.lastFaultKind = kindHash;
    this.lastFaultUs = timeUs;
  }

  probe(_node: number, name: string): void {
    if (!this.probes.includes(name)) this.probes.push(name);
    this.hit(mix(edgeKind.probe, hashString(name)));
  }

  /**
   * This run's coverage: `slot * 8 + bucket` for every slot hit, ascending. Sorted as a typed
   * array (numeric order without a comparator): sorting a plain array through a comparator was
   * about six times slower on a run's few hundred edges (a micro-benchmark). The sorted numbers
   * are copied out by index: `Array.from` walks a typed array through its iterator, and took 27 µs
   * for 400 edges against 4 µs for the loop (a micro-benchmark; a uniform Raft campaign's runs
   * have a few hundred edges each).
   */
  edges(): number[] {
    this.flushCounts();
    const touched = this.touched;
    const sorted = new Uint32Array(touched.length);
    for (let index = 0; index < touched.length; index++) {
      const slot = touched[index] as number;
      sorted[index] = slot * 8 + bucket(this.hits[slot] as number);
    }
    sorted.sort();
    const edges = new Array<number>(sorted.length);
    for (let index = 0; index < sorted.length; index++) edges[index] = sorted[index] as number;
    return edges;
  }
}

/**
 * Records only the probes a run reached, for a search that does not use coverage (uniform search):
 * the campaign still reports which probes its runs reached.
 */
export class ProbeRecorder implements KernelObserver {
  /** Probe names reached in this run, in the order first reached. */
  readonly probes: string[] = [];

  reset(_nodes: number): void {
    this.probes.length = 0;
  }

  message(_from: number, _to: number, _type: string): void {}

  role(_node: number, _role: string, _term: number, _timeUs: number): void {}

  fault(_kind: string, _timeUs: number): void {}

  probe(_node: number, name: string): void {
    if (!this.probes.includes(name)) this.probes.push(name);
  }
}

/** The union of many runs' coverage: for each slot, the hit-count buckets seen. */
export class CoverageMap {
  private readonly seen = new Uint8Array(mapSize);
  private count = 0;

  /** (slot, bucket) pairs covered so far. */
  get size(): number {
    return this.count;
  }

  /** How many of a run's edges are not covered yet (without adding them). */
  novelty(edges: readonly number[]): number {
    let fresh = 0;
    for (const edge of edges) {
      if (((this.seen[edge >>> 3] as number) & (1 << (edge & 7))) === 0) fresh++;
    }
    return fresh;
  }

  /** Adds a run's edges; returns how many were new. */
  add(edges: readonly number[]): number {
    let fresh = 0;
    for (const edge of edges) {
      const slot = edge >>> 3;
      const bit = 1 << (edge & 7);
      const before = this.seen[slot] as number;
      if ((before & bit) === 0) {
        this.seen[slot] = before | bit;
        fresh++;
      }
    }
    this.count += fresh;
    return fresh;
  }
}

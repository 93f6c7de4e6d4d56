/**
 * The node API: what a protocol implements and what the kernel offers it.
 *
 * A protocol node is a set of handlers. It reacts to start, message, timer and client request;
 * a handler changes only the node's own fields, and acts on the world only through the
 * `NodeContext` the kernel hands the node when it is created:
 * sending messages, setting timers, writing durable storage, replying to clients, drawing from
 * its own random stream and noting protocol events for traces. It never reads the wall clock,
 * global randomness or real timers, and it never touches another node. What it shows of itself
 * is pulled, not pushed: the kernel calls `describe()` when a trace is being recorded, and reads
 * roles through the protocol's `roles` declaration.
 *
 * Crash semantics: when a node crashes, its object (all volatile state), its timers and the work
 * queued for it are discarded. Storage written through `ctx.storage` survives: on restart the
 * kernel creates a fresh node object with the same context and calls `onStart` with
 * `restarted: true`, and the node rebuilds itself from storage. Storage writes are durable once
 * `storage.sync()` returns, so "persist before reply" means: write, `sync()`, then `send`.
 *
 * This file imports only types from the project (random streams, trace records), and re-exports
 * `freezeDeep` (./freeze.ts) and the scenarios' duration parser (./time.ts) for protocols;
 * protocols depend on it, never the reverse. Its one class, `SharedRecords`, is the `MonitorRun`
 * the kernel hands a run's invariant monitors.
 */
import type { Rng } from "./random.js";
import type { TraceLine } from "./trace.js";

export { freezeDeep } from "./freeze.js";
export type { Rng } from "./random.js";
/** Durations as scenarios write them (`150ms`, `2s`, `0.02m`), for protocols' duration options. */
export { parseDurationUs } from "./time.js";
/** Trace records, which a protocol's `figures` reads. */
export type { TraceLine } from "./trace.js";

/** A node's name: `n1`, `n2`, ... Clients are `c1`, `c2`, ... */
export type NodeId = string;

/**
 * Every protocol message carries a `type`, which traces and reports use to colour it.
 * Messages are immutable once sent: the kernel hands the same object to the receiver (and to
 * both copies of a duplicate) and keeps it in the trace, so neither side may modify it.
 */
export interface Message {
  readonly type: string;
}

/**
 * Durable storage of one node. Values must be plain JSON-like data; they are copied on write and
 * on read, so mutating a value after storing it does not change what is stored. A frozen value
 * is taken as immutable all the way down and kept without a copy: freeze it with `freezeDeep`.
 */
export interface DurableStorage {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
  /** Appends items to the list stored under `key` (created empty if absent). */
  append(key: string, ...items: unknown[]): void;
  /** Cuts the list stored under `key` to its first `length` items. */
  truncate(key: string, length: number): void;
  /** The list stored under `key` (empty if absent). Read-only view: do not mutate. */
  list<T>(key: string): readonly T[];
  /**
   * Makes every write so far durable. Writes are visible to reads at once, but a crash that loses
   * unsynced writes (a fault the scenario or the fuzzer chooses) rolls storage back to the last
   * sync: sync before sending anything that promises what was written.
   */
  sync(): void;
}

/** A client operation as the node receives it. `client` and `seq` identify it across retries. */
export interface ClientRequest {
  /** `${client}:${seq}`: the same for every retry of one operation. */
  readonly id: string;
  readonly client: string;
  readonly seq: number;
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
}

/**
 * A node's answer to a client request.
 * - `ok`: the operation took effect (with its result).
 * - `fail`: the operation definitely did not take effect and will not (for example a rejected
 *   transaction); the client records `fail`.
 * - `redirect`: this node cannot serve it; try `leader` if given, else another node.
 */
export type ClientReply =
  | { readonly status: "ok"; readonly value?: unknown }
  | { readonly status: "fail"; readonly error: string }
  | { readonly status: "redirect"; readonly leader?: NodeId };

/**
 * What a node shows of itself in traces and reports (what `describe()` returns). `role` and
 * `term` are read by reports (lanes coloured by role, as the protocol's `roles` declares) and, for
 * a protocol without role accessors, by the kernel (see `RoleDeclaration`). Everything else is
 * free-form JSON-like data, drawn by reports.
 */
export interface StateDescription {
  readonly role?: string;
  readonly term?: number;
  readonly [field: string]: unknown;
}

/** The kernel's services for one node. */
export interface NodeContext<M extends Message = Message> {
  readonly id: NodeId;
  /** Every node of the cluster in order, including this one. */
  readonly nodes: readonly NodeId[];
  /** Every other node, in order. */
  readonly peers: readonly NodeId[];
  /** This node's own random stream; it survives restarts (it is a property of the process slot). */
  readonly random: Rng;
  readonly storage: DurableStorage;
  /** This node's local clock in microseconds; it runs fast or slow under clock drift. */
  now(): number;
  send(to: NodeId, message: M): void;
  /** Sends to every peer (not to this node). */
  broadcast(message: M): void;
  /**
   * Sets the timer `name` to fire after `delayUs` of this node's local time, replacing a pending
   * timer of the same name.
   */
  setTimer(name: string, delayUs: number): void;
  cancelTimer(name: string): void;
  /** Whether timer `name` is pending. */
  hasTimer(name: string): boolean;
  reply(request: ClientRequest, reply: ClientReply): void;
  /** Records a protocol event worth showing in traces (for example `became-leader`). */
  note(label: string, data?: Record<string, unknown>): void;
  /**
   * Marks that this run reached a rare branch, named in kebab-case
   * (`leader-stepped-down-with-uncommitted-entries`). Probes cost nothing outside fuzzing and
   * never appear in traces; the fuzzer counts them as coverage and its campaign report lists the
   * probes reached and, of those the protocol declares in `probes`, the ones never reached.
   */
  probe(name: string): void;
}

/** How a node learns it is starting. */
export interface StartInfo {
  /** False at the first start, true after a crash: rebuild from `ctx.storage`. */
  readonly restarted: boolean;
}

/**
 * The handlers a protocol implements. Any may be omitted, except that a node that is sent messages
 * needs `onMessage`, and every node of a protocol with client operations needs `onClientRequest`
 * (clients may ask any node): a message or request reaching a node without the handler is an
 * error, not a silent drop.
 */
export interface ProtocolNode<M extends Message = Message> {
  onStart?(info: StartInfo): void;
  onMessage?(from: NodeId, message: M): void;
  onTimer?(name: string): void;
  onClientRequest?(request: ClientRequest): void;
  /**
   * What this node shows of itself now, for traces and reports. The kernel calls it after each
   * step of the node while a trace is being recorded (never otherwise, unless the protocol
   * declares no role accessors: see `RoleDeclaration`), and on request (`Kernel.stateOf`); the
   * trace drops a description equal to the node's previous one, so return the whole state every
   * time and let the trace decide what changed. Build a new object on each call and do not
   * change it afterwards (the trace keeps it); describing must not change the node.
   *
   * `last`, when given, is the description this node returned last (the trace hands it back after
   * each traced step). A node may return `last` itself when nothing it shows changed: the trace
   * then drops it without comparing it (protocols/shared/description-reuse.ts). Once it has done
   * so, it is taken at its word: any other object it returns is recorded as a change, uncompared.
   */
  describe?(last?: StateDescription): StateDescription;
}

/**
 * The roles a protocol's nodes take, read generically by the kernel and by reports.
 *
 * The kernel reads each live node's role and term after every step, traced or not: the scenario
 * target `leader` resolves to a live node in a `leading` role (the highest term wins if several
 * claim one), and every (node, term) entering a leading role counts as a leadership (the
 * `leaderChanges` figure). It reads them through `roleOf` and `termOf`, which should be plain
 * field reads; a protocol without `roleOf` has `describe()` called after every step instead, even
 * in untraced runs, and its `role` and `term` read from there.
 */
export interface RoleDeclaration<N> {
  /** Every role a node can take, in the order reports list and colour them. */
  readonly names: readonly string[];
  /** The roles that lead (`leader`, `primary`, `coordinator`...). */
  readonly leading: readonly string[];
  /** A CSS colour per role for reports; a role without one gets a colour from its name. */
  readonly colours?: Readonly<Record<string, string>>;
  /** The node's role now (`undefined`: none worth showing). */
  roleOf?(node: N): string | undefined;
  /** The node's term, epoch, ballot or view now: among leading nodes, the highest wins. */
  termOf?(node: N): number;
  /**
   * The node's group, when the cluster is several independent groups each with its own leader
   * (the Raft groups of a sharded store): leaderships are then counted per group, and a step of
   * one group's leader after another's is not a change of leader. A fixed answer per node.
   */
  groupOf?(node: N): string;
}

/**
 * How reports draw a node's log from its state description: the first of `forms` whose field the
 * description holds. Entries are coloured by term; `commitField` marks the committed prefix.
 * - `entries`: a list of terms, or of objects with a numeric `term`, from index `firstIndexField`.
 * - `term-starts`: `[[index, term], ...]`, each pair the first index of a run of one term, from
 *   index `firstIndexField` up to `lastIndexField`.
 * - `term-runs`: `[[term, count], ...]`, runs of one term in order, from index `firstIndexField`.
 */
export interface LogDeclaration {
  readonly forms: ReadonlyArray<{
    readonly field: string;
    readonly form: "entries" | "term-starts" | "term-runs";
  }>;
  /** The description field with the log's first index (default: the log starts at 1). */
  readonly firstIndexField?: string;
  /** The description field with the log's last index (needed by `term-starts`). */
  readonly lastIndexField?: string;
  /** The description field with the commit index, if the log has one. */
  readonly commitField?: string;
}

/**
 * What a report's state strip shows of a node, beyond its role: the first of `sources` whose
 * description field gives a value (a string; a list's last entry; a map's last value), cut to its
 * first word with `firstWord`. Without a value the strip shows the role.
 */
export interface StripDeclaration {
  readonly sources: ReadonlyArray<{ readonly field: string; readonly firstWord?: boolean }>;
  /** A CSS colour per value shown; a value without one gets a colour from its name. */
  readonly colours?: Readonly<Record<string, string>>;
}

/** What reports need to know of a protocol to draw its runs: roles, logs and strip, as declared. */
export interface DisplayDeclaration {
  readonly roles?: Omit<RoleDeclaration<unknown>, "roleOf" | "termOf">;
  readonly log?: LogDeclaration;
  readonly strip?: StripDeclaration;
}

/** What invariants may look at after a step: the live nodes, read-only by convention. */
export interface ClusterView<N> {
  readonly timeUs: number;
  /** Number of the kernel event just handled (0-based). */
  readonly eventIndex: number;
  readonly nodes: readonly NodeId[];
  /** The node object, or `undefined` while it is crashed. */
  node(id: NodeId): N | undefined;
  /** The node's durable storage (also while it is crashed). */
  storage(id: NodeId): Pick<DurableStorage, "get" | "list">;
}

/** One step: the node that just handled something, and why. */
export interface StepView<N> extends ClusterView<N> {
  readonly actor: NodeId;
  /** The actor's position in `nodes` (for monitors that keep per-node records in arrays). */
  readonly actorIndex: number;
  readonly cause: "start" | "restart" | "message" | "timer" | "client" | "crash";
}

/** What an invariant says when it fails. */
export interface InvariantFailure {
  readonly message: string;
  /** The evidence: conflicting entries, decisions, nodes... plain JSON-like data. */
  readonly witnesses?: Readonly<Record<string, unknown>>;
}

/** One run's monitor for an invariant; it may keep state across steps. */
export interface InvariantMonitor<N> {
  /**
   * Everything the monitor remembers between steps (the objects its handlers read and change),
   * or `null` when it remembers nothing. Exploration saves and restores a state through it
   * (docs/exploring.md); a monitor without `state` makes exploration rebuild each state by
   * replaying its path, which is correct but far slower.
   */
  readonly state?: object | null;
  /** Called after every step; returns a failure the first time the invariant breaks. */
  afterStep?(step: StepView<N>): InvariantFailure | undefined;
  /** Called once at the end of the run. */
  atEnd?(view: ClusterView<N>): InvariantFailure | undefined;
}

/** A named, documented invariant. */
export interface Invariant<N> {
  /** Dotted name, `protocol.rule`: `raft.election-safety`. */
  readonly name: string;
  /** One-line statement of what must always hold. */
  readonly statement: string;
  /** Where it comes from: `Raft paper §5.2, Figure 3`. */
  readonly source: string;
  /** Safety invariants fail a run; liveness ones are reported, and only checked when asked. */
  readonly kind: "safety" | "liveness";
  /** A monitor for one run; `run` holds what the run's monitors share (`MonitorRun.shared`). */
  create(run: MonitorRun<N>): InvariantMonitor<N>;
}

/**
 * What the monitors of one run share. Several invariants often rest on one record of what the
 * nodes did (every proposal each acceptor accepted, every value chosen so far): each monitor asks
 * for it by name, and the first to ask makes it.
 */
export interface MonitorRun<N> {
  /**
   * The run's record named `name` (dotted, `protocol.what`), made by `make` the first time a
   * monitor of the run asks for it. Its `afterStep`, if it has one, runs once after every step,
   * before any monitor's. A monitor that reads it lists it in its `state`, as it would its own.
   */
  shared<R extends SharedRecord<N>>(name: string, make: () => R): R;
}

/** A record the monitors of a run share (`MonitorRun.shared`). */
export interface SharedRecord<N> {
  /** Brings the record up to date with the step just taken. */
  afterStep?(step: StepView<N>): void;
}

/**
 * A `MonitorRun` that keeps its records by name: the kernel's for each run, and one per group
 * for monitors that run other monitors on part of the cluster.
 */
export class SharedRecords<N> implements MonitorRun<N> {
  private readonly byName = new Map<string, SharedRecord<N>>();
  /** The records' `afterStep`s, in the order the records were made. */
  private readonly updates: Array<(step: StepView<N>) => void> = [];

  shared<R extends SharedRecord<N>>(name: string, make: () => R): R {
    const known = this.byName.get(name);
    if (known !== undefined) return known as R;
    const made = make();
    this.byName.set(name, made);
    if (made.afterStep !== undefined) this.updates.push(made.afterStep.bind(made));
    return made;
  }

  /** Brings every record up to date with the step `view` shows. */
  afterStep(view: StepView<N>): void {
    for (const update of this.updates) update(view);
  }
}

/**
 * How the fuzzer should vary a protocol's runs: option values worth trying (the first value of
 * each list is where shrinking goes) and the range of cluster sizes.
 */
export interface FuzzHints {
  readonly options?: Readonly<Record<string, readonly unknown[]>>;
  readonly nodes?: readonly [number, number];
}

/**
 * The bounds `quorumlab explore` uses for a protocol when the command line does not give them
 * (docs/exploring.md): chosen so that the correct protocol's space is explored to completion in
 * about a minute on one core. Each field is a default; flags override it.
 */
export interface ExploreHints {
  readonly nodes?: number;
  /** Fault budget per schedule; `timeouts` counts node timer firings and client retries. */
  readonly faults?: Readonly<
    Partial<Record<"drop" | "duplicate" | "crash" | "timeouts" | "drift" | "isolate", number>>
  >;
  /** Clients of the fixed workload (default 1 when the protocol has clients). */
  readonly clients?: number;
  /** Operations per client (default 1). */
  readonly operations?: number;
  /**
   * Which node a client asks first: `guess` (default) its own guess of the leader, drawn from its
   * random stream, as in every run; `spread`: client i asks node i (wrapping around), so the
   * clients' requests start at different nodes. Either way the client follows redirects.
   */
  readonly firstNodes?: "guess" | "spread";
  /**
   * The timers whose firing is a choice (default: every timer). The others never fire: a bound
   * on the schedules explored, printed with the verdict.
   */
  readonly timers?: readonly string[];
  /**
   * `unordered` (default): any message in flight may arrive next. `ordered`: each link delivers
   * in sending order and may lose messages (a bound, printed with the verdict).
   */
  readonly network?: "unordered" | "ordered" | "fifo";
  /**
   * A timer fires only once the network is quiet: the messages still in flight are lost first
   * (a bound, printed with the verdict). Default false.
   */
  readonly quietTimeouts?: boolean;
  /**
   * What a timer firing sends arrives at once: its messages are delivered right after it, in
   * sending order (a bound, printed with the verdict). Default false.
   */
  readonly promptTimeouts?: boolean;
  /**
   * A message delivered is answered at once: what its handler sends back to the sender is
   * delivered right after it (a bound, printed with the verdict). Default false.
   */
  readonly promptReplies?: boolean;
  /**
   * The clock drift a `drift` fault sets, fast or slow, as a fraction of real speed (default
   * 0.05): keep it within what the design tolerates, so that a correct protocol stays clean.
   */
  readonly driftRate?: number;
  /**
   * The search strategy when none is asked for (default `bfs`): a bug too deep for breadth-first
   * search may name `cells` or `novelty`, which return a short schedule, not a proven shortest one.
   */
  readonly strategy?: "bfs" | "dfs" | "random" | "novelty" | "cells";
}

/** An invariant a correct protocol is known to break, and when. */
export interface KnownLimit {
  /** An invariant's name, or `liveness.leader` (`leaderLiveness`: no leader by a liveness deadline). */
  readonly invariant: string;
  readonly when: string;
  readonly source: string;
  /**
   * The protocol options it holds under: each field given here equals the run's (parsed) option.
   * Under any options when absent.
   */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * The check `fuzz --liveness` makes of a protocol whose nodes lead (see `demandsLeader`): a leader
 * within the liveness deadline after the faults. A liveness bug names it in `breaks`, and a known
 * limit in `invariant`, as the fuzzer reports it.
 */
export const leaderLiveness = "liveness.leader";

/** Whether `fuzz --liveness` demands a leader (`liveness.leader`): a leading role and an election timer. */
export function demandsLeader(protocol: Pick<Protocol, "roles" | "electionTimer">): boolean {
  return (protocol.roles?.leading.length ?? 0) > 0 && protocol.electionTimer !== undefined;
}

/** A deliberate bug a protocol can be switched into, for teaching and for testing the checkers. */
export interface DeliberateBug {
  /** kebab-case name used in options: `commit-previous-term`. */
  readonly name: string;
  /** Catalogue id, for example `M3`. */
  readonly id?: string;
  /** The one-line change the bug makes. */
  readonly change: string;
  /**
   * The invariant(s) it should break, as `run` and `fuzz` report them: the protocol's invariants,
   * the history check, `exception`, and for a liveness bug `liveness.leader` (`leaderLiveness`).
   */
  readonly breaks: readonly string[];
  readonly source: string;
  /** Liveness-only bugs are found by the liveness check, not by safety invariants. */
  readonly kind?: "safety" | "liveness";
  /**
   * Where the bug can show at all, when that is narrower than the protocol's own fuzz hints (say
   * why in the bug's documentation); they replace the protocol's hints field by field.
   */
  readonly fuzz?: FuzzHints;
  /**
   * The bounds `quorumlab explore --bug NAME` uses when not told, over the protocol's own: the
   * smallest space where the bug shows (say why in the bug's documentation).
   */
  readonly explore?: ExploreHints;
}

/** The client side of a protocol: which sequential model its history follows. */
export interface ClientSpec {
  /** Operation functions the workload may issue, with default weights. */
  readonly operations: Readonly<Record<string, number>>;
  /** The linearizability model of the history (`kv`, `register`), or none. */
  readonly model?: string;
}

/**
 * The cluster sizes a protocol can run: from `min` to `max` nodes, and only multiples of
 * `multipleOf` when given (a sharded store of 3-node groups). Scenarios and fuzz settings outside
 * it are refused with a clear error before anything runs.
 */
export interface NodeCounts {
  readonly min: number;
  /** Default: no ceiling. */
  readonly max?: number;
  readonly multipleOf?: number;
  /** Why the sizes are these, when options decide it (shown when a size is refused). */
  readonly reason?: string;
}

/** Everything the kernel needs to run a protocol; what a protocol module exports. */
export interface Protocol<M extends Message = Message, N extends ProtocolNode<M> = ProtocolNode<M>> {
  readonly name: string;
  readonly summary: string;
  /** Cluster size used when a scenario does not say. */
  readonly defaultNodes: number;
  /**
   * The cluster sizes it supports (default: any size from 1); a function of the parsed options
   * when they decide it (a default layout of 3-node groups, or groups listed by name).
   */
  readonly nodeCounts?: NodeCounts | ((options: Readonly<Record<string, unknown>>) => NodeCounts);
  /**
   * Validates and completes user options (from a scenario's `options:`), throwing an `Error` with
   * a readable message on bad input. The returned object is handed to `create`.
   */
  parseOptions(options: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
  /**
   * Checks parsed options against the cluster a scenario gives them (`nodes`: n1..nN), before
   * anything runs: an option that names a node the cluster does not have, say. Throws an `Error`
   * naming the option, as `parseOptions` does (`'acceptors[2]' names n9, …`).
   */
  checkOptions?(options: Readonly<Record<string, unknown>>, nodes: readonly string[]): void;
  create(context: NodeContext<M>, options: Readonly<Record<string, unknown>>): N;
  readonly invariants: readonly Invariant<N>[];
  readonly bugs: readonly DeliberateBug[];
  readonly client?: ClientSpec;
  /** The roles nodes take: which lead, how reports show them, how the kernel reads them. */
  readonly roles?: RoleDeclaration<N>;
  /** How reports draw a node's log from its state description (protocols with a log). */
  readonly log?: LogDeclaration;
  /** What reports' state strip shows beyond the role (default: the role only). */
  readonly strip?: StripDeclaration;
  /** Name of the timer the scenario action `timeout: nX` fires early (Raft: `election`). */
  readonly electionTimer?: string;
  /**
   * Every name its nodes give `ctx.setTimer`, `ctx.cancelTimer` and `ctx.hasTimer`, when the names
   * are fixed: a call with another name then throws in the handler (a misspelt timer would
   * otherwise never fire, or never be cancelled), and `quorumlab explore --timers` checks the
   * names it is given against these. Left out, any name is taken.
   */
  readonly timers?: readonly string[];
  /** The names this protocol passes to `ctx.probe`, so that a campaign can tell which it never reached. */
  readonly probes?: readonly string[];
  /** How `quorumlab fuzz` should vary runs (default: the protocol's defaults, 3 to `defaultNodes` nodes). */
  readonly fuzz?: FuzzHints;
  /** The bounds `quorumlab explore` uses when not told (default: 3 nodes, `timeouts=3`). */
  readonly explore?: ExploreHints;
  /**
   * Invariants the correct protocol is known to break under some faults, by design (plain
   * three-phase commit under partitions). Fuzzing still reports them, as the protocol's limit.
   */
  readonly knownLimits?: readonly KnownLimit[];
  /**
   * Protocol figures computed from a finished run's trace (ballots per decision, blocking time,
   * keys moved...). Merged into the run's `figures`; scenarios can bound them in `expect.figures`.
   * Must be a pure function of the records.
   */
  figures?(records: readonly TraceLine[]): object;
  /**
   * Whether `figures` gives `blockedAtEnd` (a commit protocol's `commitFigures` does): the figure
   * a scenario's `expect.blocked` reads, refused for a protocol that does not measure it.
   */
  readonly measuresBlocking?: boolean;
}

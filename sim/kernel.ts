/**
 * The kernel: one event queue ordered by (time, insertion sequence), the virtual clock, the node
 * runtime and the wiring between nodes, network, clients, faults, invariants and the trace.
 *
 * Nothing outside the queue advances time. Each queue entry is a message delivery, a timer or a
 * scheduled action (a fault, a client tick). Handling one entry is one kernel event; its number
 * (`e` in the trace) counts from 0. Entries that can no longer do anything (cancelled actions,
 * replaced or cancelled timers, timers of a crashed node) leave the queue without being events.
 *
 * Node runtime rules:
 * - A crashed node loses its object (volatile state), its timers and its paused backlog;
 *   messages arriving while it is down are dropped with reason `crashed`. Its storage stays.
 * - A message the network loses when it is sent is dropped with reason `partition` (its link is
 *   cut), `burst` (a loss burst lost it, which the link's own loss would not have) or `loss`.
 * - A restarted node is created afresh over the same storage and gets `onStart({restarted: true})`.
 * - A paused node (a stalled process) keeps everything, but deliveries and timers that come due
 *   while it is paused wait; on resume they are handled in the order they came due.
 * - Clock drift `rate` makes a node's local clock run at (1 + rate) times real speed: its
 *   `now()` advances faster and its timers fire sooner (or, for negative rates, later).
 */

import {
  DeterminismError,
  enterDeterministicSection,
  guardState,
  leaveDeterministicSection,
} from "./determinism.js";
import { describeThrown, InputError } from "./errors.js";
import { frozenCopy, frozenJsonCopy, NotJson, whereNotJson } from "./freeze.js";
import { burstLostUs, cutUs, Network, type NetworkSpec } from "./network.js";
import type {
  ClientReply,
  ClientRequest,
  ClusterView,
  DurableStorage,
  Invariant,
  InvariantFailure,
  InvariantMonitor,
  Message,
  NodeContext,
  NodeId,
  Protocol,
  ProtocolNode,
  RoleDeclaration,
  StateDescription,
  StepView,
} from "./node.js";
import { SharedRecords } from "./node.js";
import type { KernelObserver } from "./observer.js";
import { EventQueue } from "./queue.js";
import { type Rng, randomStream } from "./random.js";
import { readOnlyStorage, readOnlyView } from "./read-only.js";
import { type ChoiceEntry, ChoiceQueue, type StepQueue } from "./scheduler.js";
import { MemoryStorage } from "./storage.js";
import { didYouMean, misspeltMethod } from "./suggest.js";
import { formatDuration } from "./time.js";
import { notJson } from "./trace/lines.js";
import {
  type ArrivalKind,
  type DropReason,
  type MessageFields,
  type NodeFields,
  sameDescription,
  type TraceRecorder,
} from "./trace.js";

/** A message from a client to a node. */
export interface ClientRequestMessage extends Message {
  readonly type: "client-request";
  readonly request: ClientRequest;
}

/** A node's answer to a client. */
export interface ClientReplyMessage extends Message {
  readonly type: "client-reply";
  readonly requestId: string;
  readonly reply: ClientReply;
}

/** Receives what is delivered to a client endpoint. */
export interface ClientEndpoint {
  receive(from: NodeId, message: ClientReplyMessage): void;
}

export interface KernelConfig {
  readonly protocol: Protocol;
  /** Options as returned by `protocol.parseOptions`. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly nodes: readonly NodeId[];
  readonly clients: readonly string[];
  readonly seed: bigint;
  readonly network: NetworkSpec;
  readonly trace: TraceRecorder;
  /** Check safety invariants after every step (default true). */
  readonly checkInvariants?: boolean;
  /** Also check liveness invariants (default false). */
  readonly checkLiveness?: boolean;
  /** Stop the run at the first violation (default true). */
  readonly stopOnViolation?: boolean;
  /** Told of messages, role changes, faults and probes (the fuzzer's coverage signal). */
  readonly observer?: KernelObserver;
  /**
   * Who picks the next step (sim/scheduler.ts): `time` (default), the earliest due; `choice`,
   * the caller, through `enabledSteps` and `takeStep`.
   */
  readonly scheduling?: "time" | "choice";
  /**
   * Freeze every message as it is sent (default true), so that a handler that changes a sent
   * message fails where it does so. Only for code whose tests already ran it frozen (the fuzzer
   * on a built-in protocol) may this be off: see `freezeMessage`.
   */
  readonly freezeMessages?: boolean;
  /**
   * Guard the data that crosses a node's boundary, for a protocol module, whose code nothing else
   * has checked (default false):
   * - each message and each reply to a client is sent as a frozen deep copy (`frozenCopy`), as a
   *   network delivers a copy: a sender that changes an object after sending it, or a receiver
   *   that changes what it got, then changes no other node's state, the trace, or a client's
   *   history;
   * - each state description is kept as a frozen deep copy made when it is handed over
   *   (`describedCopy`): a description that shares the node's own arrays or objects showed, in a
   *   trace kept in memory, the state at the end of the run in every record, and was dropped as
   *   unchanged while its contents changed;
   * - storage hands out lists as frozen copies (`MemoryStorage`'s `guarded`): a list changed in
   *   place bypassed the writes a crash that loses unsynced writes rolls back;
   * - each client request reaches a node as a frozen copy (`sendFromClient`): a node that changed
   *   the request it got changed the client's next attempt and the completion in its history;
   * - a note's data is kept as a frozen deep copy (`notedCopy`), as descriptions are;
   * - invariants read the nodes and their storage through read-only views (sim/read-only.ts): a
   *   monitor that wrote to a node changed the run it checked, and the run blamed the protocol.
   * The built-in protocols build their messages and descriptions from immutable parts, and read
   * lists and requests without changing them; their tests hold them to it.
   */
  readonly guardData?: boolean;
}

/**
 * A step a choice-scheduled kernel may take next: a message in flight, a pending timer of a live
 * node, or a pending action (a client's retry). `entry` is the kernel's handle for `takeStep`.
 */
export type EnabledStep = { readonly entry: unknown; readonly dueUs: number } & (
  | {
      readonly kind: "deliver";
      readonly id: number;
      readonly from: string;
      readonly to: string;
      readonly message: Message;
    }
  | { readonly kind: "timer"; readonly node: string; readonly name: string }
  | { readonly kind: "action"; readonly label: string | undefined }
);

/** A recorded invariant violation. */
export interface Violation {
  readonly invariant: string;
  readonly timeUs: number;
  readonly event: number;
  readonly message: string;
  readonly witnesses?: Readonly<Record<string, unknown>>;
  readonly kind: "safety" | "liveness";
  /**
   * For an `exception` finding: where the handler threw, as `path:line:column` (the first stack
   * frame outside the simulator). Not part of the trace, whose bytes must not depend on where the
   * module lives.
   */
  readonly frame?: string;
}

/** The name of the finding a throwing handler produces. */
export const exceptionInvariant = "exception";

/**
 * A slot's timer that is not pending. Timers are marked rather than deleted: a Map that keeps
 * gaining and losing its one or two keys reallocates its table every time.
 */
const noTimer = 0;
/**
 * Timers and messages nodes may make due at one instant, at the instant they are made, before the
 * run stops with an exception: far above what a round of any protocol takes with no latency.
 */
const atOnceMax = 100_000;

const deliverKind = 0;
const timerKind = 1;
const actionKind = 2;

/** A message type's count of messages sent, and its trace symbol. */
interface MessageTypeEntry {
  readonly type: string;
  sent: number;
  readonly symbol: number;
}

/** Per message type: how many were sent (a figure for reports), and its trace symbol. */
class MessageTypes {
  private readonly byType = new Map<string, MessageTypeEntry>();
  /**
   * The entry of the type sent last: nodes send runs of one type (a broadcast, a leader's
   * AppendEntries), and the Map lookup per message showed in a Raft fuzz profile.
   */
  private last: MessageTypeEntry = { type: "", sent: 0, symbol: -1 };

  constructor(private readonly symbolOf: (type: string) => number) {}

  /** The entry of `type`, with one more message counted. */
  sent(type: string): MessageTypeEntry {
    let entry = this.last;
    if (entry.type !== type) {
      entry = this.byType.get(type) ?? this.add(type);
      this.last = entry;
    }
    entry.sent++;
    return entry;
  }

  counts(): Map<string, number> {
    return new Map([...this.byType].map(([type, entry]) => [type, entry.sent]));
  }

  private add(type: string): MessageTypeEntry {
    const entry = { type, sent: 0, symbol: this.symbolOf(type) };
    this.byType.set(type, entry);
    return entry;
  }
}

/** A message delivery's endpoints (as numbers), id and type symbol. */
interface DeliveryFields {
  readonly from: number;
  readonly to: number;
  readonly id: number;
  readonly type: number;
}

type QueueItem =
  | {
      readonly kind: typeof deliverKind;
      readonly from: number;
      readonly to: number;
      readonly id: number;
      readonly message: Message;
      /** The message type's trace symbol. */
      readonly type: number;
    }
  | {
      readonly kind: typeof timerKind;
      readonly node: number;
      readonly name: string;
      readonly generation: number;
    }
  | ScheduledAction;

/** An action in the queue; `Kernel.cancel` marks it so that it is dropped unrun. */
interface ScheduledAction {
  readonly kind: typeof actionKind;
  readonly run: () => void;
  cancelled: boolean;
  /** Who it belongs to (a client's name), shown when a strategy picks it. */
  readonly label: string | undefined;
}

/** A scenario's fault on one message, applied when the message arrives. */
export type MessageFault =
  | { readonly kind: "drop" }
  | { readonly kind: "delay"; readonly delayUs: number }
  | { readonly kind: "duplicate" };

/** What `Kernel.schedule` returns: a handle for `Kernel.cancel`. */
export type Scheduled = { readonly kind: typeof actionKind };

interface NodeSlot {
  readonly id: NodeId;
  readonly index: number;
  readonly storage: MemoryStorage;
  readonly random: Rng;
  readonly context: NodeContext;
  instance: ProtocolNode | undefined;
  up: boolean;
  paused: boolean;
  backlog: QueueItem[];
  readonly timers: Map<string, number>;
  clockRate: number;
  clockBaseSimUs: number;
  clockBaseLocalUs: number;
  /** The node's role and term after its last step (undefined role: crashed, or none shown). */
  role: string | undefined;
  term: number;
  /**
   * Whether `role` is a leading role, worked out when the role changes: a set lookup on every
   * step was a visible share of the kernel's per-step cost in a Raft fuzz profile.
   */
  leading: boolean;
}

interface ActiveInvariant {
  readonly name: string;
  readonly kind: "safety" | "liveness";
  readonly monitor: InvariantMonitor<unknown>;
  /**
   * The monitor's `afterStep`, read once: every protocol's monitors have shapes of their own, and
   * reading the method off each monitor after every step was a megamorphic property load per
   * invariant and step (the kernel's invariant loop was about 2% of a Raft fuzz profile).
   */
  readonly afterStep: ((step: StepView<unknown>) => InvariantFailure | undefined) | undefined;
}

export class Kernel {
  readonly network: Network;
  readonly trace: TraceRecorder;
  readonly observer: KernelObserver | undefined;
  readonly violations: Violation[] = [];
  readonly nodeIds: readonly NodeId[];
  readonly clientIds: readonly string[];
  private readonly queue: StepQueue<QueueItem>;
  /** The queue again, when the caller picks steps (`scheduling: "choice"`). */
  private readonly choices: ChoiceQueue<QueueItem> | undefined;
  private readonly slots: NodeSlot[] = [];
  private readonly slotsById = new Map<NodeId, NodeSlot>();
  private readonly clientEndpoints: Array<ClientEndpoint | undefined> = [];
  /**
   * The invariants checked, each record frozen: it never changes, so exploration's walk of the
   * kernel passes over it, and saves and restores each monitor's `state` on its own.
   */
  private readonly invariants: ActiveInvariant[] = [];
  /** Per invariant checked, whether it has failed (it is not checked again). */
  private readonly invariantFailed: boolean[] = [];
  /** What the run's monitors share (`MonitorRun`). */
  private readonly sharedRecords = new SharedRecords<unknown>();
  private readonly protocol: Protocol;
  private readonly options: Readonly<Record<string, unknown>>;
  private readonly stopOnViolation: boolean;
  private readonly tracing: boolean;
  private readonly freezeMessages: boolean;
  private readonly guardData: boolean;
  /** The timer names the protocol declares (`Protocol.timers`); undefined: any name. */
  private readonly timerNames: ReadonlySet<string> | undefined;
  private readonly view: KernelView;
  private nowUs = 0;
  private eventIndex = 0;
  private nextMessageId = 0;
  /** Scripted faults on single messages, by message id (see `faultMessage`). */
  private readonly messageFaults = new Map<number, MessageFault>();
  private timerGeneration = 0;
  /** The instant of the last timer or message a node made due at once, and how many it made then. */
  private atOnceUs = -1;
  private atOnceCount = 0;
  private stopped = false;
  /** Per message type: how many were sent, and its trace symbol. */
  private readonly messageTypes: MessageTypes;
  /** The fields of the trace record being written (see `TraceFields`). */
  private readonly traceFields: TraceFields;
  /** Trace symbols of the endpoint names (nodes, then clients). */
  private readonly endpointSymbols: readonly number[];
  /** How the kernel reads roles (the protocol's declaration), and which roles lead. */
  private readonly roles: RoleDeclaration<ProtocolNode> | undefined;
  private readonly leadingRoles: ReadonlySet<string>;
  /**
   * Every (node, term) that entered a leading role, once each, in order (read after each step),
   * with the node's group when the protocol declares groups (then counted per group).
   */
  readonly leaderships: Array<{
    readonly node: NodeId;
    readonly term: number;
    readonly timeUs: number;
    readonly group?: string;
  }> = [];
  /** Told of each entry added to `leaderships`, as it is added (`onLeadership`). */
  private readonly leadershipListeners: Array<() => void> = [];
  /** The (node, term) seen leading last: most steps of a leader repeat it, and end there. */
  private lastLeaderNode: NodeId | undefined;
  private lastLeaderTerm = -1;
  /**
   * The terms each node has been recorded leading. NB: a leader cut off from its majority still
   * leads its old term between the steps of a newer leader; it is recorded once, not each time.
   */
  private readonly termsLedByNode = new Map<NodeId, Set<number>>();

  constructor(config: KernelConfig) {
    this.protocol = config.protocol;
    this.timerNames = config.protocol.timers === undefined ? undefined : new Set(config.protocol.timers);
    this.roles = config.protocol.roles as RoleDeclaration<ProtocolNode> | undefined;
    this.leadingRoles = new Set(this.roles?.leading ?? []);
    this.options = config.options;
    this.trace = config.trace;
    this.tracing = config.trace.enabled;
    this.freezeMessages = config.freezeMessages ?? true;
    this.guardData = config.guardData ?? false;
    this.observer = config.observer;
    this.stopOnViolation = config.stopOnViolation ?? true;
    this.nodeIds = config.nodes;
    this.clientIds = config.clients;
    if (config.scheduling === "choice") {
      // Messages and timers never change once queued; an action may still be cancelled.
      this.choices = new ChoiceQueue<QueueItem>((item) => item.kind !== actionKind);
      this.queue = this.choices;
    } else {
      this.queue = new EventQueue<QueueItem>();
    }
    this.network = new Network(
      config.network,
      [...config.nodes, ...config.clients],
      randomStream(config.seed, "network"),
    );
    for (const [index, id] of config.nodes.entries()) {
      const slot = this.createSlot(id, index, config.seed);
      this.slots.push(slot);
      this.slotsById.set(id, slot);
    }
    if (config.checkInvariants ?? true) {
      for (const invariant of this.protocol.invariants) {
        if (invariant.kind === "liveness" && !(config.checkLiveness ?? false)) continue;
        const monitor = createMonitor(invariant, this.sharedRecords);
        this.invariants.push(
          Object.freeze({
            name: invariant.name,
            kind: invariant.kind,
            monitor,
            afterStep: monitor.afterStep?.bind(monitor),
          }),
        );
        this.invariantFailed.push(false);
      }
    }
    this.view = new KernelView(this);
    // Symbols only for a recorded trace: making them (a map entry and a JSON text per name and
    // message type) was about 1.7% of a uniform Raft fuzz campaign's CPU profile.
    this.endpointSymbols = this.tracing ? this.network.names.map((name) => this.trace.symbol(name)) : [];
    this.traceFields = new TraceFields(this.endpointSymbols);
    this.messageTypes = new MessageTypes((type) => (this.tracing ? this.trace.symbol(type) : -1));
  }

  /** Messages sent, by type (a figure for reports and benchmarks). */
  get messagesByType(): ReadonlyMap<string, number> {
    return this.messageTypes.counts();
  }

  /** Current virtual time in microseconds. */
  get timeUs(): number {
    return this.nowUs;
  }

  /** Number of kernel events handled so far. */
  get events(): number {
    return this.eventIndex;
  }

  /** Whether a module's data is guarded (`KernelConfig.guardData`): its invariants read views. */
  get guardsData(): boolean {
    return this.guardData;
  }

  /** True once a violation stopped the run or `stop()` was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Registers the handler for deliveries to client endpoint `client`. */
  attachClient(client: string, endpoint: ClientEndpoint): void {
    this.clientEndpoints[this.network.endpoint(client) - this.slots.length] = endpoint;
  }

  /** Schedules `run` at virtual time `timeUs` (not before now); `label` names its owner. */
  schedule(timeUs: number, run: () => void, label?: string): Scheduled {
    const action: ScheduledAction = { kind: actionKind, run, cancelled: false, label };
    this.queue.push(Math.max(timeUs, this.nowUs), action);
    return action;
  }

  /**
   * Cancels a scheduled action that has not run yet: it leaves the queue unrun and is not an
   * event (it takes no event number and does not move the clock).
   */
  cancel(scheduled: Scheduled): void {
    (scheduled as ScheduledAction).cancelled = true;
  }

  /** Starts every node at time 0, in order. */
  startAll(): void {
    for (const slot of this.slots) this.schedule(0, () => this.boot(slot, false));
  }

  /**
   * Handles events until the queue is empty, `endUs` is passed, or the run is stopped. Entries
   * that can no longer do anything are dropped without being events: cancelled actions, and
   * timers that were replaced, cancelled or belong to a crashed node.
   */
  runUntil(endUs: number): void {
    const queue = this.queue;
    enterDeterministicSection();
    try {
      while (!this.stopped && queue.size > 0) {
        const timeUs = queue.peekTime();
        if (timeUs > endUs) break;
        const item = queue.pop() as QueueItem;
        if (item.kind === actionKind ? item.cancelled : item.kind === timerKind && this.timerIsSpent(item))
          continue;
        this.nowUs = timeUs;
        try {
          this.handle(item);
        } catch (error) {
          this.handlerThrew(error);
        }
        this.eventIndex++;
      }
    } finally {
      leaveDeterministicSection();
    }
    // A handler that caught the guard's error still broke the rules.
    if (guardState.offence !== undefined) throw guardState.offence;
    if (!this.stopped && this.nowUs < endUs) this.nowUs = endUs;
  }

  /**
   * A handler threw: that is a finding (`exception`) naming the node, the handler, the error and
   * where it was thrown, and it stops the run. Errors outside handlers (the simulator's own, or a
   * broken determinism rule) are rethrown.
   */
  private handlerThrew(error: unknown): void {
    const handler = guardState.handler;
    const node = guardState.node;
    guardState.handler = undefined;
    // A mistake in the protocol's module (a broken determinism rule, note data that is not data)
    // is bad input, reported in one line, not a finding of its logic.
    if (handler === undefined || node === undefined || error instanceof InputError) throw error;
    const { name, text, frame, summary } = describeThrown(error);
    this.exception(
      `${node} ${handler} threw ${summary}${changedFrozen(error) ? frozenHint : ""}`,
      { node, handler, error: `${name}: ${text}` },
      frame,
    );
  }

  /**
   * Records the finding `exception` (the protocol's code, a handler or a monitor, went wrong
   * here) and stops the run, so that the run that shows it can be replayed.
   */
  private exception(message: string, witnesses: Readonly<Record<string, unknown>>, frame?: string): void {
    this.pushViolation({
      invariant: exceptionInvariant,
      kind: "safety",
      timeUs: this.nowUs,
      event: this.eventIndex,
      message,
      witnesses,
      ...(frame === undefined ? {} : { frame }),
    });
    this.stopped = true;
  }

  /** Whether a queued timer was replaced or cancelled since it was set, or its node crashed. */
  private timerIsSpent(item: QueueItem & { kind: typeof timerKind }): boolean {
    const slot = this.slots[item.node] as NodeSlot;
    return !slot.up || slot.timers.get(item.name) !== item.generation;
  }

  private handle(item: QueueItem): void {
    switch (item.kind) {
      case deliverKind:
        this.deliver(item);
        return;
      case timerKind:
        this.fireTimer(item);
        return;
      case actionKind:
        item.run();
        return;
    }
  }

  // ---- choice scheduling ---------------------------------------------------------------------

  private choiceQueue(): ChoiceQueue<QueueItem> {
    if (this.choices === undefined) throw new Error("this kernel schedules by time; steps cannot be chosen");
    return this.choices;
  }

  /**
   * The steps that may run next, oldest first (choice scheduling). Spent timers and cancelled
   * actions leave the queue here, as they do unrun in time order.
   */
  enabledSteps(): EnabledStep[] {
    const choices = this.choiceQueue();
    choices.retain((item) =>
      item.kind === actionKind ? !item.cancelled : item.kind !== timerKind || !this.timerIsSpent(item),
    );
    const names = this.network.names;
    return choices.pending().map((entry): EnabledStep => {
      const item = entry.item;
      switch (item.kind) {
        case deliverKind:
          return {
            entry,
            dueUs: entry.dueUs,
            kind: "deliver",
            id: item.id,
            from: names[item.from] as string,
            to: names[item.to] as string,
            message: item.message,
          };
        case timerKind:
          return {
            entry,
            dueUs: entry.dueUs,
            kind: "timer",
            node: this.nodeIds[item.node] as string,
            name: item.name,
          };
        default:
          return { entry, dueUs: entry.dueUs, kind: "action", label: item.label };
      }
    });
  }

  /**
   * Takes one enabled step as one event (choice scheduling): runs it (the clock moves to its due
   * time if that is later), or, for a message, drops it or duplicates it (the copy stays in
   * flight). Then runs the actions that became due (`settle`).
   */
  takeStep(step: EnabledStep, fate: "run" | "drop" | "duplicate" = "run"): void {
    const choices = this.choiceQueue();
    const entry = step.entry as ChoiceEntry<QueueItem>;
    const item = entry.item;
    if (fate !== "run" && item.kind !== deliverKind) throw new Error(`only a message can be ${fate}ped`);
    if (fate === "duplicate") {
      const message = item as QueueItem & { kind: typeof deliverKind };
      const copy = this.nextMessageId++;
      if (this.tracing) {
        const symbols = this.endpointSymbols;
        this.trace.duplicate(
          {
            t: this.nowUs,
            e: this.eventIndex,
            from: symbols[message.from] as number,
            to: symbols[message.to] as number,
            id: message.id,
            type: message.type,
          },
          copy,
        );
      }
      choices.push(entry.dueUs, { ...message, id: copy });
    } else {
      if (!choices.remove(entry)) throw new Error("that step is not enabled");
      if (fate === "drop") {
        // A drop chosen by a schedule step is scripted, as one made by the fault timeline is.
        if (this.tracing)
          this.recordArrival(item as QueueItem & { kind: typeof deliverKind }, "drop", "scripted");
      } else {
        // A message arrives at the current time: in an asynchronous network a delivery may take
        // any delay, and only timers move the clock, so deliveries to different nodes commute.
        if (item.kind !== deliverKind && entry.dueUs > this.nowUs) this.nowUs = entry.dueUs;
        this.guarded(() => this.handle(item));
      }
    }
    this.eventIndex++;
    this.settle();
  }

  /**
   * One step outside `runUntil` (choice scheduling) under the same rules: the determinism guard,
   * and a throwing handler recorded as the finding `exception`.
   */
  private guarded(run: () => void): void {
    enterDeterministicSection();
    try {
      run();
    } catch (error) {
      this.handlerThrew(error);
    } finally {
      leaveDeterministicSection();
    }
    if (guardState.offence !== undefined) throw guardState.offence;
  }

  /** Runs `run` now as one event (choice scheduling: a client's invocation, a crash). */
  runNow(run: () => void): void {
    this.guarded(run);
    this.eventIndex++;
    this.settle();
  }

  /**
   * Runs, oldest first, every pending action already due (choice scheduling): node starts at
   * time 0 and a client's immediate follow-ups are not choices, each is one event of its own.
   */
  settle(): void {
    const choices = this.choiceQueue();
    while (!this.stopped) {
      const entry = choices
        .pending()
        .find((candidate) => candidate.item.kind === actionKind && candidate.dueUs <= this.nowUs);
      if (entry === undefined) return;
      choices.remove(entry);
      const action = entry.item as ScheduledAction;
      if (action.cancelled) continue;
      this.guarded(action.run);
      this.eventIndex++;
    }
  }

  // ---- nodes -------------------------------------------------------------------------------

  private createSlot(id: NodeId, index: number, seed: bigint): NodeSlot {
    const peers = this.nodeIds.filter((other) => other !== id);
    const storage = new MemoryStorage({ guarded: this.guardData });
    const random = randomStream(seed, `node/${id}`);
    const slot: NodeSlot = {
      id,
      index,
      storage,
      random,
      instance: undefined,
      up: false,
      paused: false,
      backlog: [],
      timers: new Map(),
      clockRate: 1,
      clockBaseSimUs: 0,
      clockBaseLocalUs: 0,
      role: undefined,
      term: 0,
      leading: false,
      // Frozen: the one context serves every incarnation of the node, so a field a node set on it
      // would outlive a crash. Its lists are the node's own copies, not frozen: a node that
      // reorders them changes neither the kernel's nor what a broadcast reaches. (Frozen arrays
      // made Raft's kv bench about 5% slower: V8 iterates them on slower paths, and code that
      // meets both kinds of array turns polymorphic.)
      context: Object.freeze<NodeContext>({
        id,
        nodes: [...this.nodeIds],
        peers: [...peers],
        random,
        storage,
        now: () => slot.clockBaseLocalUs + Math.floor((this.nowUs - slot.clockBaseSimUs) * slot.clockRate),
        send: (to, message) => {
          if (describing !== undefined) throw describeActed("ctx.send");
          checkMessage(message, to);
          const sent = this.guardData ? this.sentCopy(message, { call: "send", from: id, to }) : message;
          this.send(slot.index, this.nodeEndpoint(to, "ctx.send"), sent);
        },
        broadcast: (message) => {
          if (describing !== undefined) throw describeActed("ctx.broadcast");
          checkMessage(message);
          const sent = this.guardData ? this.sentCopy(message, { call: "broadcast", from: id }) : message;
          for (const peer of peers) this.send(slot.index, this.network.endpoint(peer), sent);
        },
        setTimer: (name, delayUs) => {
          if (describing !== undefined) throw describeActed("ctx.setTimer");
          this.setTimer(slot, name, delayUs);
        },
        cancelTimer: (name) => {
          if (describing !== undefined) throw describeActed("ctx.cancelTimer");
          if (typeof name !== "string") throw timerNameNotText("ctx.cancelTimer", name);
          this.checkTimerDeclared("ctx.cancelTimer", name);
          if (slot.timers.has(name)) slot.timers.set(name, noTimer);
        },
        hasTimer: (name) => {
          if (typeof name !== "string") throw timerNameNotText("ctx.hasTimer", name);
          this.checkTimerDeclared("ctx.hasTimer", name);
          return (slot.timers.get(name) ?? noTimer) !== noTimer;
        },
        reply: (request, reply) => {
          if (describing !== undefined) throw describeActed("ctx.reply");
          checkReply(request, reply);
          if (reply.status === "redirect" && reply.leader !== undefined)
            this.nodeEndpoint(reply.leader, "ctx.reply");
          const sent = this.guardData
            ? this.sentCopy(reply, { call: "reply", from: id, to: request.client, request: request.id })
            : reply;
          const message: ClientReplyMessage = { type: "client-reply", requestId: request.id, reply: sent };
          this.send(slot.index, this.network.endpoint(request.client), message);
        },
        probe: (name) => this.observer?.probe(slot.index, name),
        note: (label, data) => {
          if (this.tracing) {
            const kept =
              data !== undefined && this.guardData
                ? notedCopy(id, label, data, this.nowUs, this.eventIndex)
                : data;
            this.trace.record(
              kept === undefined
                ? { kind: "note", t: this.nowUs, e: this.eventIndex, node: id, label }
                : { kind: "note", t: this.nowUs, e: this.eventIndex, node: id, label, data: kept },
            );
          }
        },
      }),
    };
    return slot;
  }

  private boot(slot: NodeSlot, restarted: boolean): void {
    guardState.node = slot.id;
    guardState.handler = "create";
    const instance: unknown = this.protocol.create(slot.context, this.options);
    if (typeof instance !== "object" || instance === null || isPromise(instance)) {
      const error = new TypeError(
        isPromise(instance)
          ? "create returned a Promise (is it async?): it must return the node itself, an object with its handlers"
          : `create returned ${shown(instance)}: it must return the node, an object with its handlers`,
      );
      // create has returned: no frame of the protocol's code is left to point at.
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
    const before = bootedBy(instance);
    if (before !== undefined && before.kernel === this) {
      const error = new TypeError(
        before.node === slot.id
          ? `create returned the object it returned for ${slot.id} before its crash: a node's state would outlive the crash; return a new object each time`
          : `create returned the object it returned for ${before.node}: the two nodes would share their state; return a new object each time`,
      );
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
    markBooted(instance, { kernel: this, node: slot.id });
    checkHandlerNames(slot.id, instance);
    slot.instance = instance as ProtocolNode;
    slot.up = true;
    slot.paused = false;
    slot.backlog = [];
    slot.timers.clear();
    guardState.handler = "onStart";
    const returned: unknown = slot.instance.onStart?.({ restarted });
    guardState.handler = undefined;
    if (returned !== undefined) checkReturned(returned, slot.id, "onStart");
    this.afterStep(slot, restarted ? "restart" : "start");
  }

  /**
   * Crashes a node: volatile state, timers and backlog are lost; storage stays, all of it, or
   * with `loseUnsynced` only what the node synced (the writes since its last sync are lost).
   */
  crash(id: NodeId, options: { readonly loseUnsynced?: boolean } = {}): void {
    const slot = this.slot(id);
    if (!slot.up) return;
    slot.up = false;
    slot.instance = undefined;
    slot.paused = false;
    slot.backlog = [];
    slot.timers.clear();
    slot.role = undefined;
    slot.leading = false;
    if (this.tracing) this.trace.record({ kind: "crash", t: this.nowUs, e: this.eventIndex, node: id });
    if (options.loseUnsynced === true) {
      const writes = slot.storage.loseUnsynced();
      if (this.tracing) {
        const at = { t: this.nowUs, e: this.eventIndex };
        this.trace.record({ kind: "note", ...at, node: id, label: "lost-unsynced-writes", data: { writes } });
      }
    }
    this.afterStep(slot, "crash");
  }

  /** Restarts a crashed node from its durable storage. */
  restart(id: NodeId): void {
    const slot = this.slot(id);
    if (slot.up) return;
    if (this.tracing) this.trace.record({ kind: "restart", t: this.nowUs, e: this.eventIndex, node: id });
    this.boot(slot, true);
  }

  pause(id: NodeId): void {
    const slot = this.slot(id);
    if (!slot.up || slot.paused) return;
    slot.paused = true;
    if (this.tracing) this.trace.record({ kind: "pause", t: this.nowUs, e: this.eventIndex, node: id });
  }

  resume(id: NodeId): void {
    const slot = this.slot(id);
    if (!slot.up || !slot.paused) return;
    slot.paused = false;
    if (this.tracing) this.trace.record({ kind: "resume", t: this.nowUs, e: this.eventIndex, node: id });
    const backlog = slot.backlog;
    slot.backlog = [];
    for (const item of backlog) this.handle(item);
  }

  /** Sets a node's clock drift: its local clock runs at (1 + rate) times real speed from now on. */
  drift(id: NodeId, rate: number): void {
    if (!(rate > -1)) throw new Error(`drift rate must be above -1, got ${rate}`);
    const slot = this.slot(id);
    slot.clockBaseLocalUs = slot.context.now();
    slot.clockBaseSimUs = this.nowUs;
    slot.clockRate = 1 + rate;
    if (this.tracing) this.trace.record({ kind: "drift", t: this.nowUs, e: this.eventIndex, node: id, rate });
  }

  /**
   * Cuts node `id` off from every other node, both ways (a fault timeline's `isolate`, a
   * schedule's `isolate` step); clients still reach it. The trace shows it as a partition.
   */
  isolate(id: NodeId): void {
    const others = this.nodeIds.filter((name) => name !== id);
    this.network.isolate(id, others);
    if (this.tracing) {
      this.trace.record({ kind: "partition", t: this.nowUs, e: this.eventIndex, groups: [[id], others] });
    }
  }

  /** Ends every partition and cut link (a fault timeline's or a schedule's `heal`). */
  heal(): void {
    this.network.heal();
    if (this.tracing) this.trace.record({ kind: "heal", t: this.nowUs, e: this.eventIndex });
  }

  /** Whether the protocol lists `name` in its `timers` (false when it declares none). */
  declaresTimer(name: string): boolean {
    return this.timerNames?.has(name) ?? false;
  }

  /** Whether node `id` has timer `name` set and not yet fired or cancelled. */
  hasPendingTimer(id: NodeId, name: string): boolean {
    return (this.slot(id).timers.get(name) ?? noTimer) !== noTimer;
  }

  /** Fires timer `name` of node `id` now, as if it had expired (scenario action `timeout`). */
  fireTimerNow(id: NodeId, name: string): void {
    const slot = this.slot(id);
    if (!slot.up) return;
    const generation = ++this.timerGeneration;
    slot.timers.set(name, generation);
    this.fireTimer({ kind: timerKind, node: slot.index, name, generation });
  }

  private setTimer(slot: NodeSlot, name: string, delayUs: number): void {
    // Names are text in traces, scenario schedules and `explore --timers`: a number 7 there would
    // read back as another timer than "7".
    if (typeof name !== "string") throw timerNameNotText("ctx.setTimer", name);
    this.checkTimerDeclared("ctx.setTimer", name);
    // A missing or NaN delay would queue the timer at no time at all (a run that never ends).
    if (typeof delayUs !== "number" || !Number.isFinite(delayUs)) {
      throw new TypeError(
        `ctx.setTimer(${JSON.stringify(name)}, ${String(delayUs)}): the delay must be a finite number of microseconds`,
      );
    }
    const generation = ++this.timerGeneration;
    slot.timers.set(name, generation);
    const realDelayUs = Math.max(0, Math.ceil(delayUs / slot.clockRate));
    if (realDelayUs === 0 && this.choices === undefined && this.tooManyAtOnce())
      throw this.standstill(`ctx.setTimer(${JSON.stringify(name)}, ${delayUs})`);
    this.queue.push(this.nowUs + realDelayUs, { kind: timerKind, node: slot.index, name, generation });
  }

  /** Throws, in the handler, for a timer name the protocol's `timers` do not list. */
  private checkTimerDeclared(call: string, name: string): void {
    const declared = this.timerNames;
    if (declared === undefined || declared.has(name)) return;
    const rest = call === "ctx.setTimer" ? ", …" : "";
    throw new TypeError(
      `${call}(${JSON.stringify(name)}${rest}): '${name}' is not one of the timers ${this.protocol.name} declares (timers: ${[...declared].join(", ")})${didYouMean(name, declared)}`,
    );
  }

  /**
   * Counts the timers and messages nodes make due at the instant they are made (a zero delay, a
   * zero latency), and says true once `atOnceMax` of them fall on one instant: time then stands
   * still (a timer that re-arms itself at once, two nodes answering each other with no latency),
   * and the run would never end; the caller throws `standstill` in the handler. Only time-ordered
   * runs count: under choice scheduling messages arrive when they are chosen, and the depth bounds
   * the run. (A closure that made the message here would capture the caller's variables, and V8
   * then allocates them on every call of `send`, whether or not the closure is made.)
   */
  private tooManyAtOnce(): boolean {
    if (this.atOnceUs !== this.nowUs) {
      this.atOnceUs = this.nowUs;
      this.atOnceCount = 0;
    }
    return ++this.atOnceCount >= atOnceMax;
  }

  /** The error for `what`, the timer or message that made time stand still (`tooManyAtOnce`). */
  private standstill(what: string): Error {
    return new Error(
      `${what}: ${atOnceMax} timers and messages fell due at once at t=${formatDuration(this.nowUs)}, so simulated time stands still and the run would never end; a timer or message that sets off another with no delay loops (docs/node-api.md, "What a handler may do")`,
    );
  }

  private fireTimer(item: QueueItem & { kind: typeof timerKind }): void {
    // Checked again here: a timer that waited in a paused node's backlog may be spent by now.
    if (this.timerIsSpent(item)) return;
    const slot = this.slots[item.node] as NodeSlot;
    if (slot.paused) {
      slot.backlog.push(item);
      return;
    }
    slot.timers.set(item.name, noTimer);
    if (this.tracing) {
      const trace = this.trace;
      const at = this.traceFields.node(
        this.nowUs,
        this.eventIndex,
        this.endpointSymbols[slot.index] as number,
      );
      trace.timer(at, trace.symbol(item.name));
    }
    guardState.node = slot.id;
    guardState.handler = "onTimer";
    const instance = slot.instance as ProtocolNode;
    if (instance.onTimer === undefined) throw missingTimerHandler(slot.id, item.name);
    const returned: unknown = instance.onTimer(item.name);
    guardState.handler = undefined;
    if (returned !== undefined) checkReturned(returned, slot.id, "onTimer");
    this.afterStep(slot, "timer");
  }

  /**
   * Records a (node, term) in a leading role the first time it is seen, with the node's group
   * when the protocol declares groups (a node's group never changes).
   */
  private noteLeader(node: NodeId, term: number, instance: ProtocolNode): void {
    if (node === this.lastLeaderNode && term === this.lastLeaderTerm) return;
    this.lastLeaderNode = node;
    this.lastLeaderTerm = term;
    let terms = this.termsLedByNode.get(node);
    if (terms === undefined) {
      terms = new Set();
      this.termsLedByNode.set(node, terms);
    }
    if (terms.has(term)) return;
    terms.add(term);
    if (this.roles?.groupOf !== undefined) {
      let group: string;
      try {
        group = this.roles.groupOf(instance);
      } catch (error) {
        throw declarationFailed(node, "roles.groupOf", error, "Declaring roles and logs");
      }
      this.leaderships.push({ node, term, timeUs: this.nowUs, group });
    } else {
      this.leaderships.push({ node, term, timeUs: this.nowUs });
    }
    for (const listener of this.leadershipListeners) listener();
  }

  /**
   * Calls `listener` each time a leadership is added to `leaderships`, right after the step that
   * showed it (fault actions that wait for the next leader, sim/faults.ts).
   */
  onLeadership(listener: () => void): void {
    this.leadershipListeners.push(listener);
  }

  // ---- messages ----------------------------------------------------------------------------

  /** Sends a message between endpoints (node or client numbers). */
  send(from: number, to: number, message: Message): void {
    if (this.freezeMessages) freezeMessage(message);
    const id = this.nextMessageId++;
    const type = message.type;
    const typeEntry = this.messageTypes.sent(type);
    this.observer?.message(from, to, type);
    const arrivalUs = this.network.transmit(from, to, this.nowUs);
    if (arrivalUs <= this.nowUs) {
      // A message the network drops needs no queue entry unless the trace tells of it: fuzz runs
      // drop many under partitions and loss.
      if (arrivalUs < 0) {
        if (!this.tracing) return;
      } else if (from < this.slots.length && this.choices === undefined && this.tooManyAtOnce()) {
        throw this.standstill(`a ${type} message from ${this.nodeIds[from]} to ${this.network.names[to]}`);
      }
    }
    const delivery: QueueItem = { kind: deliverKind, from, to, id, message, type: typeEntry.symbol };
    // What the trace says of this message (its send, and a drop or duplicate decided now).
    const fields = this.tracing ? this.traceFields.message(this.nowUs, this.eventIndex, delivery) : undefined;
    if (fields !== undefined) this.trace.send(fields, message);
    if (arrivalUs < 0) {
      if (fields !== undefined) this.trace.arrival("drop", fields, lossReason(arrivalUs));
      return;
    }
    this.queue.push(arrivalUs, delivery);
    const duplicateUs = this.network.duplicateArrivalUs;
    if (duplicateUs >= 0) {
      const copy = this.nextMessageId++;
      if (fields !== undefined) this.trace.duplicate(fields, copy);
      this.queue.push(duplicateUs, {
        kind: deliverKind,
        from,
        to,
        id: copy,
        message,
        type: typeEntry.symbol,
      });
    }
  }

  /**
   * Drops, delays or duplicates message `id` when it arrives (a scenario's `drop`, `delay` or
   * `duplicate` step). Does nothing, and says why, when no message has that id yet (`unsent`) or
   * the message is no longer in flight (`gone`: delivered, or lost, before now).
   */
  faultMessage(id: number, fault: MessageFault): "set" | "unsent" | "gone" {
    if (!Number.isInteger(id) || id < 0 || id >= this.nextMessageId) return "unsent";
    // A scan of the queue, and of paused nodes' backlogs (a message that came due while its node
    // was paused waits there, still in flight), once per scripted step: nothing keeps an index of
    // messages by id.
    const pending = (item: QueueItem): boolean => item.kind === deliverKind && item.id === id;
    if (!this.queue.some(pending) && !this.slots.some((slot) => slot.backlog.some(pending))) return "gone";
    this.messageFaults.set(id, fault);
    return "set";
  }

  /** Applies a scripted fault to an arriving message; true when the message does not arrive now. */
  private applyMessageFault(item: QueueItem & { kind: typeof deliverKind }): boolean {
    const fault = this.messageFaults.get(item.id);
    if (fault === undefined) return false;
    this.messageFaults.delete(item.id);
    switch (fault.kind) {
      case "drop":
        if (this.tracing) this.recordArrival(item, "drop", "scripted");
        return true;
      case "delay":
        this.queue.push(this.nowUs + fault.delayUs, item);
        return true;
      case "duplicate": {
        const copy = this.nextMessageId++;
        if (this.tracing) {
          this.trace.duplicate(this.traceFields.message(this.nowUs, this.eventIndex, item), copy);
        }
        this.queue.push(this.nowUs, { ...item, id: copy });
        return false;
      }
    }
  }

  /** Sends a message from a client endpoint to a node. */
  sendFromClient(client: string, to: NodeId, message: Message): void {
    // A module's node gets a frozen copy of a request (`KernelConfig.guardData`): one that changed
    // the request it got changed the client's retries and the completion in its history.
    const sent = this.guardData ? frozenCopy(message) : message;
    this.send(this.network.endpoint(client), this.network.endpoint(to), sent);
  }

  private deliver(item: QueueItem & { kind: typeof deliverKind }): void {
    const names = this.network.names;
    const type = item.message.type;
    if (this.messageFaults.size > 0 && this.applyMessageFault(item)) return;
    if (!this.network.reachable(item.from, item.to)) {
      if (this.tracing) this.recordArrival(item, "drop", "partition");
      return;
    }
    if (item.to >= this.slots.length) {
      if (this.tracing) this.recordArrival(item, "deliver");
      this.clientEndpoints[item.to - this.slots.length]?.receive(
        names[item.from] as string,
        item.message as ClientReplyMessage,
      );
      return;
    }
    const slot = this.slots[item.to] as NodeSlot;
    if (!slot.up) {
      if (this.tracing) this.recordArrival(item, "drop", "crashed");
      return;
    }
    if (slot.paused) {
      slot.backlog.push(item);
      return;
    }
    if (this.tracing) this.recordArrival(item, "deliver");
    const instance = slot.instance as ProtocolNode;
    guardState.node = slot.id;
    if (type === "client-request" && item.from >= this.slots.length) {
      if (instance.onClientRequest === undefined)
        throw missingHandler(slot.id, "onClientRequest", item, names);
      guardState.handler = "onClientRequest";
      const returned: unknown = instance.onClientRequest((item.message as ClientRequestMessage).request);
      guardState.handler = undefined;
      if (returned !== undefined) checkReturned(returned, slot.id, "onClientRequest");
      this.afterStep(slot, "client");
    } else {
      if (instance.onMessage === undefined) throw missingHandler(slot.id, "onMessage", item, names);
      guardState.handler = "onMessage";
      const returned: unknown = instance.onMessage(names[item.from] as string, item.message);
      guardState.handler = undefined;
      if (returned !== undefined) checkReturned(returned, slot.id, "onMessage");
      this.afterStep(slot, "message");
    }
  }

  /** Records what became of a message when it arrived: delivered, or dropped and why. */
  private recordArrival(
    item: QueueItem & { kind: typeof deliverKind },
    kind: ArrivalKind,
    reason: DropReason = "partition",
  ): void {
    this.trace.arrival(kind, this.traceFields.message(this.nowUs, this.eventIndex, item), reason);
  }

  // ---- invariants ----------------------------------------------------------------------------

  private afterStep(slot: NodeSlot, cause: StepView<unknown>["cause"]): void {
    if (slot.instance !== undefined) this.observe(slot, slot.instance);
    const invariants = this.invariants;
    if (invariants.length === 0) return;
    this.view.actor = slot.id;
    this.view.actorIndex = slot.index;
    this.view.actorSlot = slot;
    this.view.cause = cause;
    const failed = this.invariantFailed;
    // -1 while the shared records are brought up to date, then the monitor running.
    let running = -1;
    try {
      this.sharedRecords.afterStep(this.view);
      for (running = 0; running < invariants.length; running++) {
        const invariant = invariants[running] as ActiveInvariant;
        if (failed[running] === true || invariant.afterStep === undefined) continue;
        const failure = invariant.afterStep(this.view);
        if (failure !== undefined) this.fail(running, failure, slot.id);
      }
    } catch (error) {
      const invariant = running < 0 ? undefined : (invariants[running] as ActiveInvariant).name;
      this.monitorThrew(invariant, error, slot.id);
    }
  }

  /**
   * An invariant's monitor (or a record the monitors share) threw: a mistake in the checking code,
   * found in this very state. Like a handler's, it is the finding `exception`, naming the
   * invariant, the error and where it was thrown, so the run that shows it can be replayed.
   */
  private monitorThrew(invariant: string | undefined, error: unknown, actor?: NodeId): void {
    if (error instanceof DeterminismError) throw error;
    const { name, text, frame, shortFrame } = describeThrown(error);
    const what = invariant === undefined ? "a record the invariants share" : `invariant ${invariant}`;
    this.exception(
      `${what} threw ${name} ${whenChecked(actor)}: ${text.split("\n")[0]}${shortFrame}`,
      {
        ...(invariant === undefined ? {} : { invariant }),
        ...(actor === undefined ? {} : { node: actor }),
        error: `${name}: ${text}`,
      },
      frame,
    );
  }

  /**
   * Reads what a node shows after its step: its description when a trace is recorded (the trace
   * drops one equal to the node's previous), and its role and term through the protocol's
   * accessors, or from a description when it declares none.
   */
  private observe(slot: NodeSlot, node: ProtocolNode): void {
    let description: StateDescription | undefined;
    if (this.tracing && node.describe !== undefined) {
      const symbol = this.endpointSymbols[slot.index] as number;
      const last = this.trace.lastDescription(symbol) as StateDescription | undefined;
      description = described(slot.id, node, last, this.guardData);
      if (this.guardData && description !== last)
        description = describedCopy(slot.id, description, last, this.nowUs, this.eventIndex);
      this.trace.state(this.traceFields.node(this.nowUs, this.eventIndex, symbol), description);
    }
    const roles = this.roles;
    const roleBefore = slot.role;
    const termBefore = slot.term;
    if (roles?.roleOf !== undefined) {
      try {
        slot.role = roles.roleOf(node);
        slot.term = roles.termOf?.(node) ?? 0;
      } catch (error) {
        throw declarationFailed(slot.id, "roles.roleOf or roles.termOf", error, "Declaring roles and logs");
      }
    } else if (this.leadingRoles.size > 0) {
      description ??= described(slot.id, node, undefined, this.guardData);
      slot.role = typeof description?.role === "string" ? description.role : undefined;
      slot.term = typeof description?.term === "number" ? description.term : 0;
    }
    if (this.tracing && node.describe === undefined && roles?.roleOf !== undefined)
      this.traceRole(slot, roleBefore !== slot.role || termBefore !== slot.term);
    if (slot.role !== roleBefore) {
      if (slot.role !== undefined && roles !== undefined && !roles.names.includes(slot.role)) {
        throw unnamedRole(slot.id, slot.role, roles.names, roles.roleOf !== undefined);
      }
      slot.leading = slot.role !== undefined && this.leadingRoles.has(slot.role);
      this.observer?.role(slot.index, slot.role ?? "", slot.term, this.nowUs);
    } else if (slot.term !== termBefore) {
      this.observer?.role(slot.index, slot.role ?? "", slot.term, this.nowUs);
    }
    if (slot.leading) this.noteLeader(slot.id, slot.term, node);
  }

  /**
   * A node that declares `roles.roleOf` but does not describe itself: its role and term are what
   * the trace shows of it, so that reports and the timeline see its leaderships as `run` counts
   * them. Recorded when they change, and at the node's first step (after a start or a restart).
   */
  private traceRole(slot: NodeSlot, changed: boolean): void {
    const symbol = this.endpointSymbols[slot.index] as number;
    if (!changed && this.trace.lastDescription(symbol) !== undefined) return;
    const shown = slot.role === undefined ? { term: slot.term } : { role: slot.role, term: slot.term };
    this.trace.state(this.traceFields.node(this.nowUs, this.eventIndex, symbol), shown);
  }

  /** Runs every invariant's end-of-run check. */
  checkAtEnd(): void {
    for (let index = 0; index < this.invariants.length; index++) {
      const monitor = (this.invariants[index] as ActiveInvariant).monitor;
      if (this.invariantFailed[index] === true || monitor.atEnd === undefined) continue;
      let failure: InvariantFailure | undefined;
      try {
        failure = monitor.atEnd(this.view);
      } catch (error) {
        this.monitorThrew((this.invariants[index] as ActiveInvariant).name, error);
        return;
      }
      if (failure !== undefined) this.fail(index, failure);
    }
  }

  /** Records a violation found outside the protocol's own invariants (history checks). */
  recordViolation(violation: Omit<Violation, "timeUs" | "event">): void {
    this.pushViolation({ ...violation, timeUs: this.nowUs, event: this.eventIndex });
  }

  /** Records invariant `index`'s failure; `actor`: the node whose step it follows (none at the end). */
  private fail(index: number, failure: InvariantFailure, actor?: NodeId): void {
    const invariant = this.invariants[index] as ActiveInvariant;
    if (!isFailure(failure)) {
      // The checking code's mistake, found in this state: replayable, like a monitor that throws.
      this.exception(
        `invariant ${invariant.name} returned ${shown(failure)} ${whenChecked(actor)}, where undefined (no failure) or {message, witnesses} was expected`,
        { invariant: invariant.name, ...(actor === undefined ? {} : { node: actor }) },
      );
      return;
    }
    this.invariantFailed[index] = true;
    this.pushViolation({
      invariant: invariant.name,
      kind: invariant.kind,
      timeUs: this.nowUs,
      event: this.eventIndex,
      message: failure.message,
      ...(failure.witnesses === undefined ? {} : { witnesses: failure.witnesses }),
    });
    if (invariant.kind === "safety" && this.stopOnViolation) this.stopped = true;
  }

  private pushViolation(violation: Violation): void {
    this.violations.push(violation);
    if (this.tracing) {
      if (this.guardData && violation.witnesses !== undefined) checkWitnesses(violation);
      this.trace.record({
        kind: "violation",
        t: violation.timeUs,
        e: violation.event,
        invariant: violation.invariant,
        message: violation.message,
        ...(violation.witnesses === undefined ? {} : { witnesses: violation.witnesses }),
      });
    }
  }

  /**
   * A module's message or reply as a frozen deep copy (`KernelConfig.guardData`). A value that
   * cannot be copied (a function, say) is a TypeError in the sending handler, naming the call; one
   * JSON would write as something else (a Map, NaN) is one line, exit code 2, naming the record:
   * the receiver would get what the trace does not show.
   */
  private sentCopy<T>(message: T, sent: SentBy): T {
    try {
      return frozenJsonCopy(message);
    } catch (error) {
      if (error instanceof NotJson) {
        const type = (message as { type?: unknown }).type;
        const what =
          sent.call === "reply"
            ? `${sent.from}'s reply to ${sent.to} (request ${sent.request})`
            : sent.call === "send"
              ? `a ${String(type)} message from ${sent.from} to ${sent.to}`
              : `a ${String(type)} message ${sent.from} broadcast`;
        throw notJson(error, what, this.nowUs, this.eventIndex);
      }
      const named =
        sent.call === "send"
          ? `ctx.send(${JSON.stringify(sent.to)}, …)`
          : sent.call === "reply"
            ? "ctx.reply(request, …)"
            : "ctx.broadcast(…)";
      const what = sent.call === "reply" ? "the reply" : "the message";
      throw new TypeError(`${named}: ${(error as Error).message.replace(/^the value/, what)}`);
    }
  }

  // ---- inspection (faults, runner, invariants) -----------------------------------------------

  /**
   * The endpoint number of node `id`, for a node's `ctx.send` or the `leader` of its redirect;
   * throws in the handler when `id` names a client or nothing. A client would send its next
   * attempt to a redirect's `leader`, outside any handler, and a message a node sent to a client
   * reached it as if it were a reply.
   */
  private nodeEndpoint(id: NodeId, call: "ctx.send" | "ctx.reply"): number {
    const slot = this.slotsById.get(id);
    if (slot !== undefined) return slot.index;
    const what = this.clientIds.includes(id) ? `${id} is a client` : `there is no ${shown(id)}`;
    const fix =
      call === "ctx.send"
        ? "a node sends only to nodes, and answers a client with ctx.reply"
        : "a redirect's leader is a node";
    throw new TypeError(
      `${call === "ctx.send" ? `ctx.send(${shown(id)}, …)` : `ctx.reply(request, {status: "redirect", leader: ${shown(id)}})`}: ${what}, not a node of this cluster (${this.nodeIds.join(", ")}); ${fix}`,
    );
  }

  private slot(id: NodeId): NodeSlot {
    const slot = this.slotsById.get(id);
    if (slot === undefined) throw new Error(`unknown node '${id}'`);
    return slot;
  }

  isUp(id: NodeId): boolean {
    return this.slot(id).up;
  }

  /** A node's clock: its rate (1: real speed) and the (simulated, local) instant it was last set at. */
  clockOf(id: NodeId): { readonly rate: number; readonly baseSimUs: number; readonly baseLocalUs: number } {
    const slot = this.slot(id);
    return { rate: slot.clockRate, baseSimUs: slot.clockBaseSimUs, baseLocalUs: slot.clockBaseLocalUs };
  }

  isPaused(id: NodeId): boolean {
    return this.slot(id).paused;
  }

  /** The node's description now, asked of it (undefined while crashed or if it describes nothing). */
  stateOf(id: NodeId): StateDescription | undefined {
    const node = this.slot(id).instance;
    return node === undefined ? undefined : described(id, node, undefined, this.guardData);
  }

  /** The node's role after its last step (undefined while crashed or if it shows none). */
  roleOf(id: NodeId): string | undefined {
    const slot = this.slot(id);
    return slot.up ? slot.role : undefined;
  }

  /** The node object, for invariants and tests; undefined while crashed. */
  nodeObject(id: NodeId): ProtocolNode | undefined {
    return this.slot(id).instance;
  }

  /**
   * The object that holds all of node `id`'s runtime state (its object, storage, random stream,
   * timers, role): exploration saves and restores each node's part of a state on its own.
   */
  nodeStateRoot(id: NodeId): object {
    return this.slot(id);
  }

  /**
   * The kernel's objects that are no part of a run's state, which exploration leaves out of the
   * states it saves. What never changes once the run is set up: the node and client lists, the
   * slots and their table, the clients' endpoints, the invariants, the endpoints' trace symbols,
   * the leading roles and the declared timer names. What no step reads: the view handed to
   * monitors (its actor and cause are set before each use), the fields of the trace record being
   * written, and the count of messages sent by type (a figure for reports). Walked with the rest, they were 16 of the
   * kernel's 28 objects in a Paxos state, compared on every restore, and the view and the counts,
   * which change on most steps, were copied on every save.
   */
  outsideState(): readonly object[] {
    return [
      this.nodeIds,
      this.clientIds,
      this.slots,
      this.slotsById,
      this.clientEndpoints,
      this.invariants,
      this.endpointSymbols,
      this.leadingRoles,
      ...(this.timerNames === undefined ? [] : [this.timerNames]),
      this.view,
      this.traceFields,
      this.messageTypes,
    ];
  }

  /**
   * The `state` objects of the monitors of the invariants checked, each once (monitors may share
   * one): exploration saves each on its own, and shares those a step left alone between states.
   * Rooting them at the kernel's record of each invariant and the monitor object, which never
   * change, walked and compared 16 more objects per state saved or restored (Raft, 8 monitors).
   */
  invariantStateRoots(): readonly object[] {
    const roots = new Set<object>();
    for (const { name, monitor } of this.invariants) {
      let state: unknown;
      try {
        state = monitor.state;
      } catch (error) {
        throw new InputError(
          `invariant ${name}: reading its monitor's state threw ${describeThrown(error).summary}; state must be a field holding what the monitor remembers (docs/node-api.md, "Invariants")`,
        );
      }
      if (typeof state === "object" && state !== null) roots.add(state);
    }
    return [...roots];
  }

  /** The context the kernel handed the node (its random stream, its storage...). */
  contextOf(id: NodeId): NodeContext {
    return this.slot(id).context;
  }

  storageOf(id: NodeId): MemoryStorage {
    return this.slot(id).storage;
  }

  /** The live node in a role the protocol declares leading (highest term first), if any. */
  leader(): NodeId | undefined {
    let best: NodeId | undefined;
    let bestTerm = Number.NEGATIVE_INFINITY;
    for (const slot of this.slots) {
      if (!slot.up || slot.role === undefined || !this.leadingRoles.has(slot.role)) continue;
      const term = slot.term;
      if (term > bestTerm) {
        best = slot.id;
        bestTerm = term;
      }
    }
    return best;
  }

  /** The cluster view handed to invariants. */
  clusterView(): ClusterView<unknown> {
    return this.view;
  }
}

/**
 * The named fields the kernel hands the trace, in two objects refilled for every record: the
 * trace copies what it keeps before it returns. A fresh object per message cost the kernel bench
 * (bench/kernel.ts, trace hashed or kept) about 10% of its throughput.
 */
class TraceFields {
  private readonly messageFields = { t: 0, e: 0, from: 0, to: 0, id: 0, type: 0 };
  private readonly nodeFields = { t: 0, e: 0, node: 0 };

  /** `endpointSymbols[endpoint]`: the trace symbol of each endpoint's name. */
  constructor(private readonly endpointSymbols: readonly number[]) {}

  /** The fields of a record about `delivery` (its endpoints as numbers, its type as a symbol). */
  message(t: number, e: number, delivery: DeliveryFields): MessageFields {
    const fields = this.messageFields;
    fields.t = t;
    fields.e = e;
    fields.from = this.endpointSymbols[delivery.from] as number;
    fields.to = this.endpointSymbols[delivery.to] as number;
    fields.id = delivery.id;
    fields.type = delivery.type;
    return fields;
  }

  node(t: number, e: number, node: number): NodeFields {
    const fields = this.nodeFields;
    fields.t = t;
    fields.e = e;
    fields.node = node;
    return fields;
  }
}

class KernelView implements StepView<unknown> {
  actor: NodeId = "";
  actorIndex = 0;
  /** The actor's slot, so that monitors asking for the actor (nearly all asks) skip the lookup. */
  actorSlot: NodeSlot | undefined;
  cause: StepView<unknown>["cause"] = "start";

  constructor(private readonly kernel: Kernel) {}

  get timeUs(): number {
    return this.kernel.timeUs;
  }

  get eventIndex(): number {
    return this.kernel.events;
  }

  get nodes(): readonly NodeId[] {
    return this.kernel.nodeIds;
  }

  node(id: NodeId): unknown {
    const slot = this.actorSlot;
    const node = slot !== undefined && id === slot.id ? slot.instance : this.kernel.nodeObject(id);
    return this.kernel.guardsData ? readOnlyView(node, id) : node;
  }

  storage(id: NodeId): Pick<DurableStorage, "get" | "list"> {
    const storage = this.kernel.storageOf(id);
    return this.kernel.guardsData ? readOnlyStorage(storage, id) : storage;
  }
}

/** Why the network lost a message when it was sent (a negative `transmit` result). */
function lossReason(result: number): DropReason {
  if (result === cutUs) return "partition";
  return result === burstLostUs ? "burst" : "loss";
}

/**
 * Throws (in the sending handler: the finding `exception`) unless `message` is an object with a
 * string `type`: anything else would reach the receiver and the trace as junk.
 */
function checkMessage(message: unknown, to?: NodeId): void {
  if (typeof message === "object" && message !== null && typeof (message as Message).type === "string")
    return;
  // Named only here: building the call's text on every send made a Raft run 13 % slower.
  const call = to === undefined ? "ctx.broadcast(…)" : `ctx.send(${JSON.stringify(to)}, …)`;
  throw new TypeError(`${call}: a message is an object with a string \`type\`, got ${shown(message)}`);
}

/**
 * Throws (in the replying handler: the finding `exception`) unless `request` is a request as
 * `onClientRequest` received it and `reply` one of the replies a client understands: a client
 * would ignore any other and wait for its deadline.
 */
function checkReply(request: unknown, reply: unknown): void {
  const asked = request as { id?: unknown; client?: unknown } | null;
  if (
    typeof asked !== "object" ||
    asked === null ||
    typeof asked.id !== "string" ||
    typeof asked.client !== "string"
  ) {
    throw new TypeError(
      `ctx.reply(${shown(request)}, …): the first argument is the request being answered, as onClientRequest received it`,
    );
  }
  const answer = reply as { status?: unknown; error?: unknown; leader?: unknown } | null;
  const understood =
    typeof answer === "object" &&
    answer !== null &&
    (answer.status === "ok" ||
      (answer.status === "fail" && typeof answer.error === "string") ||
      (answer.status === "redirect" && (answer.leader === undefined || typeof answer.leader === "string")));
  if (!understood) {
    throw new TypeError(
      `ctx.reply(request, ${shown(reply)}): a reply is {status: "ok", value?}, {status: "fail", error} or {status: "redirect", leader?}`,
    );
  }
  // A read answered ok without a value was recorded as reading null, which the history checker
  // then held against the writes: a value the node forgot to send looked like a stale read.
  if (answer.status === "ok" && (answer as { value?: unknown }).value === undefined) {
    const f = (request as { f?: unknown }).f;
    if (f === "read" || f === "get") {
      throw new TypeError(
        `ctx.reply(request ${asked.id} (${f}), ${shown(reply)}): an ok reply to a ${f} carries the value read, null when there is none`,
      );
    }
  }
}

/** Whether a monitor's answer is a failure: a message, and witnesses (if any) in a record. */
function isFailure(value: unknown): value is InvariantFailure {
  if (typeof value !== "object" || value === null) return false;
  const { message, witnesses } = value as { message?: unknown; witnesses?: unknown };
  return (
    typeof message === "string" &&
    (witnesses === undefined || (typeof witnesses === "object" && witnesses !== null))
  );
}

/** A value as a message shows it: JSON where it has one, short. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** When a monitor ran: after the step of `actor`, or (none) at the end of the run. */
function whenChecked(actor: NodeId | undefined): string {
  return actor === undefined ? "at the end of the run" : `after a step of ${actor}`;
}

/**
 * A monitor for one run, from the invariant's `create`. Monitors are made before anything runs,
 * so a `create` that throws or returns no monitor is a mistake in the protocol's module, reported
 * like bad input (one line naming the invariant, exit code 2).
 */
function createMonitor(
  invariant: Invariant<unknown>,
  shared: SharedRecords<unknown>,
): InvariantMonitor<unknown> {
  let monitor: unknown;
  try {
    monitor = invariant.create(shared);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`invariant ${invariant.name}: create threw ${describeThrown(error).summary}`);
  }
  if (typeof monitor !== "object" || monitor === null) {
    throw new InputError(
      `invariant ${invariant.name}: create returned ${shown(monitor)}: it must return the monitor, an object with afterStep or atEnd (docs/node-api.md, "Invariants")`,
    );
  }
  checkMonitorHooks(invariant.name, monitor);
  return monitor as InvariantMonitor<unknown>;
}

const monitorHooks = ["afterStep", "atEnd"] as const;

/**
 * A monitor's `afterStep` and `atEnd` are functions, one of them at least, and no method of it
 * misspells one: a monitor with `afterstep` or `atend` was never called, and every run said safe.
 */
function checkMonitorHooks(name: string, monitor: object): void {
  const hooks = monitor as Partial<Record<(typeof monitorHooks)[number], unknown>>;
  const problem = (text: string) =>
    new InputError(`invariant ${name}: ${text} (docs/node-api.md, "Invariants")`);
  for (const hook of monitorHooks) {
    if (hooks[hook] !== undefined && typeof hooks[hook] !== "function")
      throw problem(`its monitor's ${hook} is ${shown(hooks[hook])}, where a function was expected`);
  }
  const misspelt = misspeltMethod(monitor, monitorHooks);
  if (misspelt !== undefined)
    throw problem(`its monitor has ${misspelt.name}, which nothing calls; did you mean ${misspelt.meant}?`);
  if (hooks.afterStep === undefined && hooks.atEnd === undefined)
    throw problem(`create returned a monitor with neither afterStep nor atEnd, so nothing checks it`);
}

/** The kernel and node a node object was returned by `create` for. */
interface Booted {
  readonly kernel: Kernel;
  readonly node: NodeId;
}

/**
 * Each node object `create` returned remembers the kernel and node it was returned for: one
 * returned again would share a node's state with another node, or carry it past a crash. Kept in a
 * hidden slot on the object (symbol-keyed, not enumerable: the snapshot walk, the fingerprint and a
 * read-only view do not see it), outside the kernel's fields, which exploration saves and restores.
 * A table from object to kernel made fuzzing Raft 15 % slower (735k against 860k events/s): every
 * node object of every run was an entry the garbage collector had to weigh.
 * Objects that take no new field are kept in the table.
 */
const bootedSlot: unique symbol = Symbol("quorumlab.booted");

const bootedSealed = new WeakMap<object, Booted>();

function bootedBy(instance: object): Booted | undefined {
  return (instance as { [bootedSlot]?: Booted })[bootedSlot] ?? bootedSealed.get(instance);
}

function markBooted(instance: object, booted: Booted): void {
  if (Object.isExtensible(instance)) {
    Object.defineProperty(instance, bootedSlot, { value: booted, writable: true, configurable: true });
  } else {
    bootedSealed.set(instance, booted);
  }
}

/**
 * The node whose `describe()` is running, if any: what it shows must only read the node, since
 * only traced runs call it, and a send or a timer set there would make them other runs.
 */
let describing: NodeId | undefined;

/**
 * `node.describe(last)`. A description that throws, or that acts (`describeActed`), is a mistake
 * in the protocol's module, not a finding: descriptions are asked for only while a trace is
 * recorded, so a finding would come and go with the trace. One line, exit code 2, as for a
 * description JSON cannot write (`declarationFailed`).
 */
function described(
  id: NodeId,
  node: ProtocolNode,
  last: StateDescription | undefined,
  guarded: boolean,
): StateDescription | undefined {
  describing = id;
  try {
    return guarded ? describedThroughView(id, node, last) : node.describe?.(last);
  } catch (error) {
    throw declarationFailed(id, "describe()", error, "Describing state");
  } finally {
    describing = undefined;
  }
}

/**
 * A module's node described through a read-only view of it (`KernelConfig.guardData`): a
 * `describe()` that changed its node (sorting its log for the trace, say) changed only the runs
 * that keep a trace, and a run then did what no fuzzed run of the same seed did. A class whose
 * `describe()` reads `#private` fields cannot run on a view (a Proxy has none): it runs on the
 * node itself, unguarded.
 */
function describedThroughView(
  id: NodeId,
  node: ProtocolNode,
  last: StateDescription | undefined,
): StateDescription | undefined {
  const describe = node.describe;
  if (describe === undefined) return undefined;
  try {
    return describe.call(readOnlyView(node, id), last);
  } catch (error) {
    if (!(error instanceof TypeError && privateAccess.test(error.message))) throw error;
    return describe.call(node, last);
  }
}

/** V8's messages for a private field or method reached on an object that lacks it (a view). */
const privateAccess = /private member|must be an instance of class/;

/** The error for a timer name that is not a string (`call` is the context function given it). */
function timerNameNotText(call: string, name: unknown): TypeError {
  const shown = typeof name === "symbol" ? String(name) : (JSON.stringify(name) ?? String(name));
  const rest = call === "ctx.setTimer" ? ", …" : "";
  return new TypeError(`${call}(${shown}${rest}): a timer's name must be a string, got ${typeof name}`);
}

/** The error for a `describe()` that called one of its node's effects (`call`). */
function describeActed(call: string): InputError {
  return new InputError(
    `${describing}: describe() called ${call}: describing a node only reads it, since only runs that keep a trace describe their nodes (docs/node-api.md, "What a handler may do")`,
  );
}

/** Whether `value` is a Promise or another thenable. */
function isPromise(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

/**
 * Refuses a handler that returned a Promise: an async handler. A step runs to completion in zero
 * simulated time, so what such a handler does after its first `await` would run once the
 * simulation has moved on (or ended), outside every step, every check and the trace.
 */
function checkReturned(returned: unknown, id: NodeId, handler: string): void {
  if (!isPromise(returned)) return;
  throw new InputError(
    `${id}: ${handler} returned a Promise (is it async?): a handler runs to completion within its step, so what it does after an await would happen outside the simulation; make it synchronous (docs/node-api.md, "What a handler may do")`,
  );
}

/** What the kernel calls on a node object, by name. */
const nodeMethods = [
  "onStart",
  "onMessage",
  "onTimer",
  "onClientRequest",
  "describe",
  "fingerprint",
] as const;

/** Per class of node object (its prototype): what its instances misspell, or null. */
const misspeltMethods = new WeakMap<object, string | null>();

/**
 * Throws when a node object has a method whose name is a near miss of a handler it lacks
 * (`onstart`, `onTimeout` without `onTimer`): nothing calls it, so a node whose `onstart` set its
 * first timer never started, and every run said safe. Checked once per class; an object literal's
 * own fields each time.
 */
function checkHandlerNames(id: NodeId, node: object): void {
  const prototype = Object.getPrototypeOf(node) as object | null;
  const plain = prototype === Object.prototype || prototype === null;
  let problem = plain ? undefined : misspeltMethods.get(prototype as object);
  if (problem === undefined) {
    const misspelt = misspeltMethod(node, nodeMethods);
    problem =
      misspelt === undefined
        ? null
        : `its node has ${misspelt.name}, which nothing calls; did you mean ${misspelt.meant}?`;
    if (!plain) misspeltMethods.set(prototype as object, problem);
  }
  if (problem !== null) throw new InputError(`${id}: ${problem} (docs/node-api.md, "The handlers")`);
}

/**
 * The error for a message or client request that reached a node whose object lacks the handler
 * for it: without one it would vanish unanswered, and a run whose clients are never answered
 * would pass every check.
 */
function missingHandler(
  id: NodeId,
  handler: "onMessage" | "onClientRequest",
  item: QueueItem & { kind: typeof deliverKind },
  names: readonly string[],
): InputError {
  const what =
    handler === "onMessage"
      ? `a ${shown(item.message.type)} message from ${names[item.from]}`
      : `a request from client ${names[item.from]}`;
  const needs =
    handler === "onMessage"
      ? "a node that is sent messages needs the handler"
      : "clients may ask any node of a protocol with client operations, so each needs the handler, if only to ignore requests";
  return new InputError(
    `${id} received ${what}, and its node has no ${handler}: ${needs} (docs/node-api.md, "The handlers")`,
  );
}

/** The error for a timer that expired on a node whose object has no `onTimer`: it would vanish. */
function missingTimerHandler(id: NodeId, name: string): InputError {
  return new InputError(
    `${id}'s timer ${JSON.stringify(name)} expired, and its node has no onTimer: a node that sets timers, or whose election timer a scenario fires, needs the handler (docs/node-api.md, "The handlers")`,
  );
}

/**
 * Whether a handler threw for changing a frozen object: V8's TypeError for adding, assigning or
 * deleting a field of one (the context, a list read from storage, a message, a request). The
 * bare error ("Cannot add property 0, object is not extensible") says nothing of why.
 */
function changedFrozen(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /object is not extensible|Cannot assign to read only property|Cannot delete property/.test(error.message)
  );
}

/** What the finding of a handler that changed a frozen object adds to the error's own line. */
const frozenHint =
  '; the context, a module\'s messages and requests, and lists read from ctx.storage are frozen: change a copy (docs/node-api.md, "Determinism")';

/**
 * A role the protocol does not declare, read after a step: reports colour no lane for it, and a
 * misspelt leading role made a node that led count as no leader, so `leader` targets were
 * skipped and leader expectations failed with no word of why.
 */
function unnamedRole(id: NodeId, role: unknown, names: readonly string[], accessor: boolean): InputError {
  const source = accessor ? "roles.roleOf returned" : "its description's role is";
  const meant = typeof role === "string" ? didYouMean(role, names) : "";
  return new InputError(
    `${id}: ${source} ${shown(role)}, which is not one of roles.names (${names.join(", ")})${meant} (docs/node-api.md, "Declaring roles and logs")`,
  );
}

/**
 * The error for the protocol's code that shows a node (`describe()`, `roles.roleOf`) and threw:
 * one line naming the node, the code and where it threw.
 */
function declarationFailed(id: NodeId, what: string, error: unknown, section: string): unknown {
  if (error instanceof InputError) return error;
  return new InputError(
    `${id}: ${what} threw ${describeThrown(error).summary}; what shows a node must not fail (docs/node-api.md, "${section}")`,
  );
}

/**
 * A module's description as the trace keeps it (`KernelConfig.guardData`): a frozen deep copy made
 * as it is handed over, or `last` (the copy kept before) when it shows the same data, which the
 * trace then drops as it drops a description handed back. A description that holds a function or
 * another value that is not data is a mistake in the module: one line, exit code 2.
 */
function describedCopy(
  id: NodeId,
  description: StateDescription | undefined,
  last: StateDescription | undefined,
  timeUs: number,
  event: number,
): StateDescription | undefined {
  if (description === undefined) return undefined;
  // A string or list was written to the trace as the node's state, where reports read a record.
  if (typeof description !== "object" || description === null || Array.isArray(description)) {
    throw new InputError(
      `${id}: describe() returned ${shown(description)}, where a record such as {role: "leader", term: 3} was expected (docs/node-api.md, "Describing state")`,
    );
  }
  let copy: StateDescription;
  try {
    copy = frozenJsonCopy(description);
  } catch (error) {
    if (error instanceof NotJson) throw notJson(error, `${id}'s state description`, timeUs, event);
    throw new InputError(
      `${id}: describe() returned a description that ${uncopyable(error)}: a description shows data only (docs/node-api.md, "Describing state")`,
    );
  }
  return last !== undefined && sameDescription(last, copy) ? last : copy;
}

/**
 * A module's note data as the trace keeps it (`KernelConfig.guardData`): a frozen deep copy made
 * when the note is taken, so that data sharing the node's own arrays shows them as they were then.
 * Data that is not data (a function) is a mistake in the module, reported like a description's:
 * notes are recorded only while a trace is, so a finding would come and go with the trace.
 */
function notedCopy(id: NodeId, label: string, data: unknown, timeUs: number, event: number): unknown {
  try {
    return frozenJsonCopy(data);
  } catch (error) {
    if (error instanceof NotJson) {
      throw notJson(error, `the data of ${id}'s note ${JSON.stringify(label)}`, timeUs, event);
    }
    throw new InputError(
      `${id}: ctx.note(${JSON.stringify(label)}, …): the data ${uncopyable(error)}: a note records data only`,
    );
  }
}

/** What `frozenCopy`'s error says a value holds, and where: `holds a function at .onTick`. */
function uncopyable(error: unknown): string {
  return (error as Error).message.replace(/^the value /, "").replace(/, and only data can be copied$/, "");
}

/** Who sent a module's message or reply, and how: what `sentCopy` names on a mistake. */
interface SentBy {
  readonly call: "send" | "broadcast" | "reply";
  readonly from: NodeId;
  readonly to?: string;
  readonly request?: string;
}

/**
 * Refuses a module invariant's witnesses that JSON would write as something else (a Map as `{}`,
 * NaN as null): the trace would misstate what the invariant saw. Checked only on a violation of
 * a traced run, without a copy, since witnesses are recorded once.
 */
function checkWitnesses(violation: Violation): void {
  const found = whereNotJson(violation.witnesses, "", false);
  if (found === undefined) return;
  throw notJson(
    new NotJson(found),
    `the witnesses of ${violation.invariant}'s violation`,
    violation.timeUs,
    violation.event,
  );
}

/**
 * Freezes a message as it is sent, so that a sender or receiver that changes one of its fields
 * (`message.term = …`) fails where it does so. Only the message object itself: on a Raft fuzz
 * campaign freezing every message deeply cost about 15% of the runs per second, and freezing the
 * objects and arrays it holds too about 6%; this costs a few percent at most. What a message
 * holds must be treated as immutable as well (Raft freezes its log entries where it makes them).
 * Even so, `Object.freeze` was 2.4% of a Raft fuzz campaign's CPU profile (about 100 ns a
 * message), so the fuzzer skips it for built-in protocols (`KernelConfig.freezeMessages`), which
 * every test, `run` and `verify` run frozen; a module's messages are always frozen.
 */
function freezeMessage(message: Message): void {
  if (!Object.isFrozen(message)) Object.freeze(message);
}

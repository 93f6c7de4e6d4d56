/**
 * One explored system: a choice-scheduled kernel with its nodes, a fixed client workload and the
 * fault budget left. It lists the steps enabled in its current state (`choices`), takes one
 * (`take`), and fingerprints the whole state (`fingerprint`).
 *
 * The kernel, the clients and the history are built exactly as `runScenario` builds them for a
 * scenario with a `schedule:`, so a path found here replays there to the same trace.
 */
import { HistoryLog, SimulatedClient } from "../clients.js";
import { outsideDeterministicSection } from "../determinism.js";
import { describeThrown, InputError } from "../errors.js";
import { type HistoryEvent, inStepOrder } from "../history.js";
import { type EnabledStep, Kernel } from "../kernel.js";
import { defaultNetwork, type NetworkSpec } from "../network.js";
import type { NodeId, Protocol } from "../node.js";
import { SharedRecords } from "../node.js";
import { randomDraws, randomStream } from "../random.js";
import type { HistoryChecker } from "../run.js";
import type { ScheduleStep } from "../scenario/schema.js";
import { historyInvariantOf } from "../scenario/validate.js";
import type { ChoiceEntry } from "../scheduler.js";
import type { MemoryStorage } from "../storage.js";
import { TraceRecorder } from "../trace.js";
import { type Fingerprint, Hasher } from "./fingerprint.js";
import { hidesFields, privateFieldsOf } from "./private-fields.js";
import { firstRetry, takeScheduleStep } from "./schedule.js";
import { restoreSnapshot, type Snapshot, Snapshotter } from "./snapshot.js";

/** How many of each nondeterministic fault or timeout one path may take. */
export interface FaultBudget {
  readonly drop: number;
  readonly duplicate: number;
  readonly crash: number;
  /** Node timer firings and client retries together. */
  readonly timeouts: number;
  /** Clock drifts: a node's clock set to run fast or slow (rates `WorldSetup.driftRate`). Default 0. */
  readonly drift?: number;
  /**
   * Isolations: a node cut off from every other node (clients still reach it) until a heal, which
   * is free. One node at most is isolated at a time. Default 0.
   */
  readonly isolate?: number;
}

/** One client operation of the fixed workload. */
export interface ExploreOperation {
  readonly f: string;
  readonly key: string | null;
  readonly value: unknown;
  /** The node the client asks first (it still follows redirects); default: its guess of the leader. */
  readonly node?: NodeId;
}

export interface WorldSetup {
  readonly protocol: Protocol;
  /** Options as returned by `protocol.parseOptions`. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly nodes: number;
  /** Per client (c1, c2, ...), the operations it issues one after the other. */
  readonly workload: readonly (readonly ExploreOperation[])[];
  readonly seed: bigint;
  readonly budget: FaultBudget;
  /** The timers whose firing is a choice (default: all); the others never fire. */
  readonly timers?: readonly string[];
  /**
   * `unordered` (default): any message in flight may arrive next. `ordered`: each link (sender,
   * receiver) delivers in the order it was sent, and may lose messages: delivering a message
   * first drops the ones sent before it on its link (steps of their own in the schedule).
   */
  readonly network?: "unordered" | "ordered" | "fifo";
  /**
   * A timer fires (or a client retries) only once the network is quiet: the messages still in
   * flight are lost first (drop steps of their own in the schedule). Default false.
   */
  readonly quietTimeouts?: boolean;
  /**
   * What a timer firing (or a client retry) sends arrives at once: right after the firing, its
   * messages are delivered in sending order (steps of their own in the schedule); the replies
   * they cause stay in flight. Default false.
   */
  readonly promptTimeouts?: boolean;
  /**
   * A message delivered is answered at once: the messages its handler sends back to its sender
   * are delivered right after it, in sending order (steps of their own in the schedule); what
   * those replies cause stays in flight. Default false.
   */
  readonly promptReplies?: boolean;
  /**
   * The clock drift a `drift` choice sets, as a fraction of real speed: a drifted node's clock
   * runs at 1 + rate or 1 - rate times real speed from then on. Default 0.05.
   */
  readonly driftRate?: number;
  /**
   * Guard the data nodes hand over and read back (`KernelConfig.guardData`): on for a protocol module.
   * Default false.
   */
  readonly guardData?: boolean;
  /**
   * Checks the client history, in step order, each time it has grown and no operation is
   * pending: a history of ended operations that is not linearizable stays so whatever follows.
   */
  readonly checkHistory?: HistoryChecker;
}

/** What went wrong in a state: an invariant, a non-linearizable history, or a deadlock. */
export interface Finding {
  readonly invariant: string;
  readonly message: string;
}

/** A saved state of a `World` (`save`, `restore`). */
export interface WorldState {
  /**
   * The rest of the system in parts (`WorldShared.systemParts`): the kernel (but its nodes), each
   * invariant's monitor, the clients with the history. A part a step left alone is the parent's.
   */
  readonly system: readonly Snapshot[];
  /** Per node, its runtime state: shared with the parent state when the step left it alone. */
  readonly nodes: readonly Snapshot[];
  readonly invoked: readonly number[];
  readonly budget: readonly [
    drop: number,
    duplicate: number,
    crash: number,
    timeouts: number,
    drift: number,
    isolate: number,
  ];
  /** The node cut off from the others (its index), or -1. */
  readonly isolated: number;
  /** The length of the history when it was last checked. */
  readonly historyChecked: number;
  readonly finding: Finding | undefined;
  readonly nodeDigests: readonly number[];
  readonly nodeChanged: readonly boolean[];
  readonly clientsDigest: Fingerprint;
  readonly clientsChanged: boolean;
  /** The steps enabled in this state (`save` lists them). */
  readonly enabled: EnabledStep[];
}

/** The clock drift a `drift` choice sets when the setup names none: 5 % fast or slow. */
export const defaultDriftRate = 0.05;

/** Client operation timeouts, as a scenario without a workload has them. */
export const clientDefaults = { timeoutUs: 1_000_000, attemptTimeoutUs: 200_000 } as const;

/**
 * Replaying an explored schedule did not do what exploring it did: a choice it names is not there
 * (`World.choiceAt`), or it reaches another state (`ReplaySamples`, search.ts). Runs of one
 * schedule take the same steps unless the protocol keeps state outside what a state holds (a
 * module-level variable, a cache shared between runs), which exploration can neither save nor
 * replay: a mistake in the protocol's module, reported like bad input (one line, exit code 2), as
 * `fuzz` reports two runs of one scenario that differ.
 */
export class ReplayDiverged extends InputError {
  /** `what`: how the replay parted from the search, after "replaying an explored schedule". */
  constructor(what: string) {
    super(
      `nondeterminism: replaying an explored schedule ${what}. ` +
        "The protocol keeps state outside its nodes' fields and storage (a module-level variable, a cache), " +
        "which exploration cannot save, restore or replay; keep each node's state in its own fields and ctx.storage " +
        '(docs/node-api.md, "Determinism")',
    );
    this.name = "ReplayDiverged";
  }
}

/**
 * Hashes a node object: its fields, or what its `fingerprint()` returns. Either runs the
 * protocol's code (the override, a getter), and one that throws is a mistake in the protocol's
 * module, reported like bad input (one line naming the node and where it threw, exit code 2), not
 * as an error of the explorer.
 */
function hashNode(hasher: Hasher, node: NodeId, object: unknown): void {
  try {
    hasher.value(object);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const override = typeof (object as { fingerprint?: unknown } | undefined)?.fingerprint === "function";
    throw new InputError(
      `${node}'s state could not be fingerprinted: ${override ? "its fingerprint()" : "reading its fields"} threw ${describeThrown(error).summary} (docs/node-api.md, "State fingerprints")`,
    );
  }
}

export class World {
  readonly kernel: Kernel;
  readonly clients: readonly SimulatedClient[];
  readonly history: HistoryLog;
  readonly nodeIds: readonly NodeId[];
  readonly options: Readonly<Record<string, unknown>>;
  private readonly totalOperations: number;
  private readonly invoked: number[];
  private dropsLeft: number;
  private duplicatesLeft: number;
  private crashesLeft: number;
  private timeoutsLeft: number;
  private driftsLeft: number;
  private isolatesLeft: number;
  /** The index of the node cut off from the others, or -1. */
  private isolated = -1;
  /** The length of the history when it was last checked (-1: never). */
  private historyChecked = -1;
  /** The enabled steps `choices` listed, and the kernel event count then (reused by `take`). */
  private enabled: EnabledStep[] | undefined;
  private enabledAt = -1;
  /** The saved state this world was last put back in, until its next step. */
  private current: WorldState | undefined;
  /** The saved state (if any) `enabled` was listed in. */
  private enabledIn: WorldState | undefined;
  /** How many times this world was restored, and the count when `enabled` was listed. */
  private restores = 0;
  private enabledRestores = -1;
  /**
   * Per node, the saved part this world's node is known to hold, until `nodeStepped` says it
   * may have changed: `save` shares such a part instead of walking it, `restore` skips it when
   * the state restored has the same part.
   */
  private readonly liveNodes: Array<Snapshot | undefined>;
  private nodeStepped: boolean[];
  /**
   * The parts of the rest of the system as last saved or restored: a save shares a part whose
   * walk met the very same records, and a restore right after a save skips the parts it shares.
   */
  private liveSystem: readonly Snapshot[] = [];
  /** Per node, its last fingerprint (two words), and whether it may have changed since. */
  private readonly nodeDigests: number[];
  private readonly nodeChanged: boolean[];
  /**
   * The digest of the clients with the history, and whether a step may have changed them since:
   * most steps deliver a message to a node, which no client sees.
   */
  private clientsDigest: Fingerprint = { high: 0, low: 0 };
  private clientsChanged = true;
  /** No step ran since the last `save` (restores change nothing `restoreSnapshot` relies on). */
  private unchangedSinceSave = false;
  /** The state's own finding, once a step produced one. */
  finding: Finding | undefined;
  /**
   * The schedule steps the last `take` ran: the choice, preceded by the losses an ordered link or
   * a quiet timeout implies and followed by a prompt timeout's deliveries.
   */
  lastTaken: readonly ScheduleStep[] = [];

  constructor(
    readonly setup: WorldSetup,
    private readonly shared: WorldShared = new WorldShared(),
  ) {
    const nodes = Array.from({ length: setup.nodes }, (_, index) => `n${index + 1}`);
    const clients = setup.workload.map((_, index) => `c${index + 1}`);
    this.nodeIds = nodes;
    this.options = setup.options;
    this.kernel = new Kernel({
      protocol: setup.protocol,
      options: setup.options,
      nodes,
      clients,
      seed: setup.seed,
      network: defaultNetwork,
      trace: shared.silentTrace,
      scheduling: "choice",
      ...(setup.guardData === true ? { guardData: true } : {}),
    });
    this.history = new HistoryLog(this.kernel);
    this.clients = clients.map(
      (name, index) =>
        new SimulatedClient({
          name,
          process: index + 1,
          kernel: this.kernel,
          history: this.history,
          random: randomStream(setup.seed, `client/${name}`),
          defaults: clientDefaults,
        }),
    );
    this.kernel.startAll();
    this.kernel.settle();
    this.totalOperations = setup.workload.reduce((sum, operations) => sum + operations.length, 0);
    this.invoked = setup.workload.map(() => 0);
    this.dropsLeft = setup.budget.drop;
    this.duplicatesLeft = setup.budget.duplicate;
    this.crashesLeft = setup.budget.crash;
    this.timeoutsLeft = setup.budget.timeouts;
    this.driftsLeft = setup.budget.drift ?? 0;
    this.isolatesLeft = setup.budget.isolate ?? 0;
    this.nodeDigests = nodes.flatMap(() => [0, 0]);
    this.nodeChanged = nodes.map(() => true);
    this.liveNodes = nodes.map(() => undefined);
    this.nodeStepped = nodes.map(() => true);
    this.finding = this.check();
  }

  /**
   * Choice number `choice` of `choices()`, taken as step `step` (from 1) of a schedule being
   * replayed; throws `ReplayDiverged` when there is no such choice here.
   */
  choiceAt(choice: number, step: number): ScheduleStep {
    const choices = this.choices();
    const chosen = choices[choice];
    if (chosen === undefined) {
      const enabled = choices.length === 1 ? "1 step is" : `${choices.length} steps are`;
      throw new ReplayDiverged(
        `took another turn at step ${step}: the schedule names choice ${choice + 1} there, and only ${enabled} enabled`,
      );
    }
    return chosen;
  }

  /**
   * The steps enabled now, in a fixed order: client invocations, then pending steps oldest first
   * (deliveries, timer firings, client retries), then drops, duplicates, crashes and restarts.
   */
  choices(): ScheduleStep[] {
    const out: ScheduleStep[] = [];
    this.clients.forEach((client, index) => {
      const operations = this.setup.workload[index] as readonly ExploreOperation[];
      const next = operations[this.invoked[index] as number];
      if (next !== undefined && !client.busy) {
        out.push({
          kind: "invoke",
          client: client.name,
          f: next.f,
          key: next.key,
          value: next.value,
          ...(next.node === undefined ? {} : { node: next.node }),
        });
      }
    });
    const enabled = this.listed();
    const deliveries: Array<EnabledStep & { kind: "deliver" }> = [];
    const fifo = this.setup.network === "fifo";
    for (const step of enabled) {
      switch (step.kind) {
        case "deliver":
          deliveries.push(step);
          if (fifo && !oldestOnLink(enabled, step)) break;
          out.push({ kind: "deliver", id: step.id, from: step.from, to: step.to, type: step.message.type });
          break;
        case "timer":
          if (this.timeoutsLeft > 0 && (this.setup.timers?.includes(step.name) ?? true)) {
            out.push({ kind: "fire", node: step.node, timer: step.name });
          }
          break;
        case "action":
          if (this.timeoutsLeft > 0 && step.label !== undefined && firstRetry(enabled, step.label) === step) {
            out.push({ kind: "retry", client: step.label });
          }
          break;
      }
    }
    for (const kind of ["drop", "duplicate"] as const) {
      if ((kind === "drop" ? this.dropsLeft : this.duplicatesLeft) <= 0) continue;
      for (const step of deliveries) {
        out.push({ kind, id: step.id, from: step.from, to: step.to, type: step.message.type });
      }
    }
    if (this.driftsLeft > 0) out.push(...this.driftChoices());
    if (this.isolated >= 0) out.push({ kind: "heal" });
    else if (this.isolatesLeft > 0) {
      for (const node of this.nodeIds) if (this.kernel.isUp(node)) out.push({ kind: "isolate", node });
    }
    for (const node of this.nodeIds) {
      if (!this.kernel.isUp(node)) out.push({ kind: "restart", node });
      else if (this.crashesLeft > 0) {
        out.push({ kind: "crash", node });
        // A power loss differs from a crash only while the node has writes it has not synced.
        if (this.kernel.storageOf(node).unsyncedWrites > 0)
          out.push({ kind: "crash", node, loseUnsynced: true });
      }
    }
    return out;
  }

  /**
   * Clock drifts: each node whose clock still runs at real speed may be set to run fast or slow
   * by the drift rate (a node's clock drifts once at most: what a second drift adds, the first
   * with the other sign already shows).
   */
  private driftChoices(): ScheduleStep[] {
    const rate = this.setup.driftRate ?? defaultDriftRate;
    const out: ScheduleStep[] = [];
    for (const node of this.nodeIds) {
      if (this.kernel.clockOf(node).rate !== 1) continue;
      out.push({ kind: "drift", node, rate }, { kind: "drift", node, rate: -rate });
    }
    return out;
  }

  /**
   * The schedule steps `take(step)` runs: on an ordered network, a delivery is preceded by the
   * drops of the messages sent before it on its link, oldest first.
   */
  expand(step: ScheduleStep): ScheduleStep[] {
    const ordered = step.kind === "deliver" && this.setup.network === "ordered";
    const quiet = (step.kind === "fire" || step.kind === "retry") && this.setup.quietTimeouts === true;
    if (!ordered && !quiet) return [step];
    const out: ScheduleStep[] = [];
    for (const pending of this.listed()) {
      if (pending.kind !== "deliver") continue;
      if (step.kind === "deliver") {
        if (pending.from !== step.from || pending.to !== step.to || pending.id >= step.id) continue;
      }
      out.push({
        kind: "drop",
        id: pending.id,
        from: pending.from,
        to: pending.to,
        type: pending.message.type,
      });
    }
    out.push(step);
    return out;
  }

  /** Takes one step (one of `choices()`), then checks the new state. */
  take(step: ScheduleStep): void {
    const steps = this.expand(step);
    if (steps.length > 1) {
      this.unchangedSinceSave = false;
      // The losses an ordered link or a quiet timeout implies are not drops of the fault budget.
      for (const lost of steps.slice(0, -1)) {
        this.current = undefined;
        this.enabled = undefined;
        takeScheduleStep(this.kernel, this.clients, lost);
      }
    }
    const prompt = this.promptSender(step);
    const sentBefore = prompt === undefined ? 0 : this.lastMessageId();
    switch (step.kind) {
      case "drop":
        this.dropsLeft--;
        break;
      case "duplicate":
        this.duplicatesLeft--;
        break;
      case "crash":
        this.crashesLeft--;
        // Node fingerprints tell power-loss rollbacks apart only while crashes are left.
        if (this.crashesLeft === 0) this.nodeChanged.fill(true);
        break;
      case "fire":
      case "retry":
        this.timeoutsLeft--;
        break;
      case "drift":
        this.driftsLeft--;
        break;
      case "isolate":
        this.isolatesLeft--;
        this.isolated = this.nodeIds.indexOf(step.node);
        break;
      case "heal":
        this.isolated = -1;
        break;
      case "invoke": {
        const index = this.clientIndex(step.client);
        this.invoked[index] = (this.invoked[index] as number) + 1;
        break;
      }
      default:
        break;
    }
    const enabled = this.listedBefore();
    this.current = undefined;
    this.enabled = undefined;
    this.unchangedSinceSave = false;
    this.touched(step);
    takeScheduleStep(this.kernel, this.clients, step, enabled);
    this.lastTaken = prompt === undefined ? steps : [...steps, ...this.deliverPrompt(prompt, sentBefore)];
    this.finding = this.check();
  }

  /** The highest id of a message in flight (ids grow: a message sent later has a higher one). */
  private lastMessageId(): number {
    let last = -1;
    for (const pending of this.kernel.enabledSteps()) {
      if (pending.kind === "deliver" && pending.id > last) last = pending.id;
    }
    return last;
  }

  /**
   * Whose messages sent by `step` arrive at once: the node of a firing, the client of an
   * invocation or a retry (prompt timeouts), the receiver of a delivery, whose replies to the
   * sender arrive at once (prompt replies); undefined when none do.
   */
  private promptSender(step: ScheduleStep): { from: string; to?: string; replies: boolean } | undefined {
    if (this.setup.promptTimeouts === true) {
      if (step.kind === "fire") return { from: step.node, replies: this.setup.promptReplies === true };
      if (step.kind === "retry" || step.kind === "invoke")
        return { from: step.client, replies: this.setup.promptReplies === true };
    }
    if (this.setup.promptReplies === true && step.kind === "deliver")
      return { from: step.to, to: step.from, replies: false };
    return undefined;
  }

  /**
   * Delivers, in sending order, the messages in flight from `sender.from` (to `sender.to` only,
   * when given) with an id above `sentBefore`, each with its own replies when `sender.replies`.
   * Returns the steps taken.
   */
  private deliverPrompt(
    sender: { from: string; to?: string; replies: boolean },
    sentBefore: number,
  ): ScheduleStep[] {
    const sent: Array<ScheduleStep & { kind: "deliver" }> = [];
    for (const pending of this.kernel.enabledSteps()) {
      if (pending.kind !== "deliver" || pending.id <= sentBefore || pending.from !== sender.from) continue;
      if (sender.to !== undefined && pending.to !== sender.to) continue;
      sent.push({
        kind: "deliver",
        id: pending.id,
        from: pending.from,
        to: pending.to,
        type: pending.message.type,
      });
    }
    sent.sort((first, second) => first.id - second.id);
    const taken: ScheduleStep[] = [];
    for (const delivery of sent) {
      for (const part of this.expand(delivery)) {
        const before = sender.replies && part === delivery ? this.lastMessageId() : 0;
        this.current = undefined;
        this.enabled = undefined;
        this.touched(part);
        takeScheduleStep(this.kernel, this.clients, part);
        taken.push(part);
        if (sender.replies && part === delivery) {
          taken.push(...this.deliverPrompt({ from: delivery.to, to: delivery.from, replies: false }, before));
        }
      }
    }
    return taken;
  }

  /** The fault budget this path has left. */
  budgetLeft(): FaultBudget {
    return {
      drop: this.dropsLeft,
      duplicate: this.duplicatesLeft,
      crash: this.crashesLeft,
      timeouts: this.timeoutsLeft,
      drift: this.driftsLeft,
      isolate: this.isolatesLeft,
    };
  }

  /** The node cut off from the others, if one is. */
  get isolatedNode(): NodeId | undefined {
    return this.isolated < 0 ? undefined : this.nodeIds[this.isolated];
  }

  /** The fault budget left, every kind together. */
  budgetLeftTotal(): number {
    return (
      this.dropsLeft +
      this.duplicatesLeft +
      this.crashesLeft +
      this.timeoutsLeft +
      this.driftsLeft +
      this.isolatesLeft
    );
  }

  /** No step at all can run (whatever the budget) while a client waits for an answer. */
  deadlocked(): boolean {
    return this.enabledNow().length === 0 && this.clients.some((client) => client.busy);
  }

  /**
   * Whether `save` and `restore` see the whole state: every node object and every invariant
   * monitor keeps its state in fields (docs/node-api.md, "State fingerprints"), and nothing the
   * walk met hides its contents. Otherwise states are rebuilt by replaying their paths.
   */
  get restorable(): boolean {
    return this.shared.restorable(this);
  }

  /** Why this world is not `restorable`, one line per cause (`WorldShared.replayReasons`). */
  replayReasons(): string[] {
    return this.shared.replayReasons(this);
  }

  /** Saves the whole state: the kernel, the nodes, the monitors, the clients and the budget. */
  save(): WorldState {
    // The state keeps its list of enabled steps and every node's digest up to date, so that each
    // successor taken from it neither lists the steps again nor hashes again a node it did not
    // step. A state saved right after a step, as a replayed path's are, had neither: replaying
    // left all three nodes to be hashed again for every successor of most of Raft's frontier
    // states. Both made here, Raft's exploration went from about 21,000 to 28,000 unique states
    // a second (3 nodes, 1 client operation). Listing comes first: it drops spent timers from the
    // kernel's queue, which the walk below then sees.
    const enabled = this.listed();
    if (!this.shared.hiddenState) this.refreshNodeDigests(this.shared, true);
    // The clients' digest too: saved stale, it was made again for every successor's fingerprint,
    // though most steps (a delivery to a node) leave the clients alone (Raft: 1.4 times per
    // unique state, 1.7 µs each).
    if (this.clientsChanged) {
      this.clientsDigest = this.clientsDigestNow(this.shared);
      this.clientsChanged = false;
    }
    const saver = this.shared.snapshotter(this);
    saver.begin();
    const nodes = this.nodeIds.map((node, index) => {
      const kept = this.liveNodes[index];
      if (kept !== undefined && this.nodeStepped[index] === false) return kept;
      return saver.capturePart([this.kernel.nodeStateRoot(node)], index, kept);
    });
    copyInto(this.liveNodes, nodes);
    this.nodeStepped.fill(false);
    const parts = this.shared.systemParts(this);
    const first = this.nodeIds.length;
    for (let index = 0; index < parts.length; index++)
      saver.markPart(parts[index] as object[], first + index);
    const live = this.liveSystem;
    const system = parts.map((roots, index) => saver.capturePart(roots, first + index, live[index]));
    this.liveSystem = system;
    const state: WorldState = {
      system,
      nodes,
      enabled,
      invoked: this.invoked.slice(),
      budget: [
        this.dropsLeft,
        this.duplicatesLeft,
        this.crashesLeft,
        this.timeoutsLeft,
        this.driftsLeft,
        this.isolatesLeft,
      ],
      isolated: this.isolated,
      historyChecked: this.historyChecked,
      finding: this.finding,
      nodeDigests: this.nodeDigests.slice(),
      nodeChanged: this.nodeChanged.slice(),
      clientsDigest: this.clientsDigest,
      clientsChanged: this.clientsChanged,
    };
    this.current = state;
    this.enabledIn = state;
    this.unchangedSinceSave = true;
    return state;
  }

  /** Puts this world back in a state `save` returned (of this world). */
  restore(state: WorldState): void {
    const since = this.unchangedSinceSave ? this.shared.snapshotter(this) : undefined;
    const live = this.liveSystem;
    for (let index = 0; index < state.system.length; index++) {
      const part = state.system[index] as Snapshot;
      // Nothing changed since the save or restore that left this very part in the world.
      if (since === undefined || live[index] !== part) restoreSnapshot(part, since);
    }
    this.liveSystem = state.system;
    for (let index = 0; index < state.nodes.length; index++) {
      const part = state.nodes[index] as Snapshot;
      if (this.nodeStepped[index] === true || this.liveNodes[index] !== part) restoreSnapshot(part, since);
    }
    copyInto(this.liveNodes, state.nodes);
    this.nodeStepped.fill(false);
    copyInto(this.invoked, state.invoked);
    [
      this.dropsLeft,
      this.duplicatesLeft,
      this.crashesLeft,
      this.timeoutsLeft,
      this.driftsLeft,
      this.isolatesLeft,
    ] = state.budget;
    // The network is left out of snapshots (it draws nothing): its one cut is put back here.
    if (state.isolated !== this.isolated) {
      this.kernel.heal();
      if (state.isolated >= 0) this.kernel.isolate(this.nodeIds[state.isolated] as NodeId);
      this.isolated = state.isolated;
    }
    this.historyChecked = state.historyChecked;
    this.finding = state.finding;
    copyInto(this.nodeDigests, state.nodeDigests);
    copyInto(this.nodeChanged, state.nodeChanged);
    this.clientsDigest = state.clientsDigest;
    this.clientsChanged = state.clientsChanged;
    this.current = state;
    this.restores++;
    this.enabled = state.enabled;
    this.enabledAt = this.kernel.events;
    this.enabledIn = state;
  }

  /**
   * The list of enabled steps made in the current state, if one was: entries of the kernel's
   * queue keep their identity across `restore`, so a list made in a saved state (kept with it)
   * serves every step taken from that state. Steps replayed after a restore make new queue
   * entries: a list made before does not serve.
   */
  private listedBefore(): EnabledStep[] | undefined {
    const sameState =
      this.current !== undefined ? this.enabledIn === this.current : this.enabledRestores === this.restores;
    return this.enabled !== undefined && this.enabledAt === this.kernel.events && sameState
      ? this.enabled
      : undefined;
  }

  /**
   * The enabled steps of the current state: the list made in it, or a new one. The fingerprint,
   * the choices and an ordered link's implied drops each listed them, two or three lists of new
   * objects per transition (Paxos).
   */
  private listed(): EnabledStep[] {
    const before = this.listedBefore();
    if (before !== undefined) return before;
    const enabled = this.enabledNow();
    this.enabled = enabled;
    this.enabledAt = this.kernel.events;
    this.enabledIn = this.current;
    this.enabledRestores = this.restores;
    return enabled;
  }

  /**
   * The kernel's enabled steps. Listing them drops spent timers and cancelled actions from the
   * queue, a change no save has seen: the next restore compares every object again.
   */
  private enabledNow(): EnabledStep[] {
    this.unchangedSinceSave = false;
    return this.kernel.enabledSteps();
  }

  private clientIndex(name: string): number {
    return this.clients.findIndex((client) => client.name === name);
  }

  private check(): Finding | undefined {
    const violation = this.kernel.violations.find((candidate) => candidate.kind === "safety");
    if (violation !== undefined) return { invariant: violation.invariant, message: violation.message };
    const checker = this.setup.checkHistory;
    const model = this.setup.protocol.client?.model;
    const events = this.history.events;
    if (checker === undefined || model === undefined || this.historyChecked === events.length)
      return undefined;
    if (this.totalOperations === 0 || events.length === 0 || !this.noOperationPending()) return undefined;
    this.historyChecked = events.length;
    // The checker is not the simulation: it may read the clock for its budget.
    const verdict = outsideDeterministicSection(() => checker(inStepOrder(events), model));
    if (verdict.result !== "not-linearizable") return undefined;
    // Named as `quorumlab run` names it: `txn.strict-serializable` for a transactional model.
    return {
      invariant: historyInvariantOf(model),
      message: verdict.summary ?? "the client history is not linearizable",
    };
  }

  /** Every operation invoked so far has ended (each invocation has its completion). */
  private noOperationPending(): boolean {
    let pending = 0;
    for (const event of this.history.events) pending += event.type === "invoke" ? 1 : -1;
    return pending === 0;
  }

  /**
   * Every node's digest (two words per node, in node order), each hashed again when it may have
   * changed since it was last hashed. `cached`: reuse and keep the digests this world holds;
   * otherwise hash every node into a new list.
   */
  private refreshNodeDigests(shared: WorldShared, cached: boolean): readonly number[] {
    const digests = cached ? this.nodeDigests : this.nodeDigests.slice();
    for (let index = 0; index < this.nodeIds.length; index++) {
      if (cached && this.nodeChanged[index] !== true) continue;
      const digest = this.nodeDigest(this.nodeIds[index] as NodeId, shared);
      digests[index * 2] = digest.high;
      digests[index * 2 + 1] = digest.low;
      if (cached) this.nodeChanged[index] = shared.hiddenState;
    }
    return digests;
  }

  /**
   * A node's own fingerprint: up or down, its object, its durable storage, its random stream.
   * Kept per node between steps: a step changes only the node that handled it (nodes never touch
   * each other's state), so only that node is hashed again; hashing every node after every step
   * was two thirds of the fingerprint's cost (Paxos, 3 nodes).
   */
  private nodeDigest(node: NodeId, shared: WorldShared): Fingerprint {
    const kernel = this.kernel;
    const hasher = shared.nodeHasher(this);
    hasher.reset();
    const up = kernel.isUp(node);
    hasher.word(up ? 1 : 0);
    const object = kernel.nodeObject(node);
    if (up) {
      hashNode(hasher, node, object);
      // Its state is out of sight (in closures, #private fields, a WeakMap): no other state may
      // count as equal to this one.
      if (!showsState(object) || hasher.metHidden) {
        this.shared.hiddenState = true;
        hasher.word(this.shared.unique++);
      }
    }
    const storage = kernel.storageOf(node);
    shared.hashStorage(hasher, storage);
    // What a power loss would roll back to, while a crash may still be chosen.
    if (this.crashesLeft > 0 && storage.unsyncedWrites > 0) hasher.value(storage.syncedSnapshot());
    hasher.word(randomDraws(kernel.contextOf(node).random));
    // A drifted clock: its rate and the instant it was set at fix its every reading.
    const clock = kernel.clockOf(node);
    if (clock.rate !== 1) {
      hasher.number(clock.rate);
      hasher.number(clock.baseSimUs);
      hasher.number(clock.baseLocalUs);
    }
    return hasher.digest();
  }

  /**
   * Marks the node a step ran a handler of (the others are unchanged), and the clients when the
   * step may have changed them: any step but a message's delivery, loss or copy to a node and a
   * fault that moves no time (a firing moves the clock, and a client's action due by then runs).
   */
  private touched(step: ScheduleStep): void {
    switch (step.kind) {
      case "deliver":
      case "drop":
      case "duplicate":
        if (!this.nodeIds.includes(step.to)) this.clientsChanged = true;
        break;
      case "crash":
      case "restart":
      case "drift":
      case "isolate":
      case "heal":
        break;
      default:
        this.clientsChanged = true;
    }
    let node: string | undefined;
    switch (step.kind) {
      case "deliver":
        node = step.to;
        break;
      case "fire":
      case "crash":
      case "restart":
      case "drift":
        node = step.node;
        break;
      default:
        return;
    }
    const index = this.nodeIds.indexOf(node);
    if (index >= 0) {
      this.nodeChanged[index] = true;
      this.nodeStepped[index] = true;
    }
  }

  /**
   * The fingerprint of the whole state: the clock, the budget left, every node (up or down, its
   * object, its durable storage, its random stream), the messages in flight as a multiset, the
   * pending timers and client retries as sets, the clients and the history so far.
   */
  fingerprint(): Fingerprint {
    return this.fingerprintWith(this.shared, true);
  }

  /**
   * The fingerprint computed afresh: every node hashed again, and no hash remembered from an
   * earlier state (of a message, a pending step or a node) used. It equals `fingerprint()`; tests
   * compare the two on every state of whole explorations.
   */
  fingerprintFromScratch(): Fingerprint {
    return this.fingerprintWith(new WorldShared(this.shared.silentTrace), false);
  }

  /** See `fingerprint`; `cached`: reuse and keep the digests of nodes and clients. */
  private fingerprintWith(shared: WorldShared, cached: boolean): Fingerprint {
    const hasher = shared.hasher(this);
    const kernel = this.kernel;
    hasher.reset();
    hasher.number(kernel.timeUs);
    hasher.word(this.dropsLeft);
    hasher.word(this.duplicatesLeft);
    hasher.word(this.crashesLeft);
    hasher.word(this.timeoutsLeft);
    if (this.driftsLeft > 0) hasher.word(this.driftsLeft);
    // Which node is cut off, and the isolations left, only when isolations are in the budget.
    if ((this.setup.budget.isolate ?? 0) > 0) {
      hasher.word(this.isolatesLeft);
      hasher.word(this.isolated);
    }
    const digests = this.refreshNodeDigests(shared, cached);
    for (const digest of digests) hasher.word(digest);
    // Order-free: the steps pending as a multiset.
    const inFlight = shared.multiset;
    inFlight.reset();
    for (const step of cached ? this.listed() : this.enabledNow()) inFlight.add(shared.pendingDigest(step));
    inFlight.writeTo(hasher);
    const clients = !cached || this.clientsChanged ? this.clientsDigestNow(shared) : this.clientsDigest;
    if (cached) {
      this.clientsDigest = clients;
      this.clientsChanged = false;
    }
    hasher.word(clients.high);
    hasher.word(clients.low);
    return hasher.digest();
  }

  /** The digest of the clients (each client object) and of the history so far. */
  private clientsDigestNow(shared: WorldShared): Fingerprint {
    const hasher = shared.nodeHasher(this);
    hasher.reset();
    for (const client of this.clients) hasher.value(client);
    hasher.word(this.history.events.length);
    for (const event of this.history.events) hashEvent(hasher, event);
    return hasher.digest();
  }
}

/** Whether no message sent before `step` on its link (sender, receiver) is still in flight. */
function oldestOnLink(enabled: readonly EnabledStep[], step: EnabledStep & { kind: "deliver" }): boolean {
  for (const other of enabled) {
    if (other.kind === "deliver" && other.id < step.id && other.from === step.from && other.to === step.to)
      return false;
  }
  return true;
}

/**
 * Whether a network leaves its state alone when it carries messages: no loss, no duplication and
 * a constant latency on every link (no random draw), and no ordering kept per link.
 */
function drawsNothing(spec: NetworkSpec): boolean {
  return (
    spec.loss === 0 &&
    spec.duplicate === 0 &&
    !spec.fifo &&
    spec.latency.distribution === "constant" &&
    spec.links.length === 0
  );
}

/** Copies `source` into `target` (of the same length), which a saved state never shares. */
function copyInto<T>(target: T[], source: readonly T[]): void {
  for (let index = 0; index < source.length; index++) target[index] = source[index] as T;
}

/**
 * Whether a node object shows its state to the fingerprint: it defines `fingerprint()`, or has a
 * field that is not a function and its classes declare no `#private` field. A node built from
 * closures, or one that keeps fields where no walk can read them, hides its state.
 */
function showsState(object: unknown): boolean {
  if (object === null || typeof object !== "object") return false;
  if (typeof (object as { fingerprint?: unknown }).fingerprint === "function") return true;
  if (hidesFields(object)) return false;
  const record = object as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key) && typeof record[key] !== "function") return true;
  return false;
}

function hashEvent(hasher: Hasher, event: HistoryEvent): void {
  hasher.string(event.type);
  hasher.word(event.process);
  hasher.string(event.f);
  hasher.value(event.key);
  hasher.value(event.value);
  hasher.value(event.error);
}

/**
 * An order-free hash of a collection (a multiset): each element is hashed alone and the 64-bit
 * digests are summed, so the order the elements are met in does not matter.
 */
class MultisetHash {
  private count = 0;
  private high = 0;
  private low = 0;

  reset(): void {
    this.count = 0;
    this.high = 0;
    this.low = 0;
  }

  add(digest: Fingerprint): void {
    this.high = (this.high + digest.high) | 0;
    this.low = (this.low + digest.low) | 0;
    this.count++;
  }

  /** Writes the count and the sum into `hasher`. */
  writeTo(hasher: Hasher): void {
    hasher.word(this.count);
    hasher.word(this.high);
    hasher.word(this.low);
  }
}

/**
 * The slot on a kernel queue entry that keeps its digest as a pending step, for the exploration
 * (`WorldShared`) that computed it: a symbol-keyed field that is not enumerable, so neither the
 * snapshot walk nor the fingerprint sees it. Looking the digests up in a WeakMap by entry was
 * about 4 % of Raft's exploration time (3 nodes, 1 client operation).
 */
const digestSlot: unique symbol = Symbol("quorumlab.pendingDigest");

type DigestSlotted = { [digestSlot]?: { owner: WorldShared; digest: Fingerprint } };

/** A stored value and the digest of its pair with its key (`WorldShared.hashStorage`). */
interface StoredDigest {
  value: unknown;
  digest: Fingerprint;
}

/**
 * What the worlds of one exploration share: a trace that records nothing, and the hashers with
 * the memo of message hashes (messages are immutable, so a hash computed once holds).
 */
export class WorldShared {
  /** `silentTrace`: the one of another exploration of the same world, to hash it afresh. */
  constructor(readonly silentTrace = new TraceRecorder({ hash: false, keep: false })) {}

  /** Set once a node object hid its state: states were then never merged (sound, slower). */
  hiddenState = false;
  /** A counter that makes each fingerprint of a hidden-state system unique. */
  unique = 0;
  private readonly memo = new WeakMap<object, Fingerprint>();
  private readonly element = new Hasher(new Set(), this.memo);
  /** The in-flight steps' multiset; storage entries have their own (a node is hashed inside). */
  readonly multiset = new MultisetHash();
  private readonly entries = new MultisetHash();
  /**
   * The digest of one pending step, as an element of the in-flight multiset. The kernel's queue
   * entry of a step never changes, so its digest is kept on it (`digestSlot`) for every state it
   * stays pending in.
   */
  pendingDigest(step: EnabledStep): Fingerprint {
    const entry = step.entry as DigestSlotted & ChoiceEntry<unknown>;
    // A frozen entry (a delivery, a timer: sim/scheduler.ts) takes no slot; it keeps its digest
    // in its memo. Recomputed on every state instead, as it was since entries were frozen (each
    // node name of each message in flight hashed, the message's hash looked up), unordered Paxos
    // with two timeouts explored about 56,700 unique states a second, against 59,300 kept
    // (three alternating 10 s runs each).
    const memo = entry.memo;
    if (memo !== undefined && memo.owner === this) return memo.value as Fingerprint;
    const kept = memo === undefined ? entry[digestSlot] : undefined;
    if (kept !== undefined && kept.owner === this) return kept.digest;
    const element = this.element;
    element.reset();
    switch (step.kind) {
      case "deliver":
        element.word(1);
        element.string(step.from);
        element.string(step.to);
        element.immutable(step.message);
        break;
      case "timer":
        element.word(2);
        element.string(step.node);
        element.string(step.name);
        break;
      case "action":
        element.word(3);
        element.value(step.label);
        break;
    }
    // A message's due time moves nothing in choice scheduling (it arrives at the current time).
    if (step.kind !== "deliver") element.number(step.dueUs);
    const digest = element.digest();
    if (memo !== undefined) {
      memo.owner = this;
      memo.value = digest;
    } else if (kept !== undefined) {
      kept.owner = this;
      kept.digest = digest;
    } else if (Object.isExtensible(entry)) {
      Object.defineProperty(entry, digestSlot, { value: { owner: this, digest }, writable: true });
    }
    return digest;
  }

  /**
   * Per store, the digest of each (key, value) pair as last hashed. A stored value is never
   * changed in place (storage keeps copies or frozen objects: sim/storage.ts), so a pair whose
   * value is the very same one, or an equal primitive, has the same digest; a list (an array)
   * grows in place and is hashed every time. Hashing every pair of a node's store, key names
   * included, whenever the node was hashed, unordered Paxos with two timeouts explored about
   * 60,800 unique states a second, against 62,200 kept (three alternating 10 s runs each).
   */
  private readonly storedDigests = new WeakMap<MemoryStorage, Map<string, StoredDigest>>();

  /** Hashes a node's durable storage: its (key, stored value) pairs as a set. */
  hashStorage(hasher: Hasher, storage: MemoryStorage): void {
    const element = this.element;
    const entries = this.entries;
    let kept = this.storedDigests.get(storage);
    if (kept === undefined) {
      kept = new Map();
      this.storedDigests.set(storage, kept);
    }
    const digests = kept;
    entries.reset();
    storage.forEachEntry((key, value) => {
      const list = Array.isArray(value);
      const last = list ? undefined : digests.get(key);
      if (last !== undefined && last.value === value) {
        entries.add(last.digest);
        return;
      }
      element.reset();
      element.string(key);
      element.value(value);
      const digest = element.digest();
      entries.add(digest);
      if (list) return;
      if (last === undefined) digests.set(key, { value, digest });
      else {
        last.value = value;
        last.digest = digest;
      }
    });
    entries.writeTo(hasher);
  }

  private nodes: Hasher | undefined;

  /** The hasher of single nodes (the state hasher's opaque objects). */
  nodeHasher(world: World): Hasher {
    this.hasher(world);
    return this.nodes as Hasher;
  }
  private main: Hasher | undefined;
  private mainFor: World | undefined;

  private saver: Snapshotter | undefined;
  private saverFor: World | undefined;
  private restorableFor: World | undefined;
  private restorableAnswer = false;

  /** What `save` walks from: the kernel (nodes, monitors, queue, network), clients and history. */
  roots(world: World): object[] {
    return [world.kernel, world.history, ...world.clients];
  }

  private parts: object[][] | undefined;
  private partsFor: World | undefined;

  /**
   * The roots of the parts of the system that are not nodes, saved one by one: the kernel, each
   * invariant's monitor, the history with the clients. A step changes few monitors: a part whose
   * records did not change is shared with the parent state, which kept a whole copy of the list
   * of the system's records out of every state (a third of the garbage collector's work, Paxos).
   */
  systemParts(world: World): object[][] {
    if (this.parts === undefined || this.partsFor !== world) {
      const monitors = world.kernel.invariantStateRoots().map((root) => [root]);
      this.parts = [[world.kernel], ...monitors, [world.history, ...world.clients]];
      this.partsFor = world;
    }
    return this.parts;
  }

  /** The snapshotter of this world, which leaves what never changes in one exploration alone. */
  snapshotter(world: World): Snapshotter {
    if (this.saver === undefined || this.saverFor !== world) {
      this.saver = new Snapshotter(this.constants(world));
      this.saverFor = world;
    }
    return this.saver;
  }

  /** What a snapshot of `world` leaves alone: what never changes in one exploration. */
  private constants(world: World): Set<object> {
    const kernel = world.kernel;
    const opaque = new Set<object>([this.silentTrace, world.options, world.setup.protocol]);
    if (world.setup.protocol.roles !== undefined) opaque.add(world.setup.protocol.roles);
    for (const node of world.nodeIds) opaque.add(kernel.contextOf(node));
    for (const object of kernel.outsideState()) opaque.add(object);
    // A network that draws nothing keeps its state from start to end of an exploration but for
    // an isolation, which `restore` puts back: walking its 18 objects on every save and restore
    // was a tenth of both.
    if (drawsNothing(defaultNetwork)) opaque.add(kernel.network);
    return opaque;
  }

  /**
   * Why states of `world`'s exploration are rebuilt by replaying their paths rather than restored
   * from snapshots, one line per cause (none when `restorable`): which nodes keep no data fields,
   * which invariants' monitors have no \`state\`, and where the walk meets an object whose
   * contents it cannot copy. For the author of the protocol: each line names what to change.
   */
  replayReasons(world: World): string[] {
    const reasons: string[] = [];
    const probe = new Snapshotter(this.constants(world));
    const hides = (root: object): boolean => {
      probe.hidden = false;
      probe.capture([root]);
      return probe.hidden;
    };
    for (const node of world.nodeIds) {
      const object = world.kernel.nodeObject(node);
      const hiddenFields = typeof object === "object" && object !== null ? privateFieldsOf(object) : [];
      if (hiddenFields.length > 0) {
        reasons.push(
          `node ${node}'s object keeps fields no walk can read: ${hiddenFields.join(", ")} (#private fields; make them ordinary fields, private in TypeScript if you like)`,
        );
      } else if (object !== undefined && !showsState(object)) {
        reasons.push(`node ${node}'s object keeps its state out of its fields (closures)`);
      } else if (hides(world.kernel.nodeStateRoot(node))) {
        reasons.push(
          `node ${node} holds an object whose contents cannot be read (a WeakMap, a WeakSet, a Promise or an object with #private fields)`,
        );
      }
    }
    for (const invariant of world.setup.protocol.invariants) {
      const monitor = invariant.create(new SharedRecords<unknown>());
      if (!("state" in monitor)) reasons.push(`the monitor of ${invariant.name} has no \`state\``);
      else if (typeof monitor.state === "object" && monitor.state !== null && hides(monitor.state)) {
        reasons.push(
          `the \`state\` of ${invariant.name}'s monitor holds an object whose contents cannot be read (a WeakMap, a WeakSet or a Promise)`,
        );
      }
    }
    if (reasons.length === 0 && !this.restorable(world)) {
      reasons.push(
        "outside the nodes and the monitors, the state holds an object whose contents cannot be read (a WeakMap, a WeakSet or a Promise)",
      );
    }
    return reasons;
  }

  /** See `World.restorable`; decided once per exploration, on its initial world. */
  restorable(world: World): boolean {
    if (this.restorableFor === undefined) {
      this.restorableFor = world;
      const saver = this.snapshotter(world);
      // The nodes' parts too: the kernel's walk stops at its table of nodes (`outsideState`).
      saver.capture([...this.roots(world), ...world.nodeIds.map((node) => world.kernel.nodeStateRoot(node))]);
      const nodesShow = world.nodeIds.every((node) => {
        const object = world.kernel.nodeObject(node);
        if (object === undefined) return true;
        // A `fingerprint()` covers hashing, not restoring: #private fields are never written back.
        return showsState(object) && !hidesFields(object as object);
      });
      const monitorsShow = world.setup.protocol.invariants.every(
        (invariant) => "state" in invariant.create(new SharedRecords<unknown>()),
      );
      this.restorableAnswer = nodesShow && monitorsShow && !saver.hidden;
    }
    return this.restorableAnswer;
  }

  /** The state hasher, which treats this world's kernel, contexts and clients' links as opaque. */
  hasher(world: World): Hasher {
    if (this.main === undefined || this.mainFor !== world) {
      // Protocol options are the same in every state of one exploration.
      const opaque = new Set<object>([world.kernel, world.history, this.silentTrace, world.options]);
      for (const node of world.nodeIds) {
        const context = world.kernel.contextOf(node);
        opaque.add(context);
        opaque.add(context.random);
        opaque.add(context.storage);
      }
      this.main = new Hasher(opaque, this.memo);
      this.nodes = new Hasher(opaque, this.memo);
      this.mainFor = world;
    }
    return this.main;
  }
}

/**
 * Why the states of an exploration of \`setup\` are rebuilt by replaying their paths rather than
 * restored from snapshots, one line per cause; none when they are restored.
 */
export function replayReasons(setup: WorldSetup): string[] {
  return new World(setup, new WorldShared()).replayReasons();
}

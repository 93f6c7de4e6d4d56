/**
 * The fault timeline: schedules a scenario's actions on the kernel and resolves symbolic targets
 * at the moment each action runs.
 *
 * Targets: a node name (`n3`); `leader` (the live node whose role is leader, primary or
 * coordinator, highest term first);
 * `follower` (a random live node that is not the leader); `any` (a random live node); `crashed`
 * (a random crashed node). An action with `afterNewLeader` waits, from its time on, for the next
 * new leader (or the `nthNewLeader`-th) and runs that long after its election. Randomness comes from the run's own `faults` stream, so adding or
 * removing an action never changes any node's or the network's random choices. An action whose
 * target does not exist at that moment (no leader yet, nobody crashed), or that would do nothing
 * to it (a restart of a node that is up, a crash of one that is down), is skipped, and the trace
 * says so with a `note` from node `kernel`.
 */
import type { SimulatedClient } from "./clients.js";
import type { Kernel } from "./kernel.js";
import type { NodeId } from "./node.js";
import type { Rng } from "./random.js";
import type { FaultAction } from "./scenario/schema.js";

/** An action of the timeline as it ran (`FaultTimeline.ran`). */
export interface StepRan {
  /** Its index in the timeline given to `schedule`. */
  readonly step: number;
  readonly timeUs: number;
  readonly event: number;
  /**
   * For a `timeout` that fired: the node, the timer (the protocol's `electionTimer`), whether the
   * node had that timer set then (a misspelt `electionTimer` names one no node sets), and whether
   * the protocol declares the timer in its `timers` (then the name is no misspelling).
   */
  readonly timeout?: {
    readonly node: NodeId;
    readonly timer: string;
    readonly pending: boolean;
    readonly declared: boolean;
  };
  /**
   * For an `op`: the scripted client that invoked it and what it asked. Its request is a message
   * like any client's; the timeline tells which of them the scenario scripted.
   */
  readonly op?: {
    readonly client: string;
    readonly f: string;
    readonly key: string | null;
    readonly value: unknown;
    readonly node?: NodeId;
  };
  /** The action found nothing to act on and did nothing (its `skipped-action` note says why). */
  readonly skipped?: true;
}

/** The fault actions of the given kinds. */
type FaultOf<Kind extends FaultAction["kind"]> = Extract<FaultAction, { kind: Kind }>;

export class FaultTimeline {
  private readonly kernel: Kernel;
  private readonly random: Rng;
  private readonly electionTimer: string | undefined;
  private readonly scriptedClients: readonly SimulatedClient[];

  constructor(options: {
    readonly kernel: Kernel;
    /** The run's `faults` stream: symbolic targets draw from it. */
    readonly random: Rng;
    /** The protocol's election timer, which `timeout` fires (none: `timeout` is skipped). */
    readonly electionTimer: string | undefined;
    /** The clients that carry `op` actions, in the order of those actions. */
    readonly scriptedClients: readonly SimulatedClient[];
  }) {
    this.kernel = options.kernel;
    this.random = options.random;
    this.electionTimer = options.electionTimer;
    this.scriptedClients = options.scriptedClients;
  }

  /**
   * Each action as it ran: its index in the timeline given to `schedule`, and the time and event
   * it ran at (an action waiting for a leader that never came, or due after the run stopped, has
   * none). Read by `run`'s timeline to tell a step's `note` where the step took effect.
   */
  readonly ran: StepRan[] = [];

  /**
   * Actions waiting for new leaders (`afterNewLeaderUs`), in the order their time came, each
   * with the number of new leaders still to come before its delay starts.
   */
  private waiting: Array<{ leadersLeft: number; readonly start: () => void }> = [];
  private listening = false;

  /** Schedules every action; `op` actions use the scripted clients in order. */
  schedule(actions: readonly FaultAction[]): void {
    let scripted = 0;
    actions.forEach((action, step) => {
      const client = action.kind === "op" ? this.scriptedClients[scripted++] : undefined;
      const delayUs = action.afterNewLeaderUs;
      if (delayUs === undefined) {
        this.kernel.schedule(action.atUs, () => this.apply(action, client, step));
        return;
      }
      // Listens from the first waiting action on: most scenarios never pay for the listener.
      if (!this.listening) this.listen();
      this.kernel.schedule(action.atUs, () =>
        this.waiting.push({
          leadersLeft: action.nthNewLeader ?? 1,
          start: () => {
            this.kernel.schedule(this.kernel.timeUs + delayUs, () => this.apply(action, client, step));
          },
        }),
      );
    });
  }

  /**
   * On each new leadership, starts the delays of every action waiting for one. The kernel records
   * each (node, term) once, so an old leader that, cut off, still acts as one is not new.
   */
  private listen(): void {
    this.listening = true;
    this.kernel.onLeadership(() => {
      if (this.waiting.length === 0) return;
      const ready = this.waiting.filter((wait) => --wait.leadersLeft === 0);
      if (ready.length === 0) return;
      this.waiting = this.waiting.filter((wait) => wait.leadersLeft > 0);
      for (const wait of ready) wait.start();
    });
  }

  private apply(action: FaultAction, client: SimulatedClient | undefined, step: number): void {
    this.ran.push({ step, timeUs: this.kernel.timeUs, event: this.kernel.events });
    this.kernel.observer?.fault(action.kind, this.kernel.timeUs);
    switch (action.kind) {
      case "crash":
      case "restart":
      case "pause":
      case "resume":
      case "timeout":
      case "isolate":
      case "drift":
        this.applyToNode(action);
        return;
      case "partition":
      case "cut":
      case "heal":
      case "clog":
      case "burst":
        this.applyToNetwork(action);
        return;
      case "drop":
      case "delay":
      case "duplicate":
        this.applyToMessage(action);
        return;
      case "op":
        this.invokeScripted(action, client);
        return;
    }
  }

  /** A fault that befalls one node, named or resolved from a symbolic target now. */
  private applyToNode(
    action: FaultOf<"crash" | "restart" | "pause" | "resume" | "timeout" | "isolate" | "drift">,
  ): void {
    const kernel = this.kernel;
    switch (action.kind) {
      case "crash":
        this.withTarget(action.crash, action.kind, (id) =>
          kernel.crash(id, { loseUnsynced: action.loseUnsynced === true }),
        );
        return;
      case "restart":
        this.withTarget(action.restart, action.kind, (id) => kernel.restart(id));
        return;
      case "pause":
        this.withTarget(action.pause, action.kind, (id) => kernel.pause(id));
        return;
      case "resume":
        this.withTarget(action.resume, action.kind, (id) => kernel.resume(id));
        return;
      case "timeout": {
        const timer = this.electionTimer;
        if (timer === undefined) {
          this.skip("timeout", "this protocol names no election timer");
          return;
        }
        this.withTarget(action.timeout, action.kind, (id) => {
          // Told in `run`'s timeline, not the trace: a trace record here would change every
          // trace with a timeout. Paxos's proposers set no timer until they propose, and its
          // scenarios start a proposal so, so the handler is called whether or not one is set.
          const pending = kernel.hasPendingTimer(id, timer);
          const declared = kernel.declaresTimer(timer);
          const last = this.ran.length - 1;
          this.ran[last] = {
            ...(this.ran[last] as StepRan),
            timeout: { node: id, timer, pending, declared },
          };
          kernel.fireTimerNow(id, timer);
        });
        return;
      }
      case "isolate":
        // Isolation cuts a node off from the other nodes; clients still reach it (a partition
        // that names clients cuts them too).
        this.withTarget(action.isolate, action.kind, (id) => kernel.isolate(id));
        return;
      case "drift":
        this.withTarget(action.drift.node, action.kind, (id) => kernel.drift(id, action.drift.rate));
        return;
    }
  }

  /** A fault of the network: partitions, cut links, healing, clogged links, loss bursts. */
  private applyToNetwork(action: FaultOf<"partition" | "cut" | "heal" | "clog" | "burst">): void {
    const kernel = this.kernel;
    const network = kernel.network;
    const at = { t: kernel.timeUs, e: kernel.events };
    switch (action.kind) {
      case "partition":
        network.partition(action.partition);
        if (kernel.trace.enabled) {
          kernel.trace.record({
            kind: "partition",
            ...at,
            groups: action.partition.map((group) => [...group]),
          });
        }
        return;
      case "cut":
        network.cutLink(action.cut.from, action.cut.to, action.cut.oneWay);
        if (kernel.trace.enabled) {
          kernel.trace.record({
            kind: "cut",
            ...at,
            from: action.cut.from,
            to: action.cut.to,
            oneWay: action.cut.oneWay,
          });
        }
        return;
      case "heal":
        kernel.heal();
        return;
      case "clog": {
        const { link, delay, for: forUs } = action.clog;
        network.clog(link.from, link.to, link.oneWay, delay, {
          fromUs: kernel.timeUs,
          untilUs: kernel.timeUs + forUs,
        });
        if (kernel.trace.enabled) {
          kernel.trace.record({
            kind: "clog",
            ...at,
            from: link.from,
            to: link.to,
            extraUs: delay,
            untilUs: kernel.timeUs + forUs,
          });
        }
        return;
      }
      case "burst": {
        const untilUs = kernel.timeUs + action.burst.for;
        const loss = action.burst.loss ?? 0;
        const duplicate = action.burst.duplicate ?? 0;
        network.burst(loss, duplicate, { fromUs: kernel.timeUs, untilUs });
        if (kernel.trace.enabled) kernel.trace.record({ kind: "burst", ...at, loss, duplicate, untilUs });
        return;
      }
    }
  }

  /** A fault of one message already sent, named by its id: drop, delay or duplicate it. */
  private applyToMessage(action: FaultOf<"drop" | "delay" | "duplicate">): void {
    const kernel = this.kernel;
    const id =
      action.kind === "drop"
        ? action.drop.message
        : action.kind === "delay"
          ? action.delay.message
          : action.duplicate.message;
    const fault =
      action.kind === "delay" ? { kind: action.kind, delayUs: action.delay.by } : { kind: action.kind };
    const outcome = kernel.faultMessage(id, fault);
    if (outcome === "unsent") this.skip(action.kind, `no message ${id} has been sent yet`);
    else if (outcome === "gone")
      this.skip(action.kind, `message ${id} is no longer in flight: it arrived or was lost before this step`);
  }

  /** A scripted client operation, run by the next scripted client. */
  private invokeScripted(action: FaultOf<"op">, client: SimulatedClient | undefined): void {
    if (client === undefined) throw new Error("scripted operation without a client");
    const op = action.op;
    const last = this.ran.length - 1;
    this.ran[last] = {
      ...(this.ran[last] as StepRan),
      op: {
        client: client.name,
        f: op.f,
        key: op.key ?? null,
        value: op.value ?? null,
        ...(op.node === undefined ? {} : { node: op.node }),
      },
    };
    client.invoke({
      f: op.f,
      key: op.key === undefined ? null : op.key,
      value: op.value ?? null,
      ...(op.node === undefined ? {} : { node: op.node }),
      ...(op.timeout === undefined ? {} : { timeoutUs: op.timeout }),
      ...(op.follow === undefined ? {} : { follow: op.follow }),
    });
  }

  private withTarget(target: string, action: string, run: (id: NodeId) => void): void {
    const id = this.resolve(target);
    if (id === undefined) {
      this.skip(action, `no node matches target '${target}' now`);
      return;
    }
    const idle = this.idleReason(action, id);
    if (idle !== undefined) {
      this.skip(action, idle);
      return;
    }
    run(id);
  }

  /**
   * Why `action` would do nothing to node `id` now (a restart of a node that is up, a crash of a
   * node that is down...), or undefined when it acts. Mostly a node the scenario names: the
   * symbolic targets resolve to live or crashed nodes as the action needs, though `any` or
   * `follower` may pick a node that is paused already.
   */
  private idleReason(action: string, id: NodeId): string | undefined {
    const kernel = this.kernel;
    const up = kernel.isUp(id);
    switch (action) {
      case "crash":
        return up ? undefined : `${id} is down already`;
      case "restart":
        return up ? `${id} is up: only a crashed node restarts` : undefined;
      case "pause":
        if (!up) return `${id} is down`;
        return kernel.isPaused(id) ? `${id} is paused already` : undefined;
      case "resume":
        if (!up) return `${id} is down`;
        return kernel.isPaused(id) ? undefined : `${id} is not paused`;
      case "timeout":
        return up ? undefined : `${id} is down`;
      default:
        return undefined;
    }
  }

  /** Resolves a target to a node name now, or undefined. */
  resolve(target: string): NodeId | undefined {
    const kernel = this.kernel;
    const live = kernel.nodeIds.filter((id) => kernel.isUp(id));
    switch (target) {
      case "leader":
        return kernel.leader();
      case "follower": {
        const leader = kernel.leader();
        const followers = live.filter((id) => id !== leader);
        return followers.length === 0 ? undefined : this.random.pick(followers);
      }
      case "any":
        return live.length === 0 ? undefined : this.random.pick(live);
      case "crashed": {
        const crashed = kernel.nodeIds.filter((id) => !kernel.isUp(id));
        return crashed.length === 0 ? undefined : this.random.pick(crashed);
      }
      default:
        return kernel.nodeIds.includes(target) ? target : undefined;
    }
  }

  private skip(action: string, reason: string): void {
    const kernel = this.kernel;
    // Called while the action runs, so it is the last one `apply` recorded.
    const last = this.ran.length - 1;
    if (last >= 0) this.ran[last] = { ...(this.ran[last] as StepRan), skipped: true };
    if (kernel.trace.enabled) {
      kernel.trace.record({
        kind: "note",
        t: kernel.timeUs,
        e: kernel.events,
        node: "kernel",
        label: "skipped-action",
        data: { action, reason },
      });
    }
  }
}

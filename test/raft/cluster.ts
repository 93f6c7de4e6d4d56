/**
 * A test harness for Raft in the style of MIT 6.5840's `config.go`, on our kernel and in
 * simulated time: a cluster whose servers can be disconnected, reconnected, crashed and
 * restarted; `start` hands a command to a server as `rf.Start` does; an applier records what each
 * server applies and fails on a conflicting or out-of-order apply; `checkOneLeader`, `nCommitted`
 * and `one` behave like the lab's helpers. Every safety invariant of the protocol runs after
 * every step as well.
 */

import { raft } from "../../protocols/raft/index.js";
import type { Entry } from "../../protocols/raft/messages.js";
import type { RaftNode } from "../../protocols/raft/node.js";
import type { ClientReplyMessage } from "../../sim/kernel.js";
import { Kernel } from "../../sim/kernel.js";
import { defaultNetwork, type NetworkSpec } from "../../sim/network.js";
import type { ClientRequest, Invariant, Protocol } from "../../sim/node.js";
import { TraceRecorder } from "../../sim/trace.js";

export const msUs = 1_000;
export const secondUs = 1_000_000;

/** The lab's unreliable network: 0–27 ms delay, 10% of messages lost. */
export const unreliableNetwork: NetworkSpec = {
  latency: { distribution: "uniform", minUs: 0, maxUs: 27 * msUs },
  loss: 0.1,
  duplicate: 0,
  fifo: false,
  links: [],
};

interface ApplierRecord {
  /** index → value of the command applied there (null for no-ops). */
  readonly applied: Map<number, unknown>;
  lastApplied: number;
}

export interface ClusterOptions {
  readonly servers: number;
  readonly seed?: bigint;
  readonly network?: NetworkSpec;
  readonly options?: Readonly<Record<string, unknown>>;
}

export class Cluster {
  readonly kernel: Kernel;
  readonly ids: readonly string[];
  readonly appliers = new Map<string, ApplierRecord>();
  /** Errors the applier found (conflicting or out-of-order applies). */
  readonly applyErrors: string[] = [];
  private readonly disconnected = new Set<string>();
  private nextSeq = 0;
  /** Replies received by the tester client, by request id. */
  readonly replies = new Map<string, ClientReplyMessage["reply"]>();

  constructor(config: ClusterOptions) {
    this.ids = Array.from({ length: config.servers }, (_, index) => `n${index + 1}`);
    for (const id of this.ids) this.appliers.set(id, { applied: new Map(), lastApplied: 0 });
    const protocol: Protocol = {
      ...(raft as unknown as Protocol),
      invariants: [...(raft.invariants as unknown as Invariant<unknown>[]), this.applierInvariant()],
    };
    this.kernel = new Kernel({
      protocol,
      options: raft.parseOptions(config.options ?? {}),
      nodes: this.ids,
      clients: ["tester"],
      seed: config.seed ?? 1n,
      network: config.network ?? defaultNetwork,
      trace: new TraceRecorder({ hash: false, keep: false }),
    });
    this.kernel.attachClient("tester", {
      receive: (_from, message) => {
        this.replies.set(message.requestId, message.reply);
      },
    });
    this.kernel.startAll();
  }

  /** The 6.5840 applier: records applies per server; a conflict or a gap is an error. */
  private applierInvariant(): Invariant<unknown> {
    return {
      name: "test.applier",
      statement: "Servers apply the same command at each index, in index order.",
      source: "MIT 6.5840 config.go applier",
      kind: "safety",
      create: () => ({
        afterStep: (view) => {
          const node = view.node(view.actor) as RaftNode | undefined;
          const record = this.appliers.get(view.actor) as ApplierRecord;
          if (node === undefined) return undefined;
          if (view.cause === "restart") record.lastApplied = node.lastApplied;
          if (node.log.snapshotIndex >= node.lastApplied && node.lastApplied > record.lastApplied) {
            record.lastApplied = node.lastApplied;
            return undefined;
          }
          for (let index = record.lastApplied + 1; index <= node.lastApplied; index++) {
            const entry = node.log.entryAt(index) as Entry;
            const value = entry.command.kind === "kv" ? entry.command.value : null;
            for (const [other, otherRecord] of this.appliers) {
              const there = otherRecord.applied.get(index);
              if (there !== undefined && there !== value) {
                this.applyErrors.push(
                  `${view.actor} applied ${String(value)} at ${index}, ${other} applied ${String(there)}`,
                );
              }
            }
            record.applied.set(index, value);
          }
          if (node.lastApplied < record.lastApplied) {
            this.applyErrors.push(
              `${view.actor} applied out of order: ${node.lastApplied} after ${record.lastApplied}`,
            );
          }
          record.lastApplied = node.lastApplied;
          return undefined;
        },
      }),
    };
  }

  get now(): number {
    return this.kernel.timeUs;
  }

  /** Runs the simulation for `durationUs` more. */
  run(durationUs: number): void {
    this.kernel.runUntil(this.kernel.timeUs + durationUs);
  }

  node(id: string): RaftNode | undefined {
    return this.kernel.nodeObject(id) as RaftNode | undefined;
  }

  disconnect(id: string): void {
    this.disconnected.add(id);
    this.applyLinks();
  }

  connect(id: string): void {
    this.disconnected.delete(id);
    this.applyLinks();
  }

  isConnected(id: string): boolean {
    return !this.disconnected.has(id);
  }

  private applyLinks(): void {
    this.kernel.network.heal();
    for (const id of this.disconnected) {
      for (const other of this.ids) if (other !== id) this.kernel.network.cutLink(id, other, false);
    }
  }

  /** Crashes a server; with `loseUnsynced`, a power loss that also takes its unsynced writes. */
  crash(id: string, options: { readonly loseUnsynced?: boolean } = {}): void {
    this.kernel.crash(id, options);
  }

  restart(id: string): void {
    this.kernel.restart(id);
  }

  isUp(id: string): boolean {
    return this.kernel.isUp(id);
  }

  /** Like rf.Start: if `id` is a leader, it appends a write of `value` and returns its index. */
  start(id: string, value: unknown): { index: number; term: number; isLeader: boolean } {
    const node = this.node(id);
    if (node === undefined || node.role !== "leader")
      return { index: -1, term: node?.currentTerm ?? 0, isLeader: false };
    const seq = ++this.nextSeq;
    const request: ClientRequest = {
      id: `tester:${seq}`,
      client: "tester",
      seq,
      f: "write",
      key: "k",
      value,
    };
    node.onClientRequest(request);
    return { index: node.log.lastIndex, term: node.currentTerm, isLeader: true };
  }

  /** How many servers applied `index`, and the value; fails if they disagree. */
  nCommitted(index: number): { count: number; value: unknown } {
    let count = 0;
    let value: unknown;
    for (const record of this.appliers.values()) {
      if (!record.applied.has(index)) continue;
      const there = record.applied.get(index);
      if (count > 0 && there !== value)
        throw new Error(`committed values differ at index ${index}: ${String(value)} vs ${String(there)}`);
      value = there;
      count++;
    }
    return { count, value };
  }

  /** The live, connected servers that believe they lead, by term. */
  leadersByTerm(): Map<number, string[]> {
    const leaders = new Map<number, string[]>();
    for (const id of this.ids) {
      const node = this.node(id);
      if (node === undefined || !this.isConnected(id) || node.role !== "leader") continue;
      const list = leaders.get(node.currentTerm) ?? [];
      list.push(id);
      leaders.set(node.currentTerm, list);
    }
    return leaders;
  }

  /** checkOneLeader: up to 10 probes about 500 ms apart; two leaders in a term is an error. */
  checkOneLeader(): string {
    for (let probe = 0; probe < 10; probe++) {
      this.run(450 * msUs + (this.kernel.events % 100) * msUs);
      const leaders = this.leadersByTerm();
      let lastTerm = -1;
      for (const [term, list] of leaders) {
        if (list.length > 1) throw new Error(`term ${term} has ${list.length} leaders: ${list.join(", ")}`);
        lastTerm = Math.max(lastTerm, term);
      }
      if (leaders.size > 0) return (leaders.get(lastTerm) as string[])[0] as string;
    }
    throw new Error("expected one leader, got none");
  }

  /** checkNoLeader: no connected server believes it is leader. */
  checkNoLeader(): void {
    for (const id of this.ids) {
      const node = this.node(id);
      if (node !== undefined && this.isConnected(id) && node.role === "leader") {
        throw new Error(`expected no leader among connected servers, but ${id} claims to be one`);
      }
    }
  }

  /** checkTerms: every connected server agrees on the term. */
  checkTerms(): number {
    let term = -1;
    for (const id of this.ids) {
      const node = this.node(id);
      if (node === undefined || !this.isConnected(id)) continue;
      if (term === -1) term = node.currentTerm;
      else if (term !== node.currentTerm)
        throw new Error(`servers disagree on term: ${term} vs ${node.currentTerm}`);
    }
    return term;
  }

  /**
   * one(): submits `value` to whichever server is leader, retrying across servers for up to 10 s,
   * and waits up to 2 s per attempt for `expectedServers` to apply it. Returns its index.
   */
  one(value: unknown, expectedServers: number, retry = true): number {
    const deadline = this.now + 10 * secondUs;
    let starts = 0;
    while (this.now < deadline) {
      let index = -1;
      for (let tried = 0; tried < this.ids.length; tried++) {
        starts = (starts + 1) % this.ids.length;
        const id = this.ids[starts] as string;
        if (!this.isUp(id) || !this.isConnected(id)) continue;
        const result = this.start(id, value);
        if (result.isLeader) {
          index = result.index;
          break;
        }
      }
      if (index !== -1) {
        const attemptEnd = this.now + 2 * secondUs;
        while (this.now < attemptEnd) {
          const { count, value: committed } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && committed === value) return index;
          this.run(20 * msUs);
        }
        if (!retry) throw new Error(`one(${String(value)}) failed to reach agreement`);
      } else {
        this.run(50 * msUs);
      }
    }
    throw new Error(`one(${String(value)}) failed to reach agreement`);
  }

  /** waitCommitted: waits until at least `servers` applied `index`; returns the value or undefined. */
  wait(index: number, servers: number, startTerm: number): unknown {
    let pause = 10 * msUs;
    for (let iteration = 0; iteration < 30; iteration++) {
      const { count } = this.nCommitted(index);
      if (count >= servers) break;
      this.run(pause);
      if (pause < secondUs) pause *= 2;
      if (startTerm > -1) {
        for (const id of this.ids) {
          const node = this.node(id);
          if (node !== undefined && node.currentTerm > startTerm) return undefined;
        }
      }
    }
    const { count, value } = this.nCommitted(index);
    if (count < servers) throw new Error(`only ${count} of ${servers} servers applied index ${index}`);
    return value;
  }

  /** Messages of `type` sent so far (RPC counts). */
  messages(type: string): number {
    return this.kernel.messagesByType.get(type) ?? 0;
  }

  /** Safety violations found by the protocol's invariants, and applier errors. */
  problems(): string[] {
    return [
      ...this.kernel.violations.map((violation) => `${violation.invariant}: ${violation.message}`),
      ...this.applyErrors,
    ];
  }
}

/**
 * A quorum register: a map of read/write registers replicated on every node, after Attiya,
 * Bar-Noy and Dolev, "Sharing memory robustly in message-passing systems" (JACM 1995). It stays
 * linearizable while any minority of the nodes is crashed or cut off; reads stay available then,
 * and so do writes, as long as the key's writer is on the majority side.
 *
 * Every node is a replica, storing a (tag, value) per key, and coordinates the client operations
 * it receives. A phase is over once a majority has answered (the coordinator counts itself); two
 * majorities always share a replica, so a phase that starts after another ended sees its tag.
 * - write (at the key's writer): store the value under the next tag, then `set` it on a majority.
 * - read (at any node): `get` the (tag, value) of a majority, keep the highest, and `set` it on a
 *   majority before answering, so that no later read can return an older value.
 *
 * One writer per key (the node `writerOf(key)`; others redirect writes to it) keeps the tags of a
 * key in the order of its writes. Clients retry a request that got no answer, at another node or
 * the same one, and the network may deliver a request twice: the writer runs each request id
 * once. It persists and syncs the tag it gives a write before sending it anywhere, and a copy
 * arriving later (after a crash too) reuses that tag or the stored answer: a write never gets two
 * tags.
 */
import type {
  ClientRequest,
  NodeContext,
  NodeId,
  Protocol,
  ProtocolNode,
  StartInfo,
  StateDescription,
} from "quorumlab";
import { client } from "./client.js";
import { tagsOnlyGrow } from "./invariants.js";

/** [counter, writer]: a write's place in the order of its key's writes. */
export type Tag = readonly [number, string];

interface Stored {
  readonly tag: Tag;
  readonly value: unknown;
}

type RegisterMessage =
  | { readonly type: "get"; readonly op: string; readonly key: string }
  | { readonly type: "get-reply"; readonly op: string; readonly tag: Tag; readonly value: unknown }
  | {
      readonly type: "set";
      readonly op: string;
      readonly key: string;
      readonly tag: Tag;
      readonly value: unknown;
    }
  | { readonly type: "set-reply"; readonly op: string };

/** A client operation this node coordinates. */
interface Operation {
  readonly request: ClientRequest;
  readonly key: string;
  phase: "get" | "set";
  /** Replicas that answered the current phase (this node included). */
  readonly answered: Set<NodeId>;
  highest: Stored;
}

const initial: Stored = { tag: [0, ""], value: null };

function compareTags(a: Tag, b: Tag): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** The node that writes `key`: a fixed choice from the key's characters. */
export function writerOf(key: string, nodes: readonly NodeId[]): NodeId {
  let hash = 0;
  for (const character of key) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) % 1_000_003;
  return nodes[hash % nodes.length] as NodeId;
}

export class RegisterNode implements ProtocolNode<RegisterMessage> {
  /** Replica state: the stored (tag, value) of each key, as persisted. */
  private readonly stored = new Map<string, Stored>();
  /** Coordinator state: operations in progress, by operation id. */
  private readonly operations = new Map<string, Operation>();
  /** Request ids of the operations in progress (a copy of one is ignored). */
  private readonly running = new Set<string>();
  private readonly majority: number;
  /** Operation ids are unique across restarts: the incarnation counts this node's starts. */
  private incarnation = 0;
  private nextOperation = 0;

  constructor(private readonly ctx: NodeContext<RegisterMessage>) {
    this.majority = Math.floor(ctx.nodes.length / 2) + 1;
  }

  /** The keys this replica stores (for invariants). */
  keys(): readonly string[] {
    return [...this.stored.keys()];
  }

  onStart(_info: StartInfo): void {
    this.incarnation = (this.ctx.storage.get<number>("incarnation") ?? 0) + 1;
    this.ctx.storage.set("incarnation", this.incarnation);
    this.ctx.storage.sync();
    for (const key of this.ctx.storage.list<string>("keys")) {
      this.stored.set(key, this.ctx.storage.get<Stored>(`key/${key}`) ?? initial);
    }
  }

  /** What traces and reports show of this replica. */
  describe(): StateDescription {
    return { role: "replica", keys: this.stored.size };
  }

  onClientRequest(request: ClientRequest): void {
    const key = request.key ?? "";
    if (request.f === "read") {
      this.start(request, key, "get");
      this.ctx.broadcast({ type: "get", op: this.lastOperation(), key });
      this.onGetReply(this.ctx.id, this.lastOperation(), this.read(key));
      return;
    }
    if (request.f !== "write") {
      this.ctx.reply(request, { status: "fail", error: `unknown operation ${request.f}` });
      return;
    }
    const writer = writerOf(key, this.ctx.nodes);
    if (writer !== this.ctx.id) {
      this.ctx.reply(request, { status: "redirect", leader: writer });
      return;
    }
    // A copy of a write this node already ran or is running: never give it a second tag.
    if (this.running.has(request.id)) return;
    const done = this.ctx.storage.get<{ value: unknown }>(`done/${request.id}`);
    if (done !== undefined) {
      this.ctx.reply(request, { status: "ok", value: done.value });
      return;
    }
    let tag = this.ctx.storage.get<Tag>(`tag/${request.id}`);
    if (tag === undefined) {
      tag = [this.read(key).tag[0] + 1, this.ctx.id];
      this.ctx.storage.set(`tag/${request.id}`, tag); // durable before anything depends on it
      this.ctx.storage.sync();
    }
    this.start(request, key, "set");
    this.setPhase(this.lastOperation(), { tag, value: request.value });
  }

  onMessage(from: NodeId, message: RegisterMessage): void {
    switch (message.type) {
      case "get":
        this.ctx.send(from, { type: "get-reply", op: message.op, ...this.read(message.key) });
        return;
      case "get-reply":
        this.onGetReply(from, message.op, message);
        return;
      case "set":
        this.write(message.key, message);
        this.ctx.send(from, { type: "set-reply", op: message.op });
        return;
      case "set-reply":
        this.onSetReply(from, message.op);
        return;
    }
  }

  // ---- coordinator ------------------------------------------------------------------------------

  private start(request: ClientRequest, key: string, phase: "get" | "set"): void {
    const op = `${this.ctx.id}.${this.incarnation}.${this.nextOperation++}`;
    this.operations.set(op, { request, key, phase, answered: new Set(), highest: initial });
    this.running.add(request.id);
  }

  private lastOperation(): string {
    return `${this.ctx.id}.${this.incarnation}.${this.nextOperation - 1}`;
  }

  private onGetReply(from: NodeId, op: string, reply: Stored): void {
    const operation = this.operations.get(op);
    if (operation === undefined || operation.phase !== "get") return;
    operation.answered.add(from);
    if (compareTags(reply.tag, operation.highest.tag) > 0) {
      operation.highest = { tag: reply.tag, value: reply.value };
    }
    if (operation.answered.size < this.majority) return;
    // A read writes back what it read before answering.
    this.setPhase(op, operation.highest);
  }

  private setPhase(op: string, update: Stored): void {
    const operation = this.operations.get(op) as Operation;
    operation.phase = "set";
    operation.highest = update;
    operation.answered.clear();
    this.write(operation.key, update);
    this.ctx.broadcast({ type: "set", op, key: operation.key, tag: update.tag, value: update.value });
    this.onSetReply(this.ctx.id, op);
  }

  private onSetReply(from: NodeId, op: string): void {
    const operation = this.operations.get(op);
    if (operation === undefined || operation.phase !== "set") return;
    operation.answered.add(from);
    if (operation.answered.size < this.majority) return;
    this.operations.delete(op);
    this.running.delete(operation.request.id);
    const value = operation.highest.value;
    if (operation.request.f === "write") {
      this.ctx.storage.set(`done/${operation.request.id}`, { value });
      this.ctx.storage.sync();
    }
    this.ctx.reply(operation.request, { status: "ok", value });
  }

  // ---- replica ----------------------------------------------------------------------------------

  private read(key: string): Stored {
    return this.stored.get(key) ?? initial;
  }

  /** Stores (tag, value) if the tag is higher than the one stored, syncing it first. */
  private write(key: string, update: Stored): void {
    const current = this.stored.get(key);
    if (current !== undefined && compareTags(update.tag, current.tag) <= 0) return;
    if (current === undefined) this.ctx.storage.append("keys", key);
    const stored: Stored = { tag: update.tag, value: update.value };
    this.ctx.storage.set(`key/${key}`, stored);
    this.ctx.storage.sync();
    this.stored.set(key, stored);
  }
}

export const protocol: Protocol<RegisterMessage, RegisterNode> = {
  name: "quorum-register",
  summary: "A quorum register (Attiya, Bar-Noy and Dolev 1995): majorities, one writer per key.",
  defaultNodes: 3,
  nodeCounts: { min: 1 },
  parseOptions: (options) => {
    const names = Object.keys(options);
    if (names.length > 0) throw new Error(`unknown option '${names[0]}': this protocol takes none`);
    return {};
  },
  create: (context) => new RegisterNode(context),
  invariants: [tagsOnlyGrow],
  bugs: [],
  client,
};

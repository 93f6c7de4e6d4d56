/**
 * A small protocol that exercises the kernel in tests: every node broadcasts a heartbeat every
 * 50 ms, suspects a peer it has not heard from for 200 ms, and considers itself leader when no
 * lower-numbered node is alive in its view. The leader serves a single-copy register to clients
 * (so its history is linearizable only while there is one leader). Each node counts its boots in
 * durable storage, and an invariant checks that this count never goes down.
 */
import type {
  Invariant,
  Message,
  NodeContext,
  Protocol,
  ProtocolNode,
  StateDescription,
} from "../../sim/node.js";

export interface Heartbeat extends Message {
  readonly type: "heartbeat";
  readonly boots: number;
}

export class HeartbeatNode implements ProtocolNode<Heartbeat> {
  readonly lastHeardUs = new Map<string, number>();
  boots = 0;
  /** Volatile: lost on crash. */
  heartbeatsReceived = 0;
  value: unknown = null;

  constructor(private readonly ctx: NodeContext<Heartbeat>) {}

  onStart(): void {
    this.boots = (this.ctx.storage.get<number>("boots") ?? 0) + 1;
    this.ctx.storage.set("boots", this.boots);
    this.ctx.storage.sync();
    this.tick();
  }

  onTimer(name: string): void {
    if (name === "heartbeat" || name === "election") this.tick();
  }

  onMessage(from: string, _message: Heartbeat): void {
    this.heartbeatsReceived++;
    this.lastHeardUs.set(from, this.ctx.now());
  }

  onClientRequest(request: import("../../sim/node.js").ClientRequest): void {
    if (this.role() !== "leader") {
      this.ctx.reply(request, { status: "redirect" });
      return;
    }
    if (request.f === "write") {
      this.value = request.value;
      this.ctx.reply(request, { status: "ok", value: request.value });
    } else {
      this.ctx.reply(request, { status: "ok", value: this.value });
    }
  }

  role(): "leader" | "follower" {
    const now = this.ctx.now();
    for (const peer of this.ctx.peers) {
      if (peer >= this.ctx.id) continue;
      const heard = this.lastHeardUs.get(peer);
      if (heard !== undefined && now - heard < 200_000) return "follower";
    }
    return "leader";
  }

  private tick(): void {
    this.ctx.broadcast({ type: "heartbeat", boots: this.boots });
    this.ctx.setTimer("heartbeat", 50_000);
  }

  describe(): StateDescription {
    return { role: this.role(), term: this.boots, boots: this.boots };
  }
}

const bootsMonotone: Invariant<HeartbeatNode> = {
  name: "heartbeat.boots-monotone",
  statement: "A node's durable boot count never decreases.",
  source: "test protocol",
  kind: "safety",
  create() {
    const seen = new Map<string, number>();
    return {
      afterStep(view) {
        const boots = view.storage(view.actor).get<number>("boots") ?? 0;
        const before = seen.get(view.actor) ?? 0;
        seen.set(view.actor, boots);
        return boots < before
          ? {
              message: `${view.actor} boot count went from ${before} to ${boots}`,
              witnesses: { before, boots },
            }
          : undefined;
      },
    };
  },
};

/** Fails once any node has received more than `limit` heartbeats in one incarnation. */
export function heartbeatLimit(limit: number): Invariant<HeartbeatNode> {
  return {
    name: "heartbeat.limit",
    statement: `No node receives more than ${limit} heartbeats in one incarnation.`,
    source: "test protocol",
    kind: "safety",
    create: () => ({
      afterStep(view) {
        const node = view.node(view.actor);
        return node !== undefined && node.heartbeatsReceived > limit
          ? { message: `${view.actor} received ${node.heartbeatsReceived} heartbeats` }
          : undefined;
      },
    }),
  };
}

export function heartbeatProtocol(
  extra: readonly Invariant<HeartbeatNode>[] = [],
): Protocol<Heartbeat, HeartbeatNode> {
  return {
    name: "heartbeat",
    summary: "Heartbeats with a timeout failure detector (test protocol).",
    defaultNodes: 3,
    parseOptions: (options) => {
      for (const key of Object.keys(options)) throw new Error(`unknown option '${key}'`);
      return {};
    },
    create: (context) => new HeartbeatNode(context),
    invariants: [bootsMonotone, ...extra],
    bugs: [],
    client: { operations: { read: 1, write: 1 }, model: "register" },
    // No role accessors: the kernel reads role and term from `describe()` after every step.
    roles: { names: ["leader", "follower"], leading: ["leader"] },
    electionTimer: "election",
  };
}

export const testRegistry = new Map<string, Protocol>([
  ["heartbeat", heartbeatProtocol() as unknown as Protocol],
]);

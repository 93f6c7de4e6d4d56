/**
 * Each fault kind, observed on a probe protocol that records what it receives and when.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../../sim/kernel.js";
import { defaultNetwork, type NetworkSpec } from "../../sim/network.js";
import type { Message, NodeContext, Protocol, ProtocolNode } from "../../sim/node.js";
import { TraceRecorder } from "../../sim/trace.js";

interface Ping extends Message {
  readonly type: "ping";
  readonly n: number;
}

let currentKernel: Kernel | undefined;

class Probe implements ProtocolNode<Ping> {
  readonly received: Array<{ from: string; n: number; atUs: number; localUs: number }> = [];
  readonly timers: Array<{ name: string; atUs: number }> = [];
  volatileCounter = 0;
  restarted: boolean | undefined;

  constructor(readonly ctx: NodeContext<Ping>) {}

  onStart(info: { restarted: boolean }): void {
    this.restarted = info.restarted;
  }

  onMessage(from: string, message: Ping): void {
    this.volatileCounter++;
    this.ctx.storage.set("seen", (this.ctx.storage.get<number>("seen") ?? 0) + 1);
    this.received.push({ from, n: message.n, atUs: this.realNow(), localUs: this.ctx.now() });
  }

  onTimer(name: string): void {
    this.timers.push({ name, atUs: this.realNow() });
  }

  /** The test reads simulated time through the kernel; a probe itself only knows its local clock. */
  realNow = (): number => currentKernel?.timeUs ?? 0;
}

const probe: Protocol<Ping, Probe> = {
  name: "probe",
  summary: "records deliveries",
  defaultNodes: 3,
  parseOptions: () => ({}),
  create: (context) => new Probe(context),
  invariants: [],
  bugs: [],
};

function setUp(network: Partial<NetworkSpec> = {}) {
  const trace = new TraceRecorder({ hash: true, keep: true });
  const kernel = new Kernel({
    protocol: probe as unknown as Protocol,
    options: {},
    nodes: ["n1", "n2", "n3"],
    clients: [],
    seed: 1n,
    network: { ...defaultNetwork, ...network },
    trace,
  });
  currentKernel = kernel;
  kernel.startAll();
  kernel.runUntil(0);
  const node = (id: string) => kernel.nodeObject(id) as Probe | undefined;
  const send = (from: string, to: string, n: number) =>
    (node(from) as Probe).ctx.send(to, { type: "ping", n });
  return { kernel, trace, node, send };
}

describe("network faults", () => {
  it("delivers after the configured constant latency", () => {
    const { kernel, node, send } = setUp({ latency: { distribution: "constant", valueUs: 5_000 } });
    send("n1", "n2", 1);
    kernel.runUntil(10_000);
    expect(node("n2")?.received).toEqual([{ from: "n1", n: 1, atUs: 5_000, localUs: 5_000 }]);
  });

  it("drops a message sent across a partition at once, and an in-flight one on arrival", () => {
    const { kernel, trace, node, send } = setUp({ latency: { distribution: "constant", valueUs: 10_000 } });
    send("n1", "n2", 1); // in flight when the partition starts
    kernel.runUntil(2_000);
    kernel.network.partition([["n1"], ["n2", "n3"]]);
    send("n1", "n3", 2); // sent across the cut
    kernel.runUntil(50_000);
    expect(node("n2")?.received).toEqual([]);
    expect(node("n3")?.received).toEqual([]);
    const drops = trace.records.filter((record) => record.kind === "drop");
    expect(drops.map((drop) => [drop.kind === "drop" && drop.reason, drop.t])).toEqual([
      ["partition", 2_000],
      ["partition", 10_000],
    ]);
  });

  it("drops, delays or duplicates one message by id when it arrives, and refuses an id not yet sent", () => {
    const { kernel, trace, node, send } = setUp({ latency: { distribution: "constant", valueUs: 10_000 } });
    send("n1", "n2", 1); // message 0
    send("n1", "n2", 2); // message 1
    send("n1", "n3", 3); // message 2
    expect(kernel.faultMessage(0, { kind: "drop" })).toBe("set");
    expect(kernel.faultMessage(1, { kind: "delay", delayUs: 7_000 })).toBe("set");
    expect(kernel.faultMessage(2, { kind: "duplicate" })).toBe("set");
    expect(kernel.faultMessage(3, { kind: "drop" })).toBe("unsent");
    kernel.runUntil(50_000);
    expect(node("n2")?.received.map((r) => [r.n, r.atUs])).toEqual([[2, 17_000]]);
    expect(node("n3")?.received.map((r) => [r.n, r.atUs])).toEqual([
      [3, 10_000],
      [3, 10_000],
    ]);
    const drops = trace.records.filter((record) => record.kind === "drop");
    expect(drops.map((drop) => [drop.kind === "drop" && drop.reason, drop.t])).toEqual([
      ["scripted", 10_000],
    ]);
    expect(trace.records.filter((record) => record.kind === "duplicate")).toHaveLength(1);
  });

  it("refuses a message that is no longer in flight: delivered, or lost when sent", () => {
    const { kernel, node, send } = setUp({ latency: { distribution: "constant", valueUs: 10_000 } });
    send("n1", "n2", 1); // message 0, delivered at 10 ms
    kernel.runUntil(20_000);
    kernel.network.cutLink("n1", "n3", false);
    send("n1", "n3", 2); // message 1, lost when sent
    expect(kernel.faultMessage(0, { kind: "duplicate" })).toBe("gone");
    expect(kernel.faultMessage(1, { kind: "drop" })).toBe("gone");
    kernel.runUntil(50_000);
    expect(node("n2")?.received.map((r) => r.n)).toEqual([1]);
  });

  it("delivers an in-flight message if the partition heals before it arrives", () => {
    const { kernel, node, send } = setUp({ latency: { distribution: "constant", valueUs: 10_000 } });
    send("n1", "n2", 1);
    kernel.runUntil(2_000);
    kernel.network.partition([["n1"], ["n2", "n3"]]);
    kernel.runUntil(5_000);
    kernel.network.heal();
    kernel.runUntil(20_000);
    expect(node("n2")?.received.map((r) => r.n)).toEqual([1]);
  });

  it("cuts one direction only with a one-way cut, and isolates a node both ways", () => {
    const { kernel, node, send } = setUp();
    kernel.network.cutLink("n1", "n2", true);
    send("n1", "n2", 1);
    send("n2", "n1", 2);
    kernel.runUntil(10_000);
    expect(node("n2")?.received).toEqual([]);
    expect(node("n1")?.received.map((r) => r.n)).toEqual([2]);
    kernel.network.heal();
    kernel.network.isolate("n3", kernel.nodeIds);
    send("n3", "n1", 3);
    send("n1", "n3", 4);
    send("n1", "n2", 5);
    kernel.runUntil(20_000);
    expect(node("n3")?.received).toEqual([]);
    expect(node("n2")?.received.map((r) => r.n)).toEqual([5]);
  });

  it("loses every message at loss 1, and duplicates every message at duplicate 1", () => {
    const lossy = setUp({ loss: 1 });
    lossy.send("n1", "n2", 1);
    lossy.kernel.runUntil(10_000);
    expect(lossy.node("n2")?.received).toEqual([]);
    const doubling = setUp({
      duplicate: 1,
      latency: { distribution: "uniform", minUs: 1_000, maxUs: 9_000 },
    });
    doubling.send("n1", "n2", 7);
    doubling.kernel.runUntil(10_000);
    expect(doubling.node("n2")?.received.map((r) => r.n)).toEqual([7, 7]);
    expect(doubling.trace.records.filter((r) => r.kind === "duplicate")).toHaveLength(1);
  });

  it("keeps per-link order with fifo links despite random latency", () => {
    const { kernel, node, send } = setUp({
      fifo: true,
      latency: { distribution: "uniform", minUs: 1, maxUs: 50_000 },
    });
    for (let n = 0; n < 50; n++) send("n1", "n2", n);
    kernel.runUntil(1_000_000);
    expect(node("n2")?.received.map((r) => r.n)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it("reorders without fifo under random latency", () => {
    const { kernel, node, send } = setUp({ latency: { distribution: "uniform", minUs: 1, maxUs: 50_000 } });
    for (let n = 0; n < 50; n++) send("n1", "n2", n);
    kernel.runUntil(1_000_000);
    const order = node("n2")?.received.map((r) => r.n) ?? [];
    expect(order).toHaveLength(50);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it("adds a clog's delay to messages sent while it lasts", () => {
    const { kernel, node, send } = setUp();
    kernel.network.clog("n1", "n2", false, 30_000, { fromUs: 0, untilUs: 5_000 });
    send("n1", "n2", 1);
    kernel.runUntil(6_000);
    send("n1", "n2", 2);
    kernel.runUntil(100_000);
    expect(node("n2")?.received.map((r) => [r.n, r.atUs])).toEqual([
      [2, 7_000],
      [1, 31_000],
    ]);
  });

  it("raises loss during a burst only", () => {
    const { kernel, node, send } = setUp();
    kernel.network.burst(1, 0, { fromUs: 0, untilUs: 5_000 });
    send("n1", "n2", 1);
    kernel.runUntil(6_000);
    send("n1", "n2", 2);
    kernel.runUntil(20_000);
    expect(node("n2")?.received.map((r) => r.n)).toEqual([2]);
  });

  it("records a message a burst loses with reason burst, and one the link's own loss loses with reason loss", () => {
    // n1→n2 always loses; n1→n3 never does but for the burst.
    const { kernel, trace, send } = setUp({ links: [{ from: "n1", to: "n2", loss: 1 }] });
    send("n1", "n3", 1);
    kernel.network.burst(1, 0, { fromUs: 0, untilUs: 5_000 });
    send("n1", "n2", 2);
    send("n1", "n3", 3);
    kernel.runUntil(6_000);
    send("n1", "n2", 4);
    send("n1", "n3", 5);
    kernel.runUntil(20_000);
    const drops = trace.records.filter((record) => record.kind === "drop");
    expect(drops.map((drop) => drop.kind === "drop" && [drop.to, drop.reason, drop.t])).toEqual([
      ["n2", "loss", 0],
      ["n3", "burst", 0],
      ["n2", "loss", 6_000],
    ]);
  });
});

describe("overlapping clogs and bursts", () => {
  /** When each message sent at these times arrives at n2, clogged on n1→n2 as `clogs` say. */
  function arrivalsUnder(
    clogs: ReadonlyArray<readonly [number, number, number]>,
    sendsUs: readonly number[],
  ) {
    const { kernel, node, send } = setUp();
    const events = [
      ...clogs.map(([fromUs, untilUs, extraUs]) => ({
        atUs: fromUs,
        run: () => kernel.network.clog("n1", "n2", true, extraUs, { fromUs, untilUs }),
      })),
      ...sendsUs.map((atUs, n) => ({ atUs, run: () => send("n1", "n2", n) })),
    ].sort((a, b) => a.atUs - b.atUs);
    for (const event of events) {
      kernel.runUntil(event.atUs);
      event.run();
    }
    kernel.runUntil(200_000);
    const received = node("n2")?.received ?? [];
    return sendsUs.map((_, n) => received.find((r) => r.n === n)?.atUs);
  }

  it("a clog outlasts a shorter one laid over it, and the longer delay applies while both do", () => {
    // 30 ms extra from 0 to 20 ms; 10 ms extra from 2 ms to 5 ms; latency 1 ms.
    expect(
      arrivalsUnder(
        [
          [0, 20_000, 30_000],
          [2_000, 5_000, 10_000],
        ],
        [3_000, 6_000, 21_000],
      ),
    ).toEqual([34_000, 37_000, 22_000]);
  });

  it("a later clog stays in force after the earlier one ends", () => {
    // 30 ms extra from 0 to 5 ms; 10 ms extra from 2 ms to 20 ms.
    expect(
      arrivalsUnder(
        [
          [0, 5_000, 30_000],
          [2_000, 20_000, 10_000],
        ],
        [3_000, 6_000, 21_000],
      ),
    ).toEqual([34_000, 17_000, 22_000]);
  });

  it("a burst outlasts a shorter one laid over it, and a later one stays in force after an earlier one ends", () => {
    const { kernel, node, send } = setUp();
    kernel.network.burst(1, 0, { fromUs: 0, untilUs: 20_000 });
    kernel.runUntil(2_000);
    kernel.network.burst(0, 1, { fromUs: 2_000, untilUs: 5_000 });
    kernel.runUntil(3_000);
    send("n1", "n2", 1); // lost: the first burst's loss 1 wins
    kernel.runUntil(6_000);
    send("n1", "n2", 2); // lost: the first burst is still in force
    kernel.runUntil(21_000);
    send("n1", "n2", 3); // delivered once: both ended
    kernel.runUntil(30_000);
    kernel.network.burst(1, 0, { fromUs: 30_000, untilUs: 35_000 });
    kernel.runUntil(32_000);
    kernel.network.burst(0, 1, { fromUs: 32_000, untilUs: 50_000 });
    kernel.runUntil(36_000);
    send("n1", "n2", 4); // the second burst alone: delivered twice
    kernel.runUntil(60_000);
    expect(node("n2")?.received.map((r) => r.n)).toEqual([3, 4, 4]);
  });
});

describe("node faults", () => {
  it("crash loses volatile state, timers and in-flight deliveries; restart keeps durable storage", () => {
    const { kernel, trace, node, send } = setUp();
    send("n1", "n2", 1);
    kernel.runUntil(5_000);
    expect(node("n2")?.volatileCounter).toBe(1);
    node("n2")?.ctx.setTimer("wake", 10_000);
    send("n1", "n2", 2);
    kernel.crash("n2");
    expect(node("n2")).toBeUndefined();
    kernel.runUntil(30_000);
    expect(trace.records.some((r) => r.kind === "drop" && r.reason === "crashed")).toBe(true);
    kernel.restart("n2");
    const restarted = node("n2") as Probe;
    expect(restarted.restarted).toBe(true);
    expect(restarted.volatileCounter).toBe(0);
    expect(restarted.ctx.storage.get("seen")).toBe(1);
    kernel.runUntil(60_000);
    expect(restarted.timers).toEqual([]);
  });

  it("pause holds deliveries and timers until resume, then handles them in order", () => {
    const { kernel, node, send } = setUp();
    node("n2")?.ctx.setTimer("wake", 3_000);
    kernel.pause("n2");
    send("n1", "n2", 1);
    send("n3", "n2", 2);
    kernel.runUntil(50_000);
    expect(node("n2")?.received).toEqual([]);
    kernel.resume("n2");
    expect(node("n2")?.received.map((r) => [r.n, r.atUs])).toEqual([
      [1, 50_000],
      [2, 50_000],
    ]);
    expect(node("n2")?.timers.map((t) => t.name)).toEqual(["wake"]);
  });

  it("a message waiting in a paused node's backlog is still in flight: a scripted drop applies to it", () => {
    const { kernel, node, send } = setUp({ latency: { distribution: "constant", valueUs: 10_000 } });
    kernel.pause("n2");
    send("n1", "n2", 1); // message 0, due at 10 ms, waits in n2's backlog
    send("n1", "n2", 2); // message 1
    kernel.runUntil(20_000);
    expect(kernel.faultMessage(0, { kind: "drop" })).toBe("set");
    kernel.resume("n2");
    expect(node("n2")?.received.map((r) => r.n)).toEqual([2]);
  });

  it("drift makes a fast node's timers fire sooner and its clock run ahead", () => {
    const { kernel, node } = setUp();
    kernel.drift("n1", 1); // twice as fast
    kernel.drift("n3", -0.5); // half as fast
    node("n1")?.ctx.setTimer("t", 100_000);
    node("n2")?.ctx.setTimer("t", 100_000);
    node("n3")?.ctx.setTimer("t", 100_000);
    kernel.runUntil(1_000_000);
    expect(node("n1")?.timers[0]?.atUs).toBe(50_000);
    expect(node("n2")?.timers[0]?.atUs).toBe(100_000);
    expect(node("n3")?.timers[0]?.atUs).toBe(200_000);
    expect(node("n1")?.ctx.now()).toBe(2_000_000);
    expect(node("n3")?.ctx.now()).toBe(500_000);
  });

  it("a timer set again replaces the pending one, and a cancelled timer never fires", () => {
    const { kernel, node } = setUp();
    const n1 = node("n1") as Probe;
    n1.ctx.setTimer("a", 10_000);
    n1.ctx.setTimer("a", 20_000);
    n1.ctx.setTimer("b", 5_000);
    n1.ctx.cancelTimer("b");
    kernel.runUntil(100_000);
    expect(n1.timers).toEqual([{ name: "a", atUs: 20_000 }]);
  });
});

describe("queue entries that can do nothing", () => {
  it("are not events: cancelled actions, replaced or cancelled timers, timers of crashed nodes", () => {
    const { kernel, node } = setUp();
    const before = kernel.events;
    let ran = 0;
    const cancelled = kernel.schedule(1_000, () => ran++);
    kernel.schedule(2_000, () => ran++);
    kernel.cancel(cancelled);
    const n1 = node("n1") as Probe;
    n1.ctx.setTimer("a", 3_000);
    n1.ctx.setTimer("a", 4_000); // replaces the first
    n1.ctx.setTimer("b", 3_000);
    n1.ctx.cancelTimer("b");
    (node("n2") as Probe).ctx.setTimer("c", 3_000);
    kernel.crash("n2");
    const afterCrash = kernel.events;
    kernel.runUntil(10_000);
    expect(ran).toBe(1);
    expect(n1.timers).toEqual([{ name: "a", atUs: 4_000 }]);
    expect(n1.ctx.hasTimer("a")).toBe(false);
    // The crash is an action run directly, not queued; then one action and one timer are events.
    expect(afterCrash).toBe(before);
    expect(kernel.events - afterCrash).toBe(2);
    expect(kernel.timeUs).toBe(10_000);
  });
});

/**
 * Kernel throughput: events per second for a message-passing load with trace recording off, with
 * recording to memory, and with the trace streamed to a file (resident memory reported).
 *
 * Messages are not frozen, as in the fuzzer's runs of the built-in protocols; `recordingOffFrozen`
 * gives the recording-off figure with every message frozen, as every run of a protocol module
 * pays it (sim/kernel.ts, `freezeMessage`: about 100 ns a message, a quarter of this load's time).
 *
 * The load is a ring of token passers: each of 5 nodes holds tokens and forwards each one it
 * receives to the next node, so every kernel event is one message delivery and one send.
 */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Kernel } from "../sim/kernel.js";
import { defaultNetwork } from "../sim/network.js";
import type { Message, NodeContext, Protocol, ProtocolNode } from "../sim/node.js";
import { TraceRecorder, type TraceSink } from "../sim/trace.js";

interface Token extends Message {
  readonly type: "token";
  readonly hops: number;
}

class Passer implements ProtocolNode<Token> {
  private readonly next: string;

  constructor(private readonly ctx: NodeContext<Token>) {
    const index = ctx.nodes.indexOf(ctx.id);
    this.next = ctx.nodes[(index + 1) % ctx.nodes.length] as string;
  }

  onStart(): void {
    for (let token = 0; token < 20; token++) this.ctx.send(this.next, { type: "token", hops: 0 });
  }

  onMessage(_from: string, message: Token): void {
    this.ctx.send(this.next, { type: "token", hops: message.hops + 1 });
  }
}

const passing: Protocol<Token, Passer> = {
  name: "token-ring",
  summary: "benchmark load",
  defaultNodes: 5,
  parseOptions: () => ({}),
  create: (context) => new Passer(context),
  invariants: [],
  bugs: [],
};

function run(events: number, trace: TraceRecorder, freezeMessages = false): Record<string, number> {
  const kernel = new Kernel({
    protocol: passing as unknown as Protocol,
    options: {},
    nodes: ["n1", "n2", "n3", "n4", "n5"],
    clients: [],
    seed: 7n,
    network: { ...defaultNetwork, latency: { distribution: "uniform", minUs: 500, maxUs: 1_500 } },
    trace,
    freezeMessages,
  });
  kernel.startAll();
  // About 100 tokens in flight at ~1 ms each: 100,000 events per simulated second.
  const endUs = Math.ceil(events / 100_000) * 1_000_000;
  const started = performance.now();
  kernel.runUntil(endUs);
  const wallMs = performance.now() - started;
  const finishStarted = performance.now();
  trace.finish(kernel.timeUs, kernel.events, kernel.events);
  return {
    eventsPerSec: Math.round(kernel.events / (wallMs / 1000)),
    wallMs: Math.round(wallMs),
    events: kernel.events,
    /** Serializing and hashing at the end (non-zero only when records were kept in memory). */
    finishMs: Math.round(performance.now() - finishStarted),
  };
}

export async function benchKernel(options: { streamEvents?: number } = {}): Promise<Record<string, unknown>> {
  run(200_000, new TraceRecorder({ hash: false, keep: false })); // warm-up
  // The streamed run goes first, so the resident memory it reports is its own.
  const streamEvents = options.streamEvents ?? 10_000_000;
  const path = join(tmpdir(), `quorumlab-bench-${process.pid}.jsonl`);
  const fd = openSync(path, "w");
  let rssMaxBytes = process.memoryUsage.rss();
  let chunks = 0;
  const sink: TraceSink = {
    write(chunk) {
      writeSync(fd, chunk);
      if (++chunks % 64 === 0) rssMaxBytes = Math.max(rssMaxBytes, process.memoryUsage.rss());
    },
  };
  const streamed = run(streamEvents, new TraceRecorder({ hash: true, keep: false, sink }));
  closeSync(fd);
  rmSync(path, { force: true });
  const off = run(3_000_000, new TraceRecorder({ hash: false, keep: false }));
  const frozen = run(3_000_000, new TraceRecorder({ hash: false, keep: false }), true);
  const memory = run(1_000_000, new TraceRecorder({ hash: true, keep: true }));
  const hashOnly = run(1_000_000, new TraceRecorder({ hash: true, keep: false }));
  return {
    load: "5-node token ring, 100 messages in flight, 0.5-1.5 ms latency",
    recordingOff: { ...off, target: 2_500_000 },
    recordingOffFrozen: frozen,
    recordingToMemory: { ...memory, target: 1_000_000 },
    hashOnly,
    streamingToFile: { ...streamed, rssMaxMB: Math.round(rssMaxBytes / 1_048_576), targetRssMaxMB: 300 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchKernel(), null, 2)}\n`);
}

/**
 * Simulated clients: leader redirects, retries after an attempt timeout, indeterminate (`info`)
 * outcomes when nothing answers, and Jepsen-style history records.
 */
import { describe, expect, it } from "vitest";
import { pairOperations } from "../../sim/history.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { testRegistry } from "../support/heartbeat.js";

function run(text: string) {
  return runScenario(parseScenario(`protocol: heartbeat\nnodes: 3\n${text}`, "clients.yaml"), testRegistry, {
    keepTrace: true,
  });
}

describe("simulated clients", () => {
  it("follow redirects to the node that serves, and record invoke/ok pairs", () => {
    const result = run("duration: 2s\nworkload: {clients: 4, rate: 100, mix: {read: 1, write: 1}}\n");
    const operations = pairOperations(result.history);
    expect(operations.length).toBeGreaterThan(100);
    expect(operations.every((operation) => operation.status === "ok")).toBe(true);
    // Only n1 (the lowest node, alive) serves: every ok reply comes from n1.
    const replies = result.records.filter((r) => r.kind === "deliver" && r.type === "client-reply");
    const fromLeader = replies.filter((r) => r.kind === "deliver" && r.from === "n1");
    expect(fromLeader.length).toBeGreaterThan(100);
    // Some requests first went elsewhere and were redirected.
    const requests = result.records.filter((r) => r.kind === "send" && r.type === "client-request");
    expect(requests.some((r) => r.kind === "send" && r.to !== "n1")).toBe(true);
  });

  it("record info when no node answers before the operation's deadline", () => {
    const result = run(
      "duration: 2s\nworkload: {clients: 2, rate: 20, mix: {write: 1}, timeout: 300ms, attemptTimeout: 100ms}\n" +
        "faults:\n  - {at: 0, partition: [[c1, c2], [n1, n2, n3]]}\n",
    );
    const operations = pairOperations(result.history);
    expect(operations.length).toBeGreaterThan(3);
    expect(operations.every((operation) => operation.status === "info")).toBe(true);
    const infos = result.records.filter((r) => r.kind === "info");
    expect(infos.every((r) => r.kind === "info" && r.error === "timeout")).toBe(true);
    // Each operation ends exactly at its deadline, after attempts at 0, 100 and 200 ms.
    const invokedAt = new Map<number, number>();
    const ended: number[] = [];
    for (const event of result.history) {
      if (event.type === "invoke") invokedAt.set(event.process, event.timeUs);
      else ended.push(event.timeUs - (invokedAt.get(event.process) as number));
    }
    expect(ended.length).toBeGreaterThan(3);
    expect(ended.every((durationUs) => durationUs === 300_000)).toBe(true);
    const requests = result.records.filter((r) => r.kind === "send" && r.type === "client-request");
    expect(requests.length).toBeGreaterThanOrEqual(ended.length * 3);
    expect(requests.length).toBeLessThanOrEqual(operations.length * 3);
  });

  it("send a scripted operation only to its node when it names one", () => {
    const result = run(
      "duration: 1s\nfaults:\n  - {at: 0, crash: n2}\n  - {at: 10ms, op: {f: write, key: x, value: 5, node: n2, timeout: 400ms}}\n",
    );
    const [operation] = pairOperations(result.history);
    expect(operation?.status).toBe("info");
    const requests = result.records.filter((r) => r.kind === "send" && r.type === "client-request");
    expect(requests.every((r) => r.kind === "send" && r.to === "n2")).toBe(true);
  });

  it("still reach a node isolated from the other nodes", () => {
    const result = run(
      "duration: 1s\nfaults:\n  - {at: 0, isolate: n1}\n  - {at: 10ms, op: {f: write, key: x, value: 5, node: n1, timeout: 400ms}}\n",
    );
    const [operation] = pairOperations(result.history);
    expect(operation?.status).toBe("ok");
    // The nodes themselves no longer hear n1.
    const toPeers = result.records.filter(
      (r) => r.kind === "drop" && r.from === "n1" && (r.to === "n2" || r.to === "n3"),
    );
    expect(toPeers.length).toBeGreaterThan(0);
    const partition = result.records.find((r) => r.kind === "partition");
    expect(partition?.kind === "partition" && partition.groups).toEqual([["n1"], ["n2", "n3"]]);
  });
});

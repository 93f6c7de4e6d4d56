/**
 * Each deliberate Paxos bug is caught on the smallest schedule the mutation catalogue gives for
 * it (section 4 of the reference), and the correct protocol passes the same schedule.
 */
import { describe, expect, it } from "vitest";
import { paxosBugs } from "../../protocols/paxos/bugs.js";
import { runYaml, violated } from "./support.js";

/** M13: P1 prepares b1 at A1, A2; P2 prepares b2 at A2, A3; accept(1, X) reaches A1, A2 after. */
const m13 = `
protocol: paxos
nodes: 5
duration: 100ms
options: {proposers: [n1, n2], acceptors: [n3, n4, n5], learners: [n3, n4, n5], values: {n1: X, n2: Y}, autoPropose: false, retryTimeout: 1s}
network: {latency: 1ms}
faults:
  - {at: 0, cut: {from: n1, to: n5, oneWay: true}}
  - {at: 0, cut: {from: n2, to: n3, oneWay: true}}
  - {at: 0, timeout: n1}
  - {at: 1500us, timeout: n2}
`;

/** M15: P1 gets X chosen at b1, restarts, and starts b1 again. */
const m15 = `
protocol: paxos
nodes: 5
duration: 200ms
options: {proposers: [n1, n2], acceptors: [n3, n4, n5], learners: [n3, n4, n5], values: {n1: X, n2: Y}, autoPropose: false, retryTimeout: 20ms}
network: {latency: 1ms}
faults:
  - {at: 0, timeout: n1}
  - {at: 10ms, crash: n1}
  - {at: 20ms, restart: n1}
`;

/**
 * M16: P1's promise from A3 for ballot 1 is held up 30 ms. P1 retries with ballot 6 at 10 ms;
 * meanwhile P2 gets Y chosen at A2 and A3 in ballot 2. The stale promise (nothing accepted)
 * completes P1's quorum for ballot 6, so P1 proposes X.
 */
const m16 = `
protocol: paxos
nodes: 5
duration: 200ms
options: {proposers: [n1, n2], acceptors: [n3, n4, n5], learners: [n3, n4, n5], values: {n1: X, n2: Y}, autoPropose: false, backoff: false, retryTimeout: 10ms}
network: {latency: 1ms}
faults:
  - {at: 0, cut: {from: n1, to: n4, oneWay: true}}
  - {at: 0, cut: {from: n2, to: n3, oneWay: true}}
  - {at: 0, clog: {link: {from: n5, to: n1, oneWay: true}, delay: 30ms, for: 200ms}}
  - {at: 0, timeout: n1}
  - {at: 3ms, timeout: n2}
`;

/** M17: X is accepted by A1 in ballot 1 and by A2 in ballot 3, never by a majority in one ballot. */
const m17 = `
protocol: paxos
nodes: 6
duration: 200ms
options: {proposers: [n1, n3], acceptors: [n4, n5, n6], learners: [n2], values: {n1: X, n3: Z}, autoPropose: false, retryTimeout: 5s}
network: {latency: 2ms}
faults:
  - {at: 0, cut: {from: n1, to: n6, oneWay: true}}
  - {at: 0, timeout: n1}
  - {at: 3ms, cut: {from: n1, to: n5, oneWay: true}}
  - {at: 50ms, cut: {from: n3, to: n6, oneWay: true}}
  - {at: 50ms, timeout: n3}
  - {at: 53ms, cut: {from: n3, to: n4, oneWay: true}}
`;

const cases = [
  { bug: "accept-checks-accepted-ballot", yaml: m13, first: "paxos.p1-promise-respected" },
  { bug: "reuse-ballots", yaml: m15, first: "paxos.ballot-unique" },
  { bug: "count-stale-promises", yaml: m16, first: "paxos.p2c-justified" },
  { bug: "learner-counts-across-ballots", yaml: m17, first: "paxos.learner-integrity" },
] as const;

describe("paxos deliberate bugs on their catalogue schedules", () => {
  for (const { bug, yaml, first } of cases) {
    it(`${bug}: the correct protocol is safe on the schedule`, () => {
      const result = runYaml(yaml, `${bug}.yaml`);
      expect(result.violations).toEqual([]);
    });

    it(`${bug}: is caught by ${first}`, () => {
      const result = runYaml(yaml, `${bug}.yaml`, { options: { bugs: [bug] }, continueAfterViolation: true });
      expect(violated(result)[0]).toBe(first);
      const declared = paxosBugs.find((entry) => entry.name === bug)?.breaks as readonly string[];
      for (const name of violated(result)) expect(declared).toContain(name);
    });
  }

  it("M13 and M16 go on to choose two values (agreement)", () => {
    for (const { bug, yaml } of [cases[0], cases[2]]) {
      const result = runYaml(yaml, `${bug}.yaml`, { options: { bugs: [bug] }, continueAfterViolation: true });
      expect(violated(result)).toContain("paxos.agreement");
    }
  });
});

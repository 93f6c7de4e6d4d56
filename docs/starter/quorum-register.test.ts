/**
 * The register against the fuzzer: a short campaign of generated fault plans (crashes,
 * partitions, lossy and duplicating links), with the history checked for linearizability after
 * every run. `npx quorumlab fuzz quorum-register.ts --time 60s` runs a longer one.
 */
import { fuzzProtocol } from "quorumlab";
import { expect, test } from "vitest";
import { protocol } from "./quorum-register.js";

// Two hundred runs take about a second alone, several on a loaded machine: a minute is the limit.
test("no fault plan breaks the register", { timeout: 60_000 }, () => {
  const result = fuzzProtocol(protocol, { runs: 200, seed: 1n });
  expect(result.failure).toBeUndefined();
  expect(result.runs).toBe(200);
});

/**
 * The register against the fuzzer: a short campaign of generated fault plans (crashes,
 * partitions, lossy and duplicating links), with the history checked for linearizability after
 * every run. `npx quorumlab fuzz quorum-register.ts --time 60s` runs a longer one.
 */
import { fuzzProtocol } from "quorumlab";
import { expect, test } from "vitest";
import { protocol } from "./quorum-register.js";

test("no fault plan breaks the register", () => {
  const result = fuzzProtocol(protocol, { runs: 200, seed: 1n });
  expect(result.failure).toBeUndefined();
  expect(result.runs).toBe(200);
});

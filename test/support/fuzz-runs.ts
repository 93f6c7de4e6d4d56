/**
 * Protocol tests under generated faults, using the fuzzer's own arbitraries (sim/fuzz): run `i`
 * of a campaign is the plan `quorumlab fuzz <protocol> --seed 1` would run as its run `i`, so a
 * failure here replays with the CLI, and a test needs no fault generator of its own.
 */
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { evaluateRun } from "../../sim/fuzz/campaign.js";
import type { RunFailure } from "../../sim/fuzz/property.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzSettings, type SettingsInput } from "../../sim/fuzz/settings.js";
import type { DeliberateBug, Protocol } from "../../sim/node.js";

const runner = scenarioRunner(protocols, { liveness: false, checkHistory: historyChecker() });

export function protocolNamed(name: string): Protocol {
  const protocol = protocols.get(name);
  if (protocol === undefined) throw new Error(`no protocol '${name}'`);
  return protocol;
}

export function bugNamed(protocol: string, bug: string): DeliberateBug {
  const found = protocolNamed(protocol).bugs.find((known) => known.name === bug);
  if (found === undefined) throw new Error(`${protocol} has no bug '${bug}'`);
  return found;
}

/** The first failing run among runs 0..runs-1 of campaign `seed`, with its index. */
export function firstFailure(
  protocol: string,
  settings: SettingsInput & { readonly runs: number; readonly seed?: bigint },
): { index: number; failure: RunFailure } | undefined {
  const fuzz = fuzzSettings(protocolNamed(protocol), settings);
  for (let index = 0; index < settings.runs; index++) {
    const failure = evaluateRun(fuzz, settings.seed ?? 1n, index, runner).failure;
    if (failure !== undefined) return { index, failure };
  }
  return undefined;
}

/**
 * Pinned behaviour: the trace hash of every built-in scenario (scenarios/, regressions/
 * included), run the way `quorumlab verify` runs it, must equal the hash recorded in
 * test/golden/trace-hashes.txt. A trace hash covers every event of a run (messages, timers,
 * faults, state descriptions, client operations, violations), so any change to what a scenario
 * does shows up here, named, with its old and new hash.
 *
 * When a change to a trace is intended, rewrite the file and review its diff before committing:
 *
 *     npm run golden:update        (or: UPDATE_GOLDEN=1 npx vitest run test/golden)
 *
 * Each changed line of the diff is a scenario whose trace changed; say which, and why, in the
 * commit message. docs/scenarios.md ("Pinned traces") describes the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";
import { displayPath, scenarioFiles, scenariosFolder } from "../../cli/files.js";
import { executeScenario } from "../../cli/shared/run-scenario.js";
import { parseScenario } from "../../sim/scenario/load.js";

const goldenFile = join(import.meta.dirname, "trace-hashes.txt");
const rewriting = process.env.UPDATE_GOLDEN === "1";

const header = `# Trace hashes of every built-in scenario (scenarios/, regressions included), run as
# \`quorumlab verify\` runs them: the scenario's own seed, no liveness check.
# Checked by test/golden/trace-hashes.test.ts. After an intended change, rewrite this file with
#   npm run golden:update
# and review the diff: each changed line is a scenario whose trace changed.
`;

/** `scenario file (relative to scenarios/) → trace hash`, in file order. */
function readGolden(): Map<string, string> {
  const pinned = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(goldenFile, "utf8");
  } catch {
    return pinned;
  }
  text.split("\n").forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(\S+)\s+([0-9a-f]{64})$/.exec(trimmed);
    if (match === null) throw new Error(`${goldenFile}:${index + 1}: expected "<scenario file> <sha-256>"`);
    pinned.set(match[1] as string, match[2] as string);
  });
  return pinned;
}

function currentHashes(): Map<string, string> {
  const current = new Map<string, string>();
  for (const file of scenarioFiles()) {
    const scenario = parseScenario(readFileSync(file, "utf8"), displayPath(file));
    const { result } = executeScenario(scenario, { keepTrace: false });
    current.set(relative(scenariosFolder(), file).split("\\").join("/"), result.traceHash);
  }
  return current;
}

test("every built-in scenario's trace hash is the pinned one", () => {
  const pinned = readGolden();
  const current = currentHashes();
  const problems: string[] = [];
  for (const [name, hash] of current) {
    const old = pinned.get(name);
    if (old === undefined) problems.push(`  ${name}: not pinned (new hash ${hash})`);
    else if (old !== hash) problems.push(`  ${name}: trace changed\n    old ${old}\n    new ${hash}`);
  }
  for (const [name, old] of pinned) {
    if (!current.has(name)) problems.push(`  ${name}: pinned (${old}) but no such scenario`);
  }
  if (rewriting) {
    const lines = [...current].map(([name, hash]) => `${name} ${hash}`);
    writeFileSync(goldenFile, `${header}\n${lines.join("\n")}\n`);
    if (problems.length > 0) console.log(`rewrote ${goldenFile}:\n${problems.join("\n")}`);
    return;
  }
  expect(current.size).toBeGreaterThan(0);
  expect(
    problems,
    `${problems.length} scenario trace(s) differ from test/golden/trace-hashes.txt:\n${problems.join("\n")}\n` +
      "If the change is intended, run `npm run golden:update` and review the diff.",
  ).toEqual([]);
});

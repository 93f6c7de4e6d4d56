/** Prints the trace hash of the determinism scenario for the seed given as argument. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { testRegistry } from "./heartbeat.js";

const testFile = readFileSync(join(import.meta.dirname, "..", "kernel", "determinism.test.ts"), "utf8");
const text = /const scenarioText = `([\s\S]*?)`;/.exec(testFile)?.[1] ?? "";
const seed = BigInt(process.argv[2] ?? "1");
process.stdout.write(
  `${runScenario(parseScenario(text, "determinism.yaml"), testRegistry, { seed }).traceHash}\n`,
);

/**
 * Where a command's protocols come from: the built-in ones, and those of the user's modules,
 * given with `--module` or recorded in a scenario's `module:`.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { protocols } from "../../protocols/index.js";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import type { Scenario } from "../../sim/scenario/schema.js";
import { displayPath } from "../files.js";
import { colours } from "../output.js";
import { loadProtocolModule } from "./fuzz-worker.js";

/**
 * The built-in protocols plus those of the user's modules (which may replace a built-in name).
 * With `runs`, the protocol the scenario runs: a `--module` whose protocol is another would not
 * be used, and is refused.
 */
export async function registryWith(
  modules: readonly string[],
  runs?: string,
): Promise<ReadonlyMap<string, Protocol>> {
  if (modules.length === 0) return protocols;
  const registry = new Map(protocols);
  for (const module of modules) {
    const protocol = await loadProtocolModule(module, { onWarning: warn });
    if (runs !== undefined && protocol.name !== runs)
      throw new InputError(
        `--module: ${module} is the protocol '${protocol.name}', and the scenario runs '${runs}', so it would not be used`,
      );
    registry.set(protocol.name, protocol);
  }
  return registry;
}

/**
 * `error` with `module` as its file, when it is an input error that names no file: one that a
 * protocol module's own code caused while the command ran it (a node without a handler it needs,
 * a `describe()` that threw, state kept outside the nodes), so the message names the module.
 */
export function inModule(error: unknown, module: string | undefined): unknown {
  if (error instanceof InputError && module !== undefined && error.file === undefined)
    return new InputError(error.message, { file: displayPath(module) });
  return error;
}

/** Prints a warning about a module (a field it leaves unset) on stderr. */
export function warn(message: string): void {
  process.stderr.write(`${colours(process.stderr).yellow("warning:")} ${message}\n`);
}

/**
 * The modules a run needs: those given with `--module`, else the one the scenario records (a
 * path relative to the scenario file's folder, or an absolute one), checked to exist.
 */
export function scenarioModules(scenario: Scenario, given: readonly string[]): string[] {
  if (given.length > 0 || scenario.module === undefined) return [...given];
  // An absolute path (a lab's downloaded scenario) is taken as it is.
  const path = resolve(dirname(scenario.file ?? "."), scenario.module);
  if (!existsSync(path)) {
    const relativeTo = isAbsolute(scenario.module) ? "" : " (the path is relative to the scenario's folder)";
    throw new InputError(`module: no file ${displayPath(path)}${relativeTo}; give the module with --module`, {
      file: scenario.file ?? scenario.name,
      ...(scenario.locate?.(["module"]) ?? {}),
    });
  }
  return [displayPath(path)];
}

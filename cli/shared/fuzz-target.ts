/**
 * The target of `fuzz`, `mutants` and `explore`: a built-in protocol's name, or the path of a
 * module that exports a protocol.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../../sim/errors.js";
import type { Protocol } from "../../sim/node.js";
import { didYouMean } from "../../sim/suggest.js";
import { colours } from "../output.js";
import { type ProtocolSource, registryFor } from "./fuzz-worker.js";
import { isModulePath } from "./protocol-module.js";

/** Resolves the command's target to a protocol source and the protocol itself. */
export async function resolveTarget(target: string): Promise<{ source: ProtocolSource; protocol: Protocol }> {
  if (isModulePath(target)) {
    const module = resolve(target);
    if (!existsSync(module)) throw new InputError("no such protocol module", { file: target });
    const registry = await registryFor({ module }, (message) =>
      process.stderr.write(`${colours(process.stderr).yellow("warning:")} ${message}\n`),
    );
    const protocol = [...registry.values()][0] as Protocol;
    return { source: { module, name: protocol.name }, protocol };
  }
  const registry = await registryFor({});
  const protocol = registry.get(target);
  if (protocol === undefined) {
    const known = [...registry.keys()].sort();
    throw new InputError(
      `unknown protocol '${target}'${didYouMean(target, known)} (known: ${known.join(", ")}, or give a module path)`,
    );
  }
  return { source: { name: target }, protocol };
}

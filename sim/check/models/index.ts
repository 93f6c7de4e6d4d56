/**
 * The model registry: a name → default model table for the CLI and the simulator, and the
 * factories for models with options. To add a model, write a file in this folder that returns a
 * `Model` (see ../model.ts) and list it here.
 */
import type { AnyModel } from "../model.js";
import { type KvOptions, kvModelOf } from "./kv.js";
import { type MultiRegisterOptions, multiRegisterModelOf } from "./multi-register.js";
import { type MutexOptions, mutexModelOf } from "./mutex.js";
import { casRegisterModelOf, type RegisterOptions, registerModelOf } from "./register.js";

export { type KvOptions, kvModelOf } from "./kv.js";
export { type MultiRegisterOptions, multiRegisterModelOf } from "./multi-register.js";
export { type MutexOptions, mutexModelOf } from "./mutex.js";
export { casRegisterModelOf, type RegisterOptions, registerModelOf } from "./register.js";

/** The model names the CLI accepts. */
export const modelNames = ["register", "cas-register", "kv", "multi-register", "mutex"] as const;
export type ModelName = (typeof modelNames)[number];

/** Default instances: registers and keys start absent, multi-register keys at 0, mutex free. */
export const models: Readonly<Record<ModelName, AnyModel>> = {
  register: registerModelOf(),
  "cas-register": casRegisterModelOf(),
  kv: kvModelOf(),
  "multi-register": multiRegisterModelOf(),
  mutex: mutexModelOf(),
};

/** Options for `modelByName`; each model reads the ones it knows. */
export type ModelOptions = RegisterOptions & KvOptions & MultiRegisterOptions;

/** Builds a model by name with options (for example a register starting at 0). */
export function modelByName(name: ModelName, options: { initial?: unknown } = {}): AnyModel {
  switch (name) {
    case "register":
      return registerModelOf(options);
    case "cas-register":
      return casRegisterModelOf(options);
    case "kv":
      return kvModelOf(options);
    case "multi-register":
      return multiRegisterModelOf(options as MultiRegisterOptions);
    case "mutex":
      return mutexModelOf(options as MutexOptions);
  }
}

/** Whether a string names a model. */
export function isModelName(name: string): name is ModelName {
  return (modelNames as readonly string[]).includes(name);
}

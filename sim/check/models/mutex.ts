/**
 * `mutex`: a lock that is free or held (Knossos's mutex model). `acquire` is legal only while
 * free and `release` only while held; neither carries a value. The lock starts free unless
 * `initial` is true.
 */
import type { Model } from "../model.js";

/** Options for the mutex model. */
export interface MutexOptions {
  /** Whether the lock starts held; default false (free). */
  readonly initial?: boolean;
}

/** The mutex model; the state is `true` while held. */
export function mutexModelOf(options: MutexOptions = {}): Model<boolean> {
  const initial = options.initial === true;
  return {
    name: "mutex",
    init: () => initial,
    step(held, operation) {
      if (operation.f === "acquire") return held ? undefined : true;
      if (operation.f === "release") return held ? false : undefined;
      return undefined;
    },
    functions: ["acquire", "release"],
    validate: (operation) =>
      operation.f === "acquire" || operation.f === "release"
        ? undefined
        : `the mutex model supports acquire and release, not '${operation.f}'`,
    describeOperation: (operation) => `${operation.f}()${operation.status === "info" ? " ?" : ""}`,
    describeState: (held) => (held ? "held" : "free"),
  };
}

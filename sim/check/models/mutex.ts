/**
 * `mutex`: a lock that is free or held (Knossos's mutex model). `acquire` is legal only while
 * free and `release` only while held; neither carries a value. The lock starts free.
 */
import type { Model } from "../model.js";

/** The mutex model; the state is `true` while held. */
export function mutexModelOf(): Model<boolean> {
  return {
    name: "mutex",
    init: () => false,
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

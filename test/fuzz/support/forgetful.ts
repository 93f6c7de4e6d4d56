/**
 * A test protocol for the fuzzer: the heartbeat protocol of test/support/heartbeat.ts with one
 * deliberate bug. With `bugs: [forget-boots]` a restarted node reads its durable boot count two
 * short, so its count goes down, which breaks `heartbeat.boots-monotone` after any crash and
 * restart. It has no client side, so runs check only its invariants.
 */
import type { NodeContext, Protocol } from "../../../sim/node.js";
import { type Heartbeat, HeartbeatNode, heartbeatProtocol } from "../../support/heartbeat.js";

const base = heartbeatProtocol();

export const forgetful: Protocol = {
  ...(base as unknown as Protocol),
  name: "forgetful",
  summary: "Heartbeats with an optional bug that forgets the boot count (test protocol).",
  parseOptions(options) {
    const bugs: string[] = [];
    for (const key of Object.keys(options)) {
      if (key !== "bugs") throw new Error(`unknown option '${key}'`);
      const value = options.bugs;
      if (!Array.isArray(value) || value.some((bug) => bug !== "forget-boots")) {
        throw new Error("forgetful option 'bugs' must be a list of: forget-boots");
      }
      bugs.push(...(value as string[]));
    }
    return { bugs };
  },
  create(context, options) {
    const forget = (options.bugs as string[]).includes("forget-boots");
    const ctx = context as unknown as NodeContext<Heartbeat>;
    if (!forget) return new HeartbeatNode(ctx);
    // BUG(forget-boots): a restarted node reads its durable boot count two short.
    const storage = {
      ...ctx.storage,
      get: <T>(key: string): T | undefined => {
        const value = ctx.storage.get<T>(key);
        return key === "boots" && typeof value === "number" ? ((value - 2) as T) : value;
      },
      set: (key: string, value: unknown) => ctx.storage.set(key, value),
      delete: (key: string) => ctx.storage.delete(key),
      append: (key: string, ...items: unknown[]) => ctx.storage.append(key, ...items),
      truncate: (key: string, length: number) => ctx.storage.truncate(key, length),
      list: <T>(key: string): readonly T[] => ctx.storage.list<T>(key),
      sync: () => ctx.storage.sync(),
    };
    return new HeartbeatNode({ ...ctx, storage, now: () => ctx.now() } as NodeContext<Heartbeat>);
  },
  bugs: [
    {
      name: "forget-boots",
      change: "A restarted node reads its durable boot count two short.",
      breaks: ["heartbeat.boots-monotone"],
      source: "test protocol",
      kind: "safety",
    },
  ],
  client: undefined,
};

export const forgetfulRegistry: ReadonlyMap<string, Protocol> = new Map([["forgetful", forgetful]]);

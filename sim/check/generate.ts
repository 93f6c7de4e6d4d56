/**
 * Random histories that are linearizable by construction, for property tests and benchmarks:
 * clients run operations against one sequential object, and each operation takes effect at a
 * single instant between its invocation and its completion; instants interleave at random, so
 * intervals overlap at random. Randomness comes from the `random` function the caller passes.
 */
import type { HistoryEvent, HistoryEventType } from "../history.js";

/** Options for generateHistory. */
export interface GenerateOptions {
  /** How many operations to invoke. */
  readonly operations: number;
  /** How many clients run at once. */
  readonly clients: number;
  /** Uniform numbers in [0, 1). */
  readonly random: () => number;
  /** `register` (read/write), `cas-register` (adds cas) or `kv` (get/put/append over keys). */
  readonly kind: "register" | "cas-register" | "kv";
  /** Number of keys for `kv`; default 3. */
  readonly keys?: number;
  /** Values written are 0..values-1; default 5. */
  readonly values?: number;
  /** Chance that an operation crashes (an `info` completion, taking effect or not); default 0. */
  readonly crashProbability?: number;
}

type Client =
  | { phase: "idle"; process: number }
  | { phase: "invoked"; process: number; f: string; key: string | null; input: unknown }
  | { phase: "applied"; process: number; f: string; key: string | null; output: unknown };

/** Generates a linearizable history with `timeUs` 0, 1, 2, … in event order. */
export function generateHistory(options: GenerateOptions): HistoryEvent[] {
  const { random, kind } = options;
  const valuesMax = options.values ?? 5;
  const keyCount = kind === "kv" ? (options.keys ?? 3) : 1;
  const crashProbability = options.crashProbability ?? 0;
  const pick = (count: number): number => Math.floor(random() * count);
  const state = new Map<string | null, unknown>();
  const events: HistoryEvent[] = [];
  let nextProcess = options.clients;
  const clients: Client[] = [];
  for (let index = 0; index < options.clients; index++) clients.push({ phase: "idle", process: index });
  let invoked = 0;
  let busy = 0;
  const emit = (
    type: HistoryEventType,
    client: Client,
    f: string,
    key: string | null,
    value: unknown,
  ): void => {
    events.push({ type, process: client.process, f, key, value, timeUs: events.length });
  };
  while (invoked < options.operations || busy > 0) {
    const index = pick(clients.length);
    const client = clients[index]!;
    if (client.phase === "idle") {
      if (invoked >= options.operations) continue;
      invoked++;
      busy++;
      const key = kind === "kv" ? String(pick(keyCount)) : null;
      const choice = pick(kind === "register" ? 2 : 3);
      let f: string;
      let input: unknown = null;
      if (choice === 0) f = kind === "kv" ? "get" : "read";
      else if (choice === 1) {
        f = kind === "kv" ? "put" : "write";
        input = kind === "kv" ? `v${pick(valuesMax)}` : pick(valuesMax);
      } else if (kind === "kv") {
        f = "append";
        input = `a${invoked}`;
      } else {
        f = "cas";
        input = [pick(valuesMax), pick(valuesMax)];
      }
      emit("invoke", client, f, key, input);
      clients[index] = { phase: "invoked", process: client.process, f, key, input };
    } else if (client.phase === "invoked") {
      if (random() < crashProbability) {
        // Crash: it takes effect or not, and the client never learns which.
        if (random() < 0.5) apply(state, client.f, client.key, client.input);
        emit("info", client, client.f, client.key, null);
        clients[index] = { phase: "idle", process: nextProcess++ };
        busy--;
        continue;
      }
      const output = apply(state, client.f, client.key, client.input);
      clients[index] = { phase: "applied", process: client.process, f: client.f, key: client.key, output };
    } else {
      emit("ok", client, client.f, client.key, client.output);
      clients[index] = { phase: "idle", process: client.process };
      busy--;
    }
  }
  return events;
}

function apply(state: Map<string | null, unknown>, f: string, key: string | null, input: unknown): unknown {
  const current = state.get(key) ?? null;
  switch (f) {
    case "read":
    case "get":
      return current;
    case "write":
    case "put":
      state.set(key, input);
      return input;
    case "append":
      state.set(key, `${typeof current === "string" ? current : ""}${String(input)}`);
      return input;
    default: {
      const [expected, next] = input as [unknown, unknown];
      if (current !== expected) return false;
      state.set(key, next);
      return true;
    }
  }
}

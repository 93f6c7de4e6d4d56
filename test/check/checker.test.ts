/**
 * Goal: the checker's semantics (indeterminate operations, failed operations, partitions,
 * budgets) and each model's rules.
 * Method: tiny hand-written histories whose verdicts are easy to see.
 */
import { describe, expect, it } from "vitest";
import { generateHistory } from "../../sim/check/generate.js";
import { checkHistory, models, multiRegisterModelOf } from "../../sim/check/index.js";
import type { HistoryEvent } from "../../sim/history.js";

type Step = [type: HistoryEvent["type"], process: number, f: string, value?: unknown, key?: string];

/** Events from compact steps; time is the position. */
function history(steps: readonly Step[]): HistoryEvent[] {
  return steps.map(([type, process, f, value, key], timeUs) => ({
    type,
    process,
    f,
    key: key ?? null,
    value: value ?? null,
    timeUs,
  }));
}

describe("registers", () => {
  it("rejects a stale read after a completed write", () => {
    const events = history([
      ["invoke", 0, "write", 1],
      ["ok", 0, "write", 1],
      ["invoke", 1, "read"],
      ["ok", 1, "read", null],
    ]);
    const verdict = checkHistory(events, models.register);
    expect(verdict.result).toBe("not-linearizable");
    expect(verdict.explanation?.stateAtFailure).toBe("1");
  });

  it("lets an indeterminate write take effect later, or never", () => {
    const later = history([
      ["invoke", 0, "write", 1],
      ["info", 0, "write"],
      ["invoke", 1, "read"],
      ["ok", 1, "read", null],
      ["invoke", 1, "read"],
      ["ok", 1, "read", 1],
    ]);
    expect(checkHistory(later, models.register).result).toBe("linearizable");
    const backAgain = [
      ...later,
      ...history([
        ["invoke", 1, "read"],
        ["ok", 1, "read", null],
      ]).map((event) => ({ ...event, timeUs: event.timeUs + 10 })),
    ];
    expect(checkHistory(backAgain, models.register).result).toBe("not-linearizable");
  });

  it("treats a never-completed invocation as indeterminate", () => {
    const events = history([
      ["invoke", 0, "write", 4],
      ["invoke", 1, "read"],
      ["ok", 1, "read", 4],
    ]);
    expect(checkHistory(events, models.register).result).toBe("linearizable");
  });

  it("drops failed operations", () => {
    const events = history([
      ["invoke", 0, "write", 4],
      ["fail", 0, "write"],
      ["invoke", 1, "read"],
      ["ok", 1, "read", 4],
    ]);
    expect(checkHistory(events, models.register).result).toBe("not-linearizable");
  });

  it("makes a CAS that observed a mismatch constrain the state", () => {
    const events = history([
      ["invoke", 0, "write", 1],
      ["ok", 0, "write", 1],
      ["invoke", 1, "cas", [1, 2]],
      ["ok", 1, "cas", false],
    ]);
    expect(checkHistory(events, models["cas-register"]).result).toBe("not-linearizable");
  });

  it("rejects a CAS in the plain register model with a readable error", () => {
    const events = history([
      ["invoke", 0, "cas", [1, 2]],
      ["ok", 0, "cas", true],
    ]);
    expect(() => checkHistory(events, models.register)).toThrow(/register model supports read, write/);
  });
});

describe("kv", () => {
  it("checks each key alone and names the failing key", () => {
    const events = history([
      ["invoke", 0, "put", "x", "a"],
      ["ok", 0, "put", "x", "a"],
      ["invoke", 0, "append", "y", "a"],
      ["ok", 0, "append", "y", "a"],
      ["invoke", 1, "get", null, "b"],
      ["ok", 1, "get", "x", "b"],
      ["invoke", 1, "get", null, "a"],
      ["ok", 1, "get", "xy", "a"],
    ]);
    const verdict = checkHistory(events, models.kv);
    expect(verdict.partitions).toBe(2);
    expect(verdict.result).toBe("not-linearizable");
    expect(verdict.explanation?.partition).toBe("b");
  });
});

describe("multi-register and mutex", () => {
  it("applies transactions left to right", () => {
    const model = multiRegisterModelOf({ initial: { x: 0, y: 0 } });
    const ok = history([
      [
        "invoke",
        0,
        "txn",
        [
          ["write", "x", 1],
          ["read", "y", null],
        ],
      ],
      [
        "ok",
        0,
        "txn",
        [
          ["write", "x", 1],
          ["read", "y", 0],
        ],
      ],
      ["invoke", 1, "txn", [["read", "x", null]]],
      ["ok", 1, "txn", [["read", "x", 1]]],
    ]);
    expect(checkHistory(ok, model).result).toBe("linearizable");
    const bad = ok.map((event, index) => (index === 3 ? { ...event, value: [["read", "x", 0]] } : event));
    expect(checkHistory(bad, model).result).toBe("not-linearizable");
  });

  it("lets a crashed acquire never happen", () => {
    const events = history([
      ["invoke", 0, "acquire"],
      ["info", 0, "acquire"],
      ["invoke", 1, "acquire"],
      ["ok", 1, "acquire"],
    ]);
    expect(checkHistory(events, models.mutex).result).toBe("linearizable");
  });
});

describe("histories with nothing to check", () => {
  it("have no partition under every model, whether it splits by key or not", () => {
    const onlyFailed = history([
      ["invoke", 0, "acquire"],
      ["fail", 0, "acquire"],
    ]);
    for (const model of Object.values(models)) {
      expect(checkHistory([], model)).toMatchObject({ result: "linearizable", partitions: 0, ops: 0 });
    }
    expect(checkHistory(onlyFailed, models.mutex)).toMatchObject({ partitions: 0, ops: 0 });
  });
});

describe("budgets", () => {
  const large = generateHistory({
    operations: 3000,
    clients: 20,
    kind: "cas-register",
    crashProbability: 0.2,
    random: (() => {
      let state = 7;
      return () => {
        state = (Math.imul(state, 48271) + 11) % 2147483647;
        return Math.abs(state) / 2147483647;
      };
    })(),
  });

  it("returns unknown when the step budget runs out", () => {
    const verdict = checkHistory(large, models["cas-register"], { maxSteps: 2048 });
    expect(verdict.result).toBe("unknown");
    expect(verdict.unknownReason).toBe("steps");
  });

  it("returns unknown when the injected clock passes the deadline", () => {
    let time = 0;
    const verdict = checkHistory(large, models["cas-register"], { timeoutMs: 5, now: () => (time += 1) });
    expect(verdict.result).toBe("unknown");
    expect(verdict.unknownReason).toBe("timeout");
  });

  it("counts the time budget from startedMs, and checks the deadline before a search is set up", () => {
    const staleRead = history([
      ["invoke", 0, "write", 1],
      ["ok", 0, "write", 1],
      ["invoke", 1, "read"],
      ["ok", 1, "read", 2],
    ]);
    // A search of four operations never reaches its first check at 1,024 steps.
    expect(checkHistory(staleRead, models.register, { timeoutMs: 1, now: () => 10 }).result).toBe(
      "not-linearizable",
    );
    const begunEarlier = checkHistory(staleRead, models.register, {
      timeoutMs: 1,
      now: () => 10,
      startedMs: 0,
    });
    expect(begunEarlier).toMatchObject({ result: "unknown", unknownReason: "timeout", steps: 0 });
    let time = 0;
    const slowSetUp = checkHistory(staleRead, models.register, { timeoutMs: 1, now: () => (time += 5) });
    expect(slowSetUp).toMatchObject({
      result: "unknown",
      unknownReason: "timeout",
      progress: { partitionsDecided: 0, operationsLinearized: 0, steps: 0 },
    });
  });

  it("refuses a timeout without a clock", () => {
    expect(() => checkHistory(large, models["cas-register"], { timeoutMs: 5 })).toThrow(/now/);
  });
});

describe("explanations count in the singular", () => {
  it("says 'the one state' when the operations can reach only one", () => {
    const verdict = checkHistory(
      history([
        ["invoke", 0, "read"],
        ["ok", 0, "read", 2],
      ]),
      models.register,
    );
    expect(verdict.explanation?.summary).toContain(
      "read() → 2 is not possible in the one state the partition's operations can reach.",
    );
  });

  it("speaks of the other pending operation, not of 'the 1 other pending operation'", () => {
    const verdict = checkHistory(
      history([
        ["invoke", 0, "write", 3],
        ["ok", 0, "write", 3],
        ["invoke", 0, "write", 1],
        ["ok", 0, "write", 1],
        ["invoke", 1, "write", 2],
        ["invoke", 0, "read"],
        ["ok", 0, "read", 3],
        ["ok", 1, "write", 2],
      ]),
      models.register,
    );
    expect(verdict.explanation?.summary).toContain(
      "read() → 3 is not possible in that state, and placing the other pending operation first does not make it possible.",
    );
  });
});

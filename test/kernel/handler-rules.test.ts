/**
 * The rules a handler runs under: a throwing handler is a finding (`exception`) with a trace and a
 * hash, not a crash of the simulator; ambient time, randomness and real timers throw a
 * `DeterminismError` naming the call and the handler; messages are frozen when sent.
 */
import { describe, expect, it } from "vitest";
import { executeScenario } from "../../cli/shared/run-scenario.js";
import { protocols } from "../../protocols/index.js";
import {
  DeterminismError,
  inDeterministicSection,
  outsideDeterministicSection,
} from "../../sim/determinism.js";
import { InputError } from "../../sim/errors.js";
import { scenarioRunner } from "../../sim/fuzz/property.js";
import { fuzzProtocol } from "../../sim/fuzz/quick.js";
import type {
  ClientReply,
  ClientRequest,
  InvariantMonitor,
  Message,
  NodeContext,
  Protocol,
  ProtocolNode,
  StepView,
} from "../../sim/node.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";

/** A protocol whose n2 runs `misbehave` when the first ping arrives. */
function protocolThat(misbehave: (ctx: NodeContext, message: Message) => void): Protocol {
  return {
    name: "probe",
    summary: "test protocol",
    defaultNodes: 2,
    parseOptions: (options) => ({ ...options }),
    create: (ctx): ProtocolNode => ({
      onStart() {
        if (ctx.id === "n1") ctx.setTimer("ping", 1_000);
      },
      onTimer() {
        ctx.send("n2", { type: "ping", items: [1, 2] } as Message);
      },
      onMessage(_from, message) {
        misbehave(ctx, message);
      },
    }),
    invariants: [],
    bugs: [],
  };
}

function run(protocol: Protocol) {
  const scenario = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
  return runScenario(scenario, new Map([["probe", protocol]]), { keepTrace: true });
}

describe("a handler that throws", () => {
  it("is an `exception` finding naming the node, the handler, the error and the frame", () => {
    const throwing = protocolThat(() => {
      throw new TypeError("no such entry");
    });
    const result = run(throwing);
    expect(result.ok).toBe(false);
    const violation = result.violations[0];
    expect(violation?.invariant).toBe("exception");
    expect(violation?.message).toMatch(
      /^n2 onMessage threw TypeError: no such entry \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
    expect(violation?.frame).toMatch(/handler-rules\.test\.ts:\d+:\d+$/);
    expect(result.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.records.some((record) => record.kind === "violation")).toBe(true);
    // The same run again gives the same trace.
    expect(run(throwing).traceHash).toBe(result.traceHash);
  });

  it("a timer set without a finite delay is an exception of the handler, and the run ends", () => {
    const result = run(
      protocolThat((ctx) => (ctx.setTimer as (name: string, delayUs?: number) => void)("retry")),
    );
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: ctx\.setTimer\("retry", undefined\): the delay must be a finite number of microseconds \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
  });

  it("a timer named by anything but a string is an exception of the handler, whichever call names it", () => {
    type Loose = (name: unknown, delayUs?: number) => unknown;
    for (const [call, shown] of [
      [(ctx: NodeContext) => (ctx.setTimer as Loose)(7, 10), "ctx\\.setTimer\\(7, …\\)"],
      [(ctx: NodeContext) => (ctx.cancelTimer as Loose)(7), "ctx\\.cancelTimer\\(7\\)"],
      [(ctx: NodeContext) => (ctx.hasTimer as Loose)(undefined), "ctx\\.hasTimer\\(undefined\\)"],
    ] as const) {
      const result = run(protocolThat((ctx) => void call(ctx)));
      expect(result.violations[0]?.invariant).toBe("exception");
      expect(result.violations[0]?.message).toMatch(
        new RegExp(
          `^n2 onMessage threw TypeError: ${shown}: a timer's name must be a string, got (number|undefined) \\(at`,
        ),
      );
    }
  });

  it("a timer name the protocol does not declare is an exception of the handler, whichever call names it", () => {
    for (const [call, shown] of [
      [(ctx: NodeContext) => ctx.setTimer("retri", 10), 'ctx\\.setTimer\\("retri", …\\)'],
      [(ctx: NodeContext) => ctx.cancelTimer("retri"), 'ctx\\.cancelTimer\\("retri"\\)'],
      [(ctx: NodeContext) => ctx.hasTimer("retri"), 'ctx\\.hasTimer\\("retri"\\)'],
    ] as const) {
      const result = run({ ...protocolThat((ctx) => void call(ctx)), timers: ["ping", "retry"] });
      expect(result.violations[0]?.invariant).toBe("exception");
      expect(result.violations[0]?.message).toMatch(
        new RegExp(
          `^n2 onMessage threw TypeError: ${shown}: 'retri' is not one of the timers probe declares \\(timers: ping, retry\\); did you mean 'retry'\\? \\(at`,
        ),
      );
    }
    // Declared names are taken, and so is any name where none are declared.
    const declared = run({ ...protocolThat((ctx) => ctx.setTimer("retry", 10)), timers: ["ping", "retry"] });
    expect(declared.violations).toEqual([]);
    expect(run(protocolThat((ctx) => ctx.setTimer("retri", 10))).violations).toEqual([]);
  });

  it("the context is frozen: a field set there would outlive a crash", () => {
    const setsField = run(
      protocolThat((ctx) => {
        (ctx as unknown as { writes: number }).writes = 1;
      }),
    );
    expect(setsField.violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: Cannot add property writes, object is not extensible \(at handler-rules\.test\.ts:\d+:\d+\); the context, a module's messages and requests, and lists read from ctx\.storage are frozen: change a copy \(docs\/node-api\.md, "Determinism"\)$/,
    );
  });

  it("a node that reorders its node lists changes only its own copies", () => {
    const result = run(
      protocolThat((ctx, message) => {
        if (message.type !== "ping") return;
        (ctx.nodes as string[]).reverse();
        (ctx.peers as string[]).push("n9");
        ctx.broadcast({ type: "pong" });
      }),
    );
    expect(result.violations).toEqual([]);
    expect(result.kernel.nodeIds).toEqual(["n1", "n2"]);
    expect(result.kernel.contextOf("n1").nodes).toEqual(["n1", "n2"]);
    // The broadcast reached the one other node, not the name pushed onto the list.
    const pongs = result.records.filter((record) => record.kind === "send" && record.type === "pong");
    expect(pongs.map((record) => (record as { to: string }).to)).toEqual(["n1"]);
  });

  it("sending something that is not a message with a string `type` is an exception of the sender", () => {
    for (const [sent, shown] of [
      [{ kind: "ping" }, '{"kind":"ping"}'],
      ["ping", '"ping"'],
      [null, "null"],
    ] as const) {
      const result = run(protocolThat((ctx) => ctx.send("n1", sent as unknown as Message)));
      expect(result.violations[0]?.invariant).toBe("exception");
      expect(result.violations[0]?.message).toContain(
        `n2 onMessage threw TypeError: ctx.send("n1", …): a message is an object with a string \`type\`, got ${shown}`,
      );
    }
  });

  it("a create that returns no node is an exception of create, saying what it returned", () => {
    const result = run({ ...protocolThat(() => {}), create: () => undefined as unknown as ProtocolNode });
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toMatch(
      /^n1 create threw TypeError: create returned undefined: it must return the node, an object with its handlers$/,
    );
    // No frame: create has returned, and the simulator's callers are not the protocol's code.
    expect(result.violations[0]?.frame).toBeUndefined();
  });

  it("an async create, which returns a Promise, is an exception of create saying so", () => {
    const asyncCreate = {
      ...protocolThat(() => {}),
      create: async () => ({}),
    } as unknown as Protocol;
    expect(run(asyncCreate).violations[0]?.message).toMatch(
      /^n1 create threw TypeError: create returned a Promise \(is it async\?\): it must return the node itself/,
    );
  });

  it("a create that returns an object it returned before is an exception of create saying whose", () => {
    const shared: ProtocolNode = { onMessage() {} };
    const sharing = { ...protocolThat(() => {}), create: () => shared } as Protocol;
    expect(run(sharing).violations[0]?.message).toBe(
      "n2 create threw TypeError: create returned the object it returned for n1: the two nodes would share their state; return a new object each time",
    );
    // A frozen node object, which takes no mark of its own, is caught as well.
    const frozen: ProtocolNode = Object.freeze({ onMessage() {} });
    const sharingFrozen = { ...protocolThat(() => {}), create: () => frozen } as Protocol;
    expect(run(sharingFrozen).violations[0]?.message).toBe(
      "n2 create threw TypeError: create returned the object it returned for n1: the two nodes would share their state; return a new object each time",
    );
    // One object per node, kept across the node's crash.
    const perNode = new Map<string, ProtocolNode>();
    const keeping = {
      ...protocolThat(() => {}),
      create: (ctx: NodeContext) => {
        if (!perNode.has(ctx.id)) perNode.set(ctx.id, { onMessage() {} });
        return perNode.get(ctx.id);
      },
    } as unknown as Protocol;
    const crashing = parseScenario(
      "protocol: probe\nnodes: 2\nduration: 100ms\nfaults:\n  - {at: 10ms, crash: n1}\n  - {at: 20ms, restart: n1}\n",
      "probe.yaml",
    );
    expect(runScenario(crashing, new Map([["probe", keeping]]), {}).violations[0]?.message).toBe(
      "n1 create threw TypeError: create returned the object it returned for n1 before its crash: a node's state would outlive the crash; return a new object each time",
    );
  });

  it("an async handler, which returns a Promise, is an input error naming the node and the handler", () => {
    const asyncHandler: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onStart() {
          if (ctx.id === "n1") ctx.setTimer("ping", 1_000);
        },
        async onTimer() {
          await null;
          ctx.send("n2", { type: "ping" });
        },
      }),
    };
    expect(() => run(asyncHandler)).toThrow(InputError);
    expect(() => run(asyncHandler)).toThrow(
      /^n1: onTimer returned a Promise \(is it async\?\): a handler runs to completion within its step/,
    );
    // A handler that returns something other than a Promise (an arrow's expression) is fine.
    const returnsValue: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({ onStart: () => (ctx.id === "n1" ? 1 : 2) as unknown as void }),
    };
    expect(run(returnsValue).ok).toBe(true);
  });

  it("a timer that re-arms itself with no delay is an exception, not a run that never ends", () => {
    const rearming: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onStart() {
          ctx.setTimer("tick", 5_000);
        },
        onTimer() {
          ctx.setTimer("tick", 0);
        },
      }),
    };
    const result = run(rearming);
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toMatch(
      /^n[12] onTimer threw Error: ctx\.setTimer\("tick", 0\): 100000 timers and messages fell due at once at t=5ms, so simulated time stands still and the run would never end; .* \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
  });

  it("two nodes that answer each other over a network with no latency are an exception too", () => {
    const pingPong: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onStart() {
          if (ctx.id === "n1") ctx.send("n2", { type: "ping" });
        },
        onMessage(from) {
          ctx.send(from, { type: "ping" });
        },
      }),
    };
    const scenario = parseScenario(
      "protocol: probe\nnodes: 2\nduration: 100ms\nnetwork: {latency: 0}\n",
      "probe.yaml",
    );
    const result = runScenario(scenario, new Map([["probe", pingPong]]));
    expect(result.violations[0]?.message).toMatch(
      /^n[12] onMessage threw Error: a ping message from n[12] to n[12]: 100000 timers and messages fell due at once at t=0, /,
    );
    // With some latency time moves on, and the same exchange is a run like any other.
    const slow = parseScenario(
      "protocol: probe\nnodes: 2\nduration: 100ms\nnetwork: {latency: 1us}\n",
      "probe.yaml",
    );
    expect(runScenario(slow, new Map([["probe", pingPong]])).violations).toEqual([]);
  });

  it("sending to a node that does not exist is an exception of the sender", () => {
    const result = run(protocolThat((ctx) => ctx.send("n9", { type: "lost" })));
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: ctx\.send\("n9", …\): there is no "n9", not a node of this cluster \(n1, n2\)/,
    );
  });
});

describe("an invariant's monitor that throws", () => {
  /** The ping protocol with one invariant whose monitor runs `check` after each step (or at the end). */
  function checkedBy(monitor: InvariantMonitor<ProtocolNode>): Protocol {
    return {
      ...protocolThat(() => {}),
      invariants: [
        {
          name: "probe.checked",
          statement: "the probe's test invariant",
          source: "this test",
          kind: "safety",
          create: () => monitor,
        },
      ],
    };
  }

  it("after a step is an `exception` finding naming the invariant, the node, the error and the frame, and replays", () => {
    const protocol = checkedBy({
      afterStep(view) {
        if (view.cause === "message") throw new RangeError("index 7 past the end");
        return undefined;
      },
    });
    const result = run(protocol);
    expect(result.ok).toBe(false);
    expect(result.violations).toHaveLength(1);
    const violation = result.violations[0];
    expect(violation?.invariant).toBe("exception");
    expect(violation?.message).toMatch(
      /^invariant probe\.checked threw RangeError after a step of n2: index 7 past the end \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
    expect(violation?.witnesses).toMatchObject({ invariant: "probe.checked", node: "n2" });
    expect(violation?.frame).toMatch(/handler-rules\.test\.ts:\d+:\d+$/);
    expect(run(protocol).traceHash).toBe(result.traceHash);
  });

  it("returning something other than a failure or undefined is the same finding, with what it returned", () => {
    const result = run(
      checkedBy({
        // A monitor written without types, returning a string where a failure belongs.
        afterStep: ((view: StepView<ProtocolNode>) =>
          view.cause === "message"
            ? "broken"
            : undefined) as unknown as InvariantMonitor<ProtocolNode>["afterStep"],
      }),
    );
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toBe(
      'invariant probe.checked returned "broken" after a step of n2, where undefined (no failure) or {message, witnesses} was expected',
    );
  });

  it("at the end of the run, or in a record the monitors share, is the same finding", () => {
    const atEnd = run(
      checkedBy({
        atEnd() {
          throw new Error("end check broke");
        },
      }),
    );
    expect(atEnd.violations[0]?.message).toMatch(
      /^invariant probe\.checked threw Error at the end of the run: end check broke/,
    );
    // The same invariant with a monitor that does not throw finds nothing.
    expect(run(checkedBy({ afterStep: () => undefined })).ok).toBe(true);
    const sharing: Protocol = {
      ...protocolThat(() => {}),
      invariants: [
        {
          name: "probe.shares",
          statement: "the probe's test invariant, on a shared record",
          source: "this test",
          kind: "safety",
          create: (monitors) => {
            monitors.shared("broken", () => ({
              afterStep() {
                throw new TypeError("record broke");
              },
            }));
            return { afterStep: () => undefined };
          },
        },
      ],
    };
    expect(run(sharing).violations[0]?.message).toMatch(
      /^a record the invariants share threw TypeError after a step of n\d: record broke/,
    );
  });
});

describe("the determinism guard", () => {
  const calls: Array<[string, () => unknown]> = [
    ["Math.random()", () => Math.random()],
    ["Date.now()", () => Date.now()],
    ["new Date()", () => new Date()],
    ["performance.now()", () => performance.now()],
    ["setTimeout()", () => setTimeout(() => {}, 1)],
    ["setInterval()", () => setInterval(() => {}, 1)],
    ["setImmediate()", () => setImmediate(() => {})],
  ];
  for (const [call, make] of calls) {
    it(`stops a handler that calls ${call}, naming the call and the handler`, () => {
      let thrown: unknown;
      try {
        run(protocolThat(() => make()));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DeterminismError);
      expect((thrown as DeterminismError).message).toContain(`n2 onMessage called ${call}`);
      expect((thrown as DeterminismError).message).toMatch(/use ctx\.(random|now\(\)|setTimer)/);
    });
  }

  it("still fails the run when the handler swallows the error", () => {
    expect(() =>
      run(
        protocolThat(() => {
          try {
            Math.random();
          } catch {
            // swallowed
          }
        }),
      ),
    ).toThrow(DeterminismError);
  });

  it("allows dates built from explicit values, and restores every global afterwards", () => {
    const random = Math.random;
    const result = run(protocolThat(() => void new Date(0).toISOString()));
    expect(result.ok).toBe(true);
    expect(Math.random).toBe(random);
    expect(typeof Date.now()).toBe("number");
    expect(typeof performance.now()).toBe("number");
    expect(new Date()).toBeInstanceOf(Date);
    clearTimeout(setTimeout(() => {}, 1));
  });

  it("spans many steps in one section, with the real globals back for what runs outside it", () => {
    const random = Math.random;
    const seen: string[] = [];
    inDeterministicSection(() => {
      // A run nested inside swaps nothing and leaves the guard in place.
      expect(run(protocolThat(() => {})).ok).toBe(true);
      expect(() => performance.now()).toThrow(DeterminismError);
      outsideDeterministicSection(() => {
        seen.push(typeof performance.now(), typeof Math.random());
      });
      expect(() => Date.now()).toThrow(DeterminismError);
      // The offence made before stepping outside still fails the next run.
      expect(() => run(protocolThat(() => {}))).toThrow(/performance\.now\(\)/);
    });
    expect(seen).toEqual(["number", "number"]);
    expect(Math.random).toBe(random);
    expect(typeof performance.now()).toBe("number");
    // Outside every section it only runs its body.
    expect(outsideDeterministicSection(() => Math.random())).toBeTypeOf("number");
  });
});

describe("client requests as copies (a protocol module's)", () => {
  /** Every node answers each read at once, after changing the request's key. */
  const rekeying: Protocol = {
    ...protocolThat(() => {}),
    create: (ctx): ProtocolNode => ({
      onClientRequest(request) {
        (request as { key: string | null }).key = "other";
        ctx.reply(request, { status: "ok", value: null });
      },
    }),
    client: { operations: { read: 1 }, model: "register" },
  };
  const scenario = parseScenario(
    "protocol: probe\nnodes: 2\nduration: 1s\nworkload: {clients: 1, rate: 5, mix: {read: 1}, keys: [x]}\n",
    "probe.yaml",
  );
  const keysCompleted = (guardData: boolean) => {
    const result = runScenario(scenario, new Map([["probe", rekeying]]), { keepTrace: true, guardData });
    return {
      violation: result.violations[0]?.message,
      keys: result.records.flatMap((record) =>
        record.kind === "ok" ? [(record as { key: string }).key] : [],
      ),
    };
  };

  it("a node that changes the request it got fails where it does so, and the history keeps what was asked", () => {
    // Unguarded, the client records the completion of its read of x as a read of "other".
    const shared = keysCompleted(false);
    expect(shared.keys.length).toBeGreaterThan(0);
    expect(new Set(shared.keys)).toEqual(new Set(["other"]));
    const guarded = keysCompleted(true);
    expect(guarded.violation).toMatch(
      /^n\d onClientRequest threw TypeError: Cannot assign to read only property 'key' .*\(at handler-rules\.test\.ts:\d+:\d+\); .*requests.* are frozen: change a copy/,
    );
    expect(guarded.keys).toEqual([]);
  });
});

describe("a reply a client cannot read", () => {
  function answering(answer: (ctx: NodeContext, request: ClientRequest) => void): Protocol {
    return {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onClientRequest(request) {
          answer(ctx, request);
        },
      }),
      client: { operations: { read: 1 }, model: "register" },
    };
  }
  const scenario = parseScenario(
    "protocol: probe\nnodes: 2\nduration: 1s\nworkload: {clients: 1, rate: 5, mix: {read: 1}}\n",
    "probe.yaml",
  );
  const answered = (protocol: Protocol) =>
    runScenario(scenario, new Map([["probe", protocol]]), { keepTrace: true });

  it("is an exception of the replying handler, naming what it sent, instead of a client left waiting", () => {
    for (const [reply, shown] of [
      [{ status: "maybe" }, '{"status":"maybe"}'],
      [{ status: "fail" }, '{"status":"fail"}'],
      ["ok", '"ok"'],
      [undefined, "undefined"],
    ] as const) {
      const result = answered(
        answering((ctx, request) => ctx.reply(request, reply as unknown as ClientReply)),
      );
      expect(result.violations[0]?.invariant).toBe("exception");
      expect(result.violations[0]?.message).toMatch(
        new RegExp(
          `^n\\d onClientRequest threw TypeError: ctx\\.reply\\(request, ${shown.replace(/[{}().]/g, "\\$&")}\\): a reply is \\{status: "ok", value\\?\\}`,
        ),
      );
    }
    const wrongRequest = answered(answering((ctx) => ctx.reply({} as ClientRequest, { status: "ok" })));
    expect(wrongRequest.violations[0]?.message).toContain(
      "ctx.reply({}, …): the first argument is the request being answered, as onClientRequest received it",
    );
    // A reply the client reads: no exception.
    const fine = answered(answering((ctx, request) => ctx.reply(request, { status: "ok", value: null })));
    expect(fine.violations.filter((violation) => violation.invariant === "exception")).toEqual([]);
  });

  it("an ok reply to a read without a value is an exception naming the request, not a read of null", () => {
    const forgetful = answered(answering((ctx, request) => ctx.reply(request, { status: "ok" })));
    expect(forgetful.violations[0]?.invariant).toBe("exception");
    expect(forgetful.violations[0]?.message).toMatch(
      /^n\d onClientRequest threw TypeError: ctx\.reply\(request c1:\d+ \(read\), \{"status":"ok"\}\): an ok reply to a read carries the value read, null when there is none/,
    );
    expect(forgetful.history.some((event) => event.type === "ok")).toBe(false);
  });

  it("a copy of the request answers its client: a reply goes by the request's id and client", () => {
    const copying = answered(
      answering((ctx, request) => ctx.reply({ ...request }, { status: "ok", value: null })),
    );
    expect(copying.violations).toEqual([]);
    expect(copying.history.some((event) => event.type === "ok")).toBe(true);
  });

  it("a redirect to a leader that is not a node is an exception of the replying handler", () => {
    // The client used to send its next attempt there, outside any handler: an internal error.
    for (const [leader, what] of [
      ["n9", 'there is no "n9"'],
      ["c1", "c1 is a client"],
    ] as const) {
      const result = answered(
        answering((ctx, request) => ctx.reply(request, { status: "redirect", leader })),
      );
      expect(result.violations[0]?.invariant).toBe("exception");
      expect(result.violations[0]?.message).toMatch(
        new RegExp(
          `^n\\d onClientRequest threw TypeError: ctx\\.reply\\(request, \\{status: "redirect", leader: "${leader}"\\}\\): ${what}, not a node of this cluster \\(n1, n2\\); a redirect's leader is a node \\(at handler-rules\\.test\\.ts:\\d+:\\d+\\)$`,
        ),
      );
    }
  });

  it("a message a node sends to a client is an exception of the sender, not a reply", () => {
    const result = answered(
      answering((ctx, request) =>
        ctx.send(request.client, {
          type: "client-reply",
          requestId: request.id,
          reply: { status: "ok", value: 7 },
        } as Message),
      ),
    );
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(result.violations[0]?.message).toMatch(
      /^n\d onClientRequest threw TypeError: ctx\.send\("c1", …\): c1 is a client, not a node of this cluster \(n1, n2\); a node sends only to nodes, and answers a client with ctx\.reply \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
    // The client never read the forged reply.
    expect(result.history.some((event) => event.type === "ok")).toBe(false);
  });
});

describe("data JSON cannot write", () => {
  it("in a message or a state description is an input error naming the record, the time and the reason", () => {
    const bigMessage = protocolThat((ctx) =>
      ctx.send("n1", { type: "tally", count: 10n } as unknown as Message),
    );
    expect(() => run(bigMessage)).toThrow(InputError);
    expect(() => run(bigMessage)).toThrow(
      /^a tally message from n2 to n1 at t=[\d.]+ms \(event \d+\) cannot be written to the trace: Do not know how to serialize a BigInt\./,
    );
    const looping: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx) => ({
        describe() {
          const description: Record<string, unknown> = { id: ctx.id };
          description.self = description;
          return description;
        },
      }),
    };
    expect(() => run(looping)).toThrow(
      /^n1's state description at t=0 \(event 0\) cannot be written to the trace: Converting circular structure to JSON/,
    );
  });
});

describe("data JSON would write as something else (a protocol module's)", () => {
  const guarded = (protocol: Protocol, keepTrace = true) => {
    const scenario = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    return runScenario(scenario, new Map([["probe", protocol]]), { keepTrace, guardData: true });
  };

  it("in a message is an input error naming the record and the path, traced or not", () => {
    const cases: [unknown, RegExp][] = [
      [new Map([["n1", 1]]), /a Map at \.peers\.votes, which JSON writes as \{\}/],
      [new Set([1]), /a Set at \.peers\.votes, which JSON writes as \{\}/],
      [Number.NaN, /NaN at \.peers\.votes, which JSON writes as null/],
      [Number.POSITIVE_INFINITY, /Infinity at \.peers\.votes, which JSON writes as null/],
      [[1, undefined], /undefined at \.peers\.votes\[1\], which JSON writes as null in a list/],
      [
        Object.freeze([Object.freeze({ at: Number.NEGATIVE_INFINITY })]),
        /-Infinity at \.peers\.votes\[0\]\.at, which JSON writes as null/,
      ],
    ];
    for (const [votes, reason] of cases) {
      const sending = protocolThat((ctx) => ctx.send("n1", { type: "tally", peers: { votes } } as Message));
      for (const keepTrace of [true, false]) {
        expect(() => guarded(sending, keepTrace)).toThrow(InputError);
        expect(() => guarded(sending, keepTrace)).toThrow(
          new RegExp(
            `^a tally message from n2 to n1 at t=[\\d.]+ms \\(event \\d+\\) cannot be written to the trace: ${reason.source}\\.`,
          ),
        );
      }
    }
    // A field holding undefined is left out of the trace and counts as absent: it travels.
    const absent = protocolThat((ctx, message) => {
      if (message.type === "ping") ctx.send("n1", { type: "tally", votes: undefined } as Message);
    });
    expect(guarded(absent).ok).toBe(true);
  });

  it("in a broadcast, a state description or a note is an input error naming the record", () => {
    const broadcasting = protocolThat((ctx) => ctx.broadcast({ type: "tally", at: [Number.NaN] } as Message));
    expect(() => guarded(broadcasting)).toThrow(/^a tally message n2 broadcast at t=.* \.at\[0\]/);
    const describing: Protocol = {
      ...protocolThat(() => {}),
      create: () => ({ describe: () => ({ role: "replica", seen: new Set(["n2"]) }) }),
    };
    expect(() => guarded(describing)).toThrow(
      /^n1's state description at t=0 \(event 0\) cannot be written to the trace: a Set at \.seen, which JSON writes as \{\}\./,
    );
    const noting = protocolThat((ctx) => ctx.note("tallied", { ratio: 1 / 0 }));
    expect(() => guarded(noting)).toThrow(
      /^the data of n2's note "tallied" at t=.* cannot be written to the trace: Infinity at \.ratio, which JSON writes as null\./,
    );
  });
});

describe("messages", () => {
  it("are frozen when sent: a receiver that mutates one fails where it does so", () => {
    const field = run(
      protocolThat((_ctx, message) => {
        (message as unknown as { type: string }).type = "changed";
      }),
    );
    expect(field.violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: .*read.only|^n2 onMessage threw TypeError: Cannot assign/,
    );
  });

  it("stay frozen in fuzz runs unless the runner is told otherwise (built-in protocols only)", () => {
    const mutating = protocolThat((_ctx, message) => {
      (message as unknown as { type: string }).type = "changed";
    });
    const registry = new Map([["probe", mutating]]);
    const scenario = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    const frozen = scenarioRunner(registry, { liveness: false })(scenario);
    expect(frozen.failure?.invariant).toBe("exception");
    const unfrozen = scenarioRunner(registry, { liveness: false, freezeMessages: false })(scenario);
    expect(unfrozen.failure).toBeUndefined();
  });

  it("stay frozen in `run` for a protocol that is not the built-in one, even under a built-in's name", () => {
    const mutating = protocolThat((_ctx, message) => {
      (message as unknown as { type: string }).type = "changed";
    });
    const registry = new Map([...protocols, ["raft", mutating]]);
    const scenario = parseScenario("protocol: raft\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    const { result } = executeScenario(scenario, {
      keepTrace: false,
      registry,
      freezeBuiltInMessages: false,
    });
    expect(result.violations[0]?.invariant).toBe("exception");
  });
});

describe("messages as copies (a protocol module's)", () => {
  /**
   * n1 sends its own list to n2, then adds to it; n2 keeps what it got and, at its second message,
   * notes how long the first one's list is then.
   */
  const aliasing: Protocol = {
    name: "aliasing",
    summary: "test protocol",
    defaultNodes: 2,
    parseOptions: (options) => ({ ...options }),
    create: (ctx): ProtocolNode => {
      const list: number[] = [];
      let first: { list: number[] } | undefined;
      return {
        onStart() {
          if (ctx.id === "n1") ctx.setTimer("send", 1_000);
        },
        onTimer() {
          list.push(list.length);
          ctx.send("n2", { type: "list", list } as Message);
          if (list.length < 2) ctx.setTimer("send", 1_000);
        },
        onMessage(_from, message) {
          const got = message as unknown as { list: number[] };
          if (first === undefined) first = got;
          else ctx.note("first-list-now", { length: first.list.length });
        },
      };
    },
    invariants: [],
    bugs: [],
  };
  const scenario = parseScenario("protocol: aliasing\nnodes: 2\nduration: 100ms\n", "aliasing.yaml");
  const firstListLength = (guardData: boolean) => {
    const result = runScenario(scenario, new Map([["aliasing", aliasing]]), {
      keepTrace: true,
      guardData,
    });
    const note = result.records.find((record) => record.kind === "note" && record.label === "first-list-now");
    return (note as { data?: { length?: number } } | undefined)?.data?.length;
  };

  it("a sender that changes what it sent changes no other node's state", () => {
    // Shared, n2 sees n1's later push in the message it received before it.
    expect(firstListLength(false)).toBe(2);
    expect(firstListLength(true)).toBe(1);
  });

  it("a receiver that changes an array inside a message fails where it does so", () => {
    const pushing = protocolThat((_ctx, message) => {
      (message as unknown as { items: number[] }).items.push(3);
    });
    const registry = new Map([["probe", pushing]]);
    const probe = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    expect(runScenario(probe, registry, {}).ok).toBe(true);
    const copied = runScenario(probe, registry, { guardData: true });
    expect(copied.violations[0]?.message).toMatch(/^n2 onMessage threw TypeError: .*not extensible/);
  });

  it("a push onto a list read from storage names what is frozen and what to do", () => {
    const pushing = protocolThat((ctx) => {
      ctx.storage.append("log", 1);
      (ctx.storage.list("log") as number[]).push(2);
    });
    const probe = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    const guarded = runScenario(probe, new Map([["probe", pushing]]), { guardData: true });
    expect(guarded.violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: Cannot add property 1, object is not extensible \(at handler-rules\.test\.ts:\d+:\d+\); .*lists read from ctx\.storage are frozen: change a copy/,
    );
    // Any other error keeps its own line alone.
    const throwing = protocolThat(() => {
      throw new TypeError("no such key");
    });
    expect(runScenario(probe, new Map([["probe", throwing]]), {}).violations[0]?.message).toMatch(
      /^n2 onMessage threw TypeError: no such key \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
  });

  it("a function in a message is an exception of the sender naming the call and where it is", () => {
    const sendsFunction: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onStart() {
          if (ctx.id === "n1")
            ctx.send("n2", { type: "job", steps: [{ run: () => 1 }] } as unknown as Message);
        },
        onMessage() {},
      }),
    };
    const result = runScenario(
      parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml"),
      new Map([["probe", sendsFunction]]),
      { guardData: true },
    );
    expect(result.violations[0]?.message).toMatch(
      /^n1 onStart threw TypeError: ctx\.send\("n2", …\): the message holds a function at \.steps\[0\]\.run, and only data can be copied/,
    );
  });

  it("a cycle in a message is an exception of the sender naming where it is, not a stack overflow", () => {
    const sendsCycle: Protocol = {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode => ({
        onStart() {
          const entry: { term: number; self?: unknown } = { term: 1 };
          entry.self = entry;
          if (ctx.id === "n1") ctx.send("n2", { type: "append", entries: [entry] } as Message);
        },
        onMessage() {},
      }),
    };
    const result = runScenario(
      parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml"),
      new Map([["probe", sendsCycle]]),
      { guardData: true },
    );
    expect(result.violations[0]?.message).toMatch(
      /^n1 onStart threw TypeError: ctx\.send\("n2", …\): the message holds a cycle at \.entries\[0\]\.self, which refers back to \.entries\[0\], and only data can be copied \(at handler-rules\.test\.ts:\d+:\d+\)$/,
    );
  });

  it("a description that is not a record stops a traced run with one line", () => {
    for (const [returned, shown] of [
      ["n1 up", '"n1 up"'],
      [["leader", 3], '["leader",3]'],
      [null, "null"],
    ] as const) {
      const describing: Protocol = {
        ...protocolThat(() => {}),
        create: (): ProtocolNode => ({ describe: () => returned as never }),
      };
      const traced = () =>
        runScenario(
          parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml"),
          new Map([["probe", describing]]),
          { keepTrace: true, guardData: true },
        );
      expect(traced).toThrow(
        new InputError(
          `n1: describe() returned ${shown}, where a record such as {role: "leader", term: 3} was expected (docs/node-api.md, "Describing state")`,
        ),
      );
    }
  });

  it("are what a module's runs use, in `run` and in the package's fuzzProtocol", () => {
    const pushing = protocolThat((_ctx, message) => {
      (message as unknown as { items: number[] }).items.push(3);
    });
    const registry = new Map([...protocols, ["probe", pushing]]);
    const probe = parseScenario("protocol: probe\nnodes: 2\nduration: 100ms\n", "probe.yaml");
    const { result } = executeScenario(probe, { keepTrace: false, registry });
    expect(result.violations[0]?.invariant).toBe("exception");
    expect(fuzzProtocol(pushing, { runs: 5 }).failure?.invariant).toBe("exception");
  });
});

/**
 * A one-node protocol whose n1 adds to its log three times, 1 ms apart, and shows the log array it
 * keeps: in its description, or in a note after each addition. `extra` joins what it shows.
 */
function logKeeper(shows: "describe" | "note", extra: Record<string, unknown> = {}): Protocol {
  return {
    name: "keeper",
    summary: "test protocol",
    defaultNodes: 1,
    parseOptions: (options) => ({ ...options }),
    create: (ctx): ProtocolNode => {
      const log: number[] = [];
      return {
        onStart() {
          ctx.setTimer("add", 1_000);
        },
        onTimer() {
          log.push(log.length);
          if (shows === "note") ctx.note("appended", { log, ...extra });
          if (log.length < 3) ctx.setTimer("add", 1_000);
        },
        onMessage() {},
        ...(shows === "describe" ? { describe: () => ({ role: "replica", log, ...extra }) } : {}),
      };
    },
    invariants: [],
    bugs: [],
  };
}

const keeperScenario = parseScenario("protocol: keeper\nnodes: 1\nduration: 100ms\n", "keeper.yaml");

/** A traced run of a `logKeeper`: its hash, and the logs its records of `kind` show, in order. */
function keptLogs(
  protocol: Protocol,
  kind: "state" | "note",
  options: { keepTrace: boolean; guardData: boolean },
) {
  let text = "";
  const result = runScenario(keeperScenario, new Map([["keeper", protocol]]), {
    ...options,
    ...(options.keepTrace ? {} : { traceSink: { write: (chunk: string) => (text += chunk) } }),
  });
  const records: Array<Record<string, unknown>> = options.keepTrace
    ? result.records.filter((record) => record.kind === kind).map((record) => ({ ...record }))
    : text
        .split("\n")
        .filter((line) => line.includes(`"kind":"${kind}"`))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
  const field = kind === "state" ? "state" : "data";
  return { hash: result.traceHash, logs: records.map((record) => (record[field] as { log: number[] }).log) };
}

describe("state descriptions as copies (a protocol module's)", () => {
  const run = (protocol: Protocol, options: { keepTrace: boolean; guardData: boolean }) =>
    keptLogs(protocol, "state", options);

  it("keep what the node showed at each step, the same kept in memory as streamed", () => {
    const kept = run(logKeeper("describe"), { keepTrace: true, guardData: true });
    const streamed = run(logKeeper("describe"), { keepTrace: false, guardData: true });
    expect(kept.logs).toEqual([[], [0], [0, 1], [0, 1, 2]]);
    expect(streamed.logs).toEqual(kept.logs);
    expect(kept.hash).toBe(streamed.hash);
    // Unguarded, the shared array is seen only once, as it is at the end (kept) or at the start
    // (streamed), and the two hashes differ.
    const keptShared = run(logKeeper("describe"), { keepTrace: true, guardData: false });
    const streamedShared = run(logKeeper("describe"), { keepTrace: false, guardData: false });
    expect(keptShared.logs).toEqual([[0, 1, 2]]);
    expect(streamedShared.logs).toEqual([[]]);
    expect(keptShared.hash).not.toBe(streamedShared.hash);
  });

  it("a function in a description is one line naming the node and where", () => {
    const withFunction = logKeeper("describe", { onTick: () => 1 });
    expect(() => run(withFunction, { keepTrace: true, guardData: true })).toThrow(InputError);
    expect(() => run(withFunction, { keepTrace: true, guardData: true })).toThrow(
      /^n1: describe\(\) returned a description that holds a function at \.onTick: a description shows data only/,
    );
  });
});

describe("note data as copies (a protocol module's)", () => {
  const run = (protocol: Protocol, options: { keepTrace: boolean; guardData: boolean }) =>
    keptLogs(protocol, "note", options);

  it("keep the data as it was when noted, the same kept in memory as streamed", () => {
    const kept = run(logKeeper("note"), { keepTrace: true, guardData: true });
    const streamed = run(logKeeper("note"), { keepTrace: false, guardData: true });
    expect(kept.logs).toEqual([[0], [0, 1], [0, 1, 2]]);
    expect(streamed.logs).toEqual(kept.logs);
    expect(kept.hash).toBe(streamed.hash);
    // Unguarded, the trace kept in memory shows the final log in every note.
    expect(run(logKeeper("note"), { keepTrace: true, guardData: false }).logs).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it("a function in note data is one line naming the node, the note and where", () => {
    const withFunction = logKeeper("note", { at: () => 1 });
    expect(() => run(withFunction, { keepTrace: true, guardData: true })).toThrow(
      /^n1: ctx\.note\("appended", …\): the data holds a function at \.at: a note records data only$/,
    );
    // Runs that record no trace (the fuzzer's) take no notes, and find nothing.
    const untraced = runScenario(keeperScenario, new Map([["keeper", withFunction]]), {
      keepTrace: false,
      hashTrace: false,
      guardData: true,
    });
    expect(untraced.ok).toBe(true);
  });
});

describe("a role the protocol does not declare", () => {
  /** n1 takes `role` once it starts; the roles declared are leader and follower. */
  function rolesWith(role: string, accessor: boolean): Protocol {
    return {
      ...protocolThat(() => {}),
      create: (ctx): ProtocolNode & { role: string } => ({
        role: ctx.id === "n1" ? role : "follower",
        describe() {
          return { role: this.role };
        },
      }),
      roles: {
        names: ["leader", "follower"],
        leading: ["leader"],
        ...(accessor ? { roleOf: (node: { role: string }) => node.role } : {}),
      },
    } as Protocol;
  }

  it("stops the run with one line naming the node, the role and the declared ones", () => {
    // Misspelt, n1 led without counting as a leader: `crash: leader` was skipped, and a leader
    // expectation failed with no word of why.
    expect(() => run(rolesWith("leeder", true))).toThrow(
      new InputError(
        `n1: roles.roleOf returned "leeder", which is not one of roles.names (leader, follower); did you mean 'leader'? (docs/node-api.md, "Declaring roles and logs")`,
      ),
    );
    expect(() => run(rolesWith("leeder", false))).toThrow(
      /^n1: its description's role is "leeder", which is not one of roles\.names \(leader, follower\)/,
    );
    expect(run(rolesWith("leader", true)).ok).toBe(true);
  });
});

describe("a node that declares roles.roleOf but does not describe itself", () => {
  it("shows its role and term in the trace when they change, so reports see its leaderships", () => {
    // n1 leads from its second step on, in term 2; n2 follows throughout.
    const protocol = {
      ...protocolThat(() => {}),
      create: (ctx: NodeContext): ProtocolNode & { role: string; term: number } => ({
        role: "follower",
        term: 1,
        onStart() {
          if (ctx.id === "n1") ctx.setTimer("ping", 1_000);
        },
        onTimer() {
          this.role = "leader";
          this.term = 2;
        },
      }),
      roles: {
        names: ["leader", "follower"],
        leading: ["leader"],
        roleOf: (node: { role: string }) => node.role,
        termOf: (node: { term: number }) => node.term,
      },
    } as Protocol;
    const result = run(protocol);
    const states = result.records.flatMap((record) =>
      record.kind === "state" ? [{ node: record.node, state: record.state }] : [],
    );
    expect(states).toEqual([
      { node: "n1", state: { role: "follower", term: 1 } },
      { node: "n2", state: { role: "follower", term: 1 } },
      { node: "n1", state: { role: "leader", term: 2 } },
    ]);
    expect(result.kernel.leaderships).toEqual([{ node: "n1", term: 2, timeUs: 1_000 }]);
  });
});

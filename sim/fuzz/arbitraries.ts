/**
 * fast-check arbitraries for fuzz plans (./plan.ts), and so for whole scenarios.
 *
 * Everything a run depends on is a field of the generated record, the simulation seed included,
 * so fast-check's shrinker works on the scenario itself: it drops fault steps, moves them earlier
 * (times shrink toward 0), shortens their durations, removes undo steps, simplifies the network
 * toward a constant 1 ms with no loss, shrinks the cluster toward its minimum and the workload
 * toward fewer clients, keys and operations. The seed is kept as it is (`noShrink`): a different
 * seed is a different run, not a simpler one.
 */
import fc from "fast-check";
import type {
  FaultStep,
  FuzzPlan,
  FuzzSettings,
  LatencyPlan,
  NetworkPlan,
  TargetRef,
  WorkloadPlan,
} from "./plan.js";
import { chaseStepsMax, faultKinds, type Swarm } from "./swarm.js";

/** Fault times are drawn as one of this many slots of the fault phase plus an offset. */
const uniformTimeSlots = 8;

/** Simulation seeds stay within 31 bits so that they print short. */
const seedMax = 0x7fff_ffff;

function node(settings: FuzzSettings): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: settings.nodesMax - 1 });
}

/** A concrete node, or the current leader or a follower, resolved when the action runs. */
function target(settings: FuzzSettings): fc.Arbitrary<TargetRef> {
  return fc.oneof(
    { arbitrary: node(settings), weight: 2 },
    { arbitrary: fc.constant("leader" as const), weight: 2 },
    { arbitrary: fc.constant("follower" as const), weight: 1 },
  );
}

/** An optional delay before an undo step (restart, heal, resume), left out one time in `freq`. */
function undoAfterFreq(maxMs: number, freq: number): fc.Arbitrary<number | null> {
  return fc.option(fc.integer({ min: 1, max: maxMs }), { freq });
}

/**
 * Arbitraries already built for a campaign's settings, by a key naming what else they depend on.
 * A swarm run needs its own plan arbitrary, and building every part of it afresh for each run
 * took longer than drawing the plan (a few hundred microseconds per run, some 3% of a Raft
 * campaign's runs); the parts depend on a handful of swarm fields with few values each, so they
 * are built once per combination and only the top record is built per run.
 */
const built = new WeakMap<FuzzSettings, Map<string, unknown>>();

function memo<T>(settings: FuzzSettings, key: string, make: () => T): T {
  let cache = built.get(settings);
  if (cache === undefined) {
    cache = new Map();
    built.set(settings, cache);
  }
  let value = cache.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/**
 * One fault step of each kind the settings allow (and, given a swarm, of the kinds it switches
 * on). Without a swarm this is the uniform mix of every kind.
 */
export function faultStepArbitrary(settings: FuzzSettings, swarm?: Swarm): fc.Arbitrary<FaultStep> {
  const timeSlots = swarm?.timeSlots ?? uniformTimeSlots;
  const undoFreq = swarm?.undoLeftOutOneIn ?? 4;
  const undoMsMax = swarm?.undoMsMax;
  const steps = memo(settings, `steps/${timeSlots}/${undoFreq}/${undoMsMax}`, () =>
    stepArbitraries(settings, { timeSlots, undoFreq, undoMsMax }),
  );
  if (swarm === undefined) return memo(settings, "steps/uniform", () => fc.oneof(...steps));
  // The steps are listed in the order of `faultKinds`, so that a swarm can pick them by kind.
  const chosen = steps.filter((_, index) =>
    swarm.faultKinds.includes(faultKinds[index] as FaultStep["type"]),
  );
  return chosen.length === 0 ? fc.oneof(...steps) : fc.oneof(...chosen);
}

/** What the step arbitraries of one shape share: a step's time and its optional undo delay. */
interface StepParts {
  readonly settings: FuzzSettings;
  readonly atMs: fc.Arbitrary<number>;
  /** The fault phase's length, at least 1 ms: the longest undo delay or fault duration. */
  readonly phase: number;
  readonly undoAfter: (maxMs: number) => fc.Arbitrary<number | null>;
}

/** The weighted step arbitrary of each fault kind, in the order of `faultKinds`. */
function stepArbitraries(
  settings: FuzzSettings,
  shape: { timeSlots: number; undoFreq: number; undoMsMax: number | undefined },
): Array<fc.WeightedArbitrary<FaultStep>> {
  const { undoFreq, undoMsMax } = shape;
  const parts: StepParts = {
    settings,
    atMs: stepTime(settings, shape.timeSlots),
    phase: Math.max(1, settings.faultPhaseMs),
    // A swarm may keep undo delays short: a restart within milliseconds of its crash, or a heal
    // right after a partition, races the messages in flight.
    undoAfter: (maxMs) => undoAfterFreq(Math.min(maxMs, undoMsMax ?? maxMs), undoFreq),
  };
  return [...crashSteps(parts), ...networkSteps(parts), ...messageSteps(parts), ...nodeSteps(parts)];
}

/**
 * A step's time is a slot of the fault phase plus an offset into it. Offsets shrink (and are
 * biased) toward 0, so steps drawn into the same slot often land within milliseconds of each
 * other: concurrent faults (two candidates at once, a crash between two votes) are what break
 * protocols. Removing a step never moves the others.
 */
function stepTime(settings: FuzzSettings, timeSlots: number): fc.Arbitrary<number> {
  const slotMs = Math.max(1, Math.ceil(settings.faultPhaseMs / timeSlots));
  return fc
    .tuple(fc.integer({ min: 0, max: timeSlots - 1 }), fc.integer({ min: 0, max: slotMs - 1 }))
    .map(([slot, offsetMs]) => Math.min(settings.faultPhaseMs - 1, slot * slotMs + offsetMs));
}

function crashSteps({ settings, atMs, phase, undoAfter }: StepParts): Array<fc.WeightedArbitrary<FaultStep>> {
  return [
    {
      weight: 4,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("crash" as const),
        target: target(settings),
        restartAfterMs: undoAfter(phase),
        loseUnsynced: fc.boolean(),
      }),
    },
  ];
}

/** Partitions, bridges, cut links and isolated nodes. */
function networkSteps({
  settings,
  atMs,
  phase,
  undoAfter,
}: StepParts): Array<fc.WeightedArbitrary<FaultStep>> {
  const halfMax = Math.max(1, Math.floor(settings.nodesMax / 2));
  return [
    {
      weight: 3,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("partition" as const),
        minority: fc.integer({ min: 1, max: halfMax }),
        offset: node(settings),
        healAfterMs: undoAfter(phase),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("bridge" as const),
        bridge: node(settings),
        offset: node(settings),
        healAfterMs: undoAfter(phase),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("cut" as const),
        from: node(settings),
        to: node(settings),
        oneWay: fc.boolean(),
        healAfterMs: undoAfter(phase),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("isolate" as const),
        target: target(settings),
        healAfterMs: undoAfter(phase),
      }),
    },
  ];
}

/** Clogged links and bursts of loss and duplication. */
function messageSteps({ settings, atMs, phase }: StepParts): Array<fc.WeightedArbitrary<FaultStep>> {
  return [
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("clog" as const),
        from: node(settings),
        to: node(settings),
        oneWay: fc.boolean(),
        delayMs: fc.integer({ min: 1, max: 400 }),
        forMs: fc.integer({ min: 1, max: phase }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("burst" as const),
        lossPermille: fc.integer({ min: 0, max: 600 }),
        duplicatePermille: fc.integer({ min: 0, max: 300 }),
        forMs: fc.integer({ min: 1, max: phase }),
      }),
    },
  ];
}

/** Paused nodes, drifting clocks and, where the protocol has an election timer, forced timeouts. */
function nodeSteps({ settings, atMs, phase, undoAfter }: StepParts): Array<fc.WeightedArbitrary<FaultStep>> {
  const steps: Array<fc.WeightedArbitrary<FaultStep>> = [
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("pause" as const),
        node: node(settings),
        resumeAfterMs: undoAfter(phase),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        atMs,
        type: fc.constant("drift" as const),
        node: node(settings),
        ratePercent: fc.integer({ min: -50, max: 100 }),
      }),
    },
  ];
  if (settings.electionTimer) {
    steps.push({
      weight: 3,
      arbitrary: fc.record({ atMs, type: fc.constant("timeout" as const), target: target(settings) }),
    });
  }
  return steps;
}

const latencyOfKind = {
  constant: fc.record({ kind: fc.constant("constant" as const), ms: fc.integer({ min: 1, max: 10 }) }),
  uniform: fc.record({
    kind: fc.constant("uniform" as const),
    minMs: fc.integer({ min: 1, max: 5 }),
    spreadMs: fc.integer({ min: 0, max: 30 }),
  }),
  exponential: fc.record({
    kind: fc.constant("exponential" as const),
    meanMs: fc.integer({ min: 1, max: 10 }),
    maxMs: fc.integer({ min: 1, max: 80 }),
  }),
} satisfies Record<LatencyPlan["kind"], fc.Arbitrary<LatencyPlan>>;

const latencyWeights: ReadonlyArray<readonly [LatencyPlan["kind"], number]> = [
  ["constant", 3],
  ["uniform", 2],
  ["exponential", 1],
];

const latencyArbitrary: fc.Arbitrary<LatencyPlan> = fc.oneof(
  ...latencyWeights.map(([kind, weight]) => ({ weight, arbitrary: latencyOfKind[kind] })),
);

const networkArbitrary: fc.Arbitrary<NetworkPlan> = fc.record({
  latency: latencyArbitrary,
  lossPermille: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 }) },
  ),
  duplicatePermille: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 }) },
  ),
  fifo: fc.boolean(),
});

/** The network of a swarm: its latency shapes, loss and duplication on or off, FIFO or not. */
function swarmNetworkArbitrary(swarm: Swarm): fc.Arbitrary<NetworkPlan> {
  const latency = fc.oneof(
    ...latencyWeights
      .filter(([kind]) => swarm.latencyKinds.includes(kind))
      .map(([kind, weight]) => ({ weight, arbitrary: latencyOfKind[kind] })),
  );
  const rate = (on: boolean) => (on ? fc.integer({ min: 1, max: 80 }) : fc.constant(0));
  return fc.record({
    latency,
    lossPermille: rate(swarm.lossy),
    duplicatePermille: rate(swarm.duplicating),
    fifo: swarm.fifo === "either" ? fc.boolean() : fc.constant(swarm.fifo === "always"),
  });
}

const workloadArbitrary: fc.Arbitrary<WorkloadPlan> = fc.record({
  clients: fc.integer({ min: 1, max: 4 }),
  ratePerSecond: fc.integer({ min: 5, max: 80 }),
  keys: fc.integer({ min: 1, max: 3 }),
});

function optionsArbitrary(
  optionChoices: FuzzSettings["optionChoices"],
): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const key of Object.keys(optionChoices).sort()) {
    const choices = optionChoices[key] ?? [];
    if (choices.length > 0) fields[key] = fc.constantFrom(...choices);
  }
  return fc.record(fields);
}

/**
 * Whole fuzz plans for a campaign's settings: uniform over everything the settings allow, or,
 * given a swarm (./swarm.ts), over what that swarm switches on.
 */
export function planArbitrary(settings: FuzzSettings, swarm?: Swarm): fc.Arbitrary<FuzzPlan> {
  const workload = memo(settings, "workload", () =>
    settings.operations === undefined
      ? fc.constant(null)
      : settings.workloadRequired === true
        ? workloadArbitrary
        : fc.option(workloadArbitrary, { freq: 6 }),
  );
  const quiet = memo(settings, "quiet", () => (settings.liveness ? fc.constant(true) : fc.boolean()));
  if (swarm === undefined) {
    return fc.record({
      nodes: fc.integer({ min: settings.nodesMin, max: settings.nodesMax }),
      seed: fc.noShrink(fc.integer({ min: 0, max: seedMax })),
      options: optionsArbitrary(settings.optionChoices),
      network: networkArbitrary,
      workload,
      faults: fc.array(faultStepArbitrary(settings), { maxLength: settings.faultStepsMax, size: "medium" }),
      quiet,
    });
  }
  return fc.record({
    nodes: fc.integer({ min: swarm.nodesMin, max: swarm.nodesMax }),
    seed: fc.noShrink(fc.integer({ min: 0, max: seedMax })),
    options: memo(settings, `options/${JSON.stringify(swarm.optionChoices)}`, () =>
      optionsArbitrary(swarm.optionChoices),
    ),
    network: memo(
      settings,
      `network/${swarm.latencyKinds.join(",")}/${swarm.lossy}/${swarm.duplicating}/${swarm.fifo}`,
      () => swarmNetworkArbitrary(swarm),
    ),
    workload,
    faults:
      swarm.faultStepsMax === 0
        ? fc.constant([])
        : swarm.theme === "leaders"
          ? memo(settings, `chase/${swarm.undoMsMax}`, () => leaderChaseArbitrary(settings, swarm))
          : swarm.theme === "voters"
            ? memo(settings, `voters/${swarm.undoMsMax}`, () => voterChaseArbitrary(settings, swarm))
            : swarm.theme === "leases"
              ? memo(settings, `leases/${swarm.undoMsMax}`, () => leaseChaseArbitrary(settings, swarm))
              : fc.array(faultStepArbitrary(settings, swarm), {
                  maxLength: swarm.faultStepsMax,
                  size: "medium",
                }),
    quiet,
  });
}

/**
 * The fault steps of a `leaders` swarm: a chain of two to five steps that isolate the leader
 * (often moving the isolation: healing the last one first) or crash it. All share one time: the
 * first strikes the leader of that time, the second waits for the next new leader, the third for
 * the second new leader, and so on, each striking a few milliseconds of its own after that
 * leader's election. They shrink like any steps: fewer, earlier, without waiting.
 */
function leaderChaseArbitrary(settings: FuzzSettings, swarm: Swarm): fc.Arbitrary<FaultStep[]> {
  const phase = Math.max(1, settings.faultPhaseMs);
  const undoMsMax = Math.min(phase, swarm.undoMsMax);
  // Mostly no undo: a heal heals every link, and would end the chase.
  const heal = fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: undoMsMax }) },
  );
  // Often within a round trip or two of the election: before the new leader's first client
  // write has reached the others, or just after its first round of appends has.
  const delay = fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 20 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }) },
  );
  const link: fc.Arbitrary<LinkStep> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant("isolate" as const),
        target: fc.constant("leader" as const),
        healAfterMs: heal,
        healFirst: fc.oneof(
          { weight: 5, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        afterNewLeaderMs: delay,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant("crash" as const),
        target: fc.constant("leader" as const),
        restartAfterMs: heal,
        loseUnsynced: fc.boolean(),
        afterNewLeaderMs: delay,
      }),
    },
  );
  // Half the chases first skew one node's clock a little: a lease or a lease-based read that
  // trusts its own clock goes wrong exactly when the leader changes while a clock drifts, and
  // the drift must stay small (a few percent, like a poor crystal) to be one the design claims
  // to tolerate. Drawn after the links, so the links a seed draws are the same with or without it.
  const skew = fc.option(
    fc.record({
      node: node(settings),
      ratePercent: fc.integer({ min: -chaseDriftPercentMax, max: chaseDriftPercentMax }),
    }),
    { freq: 2, nil: null },
  );
  return fc
    .record({
      // In the first half of the fault phase, unbiased: a chase needs time for its elections.
      atMs: fc.noBias(fc.integer({ min: 0, max: Math.max(0, Math.floor(phase / 2) - 1) })),
      links: fc.noBias(fc.array(link, { minLength: 2, maxLength: chaseStepsMax })),
      skew,
    })
    .map(({ atMs, links, skew }) => {
      const chase = links.map(({ afterNewLeaderMs, ...step }, index): FaultStep => {
        if (index === 0) return { ...step, atMs };
        return { ...step, atMs, afterNewLeaderMs, ...(index === 1 ? {} : { nthNewLeader: index }) };
      });
      return skew === null || skew.ratePercent === 0 ? chase : [{ atMs, type: "drift", ...skew }, ...chase];
    });
}

/**
 * The fault steps of a `voters` swarm: after each of one to five new leaders' elections, crash a
 * follower (often a voter of that election) a few milliseconds later, mostly restarting it within
 * 20 ms, and move the isolation to the new leader. Three chases in four first cut one node off:
 * a node that misses an election keeps its older term, and once the isolation moves it may
 * campaign in the term just won and ask the restarted voter again. A voter that does not keep its
 * vote (or its term) across the restart then votes twice in one term. They shrink like any steps:
 * fewer, earlier, without waiting.
 */
function voterChaseArbitrary(settings: FuzzSettings, swarm: Swarm): fc.Arbitrary<FaultStep[]> {
  const phase = Math.max(1, settings.faultPhaseMs);
  const undoMsMax = Math.min(phase, swarm.undoMsMax);
  const delay = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }) },
  );
  const link = fc.record({
    crashAfterMs: delay,
    restartAfterMs: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 20 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: undoMsMax }) },
    ),
    loseUnsynced: fc.boolean(),
    isolateAfterMs: delay,
  });
  const cutOff = fc.option(node(settings), { freq: 4, nil: null });
  return fc
    .record({
      atMs: fc.noBias(fc.integer({ min: 0, max: Math.max(0, Math.floor(phase / 2) - 1) })),
      links: fc.noBias(fc.array(link, { minLength: 1, maxLength: chaseStepsMax })),
      cutOff,
    })
    .map(({ atMs, links, cutOff }) => {
      const steps: FaultStep[] =
        cutOff === null ? [] : [{ atMs, type: "isolate", target: cutOff, healAfterMs: null }];
      links.forEach((link, index) => {
        const nth = index === 0 ? {} : { nthNewLeader: index + 1 };
        steps.push({
          atMs,
          afterNewLeaderMs: link.crashAfterMs,
          ...nth,
          type: "crash",
          target: "follower",
          restartAfterMs: link.restartAfterMs,
          loseUnsynced: link.loseUnsynced,
        });
        steps.push({
          atMs,
          afterNewLeaderMs: link.isolateAfterMs,
          ...nth,
          type: "isolate",
          target: "leader",
          healAfterMs: null,
          healFirst: true,
        });
      });
      return steps;
    });
}

/**
 * The fault steps of a `leases` swarm: wait for the first leader, and up to half the fault phase
 * after its election (once it may hold a lease), cut it off while a clock runs a little off: that
 * leader's own clock slowed (a holder that thinks its lease still runs) or another node's sped up
 * (a node that thinks it has run out), by 1 to 5 %, within what a lease design claims to
 * tolerate. The isolation mostly lasts, so the others elect a leader while the first may still
 * believe in its lease. They shrink like any steps: fewer, earlier, without waiting.
 */
function leaseChaseArbitrary(settings: FuzzSettings, swarm: Swarm): fc.Arbitrary<FaultStep[]> {
  const phase = Math.max(1, settings.faultPhaseMs);
  const undoMsMax = Math.min(phase, swarm.undoMsMax);
  return fc
    .record({
      afterNewLeaderMs: fc.noBias(fc.integer({ min: 0, max: Math.floor(phase / 2) })),
      slowLeader: fc.boolean(),
      node: node(settings),
      ratePercent: fc.integer({ min: 1, max: chaseDriftPercentMax }),
      healAfterMs: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: undoMsMax }) },
      ),
    })
    .map(({ afterNewLeaderMs, slowLeader, node, ratePercent, healAfterMs }): FaultStep[] => {
      const wait = { atMs: 0, afterNewLeaderMs };
      const skew: FaultStep = slowLeader
        ? { ...wait, type: "drift", node, ratePercent: -ratePercent, leader: true }
        : { ...wait, type: "drift", node, ratePercent };
      return [skew, { ...wait, type: "isolate", target: "leader", healAfterMs }];
    });
}

/** A chase's clock skew stays within this many percent of real time. */
const chaseDriftPercentMax = 5;

/** One link of a leader chase, before its time. */
type LinkStep =
  | {
      readonly type: "isolate";
      readonly target: "leader";
      readonly healAfterMs: number | null;
      readonly healFirst: boolean;
      readonly afterNewLeaderMs: number;
    }
  | {
      readonly type: "crash";
      readonly target: "leader";
      readonly restartAfterMs: number | null;
      readonly loseUnsynced: boolean;
      readonly afterNewLeaderMs: number;
    };

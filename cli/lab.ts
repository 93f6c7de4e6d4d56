/**
 * `quorumlab lab <protocol|module|scenario>`: a blank lab, an HTML page for a cluster with a
 * workload and no faults yet, where a student builds a failure by hand (crash, partition, drop a
 * message...) and watches the protocol react. The page is a report whose run has no faults; its
 * forks are the student's steps.
 */
import type { CommandModule } from "yargs";
import { protocols } from "../protocols/index.js";
import { shellWord } from "../reports/escape.js";
import { ExitCode, InputError } from "../sim/errors.js";
import type { Protocol } from "../sim/node.js";
import { parseSeed } from "../sim/random.js";
import { copyScenario, parseScenario } from "../sim/scenario/load.js";
import type { Scenario } from "../sim/scenario/schema.js";
import { formatDuration, formatSpan, parseDurationUs } from "../sim/time.js";
import { displayPath, loadScenario } from "./files.js";
import { counted, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";
import { loadProtocolModule } from "./shared/fuzz-worker.js";
import { inModule, registryWith, scenarioModules, warn } from "./shared/module-registry.js";
import { writeReport } from "./shared/report-file.js";
import { executeScenario } from "./shared/run-scenario.js";

export interface LabArgs {
  target: string;
  out: string;
  duration?: string;
  seed?: string;
}

/**
 * The longest run a lab holds. Raft's blank lab (five servers, three clients) takes about 3 s to
 * write for 5 simulated minutes (106,000 kernel events, a 2.2 MB page, 365 MB of memory while it
 * is written), and memory and time grow with the run: 2 hours did not finish in a minute.
 */
export const labDurationMaxUs = 10 * 60 * 1_000_000;

/**
 * The blank scenario of a protocol: its default cluster, a light workload if it has clients.
 * `module`: the file a user's protocol comes from, recorded so the page's scenarios run with it.
 */
export function blankScenario(protocol: Protocol, durationUs: number, module?: string): Scenario {
  const durationS = durationUs / 1_000_000;
  const workload =
    protocol.client === undefined
      ? undefined
      : {
          clients: 3,
          rate: 20,
          mix: { ...protocol.client.operations },
          keys: ["x", "y"],
          start: "100ms",
          stop: `${Math.max(0.2, durationS - 0.5)}s`,
          timeout: "1s",
        };
  return parseScenario(
    JSON.stringify({
      name: `${protocol.name}-lab`,
      protocol: protocol.name,
      ...(module === undefined ? {} : { module }),
      summary: `A blank lab: ${protocol.name} with ${workload === undefined ? "no clients" : "a light workload"} and no faults yet.`,
      nodes: protocol.defaultNodes,
      seed: 1,
      duration: `${durationS}s`,
      ...(workload === undefined ? {} : { workload }),
    }),
    `${protocol.name}-lab`,
  );
}

/**
 * A scenario's cluster, network and workload, without its timeline or expectations. Its
 * description told of the timeline, which the lab leaves out, so the lab's says what is kept.
 */
export function withoutFaults(scenario: Scenario): Scenario {
  const workloadOnly = scenario.faults.filter((fault) => fault.kind === "op").length === 0;
  return copyScenario(scenario, {
    name: `${scenario.name}-lab`,
    summary: `A blank lab on the cluster of ${scenario.name}${workloadOnly ? "" : " (its scripted operations left out)"}.`,
    description: `The nodes, options, network and workload of ${scenario.name}, without its ${
      scenario.faults.length === 0 ? "" : `${counted(scenario.faults.length, "timeline step")} or its `
    }expectations: nothing happens that you do not add. ${scenario.name} itself: ${scenario.summary}\n`,
    faults: [],
    expect: {},
  });
}

/** The command that writes this very lab page again (the page's replay line). */
export function labReplay(args: Pick<LabArgs, "target" | "duration" | "seed">): string {
  const flags = [
    ...(args.duration === undefined ? [] : ["--duration", args.duration]),
    ...(args.seed === undefined ? [] : ["--seed", args.seed]),
  ];
  return ["npx quorumlab lab", ...[args.target, ...flags].map(shellWord)].join(" ");
}

export const labCommand: CommandModule<object, LabArgs> = {
  ...commandHeadings.lab,
  builder: (yargs) =>
    yargs
      .positional("target", {
        type: "string",
        demandOption: true,
        describe:
          "a protocol name or module (its default cluster), or a scenario (its cluster, without faults)",
      })
      .option("out", { type: "string", default: "lab.html", describe: "the page to write" })
      .option("duration", { type: "string", describe: "simulated time (default 5s, or the scenario's)" })
      .option("seed", { type: "string", describe: "run seed, decimal or 0x-hex" })
      .example("$0 lab raft", "five Raft servers and three clients, no faults: lab.html")
      .example("$0 lab raft-figure-8 --out f8.html", "the cluster of a scenario, without its timeline")
      .example("$0 lab mykv/mykv.ts", "your own protocol, on its default cluster"),
  handler: (args) =>
    runCommand(async () => {
      const durationUs = args.duration === undefined ? undefined : parseDurationUs(args.duration);
      if (args.duration !== undefined && (durationUs === undefined || durationUs <= 0)) {
        throw new InputError(`--duration: expected a duration such as 5s, got '${args.duration}'`);
      }
      const target = await labTarget(args.target, durationUs ?? 5_000_000);
      let scenario = target.scenario;
      if (target.fromScenario && durationUs !== undefined) scenario = copyScenario(scenario, { durationUs });
      if (args.seed !== undefined)
        scenario = copyScenario(scenario, { seed: parseSeed(args.seed, "--seed") });
      if (scenario.durationUs > labDurationMaxUs) {
        const why = `a lab page holds its whole run and simulates it again in the browser, so it takes at most ${formatDuration(labDurationMaxUs)}`;
        throw new InputError(
          args.duration === undefined
            ? `${args.target}: runs for ${formatSpan(scenario.durationUs)}; ${why} (give --duration ${formatDuration(labDurationMaxUs)} or less)`
            : `--duration: ${why}, got '${args.duration}' (a longer run: quorumlab run FILE --trace trace.jsonl)`,
        );
      }
      const registry = await registryWith(target.modules);
      let executed: ReturnType<typeof executeScenario>;
      try {
        executed = executeScenario(scenario, { keepTrace: true, registry });
      } catch (error) {
        // A mistake of the module's own code (a figures() that throws) names the module.
        throw inModule(error, target.modules.length === 1 ? target.modules[0] : undefined);
      }
      const { result } = executed;
      writeReport(result.records, args.out, {
        format: "html",
        replay: labReplay(args),
        scenario,
        result,
        modules: target.modules,
        protocol: registry.get(scenario.protocol),
      });
      process.stderr.write(
        `lab written to ${args.out}: ${scenario.protocol}, ${counted(result.kernel.nodeIds.length, "node")}, ${result.events} events; open it in a browser and fork\n`,
      );
      return ExitCode.ok;
    }),
};

/** A protocol module's file, by its extension (JavaScript or TypeScript). */
const moduleFile = /\.(?:[cm]?js|[cm]?ts)$/i;

/**
 * What a lab runs: a built-in protocol's blank scenario, a protocol module's (on the cluster it
 * declares), or a scenario's cluster without its faults, with the module its protocol comes from
 * when it names one. `fromScenario`: the duration is the scenario's unless --duration is given.
 */
async function labTarget(
  target: string,
  durationUs: number,
): Promise<{ scenario: Scenario; modules: string[]; fromScenario: boolean }> {
  const protocol = protocols.get(target);
  if (protocol !== undefined)
    return { scenario: blankScenario(protocol, durationUs), modules: [], fromScenario: false };
  if (moduleFile.test(target)) {
    const own = await loadProtocolModule(target, { onWarning: warn });
    const module = displayPath(target);
    return { scenario: blankScenario(own, durationUs, module), modules: [module], fromScenario: false };
  }
  const scenario = loadScenario(target, [...protocols.keys()]);
  return { scenario: withoutFaults(scenario), modules: scenarioModules(scenario, []), fromScenario: true };
}

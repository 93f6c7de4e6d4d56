/**
 * Each command's usage line and one-line description, in the order `--help` lists them. They live
 * here, apart from the commands, so that `quorumlab --help` and `--version` print without loading
 * any command: loading them all (the simulator, every protocol, the reports, the explorer) took
 * about half a second before the first line. Each command module takes its own heading from here.
 */
export const commandHeadings = {
  list: { command: "list", describe: "List the built-in scenarios" },
  run: {
    command: "run <scenario>",
    describe: "Run one scenario (a built-in name or a YAML file) and report what happened",
  },
  verify: {
    command: "verify [scenarios..]",
    describe:
      "Run every built-in scenario, or the scenario files given, and check each against its expect block",
  },
  check: {
    command: "check <files..>",
    describe: "Check history files (or folders of them) for linearizability",
  },
  fuzz: {
    command: "fuzz <target>",
    describe:
      "Fuzz a protocol (built-in name or module.js) with generated fault plans; shrink and save the first violation",
  },
  explore: {
    command: "explore <target>",
    describe: "Explore every schedule of a small cluster; the shortest counterexample",
  },
  mutants: {
    command: "mutants [module]",
    describe: "List the deliberate bugs, or fuzz each until it is detected and print the table",
  },
  report: {
    command: "report <trace>",
    describe: "Turn a trace file into a report: HTML page, Markdown, text, or an export",
  },
  lab: {
    command: "lab <target>",
    describe: "Write a blank lab page: a cluster with a workload and no faults, to fork by hand",
  },
  bench: { command: "bench", describe: "Measure kernel, checker and protocol throughput" },
  new: {
    command: "new <name>",
    describe: "Start a protocol of your own: a folder with a working quorum register to edit",
  },
} as const;

export type CommandName = keyof typeof commandHeadings;

/**
 * What each positional argument of a command holds, by the name its usage line gives it, for the
 * answer to a flag of that name (`explore raft --target paxos`, which the parser would drop):
 * `--target: give the protocol as the first argument, not as a flag`.
 */
export const positionalArguments: Readonly<Record<CommandName, Readonly<Record<string, string>>>> = {
  list: {},
  run: { scenario: "the scenario (a built-in name or a file)" },
  verify: { scenarios: "the scenarios (files, folders or built-in names)" },
  check: { files: "the history files" },
  fuzz: { target: "the protocol (a built-in name or a module file)" },
  explore: { target: "the protocol (a built-in name or a module file)" },
  mutants: { module: "the module file" },
  report: { trace: "the trace file" },
  lab: { target: "the protocol, module file or scenario" },
  bench: {},
  new: { name: "the name" },
};

/** The positional arguments of a command's usage line (`fuzz <target>`), each marked when it takes several. */
export function positionalsOf(command: CommandName): Array<{ name: string; several: boolean }> {
  return [...commandHeadings[command].command.matchAll(/[<[](\w+)(\.\.)?[>\]]/g)].map((match) => ({
    name: match[1] as string,
    several: match[2] !== undefined,
  }));
}

/**
 * What each command's required argument is, for the line printed when it is left out: the
 * parser's own says only `Not enough non-option arguments: got 0, need at least 1`.
 */
export const requiredArguments: Readonly<Partial<Record<CommandName, string>>> = {
  run: "a scenario file or built-in scenario name (quorumlab list shows them)",
  check: "history files, or folders of them, to check",
  fuzz: "a built-in protocol name (raft, paxos, …) or a protocol module (.js or .ts)",
  explore: "a built-in protocol name (raft, paxos, …) or a protocol module (.js or .ts)",
  report: "a trace file (.jsonl), or - to read one from standard input",
  lab: "a built-in protocol or scenario name, a protocol module (.js or .ts) or a scenario file",
  new: "a name for the new protocol (its folder takes the name)",
};

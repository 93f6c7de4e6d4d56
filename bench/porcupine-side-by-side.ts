/**
 * Porcupine (Go) and quorumlab side by side on the hard histories (./hard-histories.ts). Never
 * needed by CI and never vendors Porcupine: it needs `go` on the PATH and a local checkout of
 * https://github.com/anishathalye/porcupine, given with `--porcupine DIR`.
 *
 *     node dist/bench/porcupine-side-by-side.js --porcupine ~/src/porcupine [--timeout 60s] [--only TEXT]
 *
 * It writes the histories as native JSON files to a temporary folder, writes a small Go program
 * there (its module replaces `github.com/anishathalye/porcupine` with the checkout, so nothing is
 * downloaded), builds it, and runs both checkers on every file, each file in a fresh process,
 * one after the other, with the same timeout. The Go program models the histories exactly as
 * quorumlab's `register`, `cas-register` and `kv` models do (keys absent at first, a crashed
 * operation returning after everything else with an output the model always accepts, kv
 * partitioned by key), hashes states with a typed function, as a Porcupine user would write it
 * (not through reflection, which made Porcupine's first call a third slower), and calls
 * `CheckOperationsTimeout`. It prints one JSON object.
 *
 * What is timed, the same on both sides: the check call alone, in-process, on a history already
 * read, parsed and paired into operations (Go: `CheckOperationsTimeout`; quorumlab:
 * `checkOperations`, explanations on, from the checker's bundle loaded as `quorumlab check` loads
 * it, ../cli/shared/checker-code.ts). `firstMs` is the first call in a fresh process. quorumlab's
 * is taken twice, in two processes sharing an empty code-cache folder: `coldCache.firstMs` with
 * no cache (V8 compiles the checker on first use, which Go did at build time; that process saves
 * the cache), then `firstMs` with the cache it saved. `warmMs` is the median of the last half of `--rounds` more calls
 * in the same process (default 200: V8 optimizes the hot loops during the first few dozen; only
 * for histories whose first call took under 2 s), with `warmMinMs` the fastest of them all. Separately, `quorumlab check
 * --json` runs as a user runs it (its `wallMs`: the check in-process, parse excluded, cold), with
 * the CPU time and peak memory of each whole process.
 *
 * What each call holds beyond the search (quorumlab validates every operation against the model
 * first, Porcupine nothing) and why the first call is the figure that counts: docs/
 * linearizability.md, "The small histories Porcupine decides".
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDuration } from "../cli/check.js";
import { readText } from "../cli/files.js";
import { checkerCode, saveCheckerCache } from "../cli/shared/checker-code.js";
import type { ModelName } from "../sim/check/index.js";
import { hardHistories, writeHardHistories } from "./hard-histories.js";

const goProgram = `package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
)

type event struct {
	Type    string      \`json:"type"\`
	Process int         \`json:"process"\`
	F       string      \`json:"f"\`
	Key     *string     \`json:"key"\`
	Value   interface{} \`json:"value"\`
	TimeUs  int64       \`json:"timeUs"\`
}

type file struct {
	Model  string  \`json:"model"\`
	Events []event \`json:"events"\`
}

type input struct {
	f     string
	key   string
	value interface{}
}

type output struct {
	known bool
	value interface{}
}

func text(value interface{}) string {
	if value == nil {
		return ""
	}
	if s, ok := value.(string); ok {
		return s
	}
	return fmt.Sprint(value)
}

// step follows quorumlab's register, cas-register and kv models.
func step(state interface{}, in input, out output) (bool, interface{}) {
	switch in.f {
	case "read", "get":
		if !out.known {
			return true, state
		}
		return state == out.value, state
	case "write", "put":
		return true, in.value
	case "append":
		return true, text(state) + text(in.value)
	case "cas":
		pair := in.value.([]interface{})
		matches := state == pair[0]
		if !out.known {
			if matches {
				return true, pair[1]
			}
			return true, state
		}
		if out.value == true {
			return matches, pair[1]
		}
		return !matches, state
	}
	return false, state
}

func main() {
	timeout, _ := time.ParseDuration(os.Args[2])
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var history file
	if err := json.Unmarshal(raw, &history); err != nil {
		panic(err)
	}
	operations := []porcupine.Operation{}
	pending := map[int]int{}
	for _, e := range history.Events {
		if e.Type == "invoke" {
			key := ""
			if e.Key != nil {
				key = *e.Key
			}
			pending[e.Process] = len(operations)
			operations = append(operations, porcupine.Operation{ClientId: e.Process, Input: input{e.F, key, e.Value}, Call: e.TimeUs, Return: math.MaxInt64, Output: output{}})
			continue
		}
		index := pending[e.Process]
		delete(pending, e.Process)
		if e.Type == "ok" {
			operations[index].Output = output{true, e.Value}
			operations[index].Return = e.TimeUs
		} else if e.Type == "fail" {
			operations[index].Input = input{f: "skip"}
		}
	}
	kept := operations[:0]
	for _, operation := range operations {
		if operation.Input.(input).f != "skip" {
			kept = append(kept, operation)
		}
	}
	model := porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			order := []string{}
			for _, operation := range history {
				key := operation.Input.(input).key
				if _, seen := byKey[key]; !seen {
					order = append(order, key)
				}
				byKey[key] = append(byKey[key], operation)
			}
			result := [][]porcupine.Operation{}
			for _, key := range order {
				result = append(result, byKey[key])
			}
			return result
		},
		Init: func() interface{} { return nil },
		Step: func(state, in, out interface{}) (bool, interface{}) {
			return step(state, in.(input), out.(output))
		},
		Hash: hashState,
	}
	rounds, _ := strconv.Atoi(os.Args[3])
	cpuStart := cpuMs()
	start := time.Now()
	result := porcupine.CheckOperationsTimeout(model, kept, timeout)
	first := time.Since(start)
	firstCpuMs := cpuMs() - cpuStart
	warm := []float64{}
	warmCpu := []float64{}
	for round := 0; round < rounds && first < 2*time.Second; round++ {
		cpuStart = cpuMs()
		start = time.Now()
		porcupine.CheckOperationsTimeout(model, kept, timeout)
		warm = append(warm, float64(time.Since(start).Nanoseconds())/1e6)
		warmCpu = append(warmCpu, cpuMs()-cpuStart)
	}
	// The last half of the calls: the steady state.
	warmMin := math.Inf(1)
	for _, ms := range warm {
		warmMin = math.Min(warmMin, ms)
	}
	warm = warm[len(warm)/2:]
	warmCpu = warmCpu[len(warmCpu)/2:]
	sort.Float64s(warm)
	sort.Float64s(warmCpu)
	verdict := map[porcupine.CheckResult]string{porcupine.Ok: "linearizable", porcupine.Illegal: "not-linearizable", porcupine.Unknown: "unknown"}[result]
	firstMs := float64(first.Nanoseconds()) / 1e6
	if len(warm) == 0 {
		fmt.Printf("{\\"result\\": %q, \\"firstMs\\": %.3f, \\"firstCpuMs\\": %.3f}\\n", verdict, firstMs, firstCpuMs)
		return
	}
	fmt.Printf("{\\"result\\": %q, \\"firstMs\\": %.3f, \\"firstCpuMs\\": %.3f, \\"warmMs\\": %.3f, \\"warmMinMs\\": %.3f, \\"warmCpuMs\\": %.3f}\\n", verdict, firstMs, firstCpuMs, warm[len(warm)/2], warmMin, warmCpu[len(warmCpu)/2])
}

// hashState hashes a state, the value of a register or key: nil, a JSON number, a string or a
// boolean. Typed, as a Porcupine user would write it: FNV-1a over a string's bytes, a number's
// bits. (Through fmt.Sprintf and reflection, Porcupine's first call took a third longer.)
func hashState(state interface{}) uint64 {
	switch value := state.(type) {
	case string:
		h := uint64(14695981039346656037)
		for index := 0; index < len(value); index++ {
			h ^= uint64(value[index])
			h *= 1099511628211
		}
		return h
	case float64:
		return math.Float64bits(value) * 0x9e3779b97f4a7c15
	case bool:
		if value {
			return 1
		}
		return 2
	case nil:
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(fmt.Sprintf("%T:%v", state, state)))
	return h.Sum64()
}

// cpuMs is the CPU time of the whole process (every thread, the collector's included) in ms.
func cpuMs() float64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e6
}
`;

interface Arguments {
  readonly porcupine: string;
  readonly timeout: string;
  readonly only: string | undefined;
  readonly rounds: number;
}

function argumentsOf(argv: readonly string[]): Arguments {
  const flagValue = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index < 0 ? undefined : argv[index + 1];
  };
  const porcupine = flagValue("--porcupine");
  const rounds = Number(flagValue("--rounds") ?? 200);
  if (porcupine === undefined || !Number.isInteger(rounds) || rounds < 0) {
    process.stderr.write(
      "usage: porcupine-side-by-side --porcupine DIR [--timeout 60s] [--only TEXT] [--rounds 200]\n",
    );
    process.exit(2);
  }
  return {
    porcupine: path.resolve(porcupine),
    timeout: flagValue("--timeout") ?? "60s",
    only: flagValue("--only"),
    rounds,
  };
}

/**
 * Runs a child; its peak resident memory in MB and its CPU time (user + system, the whole
 * process: start-up and parsing included) in ms, from GNU time when present.
 */
function timed(
  command: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
): { stdout: string; maxRssMb: number | null; processCpuMs: number | null } {
  const gnuTime = spawnSync("/usr/bin/time", ["-f", "%M %U %S", command, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env,
  });
  if (gnuTime.error === undefined && gnuTime.status !== null) {
    const lines = gnuTime.stderr.trim().split("\n");
    const [kilobytes, user, system] = (lines[lines.length - 1] ?? "").split(" ").map(Number);
    return {
      stdout: gnuTime.stdout,
      maxRssMb: Number.isFinite(kilobytes) ? Math.round(kilobytes! / 1024) : null,
      processCpuMs:
        Number.isFinite(user) && Number.isFinite(system) ? Math.round((user! + system!) * 1000) : null,
    };
  }
  return {
    stdout: execFileSync(command, args, { encoding: "utf8", env }),
    maxRssMb: null,
    processCpuMs: null,
  };
}

/**
 * What the in-process timing prints, on either side (see the module comment). The CPU times are
 * the whole process's during the call (the collector and, for quorumlab, V8's compiler threads
 * included); `warmCpuMs` is their median over the last half of the warm calls.
 */
interface InProcessTimes {
  readonly result: string;
  readonly firstMs: number;
  readonly firstCpuMs: number;
  readonly warmMs?: number;
  readonly warmMinMs?: number;
  readonly warmCpuMs?: number;
}

/** Calls that took longer than this are not repeated warm. */
const warmFirstMsMax = 2000;

const roundTo = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The child side of quorumlab's in-process timing: reads and parses the file as
 * `quorumlab check` does, pairs its events, then times `checkOperations` once and `rounds`
 * more times, and prints one JSON object.
 */
function timeQuorumlabInProcess(options: {
  file: string;
  model: ModelName;
  timeoutMs: number;
  rounds: number;
}): void {
  // The checker as `quorumlab check` loads it: the bundle, through the code cache when there
  // is one in `QUORUMLAB_CACHE_DIR` (the parent runs this twice: with no cache, then with the one
  // the first run saved).
  const { checkOperations, modelByName, pairOperations, parseHistory } = checkerCode();
  const model = modelByName(options.model);
  const parsed = parseHistory(readText(options.file), { file: options.file, defaultModel: model });
  const operations = pairOperations(parsed.events);
  const check = (): { result: string; ms: number; cpuMs: number } => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const verdict = checkOperations(operations, model, {
      timeoutMs: options.timeoutMs,
      memoryBytesMax: 4 * 2 ** 30,
      now: () => performance.now(),
    });
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    return { result: verdict.result, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const first = check();
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let round = 0; round < options.rounds && first.ms < warmFirstMsMax; round++) {
    const { ms, cpuMs } = check();
    warm.push(ms);
    warmCpu.push(cpuMs);
  }
  const warmMinMs = Math.min(...warm);
  // The last half of the calls: the steady state.
  const steady = warm.slice(warm.length >> 1).sort((left, right) => left - right);
  const steadyCpu = warmCpu.slice(warmCpu.length >> 1).sort((left, right) => left - right);
  saveCheckerCache();
  const firstTimes = { result: first.result, firstMs: roundTo(first.ms), firstCpuMs: roundTo(first.cpuMs) };
  const times: InProcessTimes =
    warm.length === 0
      ? firstTimes
      : {
          ...firstTimes,
          warmMs: roundTo(steady[steady.length >> 1]!),
          warmMinMs: roundTo(warmMinMs),
          warmCpuMs: roundTo(steadyCpu[steadyCpu.length >> 1]!),
        };
  process.stdout.write(`${JSON.stringify(times)}\n`);
}

/** Builds the Go program against the checkout; returns its path. */
function buildGoProgram(folder: string, porcupine: string): string {
  const program = path.join(folder, "harness");
  writeFileSync(path.join(folder, "main.go"), goProgram);
  writeFileSync(
    path.join(folder, "go.mod"),
    `module harness\n\ngo 1.16\n\nrequire github.com/anishathalye/porcupine v0.0.0\n\nreplace github.com/anishathalye/porcupine => ${porcupine}\n`,
  );
  execFileSync("go", ["build", "-mod=mod", "-o", program, "."], {
    cwd: folder,
    env: { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=mod" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return program;
}

/** Both checkers on one file: in-process times, then `quorumlab check` as a user runs it. */
function compareOn(options: {
  file: string;
  model: ModelName;
  program: string;
  timeoutMs: number;
  rounds: number;
}): Record<string, unknown> {
  const { file, model, program, timeoutMs, rounds } = options;
  const go = timed(program, process.env, [file, `${timeoutMs}ms`, String(rounds)]);
  const goTimes = JSON.parse(go.stdout) as InProcessTimes;
  const self = fileURLToPath(import.meta.url);
  // A code cache of its own for each history, empty at first: the first child runs with no cache
  // (as a user's first `quorumlab check`) and saves one; the second, and `quorumlab check`, use it.
  const env = { ...process.env, QUORUMLAB_CACHE_DIR: `${file}.code-cache` };
  const ourRun = (roundsOf: number): InProcessTimes =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [self, "--in-process", file, model, String(timeoutMs), String(roundsOf)],
        {
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
          env,
        },
      ),
    ) as InProcessTimes;
  const coldCache = ourRun(0);
  const ours = ourRun(rounds);
  const cli = path.resolve(path.dirname(self), "../cli/main.js");
  const command = timed(process.execPath, env, [
    cli,
    "check",
    file,
    "--model",
    model,
    "--timeout",
    `${timeoutMs}ms`,
    "--memory",
    "4GiB",
    "--json",
  ]);
  const commandResult = JSON.parse(command.stdout) as { result: string; wallMs: number };
  return {
    porcupine: { ...goTimes, processCpuMs: go.processCpuMs, maxRssMb: go.maxRssMb },
    quorumlab: {
      ...ours,
      coldCache: { result: coldCache.result, firstMs: coldCache.firstMs, firstCpuMs: coldCache.firstCpuMs },
      check: {
        result: commandResult.result,
        wallMs: commandResult.wallMs,
        processCpuMs: command.processCpuMs,
        maxRssMb: command.maxRssMb,
      },
    },
  };
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === "--in-process") {
    timeQuorumlabInProcess({
      file: argv[1]!,
      model: argv[2] as ModelName,
      timeoutMs: Number(argv[3]),
      rounds: Number(argv[4]),
    });
    return;
  }
  const options = argumentsOf(argv);
  const timeoutMs = parseDuration(options.timeout);
  const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-porcupine-"));
  try {
    const histories = hardHistories().filter(
      (history) => options.only === undefined || history.name.includes(options.only),
    );
    const files = writeHardHistories(path.join(folder, "histories"), histories);
    const program = buildGoProgram(folder, options.porcupine);
    const rows = histories.map((history, index) => {
      const row = {
        name: history.name,
        ops: history.events.filter((event) => event.type === "invoke").length,
        ...compareOn({
          file: files[index]!,
          model: history.model,
          program,
          timeoutMs,
          rounds: options.rounds,
        }),
      };
      process.stderr.write(`${JSON.stringify(row)}\n`);
      return row;
    });
    process.stdout.write(
      `${JSON.stringify({ timeoutMs, rounds: options.rounds, histories: rows }, null, 2)}\n`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

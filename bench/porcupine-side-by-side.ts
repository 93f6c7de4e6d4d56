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
 * partitioned by key) and calls `CheckOperationsTimeout`. It prints one JSON object.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDuration } from "../cli/check.js";
import { hardHistories, writeHardHistories } from "./hard-histories.js";

const goProgram = `package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"os"
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
		Hash: func(state interface{}) uint64 {
			h := fnv.New64a()
			h.Write([]byte(fmt.Sprintf("%T:%v", state, state)))
			return h.Sum64()
		},
	}
	start := time.Now()
	result := porcupine.CheckOperationsTimeout(model, kept, timeout)
	elapsed := time.Since(start)
	verdict := map[porcupine.CheckResult]string{porcupine.Ok: "linearizable", porcupine.Illegal: "not-linearizable", porcupine.Unknown: "unknown"}[result]
	fmt.Printf("{\\"result\\": %q, \\"wallMs\\": %.1f}\\n", verdict, float64(elapsed.Microseconds())/1000)
}
`;

interface Arguments {
  readonly porcupine: string;
  readonly timeout: string;
  readonly only: string | undefined;
}

function argumentsOf(argv: readonly string[]): Arguments {
  const flagValue = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index < 0 ? undefined : argv[index + 1];
  };
  const porcupine = flagValue("--porcupine");
  if (porcupine === undefined) {
    process.stderr.write("usage: porcupine-side-by-side --porcupine DIR [--timeout 60s] [--only TEXT]\n");
    process.exit(2);
  }
  return {
    porcupine: path.resolve(porcupine),
    timeout: flagValue("--timeout") ?? "60s",
    only: flagValue("--only"),
  };
}

/**
 * Runs a child; its peak resident memory in MB and its CPU time (user + system, the whole
 * process: start-up and parsing included) in ms, from GNU time when present.
 */
function timed(
  command: string,
  args: readonly string[],
): { stdout: string; maxRssMb: number | null; processCpuMs: number | null } {
  const gnuTime = spawnSync("/usr/bin/time", ["-f", "%M %U %S", command, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
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
  return { stdout: execFileSync(command, args, { encoding: "utf8" }), maxRssMb: null, processCpuMs: null };
}

function main(): void {
  const options = argumentsOf(process.argv.slice(2));
  const timeoutMs = parseDuration(options.timeout);
  const folder = mkdtempSync(path.join(tmpdir(), "quorumlab-porcupine-"));
  try {
    const histories = hardHistories().filter(
      (history) => options.only === undefined || history.name.includes(options.only),
    );
    const files = writeHardHistories(path.join(folder, "histories"), histories);
    const program = path.join(folder, "harness");
    writeFileSync(path.join(folder, "main.go"), goProgram);
    writeFileSync(
      path.join(folder, "go.mod"),
      `module harness\n\ngo 1.16\n\nrequire github.com/anishathalye/porcupine v0.0.0\n\nreplace github.com/anishathalye/porcupine => ${options.porcupine}\n`,
    );
    execFileSync("go", ["build", "-mod=mod", "-o", program, "."], {
      cwd: folder,
      env: { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=mod" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../cli/main.js");
    const rows = histories.map((history, index) => {
      const file = files[index]!;
      const go = timed(program, [file, `${timeoutMs}ms`]);
      const goResult = JSON.parse(go.stdout) as { result: string; wallMs: number };
      const ours = timed(process.execPath, [
        cli,
        "check",
        file,
        "--model",
        history.model,
        "--timeout",
        `${timeoutMs}ms`,
        "--memory",
        "4GiB",
        "--json",
      ]);
      const oursResult = JSON.parse(ours.stdout) as { result: string; wallMs: number };
      const row = {
        name: history.name,
        ops: history.events.filter((event) => event.type === "invoke").length,
        porcupine: { ...goResult, processCpuMs: go.processCpuMs, maxRssMb: go.maxRssMb },
        quorumlab: {
          result: oursResult.result,
          wallMs: oursResult.wallMs,
          processCpuMs: ours.processCpuMs,
          maxRssMb: ours.maxRssMb,
        },
      };
      process.stderr.write(`${JSON.stringify(row)}\n`);
      return row;
    });
    process.stdout.write(`${JSON.stringify({ timeoutMs, histories: rows }, null, 2)}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

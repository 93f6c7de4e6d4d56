/**
 * The linearizability checker on hard histories (./hard-histories.ts): per history the verdict,
 * wall and CPU time, the bytes the search held at most, the process's peak resident memory, and
 * what backs the verdict, checked here independently of the search:
 * - linearizable: the linearization found is replayed through the model, in order, and must
 *   contain every completed operation and respect real time;
 * - not linearizable: the explanation's minimal failing subset is checked again on its own and
 *   must itself be not linearizable.
 * Each history is checked in a fresh Node process, so that its peak memory is its own.
 *
 *     node dist/bench/linearizability-hard.js [--timeout 60s] [--memory 4GiB] [--only TEXT]
 *     node dist/bench/linearizability-hard.js --write DIR      # the histories as JSON files
 *
 * `quorumlab bench` reports it under `linearizability.hard`. Wall time on a shared machine
 * depends on what else runs; CPU time much less so.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseByteSize, parseDuration } from "../cli/check.js";
import { type AnyModel, checkHistory, checkOperations, modelByName } from "../sim/check/index.js";
import { type Operation, pairOperations } from "../sim/history.js";
import { type HardHistory, hardHistories, writeHardHistories } from "./hard-histories.js";

interface Options {
  readonly timeoutMs: number;
  readonly memoryBytesMax: number;
  readonly only: string | undefined;
}

/** Whether `order` (operation ids) is a linearization of `operations` for the model. */
function isLinearization(
  operations: readonly Operation[],
  order: readonly number[],
  model: AnyModel,
): boolean {
  const byId = new Map(operations.map((operation) => [operation.id, operation]));
  const placed = new Set<number>();
  let state = model.init();
  for (const id of order) {
    const operation = byId.get(id);
    if (operation === undefined || placed.has(id)) return false;
    // Real time: whatever returned before this call must already be placed.
    for (const other of operations) {
      if (other.returnUs < operation.callUs && !placed.has(other.id)) return false;
    }
    state = model.step(state, operation);
    if (state === undefined) return false;
    placed.add(id);
  }
  return operations.every((operation) => operation.status !== "ok" || placed.has(operation.id));
}

/** Checks one history in this process and returns its figures. */
function checkOne(history: HardHistory, options: Options): Record<string, unknown> {
  const model = modelByName(history.model);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const verdict = checkHistory(history.events, model, {
    timeoutMs: options.timeoutMs,
    memoryBytesMax: options.memoryBytesMax,
    now: () => performance.now(),
    linearization: true,
  });
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const operations = pairOperations(history.events).filter((operation) => operation.status !== "fail");
  let backing: Record<string, unknown> | undefined;
  if (verdict.result === "linearizable") {
    const verified = (verdict.linearization ?? []).every((part) =>
      isLinearization(
        operations.filter((operation) => (model.partition?.(operation) ?? null) === part.partition),
        part.operations,
        model,
      ),
    );
    backing = { kind: "linearization", verified };
  } else if (verdict.result === "not-linearizable" && verdict.explanation !== undefined) {
    const subset = new Set(verdict.explanation.minimalSet);
    const kept = operations.filter((operation) => subset.has(operation.id));
    const recheck = checkOperations(kept, model, { explain: false }).result;
    backing = {
      kind: "minimal-failing-subset",
      size: subset.size,
      complete: verdict.explanation.minimalSetComplete,
      verified: recheck === "not-linearizable",
    };
  }
  return {
    name: history.name,
    shape: history.shape,
    model: history.model,
    ops: operations.length,
    indeterminate: operations.filter((operation) => operation.status === "info").length,
    result: verdict.result,
    ...(verdict.unknownReason === undefined ? {} : { unknownReason: verdict.unknownReason }),
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    steps: verdict.steps ?? null,
    memoryBytesPeak: verdict.memoryBytesPeak ?? null,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(backing === undefined ? {} : { backing }),
  };
}

function flag(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  return index < 0 ? undefined : argv[index + 1];
}

/** Runs the benchmark, each history in a child process; returns its figures. */
export function benchHard(options: Options): Record<string, unknown> {
  const self = fileURLToPath(import.meta.url);
  const histories = hardHistories().filter(
    (history) => options.only === undefined || history.name.includes(options.only),
  );
  const rows = histories.map((history) => {
    const output = execFileSync(
      process.execPath,
      [
        self,
        "--one",
        history.name,
        "--timeout",
        `${options.timeoutMs}ms`,
        "--memory",
        String(options.memoryBytesMax),
      ],
      { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    const row = JSON.parse(output) as Record<string, unknown>;
    process.stderr.write(`${JSON.stringify(row)}\n`);
    return row;
  });
  const decided = rows.filter((row) => row.result !== "unknown");
  return {
    timeoutMs: options.timeoutMs,
    memoryBytesMax: options.memoryBytesMax,
    histories: rows,
    decided: decided.length,
    total: rows.length,
    allBacked: decided.every((row) => (row.backing as { verified?: boolean } | undefined)?.verified === true),
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const folder = flag(argv, "--write");
  const options: Options = {
    timeoutMs: parseDuration(flag(argv, "--timeout") ?? "60s"),
    memoryBytesMax: parseByteSize(flag(argv, "--memory") ?? "4GiB"),
    only: flag(argv, "--only"),
  };
  const one = flag(argv, "--one");
  if (folder !== undefined) {
    for (const file of writeHardHistories(folder)) process.stdout.write(`${file}\n`);
  } else if (one !== undefined) {
    const history = hardHistories().find((candidate) => candidate.name === one);
    if (history === undefined) throw new Error(`no hard history named ${one}`);
    process.stdout.write(`${JSON.stringify(checkOne(history, options))}\n`);
  } else {
    process.stdout.write(`${JSON.stringify(benchHard(options), null, 2)}\n`);
  }
}

/**
 * A long `run`: its progress line on a terminal (drawn from about 2 s of wall time on, saying when
 * the end-of-run checks run, cleared at the end), and Ctrl-C (SIGINT), which stops it and says how far it got, with exit code 130. The
 * signal test runs the compiled package (`npm run build` first).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { longDuration, runProgressLine, runProgressText } from "../../cli/shared/progress.js";
import { signalled } from "../support/signalled.js";

const folder = mkdtempSync(join(tmpdir(), "quorumlab-run-progress-"));

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stream that keeps what is written to it, a terminal or not. */
function stream(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const kept = {
    isTTY,
    columns: 200,
    written: "",
    write(chunk: string) {
      kept.written += chunk;
      return true;
    },
  };
  return kept as unknown as NodeJS.WriteStream & { written: string };
}

describe("the progress line of a long run", () => {
  const reached = { timeUs: 3_600_000_000, endUs: 360_000_000_000, events: 1_234_567 };

  it("says how far the run is, in virtual time and events, and how long it has left", () => {
    expect(runProgressText(reached, 12_000)).toBe(
      "1h of 100h simulated (1.0%), 1,234,567 events, 12.0s wall, about 19m48s left",
    );
    expect(longDuration(125_000_000)).toBe("2m05s");
    expect(longDuration(3_720_000_000)).toBe("1h02m");
    expect(longDuration(850_000)).toBe("850ms");
  });

  it("shows on a terminal once the run has taken 2 s, and is cleared at the end", () => {
    const terminal = stream(true);
    const line = runProgressLine("long", terminal);
    line.update(reached, 1_500);
    expect(terminal.written).toBe("");
    line.update(reached, 2_100);
    expect(terminal.written).toBe(`\rlong: ${runProgressText(reached, 2_100)}\u001b[K`);
    line.checking();
    expect(terminal.written.endsWith("\rlong: at the end; checking invariants and history\u001b[K")).toBe(
      true,
    );
    line.clear();
    expect(terminal.written.endsWith("\r\u001b[K")).toBe(true);
  });

  it("says nothing of the end-of-run checks of a run too short to have drawn it", () => {
    const terminal = stream(true);
    const line = runProgressLine("short", terminal);
    line.update(reached, 300);
    line.checking();
    line.clear();
    expect(terminal.written).toBe("");
  });

  it("is never drawn when stderr is not a terminal", () => {
    const pipe = stream(false);
    const line = runProgressLine("long", pipe);
    line.update(reached, 5_000);
    line.clear();
    expect(pipe.written).toBe("");
  });
});

describe("Ctrl-C during a run", () => {
  it("stops it, says how far it got and exits 130", async () => {
    const file = join(folder, "long.yaml");
    writeFileSync(file, "protocol: raft\nnodes: 3\nduration: 100h\n");
    // Long enough to have started and be running on a busy machine (it prints nothing before the
    // end), far shorter than the run (100h of Raft takes over 15 s on a quiet one).
    const { code, stdout, stderr } = await signalled("SIGINT", ["run", file], () => true, 5_000);
    expect(stderr).toBe("");
    expect(code).toBe(130);
    expect(stdout).toMatch(
      /^interrupted at \S+ of 100h simulated \([\d,]+ events, \S+ wall\): no safety invariant was violated up to there;/,
    );
  }, 60_000);
});

/**
 * The timeline of the text, Markdown and HTML reports. Goal: a reader of a report follows the run
 * by the story `quorumlab run` tells on the terminal, line for line: the scenario's notes on its
 * steps, the timeouts and scripted operations that leave no record of their own, faults,
 * leaderships and violations; and a report of an explored counterexample (a schedule) tells the
 * timers it fired, the operations it invoked and the messages it dropped. Method: render the
 * Figure 8 scenario and a schedule cut from an explored counterexample in each format, and read
 * the timeline back as a reader sees it.
 */
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { timeline } from "../../cli/run.js";
import { protocols } from "../../protocols/index.js";
import { displayOf, renderReport } from "../../reports/index.js";
import { buildModel, timelineText } from "../../reports/model.js";
import { runSteps } from "../../reports/page/run-steps.js";
import type { Protocol } from "../../sim/node.js";
import { type RunResult, runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { viewerPage } from "./fixtures.js";

const raft = protocols.get("raft") as Protocol;

function reportOf(result: RunResult, format: "text" | "md" | "html"): string {
  return renderReport(result.records, format, {
    display: displayOf(raft),
    steps: runSteps(result),
    ...(format === "html" ? { page: viewerPage() } : {}),
  });
}

/** What `quorumlab run` prints, without colour: `12ms  c1 asks n1: write x = "b"`. */
function terminalLines(result: RunResult): string[] {
  return timeline(result.records, new Chalk({ level: 0 }), {
    steps: runSteps(result),
    leading: raft.roles?.leading ?? [],
  }).map((line) => line.trim());
}

/** The text report's timeline lines, as the terminal's are read. */
function textLines(text: string): string[] {
  const lines = text.split("\n");
  const start = lines.indexOf("timeline:") + 1;
  const end = lines.indexOf("", start);
  return lines.slice(start, end).map((line) => line.trim());
}

/** The Markdown timeline's rows, as `time  text`. */
function markdownLines(markdown: string): string[] {
  const start = markdown.indexOf("### Timeline");
  const section = markdown.slice(start, markdown.indexOf("\n###", start));
  return [...section.matchAll(/^\| ([^|]+) \| (.*) \|$/gm)]
    .map((row) => `${row[1]}  ${row[2]}`)
    .filter((row) => row !== "t  event" && !row.startsWith("---:"));
}

/** The HTML timeline's items as a reader sees them (`time  text`): tags gone, entities read. */
function htmlLines(html: string): string[] {
  const list = /<ol class="timeline">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
  const read = (text: string) =>
    text
      .replace(/<[^>]+>/g, "")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  return [...list.matchAll(/<li[^>]*><(a|span) class="t"[^>]*>(.*?)<\/\1> (.*?)<\/li>/g)].map(
    (item) => `${read(item[2] ?? "")}  ${read(item[3] ?? "")}`,
  );
}

describe("a report's timeline", () => {
  const figure8 = runScenario(loadScenario("raft-figure-8"), protocols, {
    keepTrace: true,
    checkHistory: historyChecker(),
  });
  const told = terminalLines(figure8);

  it("is the terminal's, line for line, in the text, Markdown and HTML reports of raft-figure-8", () => {
    expect(told).toContain('12ms  c1 asks n1: write x = "b"');
    expect(textLines(reportOf(figure8, "text"))).toEqual(told);
    // Markdown escapes its own syntax only; none of these lines has any.
    expect(markdownLines(reportOf(figure8, "md"))).toEqual(told);
    expect(htmlLines(reportOf(figure8, "html"))).toEqual(told);
  });

  it("tells the notes, the timeouts and the scripted operations, each before what its step did", () => {
    const text = textLines(reportOf(figure8, "text"));
    expect(text.slice(0, 3)).toEqual([
      "0  # (a) n1 becomes leader of term 1",
      "0  timeout n1",
      "2ms  n1 becomes leader (term 1)",
    ]);
    const note = text.indexOf("20ms  # (b) n1 crashes");
    expect(text[note + 1]).toBe("20ms  crash n1");
    expect(text.slice(text.indexOf("300ms  # reads e"))[1]).toBe("300ms  c4 asks n5: read x");
    expect(reportOf(figure8, "md")).toContain('| 12ms | c1 asks n1: write x = "b" |');
    const html = reportOf(figure8, "html");
    expect(html).toContain('</a> <span class="m-actor">c1</span> asks n1: write x = &quot;b&quot;</li>');
    expect(html).toContain('<span class="m-note"># (b) n1 crashes</span>');
    // Each moment says what it tells: one item of each leadership the leaderChanges figure counts.
    expect(html.match(/<li class="k-leader">/g)).toHaveLength(figure8.figures.leaderChanges);
    expect(html.match(/<li class="k-note">/g)).toHaveLength(
      told.filter((line) => /^\S+ {2}# /.test(line)).length,
    );
  });

  it("links each moment of the HTML timeline to the first step of its event", () => {
    const model = buildModel(figure8.records, { display: displayOf(raft), steps: runSteps(figure8) });
    const crash = model.timeline.find((entry) => timelineText(entry) === "crash n1");
    expect(crash?.step).toBeGreaterThanOrEqual(0);
    expect(model.steps[crash?.step ?? -1]).toMatchObject({ kind: "crash", t: 20_000 });
    expect(reportOf(figure8, "html")).toContain(`data-goto-step="${crash?.step}"`);
  });

  it("has no scenario notes or record-less steps without the run that made the trace", () => {
    const lines = buildModel(figure8.records, { display: displayOf(raft) }).timeline.map(timelineText);
    expect(lines).toContain("crash n1");
    expect(
      lines.some((line) => line.startsWith("#") || line.startsWith("timeout") || line.includes(" asks ")),
    ).toBe(false);
  });

  it("tells, after the timeline, a step that waited for a new leader and never ran, as the terminal does", () => {
    const waiting = runScenario(
      parseScenario(
        `protocol: raft
nodes: 3
duration: 1s
faults:
  - {at: 500ms, afterNewLeader: 1ms, nthNewLeader: 9, crash: leader, note: "never comes"}
`,
        "waits.yaml",
      ),
      protocols,
      { keepTrace: true },
    );
    const lines = terminalLines(waiting);
    expect(lines.at(-1)).toBe(
      "never ran  crash leader (faults.0): from 500ms it waited for the 9th new leader and 1ms more, and the run ended first  # never comes",
    );
    expect(textLines(reportOf(waiting, "text"))).toEqual(lines);
    expect(markdownLines(reportOf(waiting, "md"))).toEqual(lines);
    expect(htmlLines(reportOf(waiting, "html"))).toEqual(lines);
  });

  it("tells an explored schedule's fired timers, invoked operations and dropped messages", () => {
    const scheduled = runScenario(
      parseScenario(
        `protocol: raft
nodes: 3
duration: 1s
clients: 1
options: {leaderNoop: false, preVote: false, checkQuorum: false}
schedule:
  - {fire: {node: n1, timer: election}, note: "n1 stands first"}
  - {deliver: {id: 0, from: n1, to: n2, type: RequestVote}}
  - {deliver: {id: 2, from: n2, to: n1, type: RequestVoteReply}}
  - {deliver: {id: 1, from: n1, to: n3, type: RequestVote}}
  - {deliver: {id: 5, from: n3, to: n1, type: RequestVoteReply}}
  - {invoke: {client: c1, f: write, key: x, value: 1, node: n1}}
  - {deliver: {id: 6, from: c1, to: n1, type: client-request}}
  - {drop: {id: 3, from: n1, to: n2, type: AppendEntries}}
`,
        "explored.yaml",
      ),
      protocols,
      { keepTrace: true },
    );
    const lines = terminalLines(scheduled);
    expect(lines.map((line) => line.replace(/^\S+ {2}/, ""))).toEqual([
      "# n1 stands first",
      "fire n1 election",
      "n1 becomes leader (term 1)",
      "c1 asks n1: write x = 1",
      "drop AppendEntries n1→n2",
    ]);
    expect(textLines(reportOf(scheduled, "text"))).toEqual(lines);
    expect(htmlLines(reportOf(scheduled, "html"))).toEqual(lines);
  });
});

/**
 * The HTML report's figures section. Goal: the Operations figure shows a latency table only when
 * some client operation returned ok, and says so in one line otherwise, instead of a table with
 * a header and no rows. Method: render the report body of a run whose operations never complete
 * (the Figure 8 bug stops at its violation) and of one whose operations do.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { displayOf } from "../../reports/display.js";
import { renderReportBody } from "../../reports/html.js";
import { buildModel } from "../../reports/model.js";
import { runScenario } from "../../sim/run.js";

/** The figures section of the HTML report of a built-in Raft scenario. */
function figuresOf(name: string): string {
  const scenario = loadScenario(name);
  const result = runScenario(scenario, protocols, { checkHistory: historyChecker(), keepTrace: true });
  const raft = protocols.get("raft");
  const model = buildModel(result.records, raft === undefined ? {} : { display: displayOf(raft) });
  const body = renderReportBody(model);
  return body.slice(body.indexOf('<section id="figures">'));
}

describe("the HTML report's Operations figure", () => {
  it("says in one line that no operation completed, with no empty table", () => {
    const figures = figuresOf("raft-figure-8-bug");
    expect(figures).toContain("<b>Operations</b>: ok 0, fail 0, info 0, pending 2");
    expect(figures).toContain("No client operation completed ok, so no latency is measured.");
    expect(figures).not.toContain("<th>f</th>");
  });

  it("shows the latency table when operations completed", () => {
    const figures = figuresOf("raft-figure-8");
    expect(figures).toMatch(/<th>f<\/th>.*<tr><td>write<\/td>/s);
    expect(figures).not.toContain("No client operation completed");
  });
});

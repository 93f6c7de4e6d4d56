/**
 * Goal: a violation whose explanation declares a graph (the transactional checker's dependency
 * cycle) is drawn in the report: one node per transaction linked to its operation and to the
 * events that invoked and completed it, one labelled arrow per edge, and the cycle's operations
 * marked in the history lane; malformed declarations are skipped, and no graph means no section.
 * Method: txn-write-skew-bug runs in process with its trace kept; the report is built from it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { historyChecker } from "../../cli/history-check.js";
import { protocols } from "../../protocols/index.js";
import { readFindingGraphs, renderFindingGraphs } from "../../reports/finding-graph.js";
import { buildModel } from "../../reports/model.js";
import { pageData } from "../../reports/page-data.js";
import { runScenario } from "../../sim/run.js";
import { parseScenario } from "../../sim/scenario/load.js";
import { splitBrainYaml, traceOf } from "./fixtures.js";

const file = fileURLToPath(new URL("../../scenarios/txn-write-skew-bug.yaml", import.meta.url));

describe("the finding-graph section", () => {
  const result = runScenario(parseScenario(readFileSync(file, "utf8"), file), protocols, {
    keepTrace: true,
    checkHistory: historyChecker(),
  });
  const model = buildModel(result.records, { version: "test", replay: "replay me" });

  it("draws the G2-item cycle of txn-write-skew-bug with its transactions, edges and events", () => {
    const violation = model.violations.find((candidate) => candidate.invariant === "txn.strict-serializable");
    expect(violation).toBeDefined();
    const [graph] = readFindingGraphs(violation!.witnesses);
    expect(graph?.title).toBe("G2-item cycle");
    expect(graph?.nodes.map((node) => node.id).sort()).toEqual(["T0", "T1"]);
    expect(graph?.edges.map((edge) => `${edge.from} -${edge.label}-> ${edge.to}`).sort()).toEqual([
      "T0 -rw-> T1",
      "T1 -rw-> T0",
    ]);
    // Each node is the history operation of the same number: T0 reads k0 and appends to k5.
    const t0 = model.operations[graph!.nodes.find((node) => node.id === "T0")!.operation!]!;
    expect(JSON.stringify(t0.input)).toContain("k5");
    const html = renderFindingGraphs(model);
    expect(html).toContain('<section id="finding-graph">');
    expect(html.match(/marker-end=/g)).toHaveLength(2);
    expect(html).toContain(`data-goto-step="${t0.invokeStep}"`);
    expect(html).toContain(`data-goto-step="${t0.returnStep}"`);
    expect(html).toContain("read a version of key k0 that T1 overwrote");
    // The cycle's operations are marked in the history lane.
    const explanation = pageData(model).explanation as { minimal: readonly number[] };
    expect([...explanation.minimal].sort()).toEqual([0, 1]);
  });

  it("draws an aborted read (G1a, no cycle) as the reader and the aborted writer it read from", () => {
    const regression = fileURLToPath(
      new URL("../../scenarios/regressions/txn-kv-bug-forget-decision.yaml", import.meta.url),
    );
    const run = runScenario(parseScenario(readFileSync(regression, "utf8"), regression), protocols, {
      keepTrace: true,
      checkHistory: historyChecker(),
    });
    const report = buildModel(run.records, { version: "test", replay: "" });
    const violation = report.violations.find(
      (candidate) => candidate.invariant === "txn.strict-serializable",
    );
    const [graph] = readFindingGraphs(violation!.witnesses);
    expect(graph?.title).toBe("G1a");
    expect(graph?.edges).toHaveLength(1);
    const writer = graph!.nodes.find((node) => node.id === graph!.edges[0]!.from)!;
    // The writer's transaction failed: it aborted, and yet its append was read.
    expect(report.operations[writer.operation!]!.status).toBe("fail");
    expect(renderFindingGraphs(report)).toContain("which aborted");
  });

  it("skips malformed declarations and draws nothing without one", () => {
    expect(readFindingGraphs({ explanation: { graphs: [{ nodes: "T0" }, null, 3] } })).toEqual([]);
    const dangling = readFindingGraphs({
      explanation: {
        graphs: [{ title: "x", nodes: [{ id: "a" }], edges: [{ from: "a", to: "b", label: "ww" }] }],
      },
    });
    expect(dangling[0]?.edges).toEqual([]);
    const healthy = buildModel(traceOf(splitBrainYaml), { version: "test", replay: "" });
    expect(renderFindingGraphs(healthy)).toBe("");
  });

  it("escapes every declared string", () => {
    const html = renderFindingGraphs({
      ...model,
      violations: [
        {
          ...model.violations[0]!,
          witnesses: {
            explanation: {
              graphs: [{ title: "<b>", nodes: [{ id: "<i>", label: "<script>" }], edges: [] }],
            },
          },
        },
      ],
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<i>");
    expect(html).toContain("&lt;b&gt;");
  });
});

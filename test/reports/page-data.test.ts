/**
 * The page data a report embeds is packed (delta-coded columns) and unpacked in the page. Goal:
 * unpacking gives back exactly what was packed, through JSON, for runs with drops, duplicates,
 * messages in flight at the end and crashes. Method: pack, stringify, parse and unpack the page
 * data of fixed-seed runs and compare with the original.
 */
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../cli/files.js";
import { executeScenario } from "../../cli/shared/run-scenario.js";
import { buildModel } from "../../reports/model.js";
import { type PackedPageData, packPageData, pageData, unpackPageData } from "../../reports/page-data.js";
import { displayFor, splitBrainYaml, traceOf } from "./fixtures.js";
import { largeTrace } from "./large.js";

function roundTrip(records: Parameters<typeof buildModel>[0]): void {
  const data = pageData(buildModel(records, { display: displayFor(records) }));
  const packed = JSON.parse(JSON.stringify(packPageData(data))) as PackedPageData;
  expect(unpackPageData(packed)).toEqual(JSON.parse(JSON.stringify(data)));
}

describe("packed page data", () => {
  it("unpacks to the page data it packed", () => {
    roundTrip(traceOf(splitBrainYaml));
    roundTrip(executeScenario(loadScenario("raft-figure-8-bug"), { keepTrace: true }).result.records);
    // Loss, duplicates, a partition and a crash under load.
    roundTrip(largeTrace(8));
  });

  it("stores growing columns as small differences", () => {
    const data = pageData(buildModel(largeTrace(8)));
    const packed = packPageData(data);
    const sendTimes = packed.msgColumns[3] as number[];
    expect(Math.max(...sendTimes)).toBeLessThan(Math.max(...data.msgs.map((row) => row[3])));
  });
});

/**
 * Writing the campaign report of `quorumlab fuzz --report FILE` (reports/campaign.ts renders it):
 * links to counterexample files are made relative to the report's folder.
 */
import { writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { type CampaignReportInput, renderCampaignReport } from "../../reports/campaign.js";
import { InputError } from "../../sim/errors.js";
import { describeNondeterminism } from "../../sim/fuzz/determinism.js";
import type { Protocol } from "../../sim/node.js";
import { formatSeed } from "../../sim/random.js";
import { packageVersion } from "../files.js";
import type { FuzzOutcome } from "./fuzz-campaign.js";

export function campaignReportInput(
  outcome: FuzzOutcome,
  protocol: Protocol,
  reportPath: string,
): CampaignReportInput {
  const folder = dirname(resolve(reportPath));
  const link = (file: string) => relative(folder, resolve(file)).split("\\").join("/");
  const stats = outcome.stats;
  const cx = outcome.counterexample;
  const found = outcome.nondeterminism?.found;
  return {
    protocol: outcome.protocol,
    bugs: outcome.bugs,
    seed: outcome.seed === null ? "none" : formatSeed(outcome.seed),
    search: outcome.settings.swarm === true ? "guided" : "uniform",
    runs: outcome.evaluated,
    wallMs: outcome.wallMs,
    runsPerSec: outcome.runsPerSec,
    coverage: stats === undefined ? 0 : stats.coverage,
    corpus: stats?.corpus ?? 0,
    corpusLoaded: stats?.corpusLoaded ?? 0,
    mutants: stats?.mutants ?? 0,
    sampled: stats?.sampled ?? 0,
    timeline: stats?.timeline ?? [],
    faultKinds: stats?.faultKinds ?? {},
    planSizes: stats?.planSizes ?? {},
    themes: stats?.themes ?? {},
    probes: stats?.probes ?? {},
    declaredProbes: protocol.probes ?? [],
    newCoverageBy: stats?.newCoverageBy ?? { fresh: 0, mutant: 0 },
    counterexamples:
      cx === undefined
        ? []
        : [
            {
              invariant: cx.invariant,
              message: cx.message,
              run: cx.runIndex ?? 0,
              faultActions: cx.faultActions,
              replay: cx.replay,
              ...(cx.reportFile === undefined ? {} : { report: link(cx.reportFile) }),
              ...(cx.file === undefined ? {} : { scenario: link(cx.file) }),
            },
          ],
    ...(found === undefined ? {} : { nondeterminism: describeNondeterminism(found) }),
    version: packageVersion(),
  };
}

export function writeCampaignReport(path: string, outcome: FuzzOutcome, protocol: Protocol): void {
  try {
    writeFileSync(path, renderCampaignReport(campaignReportInput(outcome, protocol, path)));
  } catch (error) {
    throw new InputError(`cannot write the campaign report: ${(error as Error).message}`, { file: path });
  }
}

/**
 * Reports: trace records in, text out. `renderReport` picks the format; the CLI and the fuzzer
 * write the result to a file (reports themselves do no I/O).
 */

import type { TraceLine } from "../sim/trace.js";
import { ednHistory } from "./export/edn.js";
import { mermaidSequence } from "./export/mermaid.js";
import { shivizLog } from "./export/shiviz.js";
import { type HtmlPage, renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { buildModel, type ModelOptions } from "./model.js";
import { renderText } from "./text.js";

export { type DisplayDeclaration, displayOf } from "./display.js";
export type { HtmlPage, LabEmbedding } from "./html.js";
export { buildModel, checkRecord, type ModelOptions, type ReportModel } from "./model.js";

export const reportFormats = ["html", "md", "text", "edn", "shiviz", "mermaid"] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** The format a file name suggests: `.md`, `.txt`, `.edn`, `.shiviz`/`.log`, `.mmd`; else HTML. */
export function formatForPath(path: string): ReportFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "md";
  if (lower.endsWith(".txt")) return "text";
  if (lower.endsWith(".edn")) return "edn";
  if (lower.endsWith(".shiviz") || lower.endsWith(".log")) return "shiviz";
  if (lower.endsWith(".mmd") || lower.endsWith(".mermaid")) return "mermaid";
  return "html";
}

/**
 * Renders a trace in one format. HTML needs `options.page`, the page's script (the CLI's
 * `cli/shared/page-bundle.ts` bundles it); an HTML page with `page.lab` forks the run.
 */
export function renderReport(
  records: readonly TraceLine[],
  format: ReportFormat,
  options: ModelOptions & { readonly page?: HtmlPage } = {},
): string {
  const model = buildModel(records, options);
  switch (format) {
    case "html":
      if (options.page === undefined) throw new Error("an HTML report needs its page script (options.page)");
      return renderHtml(model, options.page);
    case "md":
      return renderMarkdown(model);
    case "text":
      return renderText(model);
    case "edn":
      return ednHistory(model);
    case "shiviz":
      return shivizLog(model);
    case "mermaid":
      return mermaidSequence(model);
  }
}

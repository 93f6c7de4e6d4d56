/**
 * Every string from a scenario or trace is escaped in every format: the HTML report carries
 * hostile names only as escaped text or as JSON with `<` escaped, Markdown cannot open tags or
 * links, Mermaid cannot break its syntax, EDN strings stay strings.
 */

import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  escapeMarkdown,
  escapeMermaid,
  jsonForScript,
  scriptElementText,
} from "../../reports/escape.js";
import { type HtmlPage, renderReport } from "../../reports/index.js";
import type { RunSteps } from "../../reports/model.js";
import { type PackedPageData, unpackPageData } from "../../reports/page-data.js";
import { viewerPage } from "./fixtures.js";
import { hostile, hostileTrace } from "./hostile.js";

const trace = hostileTrace();

describe("escaping", () => {
  it("escapes HTML text and script JSON", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const json = jsonForScript({ text: "</script><!-- & \u2028" });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ text: "</script><!-- & \u2028" });
  });

  it("puts no hostile markup into the HTML report", () => {
    const html = renderReport(trace, "html", { version: "test", page: viewerPage() });
    // Exactly the two script elements of the template: the data block and the page script.
    expect(html.match(/<script/g)?.length).toBe(2);
    expect(html).not.toContain("<img");
    expect(html).not.toContain(hostile.scenario);
    expect(html).toContain(escapeHtml(hostile.scenario));
    // The data block parses back to the original strings.
    const block =
      /<script type="application\/octet-stream" id="report-data">([^<]*)<\/script>/.exec(html)?.[1] ?? "";
    expect(block).toMatch(/^[A-Za-z0-9+/=]+$/);
    const packed = JSON.parse(gunzipSync(Buffer.from(block, "base64")).toString("utf8")) as PackedPageData;
    const data = unpackPageData(packed);
    expect(data.meta.scenario).toBe(hostile.scenario);
    expect(data.lanes.map((lane) => lane[0])).toContain(hostile.node);
  });

  it("puts no hostile markup into the timeline, in HTML or Markdown: notes, clients, keys, values", () => {
    // A scenario's note and a scripted operation reach the timeline from the run, not the trace.
    const steps: RunSteps = {
      notes: [{ t: 0, e: 0, text: hostile.note }],
      faults: [
        {
          t: 0,
          e: 0,
          kind: "op",
          client: hostile.client,
          f: hostile.type,
          key: hostile.value,
          value: hostile.value,
        },
      ],
      oneWayClogs: [],
      neverRan: [],
    };
    const html = renderReport(trace, "html", { version: "test", page: viewerPage(), steps });
    const timeline = /<ol class="timeline">[\s\S]*?<\/ol>/.exec(html)?.[0] ?? "";
    expect(timeline).toContain(escapeHtml(`# ${hostile.note}`));
    expect(timeline).toContain(escapeHtml(hostile.client));
    expect(timeline).not.toMatch(/<(?!\/?(ol|li|a|span)[ >])/);
    const markdown = renderReport(trace, "md", { version: "test", steps });
    expect(markdown).toContain(`| 0 | ${escapeMarkdown(`# ${hostile.note}`)} |`);
    const section = markdown.slice(markdown.indexOf("### Timeline")).split("\n###")[0];
    expect(section).not.toContain("<");
  });

  it("keeps a page script whose strings hold <!-- <script> and </SCRIPT> inside its element", () => {
    // A protocol module's strings travel in a lab page's script as they are.
    const code = `globalThis.shown = ["<!-- <script>", "</SCRIPT>", /^<!--<\\/script>$/.test("<!--</script>"), \`<!--\`];`;
    const escaped = scriptElementText(code);
    expect(escaped).not.toMatch(/<!--|<\/script/i);
    const run = (text: string) => {
      const scope: { shown?: unknown } = {};
      new Function("globalThis", text)(scope);
      return scope.shown;
    };
    expect(run(escaped)).toEqual(run(code));
    const page: HtmlPage = { ...viewerPage(), bundle: code };
    const html = renderReport(trace, "html", { version: "test", page });
    // The page's script element starts a line, and the first `</script>` after it closes it.
    const start = html.indexOf("\n<script>") + "\n<script>".length;
    const body = html.slice(start, html.indexOf("</script>", start));
    expect(body).toBe(escaped);
    expect(html.slice(start)).not.toMatch(/<!--/);
  });

  it("escapes Markdown so no tag, link or table cell can be injected", () => {
    expect(escapeMarkdown("a|b [x](y) <b>&")).toBe("a\\|b \\[x\\](y) &lt;b&gt;&amp;");
    const markdown = renderReport(trace, "md", { version: "test" });
    // Fenced code is shown literally; everything outside it must carry no tag.
    const outsideCode = markdown.replace(/^```[a-z]*\n[^`]*?\n```$/gm, "");
    expect(outsideCode).not.toContain("<script");
    expect(outsideCode).not.toContain("<img");
    expect(markdown.match(/^```/gm)?.length).toBe(2);
  });

  it("escapes Mermaid text", () => {
    expect(escapeMermaid("a;b#c<d>:e")).toBe("a#59;b#35;c#60;d#62;#58;e");
    const mermaid = renderReport(trace, "mermaid", { version: "test" });
    for (const line of mermaid.split("\n").slice(1)) {
      if (line.trim() === "") continue;
      // After the syntax, only plain characters and #code; entities.
      expect(line).toMatch(
        /^ {2}(participant L\d+ as |L\d+(->>|-x)L\d+: |Note over L\d+(,L\d+)?: )(?:[^;<>:"#{}]|#\d+;)*$/,
      );
    }
  });

  it("keeps hostile values inside EDN strings", () => {
    const edn = renderReport(trace, "edn", { version: "test" });
    expect(edn).toContain(':value "<script>alert(1)</script>\\"&\'"');
  });
});

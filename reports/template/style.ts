/**
 * The report page's stylesheet, inlined into every HTML report (the build copies only
 * TypeScript, so the CSS lives in a string constant).
 */
export const reportCss = `
:root {
  --fg: #1d2330; --muted: #5d6678; --line: #d5d9e2; --bg: #ffffff; --panel: #f5f7fa;
  --bad: #c62828; --ok: #2e7d32; --warn: #b26a00; --accent: #1f5fbf;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { padding: 14px 20px 40px; max-width: 1800px; margin: 0 auto; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 16px; margin: 22px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
header.report { border-bottom: 2px solid var(--line); padding-bottom: 10px; }
.outcome { display: inline-block; font-weight: 600; padding: 2px 10px; border-radius: 12px; margin: 4px 0; }
.outcome.ok { background: #e6f4ea; color: var(--ok); }
.outcome.violation { background: #fdecea; color: var(--bad); }
.outcome.liveness { background: #fff4e0; color: var(--warn); }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; word-break: break-all; }
.options { color: var(--muted); margin-bottom: 6px; word-break: break-all; }
.options code { color: var(--fg); }
.violation-box { border-left: 4px solid var(--bad); background: #fff7f6; padding: 8px 12px; margin: 8px 0; }
.violation-box.liveness { border-color: var(--warn); background: #fffaf0; }
.violation-box .name { font-weight: 600; }
.violation-box .statement { margin: 2px 0; }
.violation-box .source { color: var(--muted); font-size: 12.5px; }
.violation-box .message { white-space: pre-wrap; margin-top: 4px; }
.replay { background: var(--panel); padding: 6px 10px; border-radius: 4px; overflow-x: auto; white-space: pre; }
a.jump { color: var(--bad); font-weight: 600; cursor: pointer; }
details.description { margin: 6px 0; color: var(--muted); white-space: pre-wrap; }
.toolbar { position: sticky; top: 0; z-index: 5; background: var(--bg); padding: 6px 0; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
.toolbar button { font: inherit; padding: 2px 9px; border: 1px solid var(--line); background: var(--panel); border-radius: 4px; cursor: pointer; }
.toolbar button:hover { border-color: var(--accent); }
.toolbar .filters label { margin-right: 8px; white-space: nowrap; }
.toolbar .hint { color: var(--muted); font-size: 12px; }
#step-info { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; background: var(--panel); padding: 5px 10px; border-radius: 4px; min-height: 2.2em; white-space: pre-wrap; word-break: break-word; }
#step-info.bad { background: #fdecea; color: var(--bad); }
#overview { display: block; width: 100%; height: 26px; cursor: pointer; background: var(--panel); border-radius: 3px; margin-top: 6px; }
#diagram-wrap { position: relative; margin-top: 4px; }
#diagram { display: block; width: 100%; user-select: none; cursor: grab; }
#diagram.dragging { cursor: grabbing; }
#notice { color: var(--warn); font-size: 12.5px; min-height: 1.3em; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: var(--fg); }
svg .band-label { font-weight: 600; fill: var(--muted); font-size: 11px; letter-spacing: 0.04em; text-transform: uppercase; }
svg .lane-line { stroke: #9aa3b5; stroke-width: 1; }
svg .lane.client .lane-line { stroke-dasharray: 3 3; }
svg .lane-label { font-weight: 600; }
svg .axis line { stroke: #e3e6ec; }
svg .axis text { fill: var(--muted); font-size: 10px; }
svg .msg { fill: none; stroke-width: 1.3; }
svg .msg:hover, svg .msg.current { stroke-width: 3; }
svg .msg.dropped { stroke-dasharray: 4 3; }
svg .msg.inflight { stroke-dasharray: 1 3; }
svg .msg.bad, svg .op.bad { stroke: var(--bad) !important; stroke-width: 3.2; }
svg .x-mark { stroke: var(--bad); stroke-width: 1.8; }
svg .dup-mark { fill: #7b1fa2; }
svg .crash { fill: url(#hatch); stroke: var(--bad); stroke-width: 0.8; }
svg .pause { fill: #b0b7c3; opacity: 0.55; }
svg .net-partition { fill: #ffcc80; opacity: 0.22; }
svg .net-cut { fill: #ffab91; opacity: 0.25; }
svg .net-clog { fill: #b39ddb; opacity: 0.22; }
svg .net-burst { fill: #ef9a9a; opacity: 0.18; }
svg .net-lane { fill: #ff7043; opacity: 0.16; }
svg .net-text { fill: #8d5a00; font-size: 10px; }
svg .mark { stroke: #6d4c41; stroke-width: 1.2; }
svg .timer { stroke: #90a4ae; stroke-width: 1; }
svg .note { fill: #00838f; }
svg .state { stroke: #fff; stroke-width: 0.5; }
svg .state-down { fill: url(#hatch); }
svg .state-text { font-size: 10px; fill: #1d2330; pointer-events: none; }
svg .op { stroke-width: 1; }
svg .op-ok { fill: #c8e6c9; stroke: #2e7d32; }
svg .op-fail { fill: #eceff1; stroke: #78909c; }
svg .op-info { fill: #ffe0b2; stroke: #e65100; stroke-dasharray: 4 2; }
svg .op-pending { fill: #fff3e0; stroke: #e65100; stroke-dasharray: 2 2; }
svg .op.unplaceable { stroke: var(--bad); stroke-width: 2; }
svg .op.failing { stroke: var(--bad); stroke-width: 3; }
svg .op.current { stroke: var(--accent); stroke-width: 3; }
svg .op-text { font-size: 10px; pointer-events: none; }
svg .lin-badge { fill: #1f5fbf; font-size: 9.5px; font-weight: 600; pointer-events: none; }
svg .minimal-dot { fill: var(--bad); }
svg .cursor-line { stroke: var(--accent); stroke-width: 1.5; }
svg .bad-line { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg .violation-mark { fill: var(--bad); }
svg .window { fill: rgba(31, 95, 191, 0.15); stroke: var(--accent); }
#tip { position: fixed; z-index: 10; max-width: 560px; max-height: 60vh; overflow: hidden; background: #1d2330; color: #f5f7fa; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; padding: 6px 9px; border-radius: 4px; white-space: pre-wrap; word-break: break-word; pointer-events: none; display: none; }
#logs .log-row { display: flex; align-items: center; gap: 2px; margin: 2px 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11.5px; }
#logs .log-node { width: 90px; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#logs .cell { display: inline-block; min-width: 22px; padding: 1px 3px; text-align: center; border: 1px solid rgba(0,0,0,0.15); border-radius: 2px; }
#logs .cell.uncommitted { opacity: 0.45; }
#logs .commit { width: 3px; align-self: stretch; background: var(--fg); margin: 0 2px; }
#logs .log-meta { color: var(--muted); margin-left: 8px; }
.explanation { background: #fff7f6; border-left: 4px solid var(--bad); padding: 8px 12px; }
.explanation ol, .explanation ul { margin: 4px 0 4px 18px; padding: 0; }
.explanation li { margin: 2px 0; }
.explanation .op-link { color: var(--accent); cursor: pointer; text-decoration: underline; }
ol.timeline { list-style: none; margin: 4px 0; padding: 0; max-height: 32em; overflow-y: auto; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
ol.timeline li { margin: 1px 0; white-space: pre-wrap; word-break: break-word; }
ol.timeline .t { display: inline-block; min-width: 9ch; text-align: right; margin-right: 1ch; color: var(--muted); text-decoration: none; }
ol.timeline a.t:hover { color: var(--accent); text-decoration: underline; }
ol.timeline .m-fault { color: var(--warn); font-weight: 600; }
ol.timeline .m-actor { color: var(--accent); font-weight: 600; }
ol.timeline .m-note { font-style: italic; color: #3b4558; }
ol.timeline .m-aside { color: var(--muted); }
ol.timeline .m-bad { color: var(--bad); font-weight: 600; }
table.figures { border-collapse: collapse; margin: 6px 0 12px; }
table.figures th, table.figures td { border: 1px solid var(--line); padding: 3px 9px; text-align: right; }
table.figures th:first-child, table.figures td:first-child { text-align: left; }
table.figures th { background: var(--panel); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: middle; }
.legend span { margin-right: 14px; white-space: nowrap; }
.grid2 { display: flex; flex-wrap: wrap; gap: 0 36px; }
.grid2 > div { flex: 0 1 auto; min-width: 260px; max-width: 100%; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
svg .fork-line { stroke: #1565c0; stroke-width: 2; }
svg .fork-line-label { fill: #1565c0; font-size: 10px; font-weight: 600; }
svg .diverge-line { stroke: #8e24aa; stroke-width: 2; stroke-dasharray: 2 2; }
svg .diverge-line-label { fill: #8e24aa; font-size: 10px; font-weight: 600; transform: translateY(11px); }
#lab { background: #f3f7fd; border: 1px solid #c7d7ef; border-radius: 6px; padding: 4px 14px 10px; margin: 14px 0; }
#lab h2 { margin-top: 8px; }
#lab p { margin: 4px 0; }
#lab .ok { color: #1b7f3b; }
#lab .bad { color: var(--bad); }
#lab .warn { color: var(--warn); }
#lab .dim, #state-at .dim { color: var(--muted); }
#lab .lab-actions { display: flex; flex-wrap: wrap; gap: 6px 10px; margin: 6px 0; }
#lab .lab-group { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 3px 6px; white-space: nowrap; }
#lab .lab-group button { margin-left: 3px; }
#lab .lab-tools { margin: 6px 0; }
#lab a.button { border: 1px solid var(--accent); border-radius: 3px; padding: 1px 8px; text-decoration: none; color: var(--accent); background: #fff; }
#lab ol { margin: 4px 0 4px 22px; padding: 0; }
#lab-hash { font-size: 11.5px; }
#state-at { margin: 8px 0; overflow-x: auto; }
#state-at table td { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11.5px; text-align: left; max-width: 360px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#protocol-figures li.ok { color: #1b7f3b; }
#protocol-figures li.bad { color: var(--bad); }
`;

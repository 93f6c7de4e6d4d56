/**
 * The report page's script, inlined into every HTML report. It reads the JSON data block and
 * draws the space-time diagram, the state strip and the client history in one SVG, redrawing
 * only what falls inside the visible time window (so a 100,000-event trace stays smooth).
 *
 * Every string from the trace reaches the page through `textContent` or `setAttribute`, never
 * through HTML parsing. It defines `window.quorumlabDiagram(data, options)`, which the lab page
 * calls again after each fork (`options.signal` removes the previous drawing's listeners,
 * `options.marks` draws labelled time lines, `options.onSelect` hears the selected event and
 * `options.onTime` a click on no event, with its time), and
 * draws the embedded data block when there is one. The script is plain ES2019 in a string constant (tsc does not copy
 * non-TypeScript files): it must contain no backtick and no dollar-brace sequence.
 */
export const reportScript = String.raw`
window.quorumlabDiagram = function (data, options) {
  "use strict";
  options = options || {};
  var listen = { signal: options.signal };
  var SVGNS = "http://www.w3.org/2000/svg";
  var meta = data.meta;
  var lanes = data.lanes, msgs = data.msgs, steps = data.steps, ops = data.ops;
  var kinds = data.stepKinds, types = data.types, palette = data.palette;
  // Message rows are arrays; M names their columns (M.sendUs is the position of the send time).
  var M = {};
  data.messageColumns.forEach(function (name, position) { M[name] = position; });
  var endUs = Math.max(1, meta.endUs);
  var LEFT = 120, RIGHT = 18, AXIS_H = 22, LANE_H = 34, GAP = 24, STATE_H = 18, HIST_H = 22;
  var ARROWS_MAX = 2000, MARKS_MAX = 1500, LABELS_MAX = 600;
  var hidden = {};
  var cursor = -1;
  var firstBad = data.violations.length > 0 ? data.violations[0].firstBadStep : -1;
  var svg = document.getElementById("diagram");
  var overview = document.getElementById("overview");
  var tip = document.getElementById("tip");
  var info = document.getElementById("step-info");
  var notice = document.getElementById("notice");
  var layout = null;
  var maxFlight = 0;
  var opByStep = {};
  var explanation = data.explanation;

  msgs.forEach(function (m) {
    var arrive = m[M.arriveUs] < 0 ? endUs : m[M.arriveUs];
    if (arrive - m[M.sendUs] > maxFlight) maxFlight = arrive - m[M.sendUs];
  });
  var nextOfClient = [], lastOfClient = {};
  ops.forEach(function (op, index) {
    nextOfClient.push(-1);
    if (lastOfClient[op.c] !== undefined) nextOfClient[lastOfClient[op.c]] = index;
    lastOfClient[op.c] = index;
  });
  ops.forEach(function (op, index) {
    opByStep[op.is] = index;
    if (op.rs >= 0) opByStep[op.rs] = index;
  });

  function fmt(us) {
    if (us === 0) return "0";
    var abs = Math.abs(us);
    if (abs < 1000) return us + "us";
    if (abs < 1000000) return trim(us / 1000) + "ms";
    return trim(us / 1000000) + "s";
  }
  function trim(value) { return String(Number(value.toFixed(3))); }
  function laneName(index) { return index < 0 ? "cluster" : lanes[index][0]; }
  function isHidden(lane) { return lane >= 0 && hidden[lane] === true; }

  function initialView() {
    var count = msgs.length;
    if (count <= 2000) return { start: 0, end: endUs };
    var span = Math.max(1000, endUs * 800 / count);
    var center = firstBad >= 0 ? steps[firstBad][0] : span / 2;
    var start = Math.max(0, center - span / 2);
    return { start: start, end: Math.min(endUs, start + span) };
  }
  var view = initialView();

  function el(name, attributes, parent) {
    var node = document.createElementNS(SVGNS, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, value, cls) {
    var node = el("text", { x: x, y: y }, parent);
    if (cls) node.setAttribute("class", cls);
    node.textContent = value;
    return node;
  }

  function width() { return Math.max(400, svg.parentNode.clientWidth); }
  function xOf(t) { return LEFT + (t - view.start) / (view.end - view.start) * (layout.width - LEFT - RIGHT); }
  function tOf(x) { return view.start + (x - LEFT) / (layout.width - LEFT - RIGHT) * (view.end - view.start); }

  function typeColour(typeIndex) { return palette[typeIndex % palette.length]; }
  function termColour(term) {
    if (term === null || term === undefined) return "#cfd8dc";
    return "hsl(" + ((term * 67 + 200) % 360) + ", 62%, 72%)";
  }
  // What the protocol declares (reports/display.ts): role colours and order, how its log is drawn.
  var display = data.display || {};
  var declaredRoles = display.roles || { names: [], leading: [] };
  var roleColours = declaredRoles.colours || {};
  var logDeclaration = display.log || { forms: [] };
  function roleColour(role) {
    if (role === null || role === undefined) return "#e0e0e0";
    if (Object.prototype.hasOwnProperty.call(roleColours, role)) return roleColours[role];
    var position = declaredRoles.names.indexOf(role);
    if (position >= 0) return "hsl(" + ((position * 67 + 30) % 360) + ", 45%, 78%)";
    var hash = 0;
    for (var i = 0; i < role.length; i++) hash = (hash * 31 + role.charCodeAt(i)) >>> 0;
    return "hsl(" + (hash % 360) + ", 45%, 78%)";
  }
  function stateOf(index) { return index < 0 ? null : data.states[index]; }
  function roleOf(state) { return state && typeof state.role === "string" ? state.role : null; }
  function termOf(state) { return state && typeof state.term === "number" ? state.term : null; }
  function numberField(state, field, fallback) {
    return field && typeof state[field] === "number" ? state[field] : fallback;
  }
  /** The commit index a state shows, by the declared field (0 when none). */
  function commitOf(state) { return numberField(state, logDeclaration.commitField, 0); }
  /**
   * The last (at most) max entries of a state's log, in the first declared form its state holds,
   * each starting at the declared first index (default 1): "entries" (a list of terms or of
   * entries with a term), "term-starts" ([[index, term], ...], where each term starts, up to the
   * declared last index) or "term-runs" ([[term, count], ...]). Returns {from, entries, last} or
   * null.
   */
  function logTail(state, max) {
    if (!state) return null;
    var base = numberField(state, logDeclaration.firstIndexField, 1);
    for (var f = 0; f < logDeclaration.forms.length; f++) {
      var form = logDeclaration.forms[f];
      var log = state[form.field];
      if (!Array.isArray(log)) continue;
      if (form.form === "entries") return entriesTail(log, base, max);
      if (form.form === "term-starts") {
        var lastIndex = numberField(state, logDeclaration.lastIndexField, null);
        if (lastIndex !== null) return termStartsTail(log, lastIndex, base, max);
      }
      if (form.form === "term-runs") return termRunsTail(log, base, max);
    }
    return null;
  }
  function entriesTail(log, base, max) {
    var skip = Math.max(0, log.length - max);
    return { from: base + skip, entries: log.slice(skip), last: base + log.length - 1 };
  }
  function termStartsTail(starts, lastIndex, base, max) {
    var entries = [];
    var last = lastIndex;
    var first = Math.max(base, last - max + 1);
    for (var s = starts.length - 1; s >= 0 && last >= first; s--) {
      var start = Math.max(starts[s][0], first);
      for (var i = last; i >= start; i--) entries.push(starts[s][1]);
      last = start - 1;
    }
    entries.reverse();
    return { from: lastIndex - entries.length + 1, entries: entries, last: lastIndex };
  }
  function termRunsTail(runs, base, max) {
    var entries = [];
    var total = 0;
    runs.forEach(function (run) { total += run[1]; });
    for (var r = runs.length - 1; r >= 0 && entries.length < max; r--) {
      for (var c = 0; c < runs[r][1] && entries.length < max; c++) entries.push(runs[r][0]);
    }
    entries.reverse();
    return { from: base + total - entries.length, entries: entries, last: base + total - 1 };
  }

  // ---- layout ------------------------------------------------------------------------------

  function computeLayout() {
    var y = AXIS_H + 16;
    var laneY = {}, stateY = {}, histY = {};
    var visible = [];
    lanes.forEach(function (lane, index) { if (!hidden[index]) visible.push(index); });
    var bands = { messagesY: y - 4 };
    visible.forEach(function (index) { laneY[index] = y + LANE_H / 2; y += LANE_H; });
    y += GAP;
    bands.stateY = y - 4;
    var anyState = false;
    visible.forEach(function (index) {
      if (lanes[index][1] !== "node" || data.statePoints[index].length === 0) return;
      anyState = true;
      stateY[index] = y; y += STATE_H + 3;
    });
    if (anyState) y += GAP; else bands.stateY = -1;
    bands.histY = y - 4;
    var anyHist = false;
    visible.forEach(function (index) {
      if (lanes[index][1] !== "client") return;
      anyHist = true;
      histY[index] = y; y += HIST_H + 3;
    });
    if (!anyHist) bands.histY = -1;
    return { width: width(), height: y + 8, laneY: laneY, stateY: stateY, histY: histY, bands: bands, visible: visible };
  }

  // ---- drawing -----------------------------------------------------------------------------

  function render() {
    layout = computeLayout();
    svg.textContent = "";
    svg.setAttribute("width", layout.width);
    svg.setAttribute("height", layout.height);
    svg.setAttribute("viewBox", "0 0 " + layout.width + " " + layout.height);
    var defs = el("defs", {}, svg);
    var pattern = el("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
    el("rect", { width: 6, height: 6, fill: "#fdecea" }, pattern);
    el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#e57373", "stroke-width": 2 }, pattern);
    var clip = el("clipPath", { id: "plot" }, defs);
    el("rect", { x: LEFT, y: 0, width: layout.width - LEFT - RIGHT + 6, height: layout.height }, clip);

    var started = performance.now();
    var phases = [];
    function phase(name) { var now = performance.now(); phases.push(name + "=" + Math.round(now - started)); started = now; }
    drawAxis();
    var plot = el("g", { "clip-path": "url(#plot)" }, svg);
    drawNetwork(plot); phase("network");
    drawLanes(plot); phase("lanes");
    drawMessages(plot); phase("messages");
    drawMarks(plot); phase("marks");
    drawStates(plot); phase("states");
    drawHistory(plot); phase("history");
    drawCursor(plot);
    drawOverview();
    drawLogs(); phase("logs");
    svg.setAttribute("data-render-ms", phases.join(" "));
  }

  function drawAxis() {
    var g = el("g", { "class": "axis" }, svg);
    var span = view.end - view.start;
    var target = span / Math.max(2, (layout.width - LEFT - RIGHT) / 110);
    var power = Math.pow(10, Math.floor(Math.log10(Math.max(1, target))));
    var tick = power;
    [1, 2, 5, 10].forEach(function (factor) { if (power * factor <= target * 1.5) tick = power * factor; });
    tick = Math.max(1, tick);
    for (var t = Math.ceil(view.start / tick) * tick; t <= view.end; t += tick) {
      var x = xOf(t);
      el("line", { x1: x, y1: AXIS_H - 4, x2: x, y2: layout.height }, g);
      text(g, x + 2, AXIS_H - 8, fmt(Math.round(t)));
    }
    text(svg, 4, layout.bands.messagesY, "Messages", "band-label");
    if (layout.bands.stateY >= 0) text(svg, 4, layout.bands.stateY, "State", "band-label");
    if (layout.bands.histY >= 0) text(svg, 4, layout.bands.histY, "History", "band-label");
  }

  function drawNetwork(g) {
    var top = AXIS_H, bottom = layout.height;
    data.net.forEach(function (n, index) {
      var start = n[1], end = n[2] < 0 ? endUs : n[2];
      if (end < view.start || start > view.end) return;
      var x1 = Math.max(LEFT - 2, xOf(start)), x2 = Math.min(layout.width, xOf(end));
      var r = el("rect", { x: x1, y: top, width: Math.max(1, x2 - x1), height: bottom - top, "class": "net net-" + n[0], "data-net": index }, g);
      r.setAttribute("data-net", index);
      n[4].forEach(function (lane) {
        if (layout.laneY[lane] === undefined) return;
        el("rect", { x: x1, y: layout.laneY[lane] - LANE_H / 2, width: Math.max(1, x2 - x1), height: LANE_H, "class": "net-lane", "data-net": index }, g);
      });
      text(g, Math.max(LEFT + 2, x1 + 3), top + 10, n[3], "net-text");
    });
  }

  function drawLanes(g) {
    layout.visible.forEach(function (index) {
      var y = layout.laneY[index];
      var lane = el("g", { "class": "lane " + lanes[index][1], "data-lane": lanes[index][0] }, svg);
      el("line", { x1: LEFT, y1: y, x2: layout.width - RIGHT, y2: y, "class": "lane-line" }, lane);
      var name = lanes[index][0];
      el("title", {}, lane).textContent = name;
      text(lane, 6, y + 4, name.length > 16 ? name.slice(0, 15) + "…" : name, "lane-label");
    });
    data.laneIv.forEach(function (iv, index) {
      var y = layout.laneY[iv[0]];
      if (y === undefined) return;
      var start = iv[2], end = iv[3] < 0 ? endUs : iv[3];
      if (end < view.start || start > view.end) return;
      var x1 = xOf(start), x2 = xOf(end);
      el("rect", { x: x1, y: y - 9, width: Math.max(2, x2 - x1), height: 18, "class": iv[1], "data-iv": index }, g);
    });
  }

  function firstIndexAtOrAfter(array, t, field) {
    var low = 0, high = array.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (array[mid][field] < t) low = mid + 1; else high = mid;
    }
    return low;
  }

  function visibleMessages() {
    var out = [];
    var from = firstIndexAtOrAfter(msgs, view.start - maxFlight, 3);
    for (var i = from; i < msgs.length; i++) {
      var m = msgs[i];
      if (m[M.sendUs] > view.end) break;
      var arrive = m[M.arriveUs] < 0 ? endUs : m[M.arriveUs];
      if (arrive < view.start) continue;
      if (hidden[m[M.from]] || hidden[m[M.to]]) continue;
      out.push(i);
    }
    return out;
  }

  function drawMessages(g) {
    var list = visibleMessages();
    var stride = list.length > ARROWS_MAX ? Math.ceil(list.length / ARROWS_MAX) : 1;
    var special = {};
    if (cursor >= 0 && isMessageStep(cursor)) special[steps[cursor][4]] = true;
    if (firstBad >= 0 && isMessageStep(firstBad)) special[steps[firstBad][4]] = true;
    var drawn = 0;
    for (var k = 0; k < list.length; k++) {
      var i = list[k];
      if (stride > 1 && k % stride !== 0 && !special[i]) continue;
      drawMessage(g, i);
      drawn++;
    }
    notice.textContent = stride > 1
      ? list.length + " messages in view; drawing " + drawn + " of them. Zoom in (+ or Ctrl+wheel) to see every arrow."
      : "";
    svg.setAttribute("data-arrows", String(drawn));
  }

  function drawMessage(g, i) {
    var m = msgs[i];
    var x1 = xOf(m[M.sendUs]), y1 = layout.laneY[m[M.from]], y2 = layout.laneY[m[M.to]];
    var fate = m[M.fate];
    var cls = "msg";
    var x2, yEnd;
    if (fate === 1 && m[M.droppedAtSend] === 1) {
      x2 = x1 + 8; yEnd = y1 + (y2 - y1) * 0.35;
    } else {
      x2 = xOf(m[M.arriveUs] < 0 ? endUs : m[M.arriveUs]); yEnd = y2;
    }
    if (fate === 1) cls += " dropped";
    if (fate === 2) cls += " inflight";
    if (m[M.copy] === 1) cls += " duplicate";
    if (cursor >= 0 && isMessageStep(cursor) && steps[cursor][4] === i) cls += " current";
    if (firstBad >= 0 && isMessageStep(firstBad) && steps[firstBad][4] === i) cls += " bad";
    var angle = Math.atan2(yEnd - y1, x2 - x1);
    var head = fate === 1 ? "" : " M " + (x2 - 7 * Math.cos(angle - 0.4)) + " " + (yEnd - 7 * Math.sin(angle - 0.4)) + " L " + x2 + " " + yEnd + " L " + (x2 - 7 * Math.cos(angle + 0.4)) + " " + (yEnd - 7 * Math.sin(angle + 0.4));
    el("path", { d: "M " + x1 + " " + y1 + " L " + x2 + " " + yEnd + head, "class": cls, stroke: typeColour(m[M.type]), "data-m": i }, g);
    if (fate === 1) {
      el("path", { d: "M " + (x2 - 4) + " " + (yEnd - 4) + " L " + (x2 + 4) + " " + (yEnd + 4) + " M " + (x2 - 4) + " " + (yEnd + 4) + " L " + (x2 + 4) + " " + (yEnd - 4), "class": "x-mark", "data-m": i }, g);
    }
    if (m[M.copy] === 1) el("circle", { cx: x1, cy: y1, r: 3, "class": "dup-mark", "data-m": i }, g);
  }

  function isMessageStep(index) {
    var kind = kinds[steps[index][2]];
    return (kind === "send" || kind === "deliver" || kind === "drop" || kind === "duplicate") && steps[index][4] >= 0;
  }

  function drawMarks(g) {
    var from = firstIndexAtOrAfter(steps, view.start, 0);
    var drawn = 0;
    var showTimers = true;
    var count = 0;
    for (var j = from; j < steps.length && steps[j][0] <= view.end; j++) if (kinds[steps[j][2]] === "timer") count++;
    if (count > MARKS_MAX) showTimers = false;
    for (var i = from; i < steps.length; i++) {
      var s = steps[i];
      if (s[0] > view.end || drawn > MARKS_MAX * 2) break;
      var kind = kinds[s[2]];
      var y = layout.laneY[s[3]];
      var x = xOf(s[0]);
      if (kind === "timer" && showTimers && y !== undefined) {
        el("line", { x1: x, y1: y - 6, x2: x, y2: y + 6, "class": "timer", "data-s": i }, g); drawn++;
      } else if (kind === "note") {
        var yy = y === undefined ? AXIS_H + 4 : y - 12;
        el("path", { d: "M " + x + " " + (yy - 4) + " L " + (x + 4) + " " + yy + " L " + x + " " + (yy + 4) + " L " + (x - 4) + " " + yy + " Z", "class": "note", "data-s": i }, g); drawn++;
      } else if (kind === "crash" || kind === "restart" || kind === "pause" || kind === "resume") {
        if (y === undefined) continue;
        el("line", { x1: x, y1: y - 13, x2: x, y2: y + 13, "class": "mark", "data-s": i }, g);
        text(g, x + 2, y - 11, kind, "net-text"); drawn++;
      } else if (kind === "network" && data.marks[s[4]] && s[3] >= 0 && y !== undefined) {
        el("line", { x1: x, y1: y - 13, x2: x, y2: y + 13, "class": "mark", "data-s": i }, g); drawn++;
      } else if (kind === "violation") {
        el("path", { d: "M " + x + " " + (AXIS_H + 2) + " l 6 10 l -12 0 Z", "class": "violation-mark", "data-s": i }, g); drawn++;
      }
    }
  }

  function drawStates(g) {
    layout.visible.forEach(function (lane) {
      var y = layout.stateY[lane];
      if (y === undefined) return;
      var points = data.statePoints[lane];
      var index = Math.max(0, firstIndexAtOrAfter(points, view.start, 0) - 1);
      var bandStart = -1, bandKey = null, bandState = -1;
      var minWidthUs = (view.end - view.start) / (layout.width - LEFT - RIGHT);
      function flush(endT) {
        if (bandStart < 0) return;
        var x1 = xOf(Math.max(bandStart, view.start - minWidthUs)), x2 = xOf(Math.min(endT, view.end + minWidthUs));
        var state = stateOf(bandState);
        var role = roleOf(state), term = termOf(state);
        var r = el("rect", { x: x1, y: y, width: Math.max(1, x2 - x1), height: STATE_H, "class": bandState < 0 ? "state state-down" : "state", "data-st": lane + ":" + bandState }, g);
        if (bandState >= 0) r.setAttribute("fill", role !== null ? roleColour(role) : termColour(term));
        if (term !== null && bandState >= 0) el("rect", { x: x1, y: y + STATE_H - 4, width: Math.max(1, x2 - x1), height: 4, fill: termColour(term) }, g);
        var label = bandState < 0 ? "down" : (role !== null ? role : "") + (term !== null ? " t" + term : "");
        if (x2 - x1 > label.length * 6 + 6) text(g, x1 + 3, y + 12, label, "state-text");
      }
      for (var i = index; i < points.length; i++) {
        var p = points[i];
        if (p[0] > view.end) break;
        var state = stateOf(p[1]);
        var key = p[1] < 0 ? "down" : roleOf(state) + "/" + termOf(state);
        if (key !== bandKey) {
          flush(p[0]);
          bandStart = p[0]; bandKey = key; bandState = p[1];
        }
      }
      flush(endUs);
    });
  }

  function opLabel(op) {
    var text = op.f + (op.k !== null ? " " + op.k : "") + (op.i !== "null" ? " " + op.i : "");
    if (op.s === "ok") text += " → " + op.o;
    else if (op.s !== "pending") text += " (" + op.s + ")";
    return text;
  }

  function drawHistory(g) {
    var prefix = {}, unplaceable = {}, minimal = {};
    if (explanation) {
      explanation.prefix.forEach(function (step, position) { prefix[step[0]] = position + 1; });
      explanation.unplaceable.forEach(function (u) { unplaceable[u[0]] = u[1]; });
      explanation.minimal.forEach(function (id) { minimal[id] = true; });
    }
    var current = cursor >= 0 && opByStep[cursor] !== undefined ? opByStep[cursor] : -1;
    var bad = firstBad >= 0 && opByStep[firstBad] !== undefined && explanation ? opByStep[firstBad] : -1;

    var inView = 0;
    ops.forEach(function (op) { if ((op.b < 0 ? endUs : op.b) >= view.start && op.a <= view.end) inView++; });
    var labels = inView <= LABELS_MAX;
    ops.forEach(function (op, index) {
      var y = layout.histY[op.c];
      if (y === undefined) return;
      var end = op.b < 0 ? endUs : op.b;
      if (end < view.start || op.a > view.end) return;
      var x1 = xOf(op.a), x2 = Math.max(x1 + 3, xOf(end));
      var cls = "op op-" + op.s;
      if (unplaceable[index] !== undefined) cls += " unplaceable";
      if (explanation && explanation.failing === index) cls += " failing";
      if (index === current) cls += " current";
      if (index === bad) cls += " bad";
      el("rect", { x: x1, y: y, width: x2 - x1, height: HIST_H, rx: 3, "class": cls, "data-op": index }, g);
      var label = labels ? opLabel(op) : "";
      if (!labels) {
        // Too many operations in view for labels: bars only.
      } else if (x2 - x1 > 30) {
        var shown = label.length * 6 > x2 - x1 - 6 ? label.slice(0, Math.max(1, Math.floor((x2 - x1 - 6) / 6) - 1)) + "…" : label;
        text(g, x1 + 4, y + 15, shown, "op-text");
      } else {
        var next = nextOfClient[index];
        var room = (next >= 0 ? xOf(ops[next].a) : layout.width) - x2 - 6;
        var chars = Math.min(40, Math.floor(room / 6));
        if (chars >= 4) text(g, x2 + 3, y + 15, label.length > chars ? label.slice(0, chars - 1) + "…" : label, "op-text");
      }
      if (prefix[index] !== undefined) text(g, x1 + 1, y - 2, "#" + prefix[index], "lin-badge");
      if (minimal[index]) el("circle", { cx: x2 - 5, cy: y + 5, r: 3, "class": "minimal-dot" }, g);
    });
  }

  function drawCursor(g) {
    if (firstBad >= 0) {
      var xb = xOf(steps[firstBad][0]);
      el("line", { x1: xb, y1: AXIS_H, x2: xb, y2: layout.height, "class": "bad-line" }, g);
    }
    (options.marks || []).forEach(function (mark) {
      var xm = xOf(mark.t);
      el("line", { x1: xm, y1: AXIS_H, x2: xm, y2: layout.height, "class": mark.cls }, g);
      text(g, xm + 3, AXIS_H + 10, mark.label, mark.cls + "-label");
    });
    if (cursor >= 0) {
      var x = xOf(steps[cursor][0]);
      el("line", { x1: x, y1: AXIS_H, x2: x, y2: layout.height, "class": "cursor-line" }, g);
    }
  }

  function drawOverview() {
    var w = overview.clientWidth || layout.width;
    overview.textContent = "";
    overview.setAttribute("viewBox", "0 0 " + w + " 26");
    function ox(t) { return t / endUs * w; }
    data.net.forEach(function (n) {
      var end = n[2] < 0 ? endUs : n[2];
      var r = document.createElementNS(SVGNS, "rect");
      r.setAttribute("x", ox(n[1])); r.setAttribute("y", 0); r.setAttribute("width", Math.max(1, ox(end) - ox(n[1]))); r.setAttribute("height", 26);
      r.setAttribute("class", "net-" + n[0]);
      overview.appendChild(r);
    });
    data.violations.forEach(function (v) {
      var line = document.createElementNS(SVGNS, "rect");
      var t = steps[v.firstBadStep] ? steps[v.firstBadStep][0] : v.t;
      line.setAttribute("x", ox(t) - 1); line.setAttribute("y", 0); line.setAttribute("width", 2); line.setAttribute("height", 26);
      line.setAttribute("class", "violation-mark");
      overview.appendChild(line);
    });
    var windowRect = document.createElementNS(SVGNS, "rect");
    windowRect.setAttribute("x", ox(view.start)); windowRect.setAttribute("y", 1);
    windowRect.setAttribute("width", Math.max(3, ox(view.end) - ox(view.start))); windowRect.setAttribute("height", 24);
    windowRect.setAttribute("class", "window");
    overview.appendChild(windowRect);
  }

  // ---- logs at the cursor, as declared ---------------------------------------------------------

  var lastLogKey = null;
  function drawLogs() {
    var box = document.getElementById("logs");
    if (!box || !data.hasLog) return;
    var at = cursor >= 0 ? steps[cursor][0] : view.end;
    // Rebuild only when some node's state at that time changed.
    var key = [cursor];
    lanes.forEach(function (lane, index) {
      if (lane[1] !== "node" || hidden[index]) return;
      var points = data.statePoints[index];
      var position = firstIndexAtOrAfter(points, at + 1, 0) - 1;
      key.push(index + ":" + (position >= 0 ? points[position][1] : "none"));
    });
    var keyText = key.join(",");
    if (keyText === lastLogKey) return;
    lastLogKey = keyText;
    box.textContent = "";
    var title = document.createElement("div");
    title.className = "log-meta";
    title.textContent = "Logs at t=" + fmt(Math.round(at)) + (cursor >= 0 ? " (the selected event)" : " (the right edge of the view)") + "; cells coloured by term, the bar marks the commit index, faded cells are not committed.";
    box.appendChild(title);
    lanes.forEach(function (lane, index) {
      if (lane[1] !== "node" || hidden[index]) return;
      var points = data.statePoints[index];
      var position = firstIndexAtOrAfter(points, at + 1, 0) - 1;
      var row = document.createElement("div");
      row.className = "log-row";
      var name = document.createElement("span");
      name.className = "log-node";
      name.textContent = lane[0];
      row.appendChild(name);
      var state = position >= 0 ? stateOf(points[position][1]) : null;
      if (position >= 0 && points[position][1] < 0) {
        row.appendChild(document.createTextNode("down"));
      } else if (logTail(state, 40)) {
        var commit = commitOf(state);
        var tail = logTail(state, 40);
        if (tail.from > 1) {
          var more = document.createElement("span");
          more.className = "log-meta";
          more.textContent = "… " + (tail.from - 1) + " earlier";
          row.appendChild(more);
        }
        if (commit > 0 && commit === tail.from - 1) {
          var before = document.createElement("span");
          before.className = "commit";
          row.appendChild(before);
        }
        for (var i = 0; i < tail.entries.length; i++) {
          var entry = tail.entries[i];
          var entryIndex = tail.from + i;
          var term = typeof entry === "number" ? entry : (entry && typeof entry.term === "number" ? entry.term : null);
          var cell = document.createElement("span");
          cell.className = "cell" + (entryIndex > commit ? " uncommitted" : "");
          cell.style.background = termColour(term);
          cell.textContent = term === null ? "?" : String(term);
          cell.title = "index " + entryIndex + ", term " + term + (entry && typeof entry === "object" ? "\n" + JSON.stringify(entry) : "");
          row.appendChild(cell);
          if (entryIndex === commit) {
            var bar = document.createElement("span");
            bar.className = "commit";
            row.appendChild(bar);
          }
        }
        var metaText = document.createElement("span");
        metaText.className = "log-meta";
        metaText.textContent = (roleOf(state) || "") + (termOf(state) !== null ? " term " + termOf(state) : "") + ", commit " + commit + ", last index " + tail.last;
        row.appendChild(metaText);
      } else {
        row.appendChild(document.createTextNode("no log reported"));
      }
      box.appendChild(row);
    });
  }

  // ---- steps -------------------------------------------------------------------------------

  function describe(index) {
    var s = steps[index];
    var kind = kinds[s[2]];
    var m, op;
    switch (kind) {
      case "send":
        m = msgs[s[4]];
        if (!m) return laneName(s[3]) + " sends a message";
        return laneName(m[M.from]) + " sends " + types[m[M.type]] + " to " + laneName(m[M.to]) + (m[M.fate] === 1 && m[M.droppedAtSend] === 1 ? " (dropped at once: " + m[M.dropReason] + ")" : "");
      case "deliver":
        m = msgs[s[4]];
        return m ? laneName(m[M.to]) + " receives " + types[m[M.type]] + " from " + laneName(m[M.from]) : "a delivery";
      case "drop":
        m = msgs[s[4]];
        return m ? types[m[M.type]] + " " + laneName(m[M.from]) + " → " + laneName(m[M.to]) + " dropped (" + m[M.dropReason] + ")" : "a drop";
      case "duplicate":
        m = msgs[s[4]];
        return m ? types[m[M.type]] + " " + laneName(m[M.from]) + " → " + laneName(m[M.to]) + " duplicated by the network" : "a duplicate";
      case "timer": return laneName(s[3]) + " timer " + s[5] + " fires";
      case "crash": return laneName(s[3]) + " crashes (volatile state lost)";
      case "restart": return laneName(s[3]) + " restarts from durable storage";
      case "pause": return laneName(s[3]) + " pauses";
      case "resume": return laneName(s[3]) + " resumes";
      case "note":
        var note = data.notes[s[4]];
        return laneName(s[3]) + " note " + note[2] + (note[3] !== "null" ? " " + note[3] : "");
      case "network": return s[5];
      case "invoke":
        op = ops[s[4]];
        return op ? laneName(op.c) + " invokes " + op.f + (op.k !== null ? " " + op.k : "") + (op.i !== "null" ? " " + op.i : "") + " (operation " + s[4] + ")" : "an invocation";
      case "ok": case "fail": case "info":
        op = ops[s[4]];
        return op ? laneName(op.c) + " " + kind + ": " + opLabel(op) + (op.err ? " [" + op.err + "]" : "") + " (operation " + s[4] + ")" : "a completion";
      case "violation":
        var v = data.violations[s[4]];
        return "VIOLATION " + v.invariant + ": " + v.message.split("\n")[0];
      default: return kind;
    }
  }

  function showInfo() {
    if (cursor < 0) {
      info.textContent = "No event selected. Press → or j to step forward, b for the first bad event.";
      info.className = "";
      info.removeAttribute("data-step");
      if (options.onSelect) options.onSelect(cursor);
      return;
    }
    var s = steps[cursor];
    info.textContent = "Event " + (cursor + 1) + " of " + steps.length + " · t=" + fmt(s[0]) + " · kernel event " + s[1] + "\n" + describe(cursor) + (cursor === firstBad ? "\n← the first bad event" : "");
    info.className = cursor === firstBad || kinds[s[2]] === "violation" ? "bad" : "";
    info.setAttribute("data-step", String(cursor));
    if (options.onSelect) options.onSelect(cursor);
  }

  function goto(index) {
    if (steps.length === 0) return;
    cursor = Math.max(0, Math.min(steps.length - 1, index));
    var t = steps[cursor][0];
    var span = view.end - view.start;
    if (t < view.start + span * 0.05 || t > view.end - span * 0.05) {
      view.start = Math.max(0, Math.min(t - span / 2, endUs - span * 0.98));
      view.end = view.start + span;
    }
    showInfo();
    schedule();
  }

  function stepVisible(index) {
    var s = steps[index];
    if (isHidden(s[3])) return false;
    if (isMessageStep(index)) {
      var m = msgs[s[4]];
      if (hidden[m[M.from]] || hidden[m[M.to]]) return false;
    }
    return true;
  }

  function move(delta) {
    var index = cursor < 0 ? (delta > 0 ? -1 : steps.length) : cursor;
    var direction = delta > 0 ? 1 : -1;
    var remaining = Math.abs(delta);
    while (remaining > 0) {
      var next = index + direction;
      while (next >= 0 && next < steps.length && !stepVisible(next)) next += direction;
      if (next < 0 || next >= steps.length) break;
      index = next;
      remaining--;
    }
    if (index >= 0 && index < steps.length) goto(index);
  }

  // ---- view changes ------------------------------------------------------------------------

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; render(); });
  }

  function setView(start, end) {
    var span = Math.min(endUs * 1.02, Math.max(20, end - start));
    start = Math.max(-endUs * 0.01, Math.min(start, endUs - span * 0.98));
    view.start = start;
    view.end = start + span;
    schedule();
  }
  function zoom(factor, center) {
    var c = center === undefined ? (cursor >= 0 ? steps[cursor][0] : (view.start + view.end) / 2) : center;
    var fraction = (c - view.start) / (view.end - view.start);
    var span = (view.end - view.start) * factor;
    setView(c - fraction * span, c - fraction * span + span);
  }
  function pan(fraction) {
    var span = view.end - view.start;
    setView(view.start + span * fraction, view.end + span * fraction);
  }

  document.addEventListener("keydown", function (event) {
    if (event.target && (event.target.tagName === "INPUT" && event.target.type === "text")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var handled = true;
    var big = event.shiftKey ? 10 : 1;
    switch (event.key) {
      case "ArrowRight": case "j": case "n": move(big); break;
      case "ArrowLeft": case "k": case "p": move(-big); break;
      case "J": case "N": move(10); break;
      case "K": case "P": move(-10); break;
      case "Home": goto(0); break;
      case "End": goto(steps.length - 1); break;
      case "b": if (firstBad >= 0) goto(firstBad); break;
      case "+": case "=": zoom(0.5); break;
      case "-": case "_": zoom(2); break;
      case "0": setView(0, endUs); break;
      case "[": pan(-0.25); break;
      case "]": pan(0.25); break;
      case "Escape": cursor = -1; showInfo(); schedule(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  }, listen);

  svg.addEventListener("wheel", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      event.preventDefault();
      var rect = svg.getBoundingClientRect();
      zoom(event.deltaY > 0 ? 1.25 : 0.8, tOf(event.clientX - rect.left));
    } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      event.preventDefault();
      var delta = event.shiftKey ? event.deltaY : event.deltaX;
      pan(delta / Math.max(200, layout.width));
    }
  }, { passive: false });

  var drag = null;
  svg.addEventListener("mousedown", function (event) {
    if (event.button !== 0) return;
    drag = { x: event.clientX, start: view.start, end: view.end, moved: false };
    svg.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (event) {
    if (drag) {
      var dx = event.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      var dt = dx / (layout.width - LEFT - RIGHT) * (drag.end - drag.start);
      setView(drag.start - dt, drag.end - dt);
      return;
    }
  }, listen);
  window.addEventListener("mouseup", function (event) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (!moved) select(event.target, event);
  }, listen);

  function select(target, event) {
    if (!target || !target.getAttribute) return;
    var value;
    if ((value = target.getAttribute("data-m")) !== null) goto(msgs[Number(value)][M.sendStep]);
    else if ((value = target.getAttribute("data-op")) !== null) goto(ops[Number(value)].rs >= 0 ? ops[Number(value)].rs : ops[Number(value)].is);
    else if ((value = target.getAttribute("data-s")) !== null) goto(Number(value));
    else if (options.onTime && event) {
      // A click on no event picks a time: the lab forks there.
      var box = svg.getBoundingClientRect();
      var t = tOf((event.clientX - box.left) * layout.width / Math.max(1, box.width));
      if (t >= 0 && t <= endUs) options.onTime(Math.round(t));
    }
  }

  overview.addEventListener("mousedown", function (event) {
    var rect = overview.getBoundingClientRect();
    var t = (event.clientX - rect.left) / rect.width * endUs;
    var span = view.end - view.start;
    setView(t - span / 2, t + span / 2);
  });

  // ---- tooltips ----------------------------------------------------------------------------

  function tipText(target) {
    var value;
    if ((value = target.getAttribute("data-m")) !== null) {
      var m = msgs[Number(value)];
      var fate = m[M.fate] === 0 ? "delivered at " + fmt(m[M.arriveUs]) : m[M.fate] === 1 ? "dropped at " + fmt(m[M.arriveUs]) + " (" + m[M.dropReason] + ")" : "still in flight at the end";
      var payload = data.payloads[m[M.payload]];
      try { payload = JSON.stringify(JSON.parse(payload), null, 1); } catch (error) { /* truncated payloads stay raw */ }
      return types[m[M.type]] + "  " + laneName(m[M.from]) + " → " + laneName(m[M.to]) + (m[M.copy] === 1 ? "  (duplicate copy)" : "") + "\nmessage " + m[M.id] + ", sent at " + fmt(m[M.sendUs]) + ", " + fate + "\n" + payload;
    }
    if ((value = target.getAttribute("data-op")) !== null) {
      var index = Number(value);
      var op = ops[index];
      var lines = ["operation " + index + " by " + laneName(op.c) + " (process " + op.p + ")", opLabel(op), "called " + fmt(op.a) + (op.b >= 0 ? ", returned " + fmt(op.b) + " (" + fmt(op.b - op.a) + ")" : ", never returned")];
      if (op.err) lines.push("error: " + op.err);
      if (explanation) {
        explanation.prefix.forEach(function (step, position) { if (step[0] === index) lines.push("linearized #" + (position + 1) + ", state after: " + step[1]); });
        explanation.unplaceable.forEach(function (u) { if (u[0] === index) lines.push("cannot be placed: " + u[1]); });
        if (explanation.failing === index) lines.push("the operation the checker could not get past");
        if (explanation.minimal.indexOf(index) >= 0) lines.push("in the smallest failing subset");
      }
      return lines.join("\n");
    }
    if ((value = target.getAttribute("data-st")) !== null) {
      var parts = value.split(":");
      var stateIndex = Number(parts[1]);
      return laneName(Number(parts[0])) + (stateIndex < 0 ? ": down (crashed)" : " state\n" + JSON.stringify(stateOf(stateIndex), null, 1));
    }
    if ((value = target.getAttribute("data-iv")) !== null) {
      var iv = data.laneIv[Number(value)];
      return laneName(iv[0]) + " " + (iv[1] === "crash" ? "crashed" : "paused") + " from " + fmt(iv[2]) + (iv[3] < 0 ? " to the end" : " to " + fmt(iv[3]));
    }
    if ((value = target.getAttribute("data-net")) !== null) {
      var n = data.net[Number(value)];
      return n[3] + "\nfrom " + fmt(n[1]) + (n[2] < 0 ? " to the end" : " to " + fmt(n[2]));
    }
    if ((value = target.getAttribute("data-s")) !== null) {
      return "t=" + fmt(steps[Number(value)][0]) + "  " + describe(Number(value));
    }
    return null;
  }

  svg.addEventListener("mousemove", function (event) {
    if (drag) { tip.style.display = "none"; return; }
    var content = event.target && event.target.getAttribute ? tipText(event.target) : null;
    if (content === null) { tip.style.display = "none"; return; }
    tip.textContent = content;
    tip.style.display = "block";
    var x = event.clientX + 14, y = event.clientY + 14;
    if (x + 420 > window.innerWidth) x = Math.max(0, event.clientX - 430);
    if (y + tip.offsetHeight > window.innerHeight) y = Math.max(0, event.clientY - tip.offsetHeight - 10);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });

  // ---- toolbar -----------------------------------------------------------------------------

  var filters = document.getElementById("filters");
  lanes.forEach(function (lane, index) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-lane", lane[0]);
    box.addEventListener("change", function () { hidden[index] = !box.checked; schedule(); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + lane[0]));
    filters.appendChild(label);
  });
  function onClick(id, action) { var node = document.getElementById(id); if (node) node.addEventListener("click", action); }
  onClick("zoom-in", function () { zoom(0.5); });
  onClick("zoom-out", function () { zoom(2); });
  onClick("zoom-fit", function () { setView(0, endUs); });
  onClick("step-back", function () { move(-1); });
  onClick("step-next", function () { move(1); });
  onClick("goto-bad", function () { if (firstBad >= 0) goto(firstBad); });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.getAttribute) return;
    var step = target.getAttribute("data-goto-step");
    var op = target.getAttribute("data-goto-op");
    if (step !== null) { event.preventDefault(); goto(Number(step)); document.getElementById("diagram-section").scrollIntoView(); }
    else if (op !== null && ops[Number(op)]) { event.preventDefault(); var o = ops[Number(op)]; goto(o.rs >= 0 ? o.rs : o.is); document.getElementById("diagram-section").scrollIntoView(); }
  }, listen);
  window.addEventListener("resize", schedule, listen);

  if (window.location.hash === "#first-bad" && firstBad >= 0) cursor = firstBad;
  if (options.select !== undefined && options.select >= 0) cursor = options.select;
  showInfo();
  render();
  document.body.setAttribute("data-ready", "true");
  return { goto: goto, selected: function () { return cursor; } };
};
(function () {
  var block = document.getElementById("report-data");
  if (block) window.quorumlabDiagram(JSON.parse(block.textContent));
})();
`;

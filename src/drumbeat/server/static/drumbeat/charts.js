/* Drumbeat charts: ECharts sparklines and process-behaviour (XmR) charts.
 *
 * Load after the vendored echarts.min.js (it sets window.echarts):
 *   <script src="vendor/echarts.min.js"></script>
 *   <script src="drumbeat/charts.js" defer></script>
 * Then any element with
 *   data-sparkline='{"values": [...], "dates": [...], "mean": n, "upper": n,
 *                    "lower": n, "health": "green"}'
 *   data-xmr-chart='{"dates": [...], "values": [...], "mean": n, "upper": n,
 *                    "lower": n, "upper_quartile": n, "lower_quartile": n,
 *                    "thresholds": {...}, "benchmarks": {...}, "signals": [...],
 *                    "cycles": [{"key", "start", "end", "key_results":
 *                                [{"baseline", "target", "achieved"}]}],
 *                    "unit": "...",
 *                    "moving_ranges": [...], "periods": [{"from", "start", "end",
 *                      "mean", "upper", "lower", "upper_quartile",
 *                      "lower_quartile", "average_moving_range",
 *                      "upper_range_limit"}]}'
 * gets a chart: with `periods`, each limit period draws its own lines (a divider
 * line at each `from`); with `moving_ranges`, the moving-range (mR) chart is
 * drawn under the X chart on the same time axis; a `divider` ({"at": day})
 * inside the window is a dashed line, "proposed: from DAY". Content swapped in by htmx is picked up on htmx:afterSwap.
 * Missing or malformed fields skip their layer; colours come from the --db-*
 * custom properties of drumbeat.css. window.DrumbeatCharts.init(root) and
 * .refresh() are there for manual use; .cssColour(el, name, fallback) reads a
 * custom property for the other charts' scripts (attribution.js, calibration.js,
 * strategy_map.js), which base.html's deferred charts.js runs before.
 */
(function () {
  "use strict";

  var RULES = {
    1: "a point beyond the natural process limits",
    2: "3 of 4 points beyond a quartile line",
    3: "8 points in a row on one side of the mean",
    4: "a moving range above the upper range limit (a sudden jump)",
  };
  var live = []; // {el, chart, render}
  var warned = false;

  // ---------- small helpers ----------
  function isNum(x) { return typeof x === "number" && isFinite(x); }
  function isPair(x) { return Array.isArray(x) && x.length === 2 && isNum(x[0]) && isNum(x[1]); }
  function arr(x) { return Array.isArray(x) ? x : []; }
  function obj(x) { return x && typeof x === "object" && !Array.isArray(x) ? x : {}; }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(n) {
    if (!isNum(n)) return "–";
    var a = Math.abs(n);
    var digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
    return n.toLocaleString(undefined, { maximumFractionDigits: digits });
  }

  function fmtTarget(t) {
    if (isPair(t)) return fmt(t[0]) + "–" + fmt(t[1]);
    return isNum(t) ? fmt(t) : "…";
  }

  function parseDate(d) {
    if (typeof d !== "string" && typeof d !== "number") return NaN;
    var m = typeof d === "string" && /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (m) return new Date(+m[1], +m[2] - 1, +m[3]).getTime(); // local midnight
    return new Date(d).getTime();
  }

  // A custom property of drumbeat.css (--db-health-green ...) as `el` sees it,
  // light or dark; `fallback` where it is not set. Shared with the other charts'
  // scripts as window.DrumbeatCharts.cssColour.
  function cssColour(el, name, fallback) {
    var v = getComputedStyle(el).getPropertyValue(name).trim();
    return v || fallback;
  }

  function palette(el) {
    var c = function (n, f) { return cssColour(el, n, f); };
    return {
      health: {
        green: c("--db-health-green", "#1f8a4c"),
        amber: c("--db-health-amber", "#c77c02"),
        red: c("--db-health-red", "#c8333a"),
        unknown: c("--db-health-unknown", "#7b8494"),
      },
      band: {
        green: c("--db-band-green", "rgba(31,138,76,.1)"),
        amber: c("--db-band-amber", "rgba(199,124,2,.12)"),
        red: c("--db-band-red", "rgba(200,51,58,.1)"),
      },
      line: c("--db-chart-line", "#2c5fb3"),
      mean: c("--db-chart-mean", "#3b4252"),
      limit: c("--db-chart-limit", "#6b7383"),
      quartile: c("--db-chart-quartile", "#b3bac6"),
      benchmark: c("--db-chart-benchmark", "#7a4fb8"),
      cycle: c("--db-chart-cycle", "rgba(44,95,179,.08)"),
      text: c("--db-chart-text", "#4a5262"),
      grid: c("--db-chart-grid", "#e6e9ee"),
      // the page's background: a ring round a signal's marker, light or dark
      ring: c("--pico-background-color", "#fff"),
    };
  }

  // A rounded [min, max] that holds every given number, with a little room.
  function niceExtent(nums) {
    nums = nums.filter(isNum);
    if (!nums.length) return null;
    var lo = Math.min.apply(null, nums), hi = Math.max.apply(null, nums);
    var span = hi - lo || Math.abs(hi) || 1;
    lo -= span * 0.06; hi += span * 0.06;
    var raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * mag; })
      .filter(function (s) { return s >= raw; })[0];
    return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
  }

  function hline(value, name, color, type, width, label) {
    return {
      yAxis: value, name: name,
      lineStyle: { color: color, type: type, width: width || 1 },
      label: label || { show: false },
    };
  }

  // ---------- sparkline ----------
  function sparkOption(el, d) {
    var p = palette(el);
    var values = arr(d.values).map(function (v) { return isNum(v) ? v : null; });
    if (!values.length) return null;
    var dates = arr(d.dates);
    var unit = typeof d.unit === "string" ? d.unit : "";
    var color = p.health[d.health] || p.health.unknown;
    var lines = [];
    if (isNum(d.mean)) lines.push(hline(d.mean, "Mean", p.mean, "dashed"));
    if (isNum(d.upper)) lines.push(hline(d.upper, "Upper limit", p.limit, "dotted"));
    if (isNum(d.lower)) lines.push(hline(d.lower, "Lower limit", p.limit, "dotted"));
    var ext = niceExtent(values.concat([d.mean, d.upper, d.lower]));
    return {
      animation: false,
      aria: { enabled: true },
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      xAxis: {
        type: "category", show: false, boundaryGap: false,
        data: values.map(function (_, i) { return dates[i] != null ? String(dates[i]) : ""; }),
      },
      yAxis: { type: "value", show: false, min: ext && ext[0], max: ext && ext[1] },
      tooltip: {
        trigger: "axis", appendTo: "body", confine: false,
        axisPointer: { type: "line", lineStyle: { color: p.limit } },
        formatter: function (ps) {
          var q = ps && ps[0];
          if (!q) return "";
          return esc(q.name) + "<br><b>" + esc(fmt(q.value)) + (unit ? " " + esc(unit) : "") + "</b>";
        },
      },
      series: [{
        type: "line", data: values, showSymbol: false, connectNulls: false,
        lineStyle: { color: color, width: 1.6 }, itemStyle: { color: color },
        markLine: lines.length ? { silent: true, symbol: ["none", "none"], animation: false, data: lines } : undefined,
      }],
    };
  }

  // ---------- process-behaviour chart ----------

  // Bands [lo, hi, colour key, label] from the thresholds; open ends use the axis extent.
  function thresholdBands(t, direction, lo, hi) {
    var g = t.green, r = t.red, a = t.amber, out = [];
    if (isPair(g) || direction === "range") {
      if (!isPair(g) && !isPair(a)) return out;
      var inner = isPair(g) ? g : null, outer = isPair(a) ? a : inner;
      if (inner) out.push([inner[0], inner[1], "green", "Green"]);
      if (isPair(a) && inner) {
        out.push([a[0], inner[0], "amber", "Amber"], [inner[1], a[1], "amber", ""]);
      } else if (isPair(a)) {
        out.push([a[0], a[1], "amber", "Amber"]);
      }
      out.push([lo, outer[0], "red", "Red"], [outer[1], hi, "red", ""]);
      return out;
    }
    if (!direction && isNum(g) && isNum(r)) direction = g > r ? "up" : "down";
    if (direction === "up") {
      if (isNum(g)) out.push([g, hi, "green", "Green"]);
      if (isNum(r)) out.push([lo, r, "red", "Red"]);
      out.push([isNum(r) ? r : lo, isNum(g) ? g : hi, "amber", "Amber"]);
    } else if (direction === "down") {
      if (isNum(g)) out.push([lo, g, "green", "Green"]);
      if (isNum(r)) out.push([r, hi, "red", "Red"]);
      out.push([isNum(g) ? g : lo, isNum(r) ? r : hi, "amber", "Amber"]);
    }
    return out.filter(function (b) { return b[1] > b[0]; });
  }

  // The moving-range chart under the X chart: the ranges, each period's mR̄ and
  // upper range limit, and the ranges above it (rule 4) marked. Null without ranges.
  function rangeChart(d, data, periods, p) {
    var ranges = arr(d.moving_ranges);
    var points = data.map(function (pt) {
      var r = ranges[pt[2]];
      return [pt[0], isNum(r) ? r : null, pt[2]];
    });
    var known = points.filter(function (pt) { return pt[1] !== null; });
    if (!known.length) return null;
    var jumps = {};
    arr(d.signals).forEach(function (s) {
      s = obj(s);
      if (s.rule === 4 && isNum(s.index)) jumps[s.index] = s;
    });
    var lines = [];
    periods.forEach(function (q, n) {
      var last = n === periods.length - 1;
      lines.push(
        segment(q, q.average_moving_range, "Average moving range", p.mean, "solid", 1.2, last && { show: true, formatter: "mR̄ " + fmt(q.average_moving_range), color: p.text, position: "insideEndTop", fontSize: 11 }),
        segment(q, q.upper_range_limit, "Upper range limit", p.limit, "dashed", 1.2, last && { show: true, formatter: "Upper range limit " + fmt(q.upper_range_limit), color: p.text, position: "insideEndTop", fontSize: 11 }));
      if (q.from) lines.push({ xAxis: q.t0, lineStyle: { color: p.mean, type: "solid", width: 1.5 }, label: { show: false } });
    });
    lines = lines.filter(Boolean);
    var jumped = points.filter(function (pt) { return jumps[pt[2]] && pt[1] !== null; }).map(function (pt) {
      var s = jumps[pt[2]];
      return { value: pt, itemStyle: { color: s.favourable ? p.health.green : p.health.red } };
    });
    var nums = known.map(function (pt) { return pt[1]; });
    periods.forEach(function (q) { nums.push(q.upper_range_limit); });
    // From 0 to a round top, in four or so steps of 1, 2, 3 or 5 × 10ⁿ (the
    // steps ECharts labels, so that the top label falls on a step).
    var top = Math.max.apply(null, nums.filter(isNum)) * 1.06 || 1;
    var raw = top / 4, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 3, 5, 10].map(function (f) { return +(f * mag).toPrecision(12); })
      .filter(function (x) { return x >= raw; })[0];
    var series = [{
      name: "Moving range", type: "line", data: points, xAxisIndex: 1, yAxisIndex: 1,
      encode: { x: 0, y: 1 }, showSymbol: true, symbol: "circle", symbolSize: 4, connectNulls: false, z: 3,
      lineStyle: { color: p.line, width: 1.4 }, itemStyle: { color: p.line },
      markLine: lines.length ? { silent: true, symbol: ["none", "none"], data: lines } : undefined,
    }];
    if (jumped.length) series.push({
      name: "Sudden jump", type: "scatter", data: jumped, xAxisIndex: 1, yAxisIndex: 1,
      encode: { x: 0, y: 1 }, z: 4, symbol: "diamond", symbolSize: 11,
      itemStyle: { borderColor: p.ring, borderWidth: 1 },
    });
    return { series: series, max: +(Math.ceil(top / step) * step).toPrecision(12), interval: step };
  }

  // The limit periods with a drawable time span, their times parsed (a period
  // too young for limits has its divider line and no levels).
  function limitPeriods(d) {
    return arr(d.periods).map(obj).filter(function (q) {
      return isFinite(parseDate(q.start)) && isFinite(parseDate(q.end));
    }).map(function (q) {
      var out = {};
      Object.keys(q).forEach(function (k) { out[k] = q[k]; });
      out.t0 = parseDate(q.start); out.t1 = parseDate(q.end);
      return out;
    });
  }

  // A level drawn across one limit period only: [{coord}, {coord}].
  function segment(q, value, name, color, type, width, label) {
    if (!isNum(value)) return null;
    return [{
      coord: [q.t0, value], name: name, symbol: "none",
      lineStyle: { color: color, type: type, width: width || 1 },
      label: label || { show: false },
    }, { coord: [q.t1, value], symbol: "none" }];
  }

  // The vertical line where a limit period starts, labelled by its day.
  function dividerLine(q, p) {
    return {
      xAxis: q.t0, name: "Limits from " + q.from,
      lineStyle: { color: p.mean, type: "solid", width: 1.5 },
      label: { show: true, formatter: "from " + q.from, position: "insideEndTop", color: p.text, fontSize: 11 },
    };
  }

  function xmrOption(el, d) {
    var p = palette(el);
    var dates = arr(d.dates), values = arr(d.values);
    var unit = typeof d.unit === "string" ? d.unit : "";
    var data = [];
    values.forEach(function (v, i) {
      var t = parseDate(dates[i]);
      if (isFinite(t)) data.push([t, isNum(v) ? v : null, i]);
    });
    if (!data.length) return null;
    var thresholds = obj(d.thresholds), bench = obj(d.benchmarks);
    var direction = d.direction || thresholds.direction || null;

    var extNums = values.slice();
    limitPeriods(d).forEach(function (q) { extNums.push(q.upper, q.lower); });
    [d.mean, d.upper, d.lower, d.upper_quartile, d.lower_quartile, bench.industry, bench.best_in_class,
     thresholds.red].forEach(function (x) { extNums.push(x); });
    [thresholds.green, thresholds.amber].forEach(function (x) {
      if (isPair(x)) extNums.push(x[0], x[1]); else extNums.push(x);
    });
    var ext = niceExtent(extNums) || [0, 1];

    // Lines: mean, limits, quartiles, benchmarks.
    var lab = function (text, color, pos) {
      return { show: true, formatter: text, color: color, position: pos || "insideEndTop", fontSize: 11 };
    };
    var lines = [];
    var periods = limitPeriods(d);
    if (periods.length) {
      periods.forEach(function (q, n) {
        var last = n === periods.length - 1;
        lines.push(
          segment(q, q.mean, "Mean", p.mean, "solid", 1.5, last && lab("Mean " + fmt(q.mean), p.text)),
          segment(q, q.upper, "Upper limit", p.limit, "dashed", 1.2, last && lab("Upper limit " + fmt(q.upper), p.text)),
          segment(q, q.lower, "Lower limit", p.limit, "dashed", 1.2, last && lab("Lower limit " + fmt(q.lower), p.text, "insideEndBottom")),
          segment(q, q.upper_quartile, "Upper quartile", p.quartile, "dotted", 1),
          segment(q, q.lower_quartile, "Lower quartile", p.quartile, "dotted", 1));
        if (q.from) lines.push(dividerLine(q, p));
      });
      lines = lines.filter(Boolean);
    } else {
      if (isNum(d.mean)) lines.push(hline(d.mean, "Mean", p.mean, "solid", 1.5, lab("Mean " + fmt(d.mean), p.text)));
      if (isNum(d.upper)) lines.push(hline(d.upper, "Upper limit", p.limit, "dashed", 1.2, lab("Upper limit " + fmt(d.upper), p.text)));
      if (isNum(d.lower)) lines.push(hline(d.lower, "Lower limit", p.limit, "dashed", 1.2, lab("Lower limit " + fmt(d.lower), p.text, "insideEndBottom")));
      if (isNum(d.upper_quartile)) lines.push(hline(d.upper_quartile, "Upper quartile", p.quartile, "dotted", 1));
      if (isNum(d.lower_quartile)) lines.push(hline(d.lower_quartile, "Lower quartile", p.quartile, "dotted", 1));
    }
    if (isNum(bench.industry)) lines.push(hline(bench.industry, "Industry", p.benchmark, [6, 3, 1, 3], 1.2, lab("Industry " + fmt(bench.industry), p.benchmark, "insideMiddleTop")));
    if (isNum(bench.best_in_class)) lines.push(hline(bench.best_in_class, "Best in class", p.benchmark, [6, 3, 1, 3], 1.2, lab("Best in class " + fmt(bench.best_in_class), p.benchmark, "insideMiddleTop")));

    // A proposed divider inside the window: a dashed line at its day.
    var proposed = obj(d.divider), proposedT = parseDate(proposed.at);
    if (isFinite(proposedT) && proposedT >= data[0][0] && proposedT <= data[data.length - 1][0]) {
      lines.push({
        xAxis: proposedT, name: "Proposed divider " + proposed.at,
        lineStyle: { color: p.mean, type: "dashed", width: 1.5 },
        label: { show: true, formatter: "proposed: from " + proposed.at, position: "insideEndTop", color: p.text, fontSize: 11 },
      });
    }

    // Single threshold levels we cannot turn into bands (direction unknown).
    var bands = thresholdBands(thresholds, direction, ext[0], ext[1]);
    if (!bands.length) {
      if (isNum(thresholds.green)) lines.push(hline(thresholds.green, "Green threshold", p.health.green, "dashed", 1, lab("Green " + fmt(thresholds.green), p.health.green, "insideStartBottom")));
      if (isNum(thresholds.red)) lines.push(hline(thresholds.red, "Red threshold", p.health.red, "dashed", 1, lab("Red " + fmt(thresholds.red), p.health.red, "insideStartBottom")));
    }

    // Areas: threshold bands (full width) and OKR cycles (full height).
    var areas = bands.map(function (b) {
      return [{
        yAxis: b[0], name: b[3], itemStyle: { color: p.band[b[2]] },
        label: { show: !!b[3], position: "insideTopLeft", color: p.health[b[2]], fontSize: 10, formatter: b[3] },
      }, { yAxis: b[1] }];
    });
    var lastT = data[data.length - 1][0];
    arr(d.cycles).forEach(function (c) {
      c = obj(c);
      var s = parseDate(c.start), e = c.end != null ? parseDate(c.end) : lastT;
      if (!isFinite(s) || !isFinite(e) || e < s) return;
      // One band a cycle; one line a KR on the KPI (baseline → target → achieved).
      var krs = Array.isArray(c.key_results) && c.key_results.length ? c.key_results : [c];
      var text = (c.key ? c.key + "\n" : "") + krs.map(function (kr) {
        kr = obj(kr);
        return fmtTarget(kr.baseline) + " → " + fmtTarget(kr.target) + " → " + fmtTarget(kr.achieved);
      }).join("\n");
      areas.push([{
        xAxis: s, name: String(c.key || "OKR cycle"),
        itemStyle: { color: p.cycle, borderColor: p.line, borderWidth: 0.5, borderType: "dashed" },
        label: { show: true, position: "insideTop", color: p.text, fontSize: 11, lineHeight: 14, formatter: text },
      }, { xAxis: e }]);
    });

    // Signals, grouped by reading; one series per kind so the legend explains the colours.
    var byIndex = {};
    arr(d.signals).forEach(function (s) {
      s = obj(s);
      if (!isNum(s.index)) return;
      (byIndex[s.index] = byIndex[s.index] || []).push(s);
    });
    var good = [], bad = [];
    data.forEach(function (pt) {
      var hits = byIndex[pt[2]];
      if (!hits || pt[1] === null) return;
      var unfavourable = hits.some(function (s) { return !s.favourable; });
      (unfavourable ? bad : good).push({ value: pt, signals: hits });
    });

    function signalText(s) {
      var rule = RULES[s.rule] ? "Rule " + s.rule + ": " + RULES[s.rule] : "Rule " + esc(s.rule);
      return (s.favourable ? "▲ Favourable signal — " : "⚠ Unfavourable signal — ") + rule;
    }

    var series = [{
      name: "Readings", type: "line", data: data, encode: { x: 0, y: 1 },
      showSymbol: true, symbol: "circle", symbolSize: 5, connectNulls: false, z: 3,
      lineStyle: { color: p.line, width: 1.8 }, itemStyle: { color: p.line },
      markLine: lines.length ? { silent: true, symbol: ["none", "none"], data: lines } : undefined,
      markArea: areas.length ? { silent: true, data: areas } : undefined,
    }];
    if (bad.length) series.push({
      name: "Unfavourable signal", type: "scatter", data: bad, encode: { x: 0, y: 1 }, z: 4,
      symbol: "triangle", symbolSize: 12, itemStyle: { color: p.health.red, borderColor: p.ring, borderWidth: 1 },
    });
    if (good.length) series.push({
      name: "Favourable signal", type: "scatter", data: good, encode: { x: 0, y: 1 }, z: 4,
      symbol: "circle", symbolSize: 11, itemStyle: { color: p.health.green, borderColor: p.ring, borderWidth: 1 },
    });

    var mr = rangeChart(d, data, periods, p);
    var grids = [{ left: 12, right: 24, top: 40, bottom: mr ? "40%" : 64, containLabel: true }];
    var xAxes = [{
      type: "time",
      axisLine: { lineStyle: { color: p.limit } },
      axisLabel: { color: p.text, hideOverlap: true, formatter: { year: "{yyyy}", month: "{MMM}", day: "{d} {MMM}" } },
      splitLine: { show: false },
    }];
    var yAxes = [{
      type: "value", min: ext[0], max: ext[1], name: unit, nameLocation: "end",
      nameTextStyle: { color: p.text, align: "left" },
      axisLabel: { color: p.text, formatter: function (v) { return fmt(v); } },
      splitLine: { lineStyle: { color: p.grid } },
    }];
    if (mr) {
      grids.push({ left: 12, right: 24, top: "66%", bottom: 64, containLabel: true });
      xAxes.push({ type: "time", gridIndex: 1, axisLabel: { show: false }, axisLine: { lineStyle: { color: p.limit } }, splitLine: { show: false } });
      yAxes.push({
        type: "value", gridIndex: 1, min: 0, max: mr.max, interval: mr.interval, name: "moving range", nameLocation: "end",
        nameTextStyle: { color: p.text, align: "left" },
        axisLabel: { color: p.text, formatter: function (v) { return fmt(v); } },
        splitLine: { lineStyle: { color: p.grid } },
      });
      series = series.concat(mr.series);
    }
    var ranges = arr(d.moving_ranges);

    return {
      aria: { enabled: true },
      textStyle: { color: p.text },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: series.length > 1 ? { type: "scroll", top: 0, right: 0, left: 48, textStyle: { color: p.text }, data: series.map(function (s) { return s.name; }) } : undefined,
      grid: grids,
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: [
        { type: "slider", xAxisIndex: mr ? [0, 1] : 0, filterMode: "none", bottom: 8, height: 22,
          textStyle: { color: p.text }, borderColor: p.grid },
        { type: "inside", xAxisIndex: mr ? [0, 1] : 0, filterMode: "none" },
      ],
      tooltip: {
        trigger: "axis", confine: true,
        formatter: function (ps) {
          var i = null;
          (ps || []).forEach(function (q) {
            var v = q.value && q.value.value ? q.value.value : q.value;
            if (i === null && Array.isArray(v) && isNum(v[2])) i = v[2];
          });
          if (i === null || i >= data.length) return "";
          var pt = data.filter(function (x) { return x[2] === i; })[0];
          if (!pt) return "";
          var html = "<b>" + esc(dates[i]) + "</b><br>" + esc(pt[1] === null ? "no reading" : fmt(pt[1]) + (unit ? " " + unit : ""));
          if (isNum(ranges[i])) html += "<br>moving range " + esc(fmt(ranges[i]));
          (byIndex[i] || []).forEach(function (s) { html += "<br>" + esc(signalText(s)); });
          return html;
        },
      },
      series: series,
    };
  }

  // ---------- lifecycle ----------
  function setup(el, attr, build) {
    var raw = el.getAttribute(attr);
    var prev = el.__drumbeatChart;
    if (prev && prev.raw === raw && !prev.chart.isDisposed()) return;
    var data;
    try { data = JSON.parse(raw); } catch (e) {
      console.warn("drumbeat charts: bad " + attr + " JSON", el, e);
      return;
    }
    if (!data || typeof data !== "object") return;
    var chart = (prev && !prev.chart.isDisposed() && prev.chart) || echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "canvas" });
    var entry = {
      el: el, chart: chart, raw: raw,
      render: function () {
        var option;
        try { option = build(el, data); } catch (e) { console.warn("drumbeat charts: cannot draw", el, e); }
        if (option) chart.setOption(option, true); else chart.clear();
      },
    };
    el.__drumbeatChart = entry;
    if (!prev) live.push(entry); else live[live.indexOf(prev)] = entry;
    entry.render();
    if (window.ResizeObserver && !el.__drumbeatObserved) {
      el.__drumbeatObserved = true;
      new ResizeObserver(function () { if (!chart.isDisposed()) chart.resize(); }).observe(el);
    }
  }

  function prune() {
    live = live.filter(function (e) {
      if (e.el.isConnected && !e.chart.isDisposed()) return true;
      if (!e.chart.isDisposed()) e.chart.dispose();
      e.el.__drumbeatChart = null;
      return false;
    });
  }

  function init(root) {
    if (!window.echarts) {
      if (!warned) console.warn("drumbeat charts: window.echarts is not loaded");
      warned = true;
      return;
    }
    prune();
    root = root && root.querySelectorAll ? root : document;
    var pick = function (sel) {
      var found = Array.prototype.slice.call(root.querySelectorAll(sel));
      if (root.matches && root.matches(sel)) found.unshift(root);
      return found;
    };
    pick("[data-sparkline]").forEach(function (el) { setup(el, "data-sparkline", sparkOption); });
    pick("[data-xmr-chart]").forEach(function (el) { setup(el, "data-xmr-chart", xmrOption); });
  }

  function refresh() {
    prune();
    live.forEach(function (e) { e.render(); });
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      live.forEach(function (e) { if (!e.chart.isDisposed()) e.chart.resize(); });
    });
  });

  // htmx may replace the target itself (outerHTML), so look through the whole page.
  document.addEventListener("htmx:afterSwap", function () { init(document); });

  // Follow Pico's light/dark theme.
  if (window.matchMedia) {
    var mq = window.matchMedia("(prefers-color-scheme: dark)");
    if (mq.addEventListener) mq.addEventListener("change", refresh);
  }
  if (window.MutationObserver) {
    new MutationObserver(refresh).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  }

  window.DrumbeatCharts = { init: init, refresh: refresh, cssColour: cssColour };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();

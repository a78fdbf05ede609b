/* Drumbeat strategy map: the KPIs in their perspective lanes, drawn with the
 * vendored ECharts (a graph series with fixed places, computed on the server).
 *
 * The element with
 *   data-strategy-map='{"lanes": [{"name": "Financial", "y": 120}],
 *     "nodes": [{"key": "revenue", "name": "Revenue", "label": "Revenue ◎",
 *       "url": "/kpis/revenue/",
 *       "x": 500, "y": 120, "health": "green", "health_label": "Green",
 *       "indicator": "lagging", "north_star": false, "key_results": ["o1/kr1"]}],
 *     "links": [{"source": "visits", "target": "revenue"}]}'
 * gets the chart: a dot per KPI coloured by its health, ringed when a key result
 * of the active cycle targets it, an arrow per drives link (leading → lagging),
 * the lanes named on the left. Clicking a KPI opens its page. Colours come from
 * the --db-* custom properties of drumbeat.css (dark mode follows).
 */
(function () {
  "use strict";

  // charts.js (deferred in base.html, so run before this) reads the colours.
  if (!window.DrumbeatCharts) return;
  var colour = window.DrumbeatCharts.cssColour;

  function tooltip(n) {
    var parts = [n.name + " · " + n.health_label];
    if (n.indicator) parts.push(n.indicator);
    if (n.north_star) parts.push("north star");
    var text = parts.join(" · ");
    if (n.key_results.length) text += "<br>targeted by " + n.key_results.join(", ");
    return text;
  }

  function draw(el) {
    if (!window.echarts || el.dataset.drawn) return;
    var data;
    try { data = JSON.parse(el.dataset.strategyMap || "{}"); } catch (e) { return; }
    var nodes = data.nodes || [];
    var lanes = data.lanes || [];
    var text = colour(el, "--pico-color", "#373c44");
    var muted = colour(el, "--db-chart-limit", "#6b7383");
    var ring = colour(el, "--db-chart-mean", "#3b4252");
    var health = {
      green: colour(el, "--db-health-green", "#1f8a4c"),
      amber: colour(el, "--db-health-amber", "#c77c02"),
      red: colour(el, "--db-health-red", "#c8333a"),
      unknown: colour(el, "--db-health-unknown", "#7b8494"),
    };
    var graphNodes = lanes.map(function (lane) {
      return { name: "lane:" + lane.name, x: 0, y: lane.y, symbolSize: 0, silent: true,
               itemStyle: { color: "transparent" }, tooltip: { show: false },
               label: { show: true, position: "right", formatter: lane.name, fontWeight: "bold", color: muted } };
    }).concat(nodes.map(function (n) {
      var targeted = n.key_results.length > 0;
      return {
        name: n.key, x: n.x, y: n.y, kpi: n,
        symbolSize: n.north_star ? 30 : 22,
        symbol: n.indicator === "leading" ? "diamond" : "circle",
        itemStyle: { color: health[n.health] || health.unknown,
                     borderColor: targeted ? ring : "transparent", borderWidth: targeted ? 3 : 0 },
        // The server cuts the name to fit and keeps the ◎ (core/strategy_map.py).
        label: { show: true, position: "bottom", color: text, formatter: n.label || n.name },
      };
    }));
    // Room for each row of each lane, and for the KPIs of the fullest row: the
    // box around the chart scrolls sideways on a phone, the page does not.
    var rows = lanes.reduce(function (sum, lane) { return sum + lane.rows; }, 0);
    var perRow = Math.min(data.per_row || 8, Math.max.apply(null, [1].concat(lanes.map(function (lane) {
      return Math.ceil(nodes.filter(function (n) { return n.y >= lane.y && n.y < lane.y + lane.rows * 100; }).length / lane.rows);
    }))));
    el.style.height = (rows * 90 + 60) + "px";
    el.style.minWidth = Math.max(720, perRow * 110 + 150) + "px";
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    el.dataset.drawn = "1";
    chart.setOption({
      animation: false,
      textStyle: { color: text },
      tooltip: {
        formatter: function (p) { return p.data && p.data.kpi ? tooltip(p.data.kpi) : ""; },
      },
      series: [{
        type: "graph", layout: "none", roam: false,
        top: 24, bottom: 48, left: 16, right: 84,  // room for the last labels
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        lineStyle: { color: muted, width: 1.5, curveness: 0.15, opacity: 0.9 },
        emphasis: { focus: "adjacency" },
        data: graphNodes,
        links: (data.links || []).map(function (l) { return { source: l.source, target: l.target }; }),
      }],
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && p.data && p.data.kpi) window.location.assign(p.data.kpi.url);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-strategy-map]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

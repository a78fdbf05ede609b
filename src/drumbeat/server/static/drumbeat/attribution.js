/* Drumbeat attribution chart: each closed cycle's movement of a KPI in
 * multiples of its noise, as bars, with dashed lines at ±1 (as wide as noise
 * alone goes). Load after the vendored echarts.min.js; any element with
 *   data-attribution-chart='{"cycles": [...], "in_noise": [n|null, ...],
 *                            "outcomes": ["moved"|"against"|"still"|"unjudged"]}'
 * gets a chart. A bar is green when the KPI moved beyond its noise as targeted,
 * red when it moved the other way, grey otherwise. The table beside it says the
 * same in words.
 */
(function () {
  "use strict";

  // charts.js (deferred in base.html, so run before this) reads the colours.
  if (!window.DrumbeatCharts) return;
  var colour = window.DrumbeatCharts.cssColour;

  function draw(el) {
    if (!window.echarts || el.dataset.attributionDrawn) return;
    var data;
    try {
      data = JSON.parse(el.dataset.attributionChart);
    } catch (e) {
      return;
    }
    var cycles = Array.isArray(data.cycles) ? data.cycles : [];
    var values = Array.isArray(data.in_noise) ? data.in_noise : [];
    var outcomes = Array.isArray(data.outcomes) ? data.outcomes : [];
    if (!cycles.length) return;
    el.dataset.attributionDrawn = "1";
    var colours = {
      moved: colour(el, "--db-health-green", "#1f8a4c"),
      against: colour(el, "--db-health-red", "#c8333a"),
      still: colour(el, "--db-health-unknown", "#7b8494"),
      unjudged: colour(el, "--db-health-unknown", "#7b8494"),
    };
    var text = colour(el, "--db-chart-text", "#4a5262");
    var limit = colour(el, "--db-chart-limit", "#6b7383");
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 28 },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) {
          return typeof v === "number" ? v.toFixed(1) + "× noise" : "–";
        },
      },
      xAxis: { type: "category", data: cycles, axisLabel: { color: text } },
      yAxis: {
        type: "value",
        axisLabel: { color: text, formatter: "{value}×" },
        splitLine: { show: false },
      },
      series: [
        {
          type: "bar",
          name: "movement",
          barMaxWidth: 36,
          data: values.map(function (v, i) {
            return {
              value: typeof v === "number" ? v : null,
              itemStyle: { color: colours[outcomes[i]] || colours.still },
            };
          }),
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: limit, type: "dashed" },
            label: { color: text, formatter: "noise", position: "insideEndTop" },
            data: [{ yAxis: 1 }, { yAxis: -1 }],
          },
        },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-attribution-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();

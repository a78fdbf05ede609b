/* Drumbeat calibration: the reliability chart (stated confidence against the
 * share hit, by band) of the calibration page, drawn with the vendored ECharts.
 *
 * Any element with
 *   data-calibration-chart='{"name": "...", "bands": [{"label": "0.8–1.0",
 *     "low": 0.8, "high": 1.0, "count": 7, "confidence": 0.86, "hit": 0.43}]}'
 * gets a chart: a dot per band with KRs at (mean stated, share hit), sized by
 * the count, over the diagonal of perfect calibration. Colours come from the
 * --db-chart-* custom properties of drumbeat.css (dark mode follows).
 */
(function () {
  "use strict";

  // charts.js (deferred in base.html, so run before this) reads the colours.
  if (!window.DrumbeatCharts) return;
  var colour = window.DrumbeatCharts.cssColour;

  function percent(x) { return Math.round(x * 100) + " %"; }

  function draw(el) {
    if (!window.echarts || el.dataset.drawn) return;
    var data;
    try { data = JSON.parse(el.dataset.calibrationChart || "{}"); } catch (e) { return; }
    var bands = (data.bands || []).filter(function (b) { return b.count > 0; });
    var line = colour(el, "--db-chart-line", "#2c5fb3");
    var muted = colour(el, "--db-chart-quartile", "#b3bac6");
    var text = colour(el, "--pico-color", "#373c44");
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    el.dataset.drawn = "1";
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 44 },
      textStyle: { color: text },
      tooltip: {
        formatter: function (p) {
          var b = p.data.band;
          if (!b) return "";
          return "Stated " + b.label + ": " + b.count + " KR" + (b.count === 1 ? "" : "s") +
            ", mean stated " + b.confidence.toFixed(2) + ", hit " + percent(b.hit);
        },
      },
      xAxis: { type: "value", min: 0, max: 1, name: "Stated confidence", nameLocation: "middle", nameGap: 28 },
      yAxis: { type: "value", min: 0, max: 1, name: "Share hit", nameLocation: "middle", nameGap: 36,
               axisLabel: { formatter: function (v) { return percent(v); } } },
      series: [
        { type: "line", data: [[0, 0], [1, 1]], symbol: "none", silent: true,
          lineStyle: { color: muted, type: "dashed" } },
        { type: "scatter", itemStyle: { color: line },
          symbolSize: function (v, p) { return 8 + 4 * Math.sqrt(p.data.band.count); },
          data: bands.map(function (b) { return { value: [b.confidence, b.hit], band: b }; }) },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-calibration-chart]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

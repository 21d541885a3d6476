/* Qinglian result charts (Apache ECharts): radar, percentage bars, trend lines, heatmap.
 *
 * Reads the series the server put in <script id="result-chart-data" type="application/json">
 * (Django's json_script) and draws every element with a data-result-chart="<key>" attribute.
 * Bar and pie series ({kind: "bar" | "pie", labels, values}) are drawn by charts.js
 * (window.QinglianCharts.draw), one colour per grade when the series has "colors"; this file
 * adds the kinds the results pages need:
 *   percent_bar {labels, values}                 average % of each dimension's maximum
 *   radar       {indicators: [{name, max}], series: [{name, values}]}
 *   line        {labels, average, series: [{name, values}], colors}   trend across years
 *   heatmap     {x, y, cells: [[x, y, value]]}                chamber × dimension
 * No user data is ever put into a script; everything comes from the JSON block.
 */
(function () {
  "use strict";

  var PALETTE = ["#9e1b1b", "#2b3a4d", "#c0843d", "#3f7f6e", "#6b5b95", "#d46a6a",
                 "#5b8db8", "#8a9a5b", "#b0615a", "#7a8595"];
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var INK = "#4a5360";

  function base(extra) {
    var option = { color: PALETTE, textStyle: { fontFamily: FONT } };
    Object.keys(extra).forEach(function (key) { option[key] = extra[key]; });
    return option;
  }

  function percentBarOption(series) {
    return base({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: INK } },
      yAxis: { type: "category", data: series.labels, inverse: true, axisLabel: { color: INK } },
      series: [{ type: "bar", name: series.title, data: series.values, barMaxWidth: 24,
                 itemStyle: { borderRadius: [0, 3, 3, 0] },
                 label: { show: true, position: "right", formatter: "{c}%", color: INK } }]
    });
  }

  function radarOption(series) {
    return base({
      tooltip: { trigger: "item" },
      legend: { bottom: 0, textStyle: { color: INK } },
      radar: { indicator: series.indicators, radius: "62%", center: ["50%", "48%"],
               axisName: { color: INK } },
      series: [{ type: "radar", areaStyle: { opacity: 0.15 },
                 data: series.series.map(function (s) { return { name: s.name, value: s.values }; }) }]
    });
  }

  function lineOption(series) {
    var colours = series.colors || PALETTE;
    var lines = series.series.map(function (s) {
      return { type: "line", name: s.name, data: s.values, yAxisIndex: 1, smooth: false,
               symbolSize: 6, lineStyle: { width: 1.5, type: "dashed" } };
    });
    lines.unshift({ type: "bar", name: series.title, data: series.average, barMaxWidth: 36,
                    itemStyle: { opacity: 0.85 }, label: { show: true, position: "top", color: INK } });
    return base({
      color: colours,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll", textStyle: { color: INK } },
      grid: { left: 8, right: 8, top: 28, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: series.labels, axisLabel: { color: INK } },
      yAxis: [{ type: "value", name: series.average_label || "", axisLabel: { color: INK } },
              { type: "value", max: 100, axisLabel: { formatter: "{value}%", color: INK },
                splitLine: { show: false } }],
      series: lines
    });
  }

  function heatmapOption(series) {
    return base({
      tooltip: { position: "top", formatter: function (p) {
        return series.y[p.value[1]] + " · " + series.x[p.value[0]] + "：" +
          (p.value[2] == null ? "—" : p.value[2] + "%");
      } },
      grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: series.x, splitArea: { show: true }, axisLabel: { color: INK } },
      yAxis: { type: "category", data: series.y, inverse: true, splitArea: { show: true },
               axisLabel: { color: INK, width: 160, overflow: "truncate" } },
      visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center",
                   bottom: 0, inRange: { color: ["#e8a3a3", "#f3d9a4", "#a9d8b3"] } },
      series: [{ type: "heatmap", data: series.cells, label: { show: true, formatter: function (p) {
        return p.value[2] == null ? "—" : p.value[2] + "%";
      } } }]
    });
  }

  var OPTIONS = { percent_bar: percentBarOption, radar: radarOption, line: lineOption,
                  heatmap: heatmapOption };

  function isEmpty(series) {
    if (series.kind === "radar") {
      return !series.indicators.length;
    }
    if (series.kind === "heatmap") {
      return !series.cells.length;
    }
    if (series.kind === "line") {
      return !series.labels.length;
    }
    return !series.values.some(function (v) { return v != null && v !== 0; });
  }

  function showEmpty(el) {
    el.classList.add("ql-empty");
    el.textContent = el.getAttribute("data-empty-text") || "暂无数据";
  }

  /* Bars and pies come from charts.js; a grade chart then gets one colour per grade. */
  function drawCommon(el, series) {
    var chart = window.QinglianCharts ? window.QinglianCharts.draw(el, series) : null;
    if (chart && series.colors) {
      chart.setOption({ color: series.colors, series: [{ colorBy: "data" }] });
    }
    return chart;
  }

  function draw(el, series) {
    if (series.kind === "bar" || series.kind === "pie") {
      return drawCommon(el, series);
    }
    if (isEmpty(series) || !OPTIONS[series.kind]) {
      showEmpty(el);
      return null;
    }
    if (series.kind === "heatmap") {
      el.style.height = Math.max(300, 60 + series.y.length * 34) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(OPTIONS[series.kind](series));
    return chart;
  }

  function init() {
    var source = document.getElementById("result-chart-data");
    if (!source || !window.echarts) {
      return [];
    }
    var all = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-result-chart]").forEach(function (el) {
      var series = all[el.getAttribute("data-result-chart")];
      var chart = series ? draw(el, series) : null;
      if (chart) {
        charts.push(chart);
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    return charts;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

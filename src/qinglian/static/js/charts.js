/* Qinglian dashboard charts (Apache ECharts).
 *
 * Reads the chart series the server put in <script id="chart-data" type="application/json">
 * (Django's json_script) and draws every element with a data-chart="<key>" attribute.
 * Each series is {title, kind: "bar" | "pie", labels: [...], values: [...]}.
 */
(function () {
  "use strict";

  var PALETTE = ["#9e1b1b", "#2b3a4d", "#c0843d", "#3f7f6e", "#6b5b95", "#d46a6a",
                 "#5b8db8", "#8a9a5b", "#b0615a", "#7a8595"];
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  /* Bars lie down when their labels would not fit side by side under the chart. */
  function lying(el, series) {
    var longest = series.labels.reduce(function (m, l) { return Math.max(m, l.length); }, 0);
    var slot = (el.clientWidth || 400) / Math.max(series.labels.length, 1);
    return series.labels.length > 6 || longest * 13 > slot;
  }

  function barOption(series, horizontal) {
    var categoryAxis = {
      type: "category",
      data: series.labels,
      axisTick: { alignWithLabel: true },
      axisLabel: { interval: 0, width: 150, overflow: "truncate", color: "#4a5360" },
      inverse: horizontal
    };
    var valueAxis = { type: "value", minInterval: 1, axisLabel: { color: "#6b7480" },
                      splitLine: { lineStyle: { color: "#eef0f3" } } };
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 36, top: 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: [{
        type: "bar",
        name: series.title,
        data: series.values,
        barMaxWidth: 28,
        itemStyle: { borderRadius: horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0] },
        label: { show: true, position: horizontal ? "right" : "top", color: "#4a5360" }
      }]
    };
  }

  function pieOption(series) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item", formatter: "{b}：{c} 家（{d}%）" },
      legend: { bottom: 0, type: "scroll", textStyle: { color: "#4a5360" } },
      series: [{
        type: "pie",
        name: series.title,
        radius: ["32%", "56%"],
        center: ["50%", "45%"],
        avoidLabelOverlap: true,
        minShowLabelAngle: 3,
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        label: { formatter: "{b}\n{c}", overflow: "none", color: "#4a5360" },
        labelLine: { length: 8, length2: 8 },
        data: series.labels.map(function (label, i) {
          return { name: label, value: series.values[i] };
        })
      }]
    };
  }

  function showEmpty(el) {
    el.classList.add("ql-empty");
    el.textContent = el.getAttribute("data-empty-text") || "暂无数据";
  }

  function draw(el, series) {
    var total = series.values.reduce(function (a, b) { return a + b; }, 0);
    if (!series.values.length || total === 0) {
      showEmpty(el);
      return null;
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(series.kind === "pie" ? pieOption(series) : barOption(series, lying(el, series)));
    return chart;
  }

  function init() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) {
      return [];
    }
    var all = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var series = all[el.getAttribute("data-chart")];
      if (series) {
        var chart = draw(el, series);
        if (chart) {
          charts.push(chart);
        }
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    return charts;
  }

  window.QinglianCharts = { init: init, draw: draw };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Qinglian risk heat maps (Apache ECharts): two 5 × 5 grids, inherent and residual risk.
 *
 * Reads <script id="risk-heatmap-data" type="application/json"> (Django's json_script):
 *   {bands: [{level, label, min, colour}], inherent: [[likelihood, impact, count], …],
 *    residual: […], link: "/risk/?org=1&"}
 * and draws every element with data-risk-heatmap="inherent" | "residual". Each cell is coloured
 * by its level (likelihood × impact), shows how many points sit in it, and a click opens the
 * register filtered to that cell. Words come from the element's data-* attributes (translated
 * on the server); no user data is ever put into a script.
 */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var INK = "#4a5360";
  var SCALE = [1, 2, 3, 4, 5];
  var DARK = { major: true, high: true };  // white numbers on the dark cells

  function bandOf(bands, score) {
    for (var i = 0; i < bands.length; i++) {
      if (score >= bands[i].min) {
        return bands[i];
      }
    }
    return bands[bands.length - 1];
  }

  function cells(all, counts) {
    var found = {};
    counts.forEach(function (c) { found[c[0] + ":" + c[1]] = c[2]; });
    var data = [];
    SCALE.forEach(function (likelihood) {
      SCALE.forEach(function (impact) {
        var count = found[likelihood + ":" + impact] || 0;
        var band = bandOf(all.bands, likelihood * impact);
        data.push({
          value: [impact - 1, likelihood - 1, count],
          band: band,
          itemStyle: { color: band.colour, opacity: count ? 1 : 0.28,
                       borderColor: "#fff", borderWidth: 2 },
          label: { color: DARK[band.level] ? "#fff" : "#1f2d3d" }
        });
      });
    });
    return data;
  }

  function option(el, data) {
    var words = el.dataset;
    return {
      textStyle: { fontFamily: FONT },
      tooltip: {
        position: "top",
        formatter: function (p) {
          var v = p.data.value;
          return (words.yName || "") + " " + (v[1] + 1) + " × " + (words.xName || "") + " " +
            (v[0] + 1) + "<br>" + p.data.band.label + "（" + (v[0] + 1) * (v[1] + 1) + "）：" +
            v[2] + " " + (words.unit || "");
        }
      },
      grid: { left: 56, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: SCALE.map(String), name: words.xName || "",
               nameLocation: "middle", nameGap: 28, axisLabel: { color: INK },
               splitArea: { show: false } },
      yAxis: { type: "category", data: SCALE.map(String), name: words.yName || "",
               nameLocation: "middle", nameGap: 32, axisLabel: { color: INK },
               splitArea: { show: false } },
      series: [{
        type: "heatmap",
        data: data,
        label: { show: true, fontSize: 16, fontWeight: "bold",
                 formatter: function (p) { return p.data.value[2] ? String(p.data.value[2]) : ""; } },
        emphasis: { itemStyle: { shadowBlur: 8, shadowColor: "rgba(0,0,0,.25)" } }
      }]
    };
  }

  function init() {
    var source = document.getElementById("risk-heatmap-data");
    if (!source || !window.echarts) {
      return [];
    }
    var all = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-risk-heatmap]").forEach(function (el) {
      var basis = el.getAttribute("data-risk-heatmap");
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(el, cells(all, all[basis] || [])));
      chart.on("click", function (p) {
        var v = p.data.value;
        if (v[2]) {
          window.location.href = all.link + "basis=" + basis + "&likelihood=" + (v[1] + 1) +
            "&impact=" + (v[0] + 1);
        }
      });
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
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

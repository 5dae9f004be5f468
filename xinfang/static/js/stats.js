/* Statistics dashboard charts (ECharts, served locally). Data comes from {{ chart_data|json_script:"stats-data" }}. */
(function () {
  "use strict";
  var RED = "#b3261e", BLUE = "#0b57d0";

  function barOption(rows) {
    var labels = rows.map(function (r) { return r.label; }).reverse();
    var values = rows.map(function (r) { return r.count; }).reverse();
    return {
      grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, axisLabel: { width: 90, overflow: "truncate" } },
      series: [{ type: "bar", data: values, itemStyle: { color: RED }, label: { show: true, position: "right" }, barMaxWidth: 22 }]
    };
  }

  function seriesOption(series) {
    var rows = series.rows || [];
    return {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["登记", "已答复", "按期答复"] },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "登记", type: "line", data: rows.map(function (r) { return r.total; }), itemStyle: { color: RED } },
        { name: "已答复", type: "line", data: rows.map(function (r) { return r.replied; }), itemStyle: { color: "#888" } },
        { name: "按期答复", type: "line", data: rows.map(function (r) { return r.on_time; }), itemStyle: { color: BLUE } }
      ]
    };
  }

  function init() {
    var node = document.getElementById("stats-data");
    if (!node || !window.echarts) { return; }
    var data = JSON.parse(node.textContent);
    var charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var rows = data[kind];
      var option = kind === "series" ? seriesOption(rows) : barOption(rows || []);
      var empty = kind === "series" ? !(rows && rows.rows && rows.rows.length) : !(rows && rows.length);
      if (empty) {
        el.classList.add("empty");
        el.textContent = "本期无数据";
        return;
      }
      if (kind !== "series") { el.style.height = Math.max(200, 40 + rows.length * 30) + "px"; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();

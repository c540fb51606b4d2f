// Identification charts. Data come from the page (json_script); nothing is fetched.
//  - #identification-scatter: context index against the failure share, with the expected line;
//  - .verdict-chart: one school's failure share by year and over the window against the share
//    its context predicts, each with its interval (whiskers).
// ECharts is loaded on demand when the page has not loaded it already.
(function () {
  "use strict";
  var NBSP = "\u00a0";
  var COLORS = {
    low_results: "#b42318",
    risk: "#d9822b",
    resilient: "#2f8f5b",
    leader: "#1f5fa8",
    other: "#9aa5b1",
  };

  function percent(value) {
    return value === null || value === undefined ? "—" : String(value).replace(".", ",") + NBSP + "%";
  }

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function withEcharts(holder, draw) {
    if (typeof echarts !== "undefined") {
      draw();
      return;
    }
    var load = function (src, next) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = next;
      document.head.appendChild(script);
    };
    load(holder.dataset.echarts, function () { load(holder.dataset.lang, draw); });
  }

  function scatter(holder) {
    var data = readData(holder.dataset.source);
    if (!data) { return; }
    var series = data.series.map(function (group) {
      return {
        name: group.name,
        type: "scatter",
        symbolSize: 8,
        itemStyle: { color: COLORS[group.code] || COLORS.other, opacity: 0.85 },
        data: group.data,
      };
    });
    if (data.expected.length) {
      series.push({
        name: "ожидаемая доля",
        type: data.expected_is_line ? "line" : "scatter",
        showSymbol: !data.expected_is_line,
        symbolSize: 5,
        lineStyle: { color: "#1d2733", width: 2 },
        itemStyle: { color: "#1d2733" },
        data: data.expected,
        tooltip: { show: false },
        z: 1,
      });
    }
    var chart = echarts.init(holder, null, { locale: "RU" });
    chart.setOption({
      legend: { top: 0 },
      grid: { left: 64, right: 24, top: 40, bottom: 48 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          if (!d || !d.code) { return ""; }
          return d.name + " (" + d.code + ")<br>индекс контекста: " +
            String(d.value[0]).replace(".", ",") + "<br>доля неуспешных: " + percent(d.value[1]) +
            (d.categories ? "<br>" + d.categories : "");
        },
      },
      xAxis: { type: "value", name: "индекс социального неблагополучия", nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", name: "доля неуспешных", nameLocation: "middle", nameGap: 44, min: 0, axisLabel: { formatter: "{value}" + NBSP + "%" } },
      series: series,
    });
    holder.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function whiskers(color, shift) {
    return function (params, api) {
      var value = api.value(1);
      if (value === null || value === undefined || isNaN(value)) { return null; }
      var band = api.size([1, 0])[0];
      var center = api.coord([api.value(0), value]);
      var x = center[0] + band * shift;
      var lo = api.coord([api.value(0), api.value(2)])[1];
      var hi = api.coord([api.value(0), api.value(3)])[1];
      var cap = Math.min(8, band * 0.08);
      var stroke = { stroke: color, lineWidth: 1.5 };
      return {
        type: "group",
        children: [
          { type: "line", shape: { x1: x, y1: lo, x2: x, y2: hi }, style: stroke },
          { type: "line", shape: { x1: x - cap, y1: lo, x2: x + cap, y2: lo }, style: stroke },
          { type: "line", shape: { x1: x - cap, y1: hi, x2: x + cap, y2: hi }, style: stroke },
          { type: "circle", shape: { cx: x, cy: center[1], r: 6 }, style: { fill: color } },
        ],
      };
    };
  }

  function verdictChart(holder) {
    var data = readData(holder.dataset.source);
    if (!data) { return; }
    var rows = function (values) {
      return values.map(function (v, i) { return v ? [i, v[0], v[1], v[2]] : [i, null, null, null]; });
    };
    var chart = echarts.init(holder, null, { locale: "RU" });
    var series = [
      { name: "фактическая доля", type: "custom", renderItem: whiskers("#b42318", -0.12), itemStyle: { color: "#b42318" }, data: rows(data.actual), encode: { x: 0, y: [1, 2, 3] } },
    ];
    if (data.expected.some(function (v) { return v; })) {
      series.push({ name: "ожидаемая при таком контексте", type: "custom", renderItem: whiskers("#1f5fa8", 0.12), itemStyle: { color: "#1f5fa8" }, data: rows(data.expected), encode: { x: 0, y: [1, 2, 3] } });
    }
    chart.setOption({
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 32 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = p.data;
          return data.labels[v[0]] + "<br>" + p.seriesName + ": " + percent(v[1]) +
            " (интервал " + percent(v[2]) + " – " + percent(v[3]) + ")";
        },
      },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}" + NBSP + "%" } },
      series: series,
    });
    holder.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var holders = document.querySelectorAll("[data-identification-chart]");
    Array.prototype.forEach.call(holders, function (holder) {
      withEcharts(holder, function () {
        if (holder.dataset.identificationChart === "scatter") { scatter(holder); }
        else { verdictChart(holder); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Charts of the programs pages. Data come from the page (json_script); nothing is fetched.
//  [data-programs-chart="indicator"]      actual value (bar in the traffic-light colour) and
//                                          target (dashed line) by year, one per indicator;
//  [data-programs-chart="municipalities"] one indicator of one year by municipality, the
//                                          indicator chosen in #municipality-chart-indicator;
//  [data-programs-chart="completion"]     due points of a roadmap by year, stacked by state;
//  [data-programs-chart="overdue"]        overdue and done points of school roadmaps by
//                                          municipality.
// Each holder names its json_script in data-source; "indicator" holders also data-index.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  var NBSP = "\u00a0";
  var LIGHTS = { green: "#3c9a4f", yellow: "#e8b923", red: "#d9534f", grey: "#c8ccd0" };
  var STATES = {
    done_on_time: "#3c9a4f",
    done_late: "#9fd3a9",
    in_progress: "#e8b923",
    planned: "#b8c4d0",
    overdue: "#d9534f",
    cancelled: "#8c8c8c",
  };
  var cache = {};

  function readData(id) {
    if (!(id in cache)) {
      var node = document.getElementById(id);
      cache[id] = node ? JSON.parse(node.textContent) : null;
    }
    return cache[id];
  }

  function number(value, unit) {
    if (value === null || value === undefined) {
      return "нет данных";
    }
    var text = String(Math.round(value * 10) / 10).replace(".", ",");
    return unit ? text + NBSP + unit : text;
  }

  function valueAxis(unit) {
    var axis = { type: "value", min: 0, axisLabel: { formatter: function (v) { return number(v, unit); } } };
    if (unit === "%") {
      axis.max = function (range) { return Math.min(100, Math.max(10, Math.ceil(range.max / 10) * 10)); };
    }
    return axis;
  }

  function indicator(holder) {
    var all = readData(holder.dataset.source);
    var data = all && all[Number(holder.dataset.index)];
    if (!data) { return null; }
    var chart = echarts.init(holder, null, { locale: "RU", renderer: "canvas" });
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (points) {
          var lines = [points[0].axisValueLabel];
          points.forEach(function (p) {
            lines.push(p.marker + p.seriesName + ": " + number(p.value, data.unit));
          });
          return lines.join("<br>");
        },
      },
      legend: { data: ["цель"], bottom: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 12, top: 16, bottom: 44 },
      xAxis: { type: "category", data: data.years.map(String) },
      yAxis: valueAxis(data.unit),
      series: [
        {
          name: "значение",
          type: "bar",
          barMaxWidth: 28,
          itemStyle: { color: LIGHTS.green },
          data: data.actual.map(function (value, i) {
            return { value: value, itemStyle: { color: LIGHTS[data.lights[i]] || LIGHTS.grey } };
          }),
          label: {
            show: true,
            position: "top",
            fontSize: 10,
            formatter: function (p) { return p.value === null ? "" : number(p.value, data.unit); },
          },
        },
        {
          name: "цель",
          type: "line",
          data: data.target,
          connectNulls: true,
          symbol: "diamond",
          symbolSize: 7,
          lineStyle: { type: "dashed", color: "#1d2733" },
          itemStyle: { color: "#1d2733" },
        },
      ],
    });
    return chart;
  }

  function municipalities(holder) {
    var data = readData(holder.dataset.source);
    if (!data) { return null; }
    var select = document.getElementById("municipality-chart-indicator");
    holder.style.height = Math.max(160, 60 + 26 * data.municipalities.length) + "px";
    var chart = echarts.init(holder, null, { locale: "RU", renderer: "canvas" });
    var draw = function () {
      var index = select ? Number(select.value) : 0;
      var item = data.indicators[index] || data.indicators[0];
      var series = {
        name: item.code + " " + data.year,
        type: "bar",
        barMaxWidth: 18,
        data: item.values.map(function (value, i) {
          return { value: value, itemStyle: { color: LIGHTS[item.lights[i]] || LIGHTS.grey } };
        }),
        label: {
          show: true,
          position: "right",
          fontSize: 11,
          formatter: function (p) { return number(p.value, item.unit); },
        },
      };
      if (item.target !== null) {
        series.markLine = {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: "#1d2733" },
          label: { formatter: "цель " + number(item.target, item.unit), position: "insideEndTop" },
          data: [{ xAxis: item.target }],
        };
      }
      chart.setOption({
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: function (points) {
            var p = points[0];
            return p.axisValueLabel + "<br>" + p.marker + number(p.value, item.unit);
          },
        },
        grid: { left: 8, right: 48, top: 24, bottom: 24, containLabel: true },
        yAxis: { type: "category", inverse: true, data: data.municipalities },
        xAxis: valueAxis(item.unit),
        series: [series],
      }, true);
    };
    draw();
    if (select) { select.addEventListener("change", draw); }
    return chart;
  }

  function completion(holder) {
    var data = readData(holder.dataset.source);
    if (!data) { return null; }
    var chart = echarts.init(holder, null, { locale: "RU", renderer: "canvas" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 56, bottom: 28 },
      xAxis: { type: "category", data: data.years.map(String) },
      yAxis: { type: "value", minInterval: 1, name: "контрольных точек", nameLocation: "middle", nameGap: 28 },
      series: data.series.map(function (s) {
        return {
          name: s.name,
          type: "bar",
          stack: "points",
          barMaxWidth: 48,
          itemStyle: { color: STATES[s.code] },
          data: s.data.map(function (v) { return v || null; }),
        };
      }),
    });
    return chart;
  }

  function overdue(holder) {
    var data = readData(holder.dataset.source);
    if (!data) { return null; }
    holder.style.height = Math.max(160, 70 + 30 * data.municipalities.length) + "px";
    var chart = echarts.init(holder, null, { locale: "RU", renderer: "canvas" });
    var bar = function (name, values, color) {
      return {
        name: name,
        type: "bar",
        barMaxWidth: 16,
        itemStyle: { color: color },
        label: { show: true, position: "right", fontSize: 11, formatter: function (p) { return p.value || ""; } },
        data: values,
      };
    };
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 40, top: 32, bottom: 16, containLabel: true },
      yAxis: { type: "category", inverse: true, data: data.municipalities },
      xAxis: { type: "value", minInterval: 1 },
      series: [
        bar("просрочено", data.overdue, STATES.overdue),
        bar("выполнено", data.done, STATES.done_on_time),
      ],
    });
    return chart;
  }

  var KINDS = {
    indicator: indicator,
    municipalities: municipalities,
    completion: completion,
    overdue: overdue,
  };
  var charts = [];
  document.querySelectorAll("[data-programs-chart]").forEach(function (holder) {
    var draw = KINDS[holder.dataset.programsChart];
    var chart = draw ? draw(holder) : null;
    if (chart) {
      holder.dataset.rendered = "true";
      charts.push(chart);
    }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();

// The school card chart: pooled failure share by year, one line per procedure.
// Data comes from the page (json_script "failure-chart-data"); nothing is fetched.
(function () {
  "use strict";
  var holder = document.getElementById("failure-chart");
  var source = document.getElementById("failure-chart-data");
  if (!holder || !source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var percent = function (value) {
    return String(value).replace(".", ",") + "\u00a0%";
  };
  var chart = echarts.init(holder, null, { locale: "RU", renderer: "canvas" });
  var series = data.series.map(function (line, index) {
    var item = {
      name: line.name,
      type: "line",
      data: line.data,
      connectNulls: false,
      symbolSize: 8,
      label: { show: true, position: "top", formatter: function (p) { return percent(p.value); } },
    };
    if (index === 0) {
      item.markLine = {
        silent: true,
        symbol: "none",
        lineStyle: { type: "dashed", color: "#b42318" },
        label: { formatter: "порог " + data.threshold + "\u00a0%", position: "insideEndTop" },
        data: [{ yAxis: data.threshold }],
      };
    }
    return item;
  });
  chart.setOption({
    color: ["#1f5fa8", "#d9822b", "#2f8f5b", "#7a4cb0", "#8c8c8c"],
    tooltip: {
      trigger: "axis",
      formatter: function (points) {
        var lines = [points[0].axisValueLabel];
        points.forEach(function (p) {
          if (p.data) {
            lines.push(p.marker + p.seriesName + ": " + percent(p.data.value) +
              " (" + p.data.failures + " из " + p.data.participants + ")");
          }
        });
        return lines.join("<br>");
      },
    },
    legend: { top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: 32 },
    xAxis: { type: "category", data: data.years.map(String), boundaryGap: true },
    yAxis: {
      type: "value",
      min: 0,
      max: function (range) { return Math.max(40, Math.ceil(range.max / 10) * 10); },
      axisLabel: { formatter: "{value}\u00a0%" },
    },
    series: series,
  });
  holder.dataset.rendered = "true";
  window.addEventListener("resize", function () { chart.resize(); });
  window.oporaFailureChart = chart;
})();

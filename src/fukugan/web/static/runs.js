/* fukugan (複眼): charts of scenario runs (ECharts, vendored), from JSON embedded in the page. */
(function () {
  "use strict";
  var C = { total: "#0b2a4a", direct: "#b23a2e", indirect: "#1f6fb2", a: "#1f6fb2", b: "#c98a1b" };

  function num(v) {
    if (v == null || isNaN(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(2) + "M";
    if (a >= 1e3) return Math.round(v).toLocaleString();
    if (a >= 1) return v.toFixed(1);
    return v.toPrecision(3);
  }
  function chartOf(el) {
    var c = echarts.getInstanceByDom(el);
    if (c) c.dispose();
    c = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }
  function axis(name) {
    // from 0 unless the data go below it: a loss axis never invents negative values
    return { type: "value", name: name || "", min: function (v) { return v.min >= 0 ? 0 : v.min; },
      nameTextStyle: { color: "#6b7686", fontSize: 11 },
      axisLabel: { formatter: num, color: "#4a5566" }, splitLine: { lineStyle: { color: "#eef1f4" } } };
  }
  function line(name, data, color, width, area) {
    return { name: name, type: "line", data: data, showSymbol: data.length < 40, symbolSize: 5,
      lineStyle: { width: width, color: color }, itemStyle: { color: color },
      areaStyle: area ? { color: color, opacity: 0.08 } : undefined, connectNulls: true };
  }

  var renderers = {
    losses: function (el, d) {
      var L = d.labels, s = d.series;
      // only the lines the engine computed (ARIO: no direct / indirect split)
      var lines = [line(L.total, s.total, C.total, 2.5, true)];
      if (s.direct) { lines.push(line(L.direct, s.direct, C.direct, 1.5)); }
      if (s.indirect) { lines.push(line(L.indirect, s.indirect, C.indirect, 1.5)); }
      chartOf(el).setOption({
        animation: false,
        legend: { top: 0, data: lines.map(function (x) { return x.name; }) },
        grid: { left: 64, right: 20, top: 36, bottom: 40 },
        tooltip: { trigger: "axis", valueFormatter: num },
        xAxis: { type: "category", data: d.t, name: L.day, nameLocation: "middle", nameGap: 26,
          boundaryGap: false, axisLabel: { color: "#4a5566" } },
        yAxis: axis(d.unit),
        series: lines
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-points", String(d.t.length));
    },
    sectors: function (el, d) {
      var rows = d.sectors.slice(0, 12).reverse(), L = d.labels;
      var names = rows.map(function (r) { return r.unit + " " + r.label; });
      var split = rows.length && rows[0].direct !== null && rows[0].direct !== undefined;
      var bars = split ? [
          { name: L.direct, type: "bar", stack: "s", barMaxWidth: 16, data: rows.map(function (r) { return r.direct; }) },
          { name: L.indirect, type: "bar", stack: "s", barMaxWidth: 16, data: rows.map(function (r) { return r.indirect; }) }
        ] : [{ name: L.total, type: "bar", barMaxWidth: 16, data: rows.map(function (r) { return r.total; }) }];
      chartOf(el).setOption({
        animation: false, color: split ? [C.direct, C.indirect] : [C.total],
        legend: { top: 0, data: bars.map(function (x) { return x.name; }) },
        grid: { left: 230, right: 30, top: 30, bottom: 24 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: num },
        xAxis: axis(""),
        yAxis: { type: "category", data: names, axisTick: { show: false },
          axisLabel: { width: 220, overflow: "truncate", fontSize: 11, color: "#1b2430" } },
        series: bars
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-bars", String(rows.length));
    },
    flow: function (el, d) {
      // Sankey: shock → (via …) → reached sector, widths = loss along the path
      var nodes = {}, links = {}, paths = d.paths.slice(0, 12);
      function node(n) { nodes[n] = true; return n; }
      var labelOf = {};
      d.sectors.forEach(function (r) { labelOf[r.unit] = r.unit + " " + r.label; });
      paths.forEach(function (p) {
        var chain = [p.source].concat(p.via || [], [p.target]).map(function (u, i, all) {
          return i === all.length - 1 ? (labelOf[u] || p.target_label && (u + " " + p.target_label) || u) : u;
        });
        for (var i = 0; i + 1 < chain.length; i++) {
          if (chain[i] === chain[i + 1]) continue;
          var k = node(chain[i]) + "\u0000" + node(chain[i + 1]);
          links[k] = (links[k] || 0) + p.weight;
        }
      });
      var data = Object.keys(nodes).map(function (n) { return { name: n }; });
      var ls = Object.keys(links).map(function (k) {
        var ab = k.split("\u0000");
        return { source: ab[0], target: ab[1], value: links[k] };
      });
      chartOf(el).setOption({
        animation: false,
        tooltip: { trigger: "item", valueFormatter: num },
        series: [{
          type: "sankey", left: 10, right: 230, top: 10, bottom: 10, nodeGap: 6, nodeWidth: 12,
          data: data, links: ls, emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", opacity: 0.35 },
          itemStyle: { color: C.indirect, borderWidth: 0 },
          label: { fontSize: 11, color: "#1b2430", width: 220, overflow: "truncate" }
        }]
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-links", String(ls.length));
    },
    mcdaily: function (el, d) {
      // a Monte Carlo sweep: loss per day, mean and median over a 5-95 % band
      var L = d.labels, s = d.series;
      var width = s.q95.map(function (v, i) { return v - s.q05[i]; });
      chartOf(el).setOption({
        animation: false,
        legend: { top: 0, data: [L.mean, L.q50, L.band] },
        grid: { left: 64, right: 20, top: 36, bottom: 40 },
        tooltip: { trigger: "axis", valueFormatter: num },
        xAxis: { type: "category", data: d.t, name: L.day, nameLocation: "middle", nameGap: 26,
          boundaryGap: false, axisLabel: { color: "#4a5566" } },
        yAxis: axis(d.unit),
        series: [
          { name: L.q05, type: "line", data: s.q05, stack: "band", symbol: "none",
            lineStyle: { opacity: 0 }, tooltip: { show: false } },
          { name: L.band, type: "line", data: width, stack: "band", symbol: "none",
            lineStyle: { opacity: 0 }, itemStyle: { color: C.indirect },
            areaStyle: { color: C.indirect, opacity: 0.18 }, tooltip: { show: false } },
          line(L.mean, s.mean, C.total, 2.5, false),
          line(L.q50, s.q50, C.direct, 1.5, false)
        ]
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-points", String(d.t.length));
    },
    mcsectors: function (el, d) {
      // losses by sector across the samples: the 5-95 % range as a floating bar, the
      // median and the mean as marks
      var rows = d.sectors.slice(0, 12).reverse(), L = d.labels;
      var names = rows.map(function (r) { return r.unit + " " + r.label; });
      chartOf(el).setOption({
        animation: false,
        legend: { top: 0, data: [L.band, L.q50, L.mean] },
        grid: { left: 230, right: 30, top: 30, bottom: 24 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
          var r = rows[ps[0].dataIndex];
          return names[ps[0].dataIndex] + "<br>" + L.q05 + ": " + num(r.q05) + "<br>" + L.q50 + ": " +
            num(r.q50) + "<br>" + L.q95 + ": " + num(r.q95) + "<br>" + L.mean + ": " + num(r.mean);
        } },
        xAxis: axis(""),
        yAxis: { type: "category", data: names, axisTick: { show: false },
          axisLabel: { width: 220, overflow: "truncate", fontSize: 11, color: "#1b2430" } },
        series: [
          { name: "base", type: "bar", stack: "r", barMaxWidth: 14, silent: true,
            itemStyle: { color: "transparent" }, data: rows.map(function (r) { return r.q05; }) },
          { name: L.band, type: "bar", stack: "r", barMaxWidth: 14, itemStyle: { color: "#9fc0e3" },
            data: rows.map(function (r) { return Math.max(r.q95 - r.q05, 0); }) },
          { name: L.q50, type: "scatter", symbol: "rect", symbolSize: [3, 16], itemStyle: { color: C.direct },
            data: rows.map(function (r, i) { return [r.q50, i]; }) },
          { name: L.mean, type: "scatter", symbolSize: 7, itemStyle: { color: C.total },
            data: rows.map(function (r, i) { return [r.mean, i]; }) }
        ]
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-bars", String(rows.length));
    },
    compare: function (el, d) {
      chartOf(el).setOption({
        animation: false,
        legend: { top: 0, data: [d.labels.a, d.labels.b] },
        grid: { left: 64, right: 20, top: 36, bottom: 40 },
        tooltip: { trigger: "axis", valueFormatter: num },
        xAxis: { type: "category", data: d.t, name: d.labels.day, nameLocation: "middle", nameGap: 26,
          boundaryGap: false },
        yAxis: axis(d.unit),
        series: [line(d.labels.a, d.a, C.a, 2.5, true), line(d.labels.b, d.b, C.b, 2.5, true)]
      });
      el.setAttribute("data-drawn", "1");
    }
  };

  function draw() {
    document.querySelectorAll("[data-runchart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-source"));
      var fn = renderers[el.getAttribute("data-runchart")];
      if (src && fn) fn(el, JSON.parse(src.textContent));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

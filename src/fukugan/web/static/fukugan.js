/* fukugan (複眼): charts (ECharts) and the world map, from JSON embedded in the page. */
(function () {
  "use strict";
  var PALETTE = ["#1f6fb2", "#b23a2e", "#4c9a6a", "#c98a1b", "#6b5fb5", "#7a8796"];
  var BLUES = ["#eaf2fb", "#bcd6ef", "#7fb0dd", "#3f86c6", "#1b5c99", "#0b2a4a"];
  var worldPromise = null;

  function pct(v) { return (v * 100).toFixed(1) + "%"; }
  function data(el) {
    var src = document.getElementById(el.getAttribute("data-source"));
    return src ? JSON.parse(src.textContent) : null;
  }
  function chartOf(el) {
    var c = echarts.getInstanceByDom(el);
    if (c) c.dispose();
    c = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  // Rings that cross the antimeridian (Russia's Chukotka, Fiji) jump from +180 to -180; a
  // planar projection then draws a band across the whole map. Shift such rings east.
  function unwrap(g) {
    if (!g) return;
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polys.forEach(function (poly) {
      poly.forEach(function (ring) {
        var jumps = false;
        for (var i = 1; i < ring.length; i++) {
          if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) { jumps = true; break; }
        }
        if (jumps) ring.forEach(function (pt) { if (pt[0] < 0) pt[0] += 360; });
      });
    });
  }

  function world() {
    if (!worldPromise) {
      worldPromise = fetch(document.body.getAttribute("data-static") + "vendor/countries-110m.json")
        .then(function (r) { return r.json(); })
        .then(function (topo) {
          var geo = topojson.feature(topo, topo.objects.countries);
          // no Antarctica (id 010): it takes a quarter of the height and produces nothing here
          geo.features = geo.features.filter(function (f) { return f.id !== "010"; });
          geo.features.forEach(function (f) {
            f.properties.num = f.id ? String(parseInt(f.id, 10)) : "";
            unwrap(f.geometry);
          });
          echarts.registerMap("world", geo);
          return geo;
        });
    }
    return worldPromise;
  }

  var renderers = {
    "share-bars": function (el, d) {
      var rows = d.rows.slice(0, 15).reverse();
      var c = chartOf(el);
      c.setOption({
        animation: false,
        grid: { left: 150, right: 60, top: 10, bottom: 30 },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var r = rows[p.dataIndex];
            return r.country + "<br>" + d.labels.share + ": <b>" + pct(r.share) + "</b>" +
              (r.value != null ? "<br>" + d.labels.value + ": " + r.value.toLocaleString() + " " + d.unit : "");
          }
        },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } },
                 splitLine: { lineStyle: { color: "#eef1f4" } } },
        yAxis: { type: "category", data: rows.map(function (r) { return r.country; }),
                 axisLabel: { width: 140, overflow: "truncate" }, axisTick: { show: false } },
        series: [{
          type: "bar", barMaxWidth: 18,
          data: rows.map(function (r) {
            return { value: r.share, itemStyle: { color: r.home ? "#c98a1b" : "#1f6fb2" } };
          }),
          label: { show: true, position: "right", formatter: function (p) { return pct(p.value); },
                   fontSize: 11, color: "#4a5566" }
        }]
      });
      el.setAttribute("data-drawn", "1");
    },
    "share-map": function (el, d) {
      world().then(function (geo) {
        var byNum = {};
        geo.features.forEach(function (f) { byNum[f.properties.num] = f.properties.name; });
        var items = [], max = 0;
        d.rows.forEach(function (r) {
          var name = r.num && byNum[r.num];
          if (name && r.share != null) {
            items.push({ name: name, value: r.share, country: r.country });
            max = Math.max(max, r.share);
          }
        });
        var c = chartOf(el);
        c.setOption({
          animation: false,
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              // a country without a production figure: its name and a dash, never "undefined: NaN%"
              var v = p.data ? Number(p.data.value) : NaN;
              if (p.data && p.data.country && isFinite(v)) {
                return p.data.country + ": <b>" + pct(v) + "</b>";
              }
              return (p.name || "") + ": –";
            }
          },
          visualMap: {
            min: 0, max: max || 1, left: 10, bottom: 10, calculable: false, itemHeight: 90,
            text: [pct(max || 1), "0%"], textStyle: { fontSize: 11, color: "#4a5566" },
            inRange: { color: BLUES.slice(1) }
          },
          series: [{
            type: "map", map: "world", roam: false, nameProperty: "name",
            top: 10, bottom: 10, left: 10, right: 10,
            itemStyle: { areaColor: "#f0f2f5", borderColor: "#c5ccd5", borderWidth: 0.5 },
            emphasis: { label: { show: false }, itemStyle: { areaColor: "#c98a1b" } },
            select: { disabled: true },
            data: items
          }]
        });
        el.setAttribute("data-drawn", "1");
        el.setAttribute("data-regions", String(items.length));
      });
    },
    "history-bars": function (el, d) {
      var c = chartOf(el);
      var years = d.series.map(function (s) { return s.year; });
      c.setOption({
        animation: false, color: ["#9cc3e6", "#1f6fb2", "#4c9a6a", "#c98a1b"],
        legend: { top: 0, data: years },
        grid: { left: 70, right: 20, top: 30, bottom: 60 },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            return d.countries[i] + ps.map(function (p) {
              var s = d.series[p.seriesIndex];
              return "<br>" + p.marker + s.year + ": " +
                (s.values[i] != null ? s.values[i].toLocaleString() + " " + d.unit : "–") +
                (s.shares[i] != null ? " (" + pct(s.shares[i]) + ")" : "");
            }).join("");
          }
        },
        xAxis: { type: "category", data: d.countries, axisTick: { show: false },
                 axisLabel: { interval: 0, width: 90, overflow: "truncate", fontSize: 11,
                   formatter: function (v, i) { return d.home[i] ? "\u25b6 " + v : v; } } },
        yAxis: { type: "value", name: d.unit, nameTextStyle: { align: "left" },
                 splitLine: { lineStyle: { color: "#eef1f4" } } },
        series: d.series.map(function (s) {
          return { name: s.year, type: "bar", barMaxWidth: 22, data: s.values };
        })
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-groups", String(d.countries.length));
    },
    "trade-history": function (el, d) {
      var c = chartOf(el);
      var palette = ["#c0392b", "#1f6fb2", "#4c9a6a", "#c98a1b", "#7d5ba6", "#2a9d9d", "#b0b7bf"];
      var series = d.origins.map(function (o, k) {
        return { name: o.label, type: "bar", stack: "imp", barMaxWidth: 18,
                 itemStyle: { color: palette[k % palette.length] }, data: o.values };
      });
      series.push({ name: d.labels.hhi, type: "line", yAxisIndex: 1, symbol: "circle", symbolSize: 4,
                    itemStyle: { color: "#222" }, lineStyle: { width: 1.5 }, data: d.hhi });
      c.setOption({
        animation: false,
        legend: { top: 0, type: "scroll" },
        grid: { left: 80, right: 50, top: 34, bottom: 40 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            return d.years[i] + ps.map(function (p) {
              if (p.seriesIndex === series.length - 1) {
                return "<br>" + p.marker + d.labels.hhi + ": " + (p.value != null ? p.value.toFixed(3) : "–");
              }
              var sh = d.origins[p.seriesIndex].shares[i];
              return p.value ? "<br>" + p.marker + p.seriesName + ": " + Math.round(p.value).toLocaleString() +
                " USD" + (sh != null ? " (" + pct(sh) + ")" : "") : "";
            }).join("");
          } },
        xAxis: { type: "category", data: d.years, axisTick: { show: false } },
        yAxis: [
          { type: "value", name: "USD", splitLine: { lineStyle: { color: "#eef1f4" } },
            axisLabel: { formatter: function (v) { return v >= 1e9 ? (v / 1e9) + " bn" : v >= 1e6 ? (v / 1e6) + " M" : v.toLocaleString(); } } },
          { type: "value", name: d.labels.hhi, min: 0, max: 1, splitLine: { show: false } }
        ],
        series: series
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-years", String(d.years.length));
      el.setAttribute("data-origins", String(d.origins.length));
    },
    "origin-split": function (el, d) {
      var c = chartOf(el);
      var palette = ["#c98a1b", "#1f6fb2", "#4c9a6a", "#c0392b", "#7d5ba6", "#2a9d9d", "#b0b7bf"];
      var labels = d.industries.slice().reverse();
      c.setOption({
        animation: false,
        legend: { top: 0, type: "scroll" },
        grid: { left: 300, right: 40, top: 30, bottom: 30 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var n = labels.length, i = ps[0].dataIndex;
            return labels[i] + ps.map(function (p) {
              var sh = d.origins[p.seriesIndex].shares[n - 1 - i];
              return p.value ? "<br>" + p.marker + p.seriesName + ": " + Math.round(p.value).toLocaleString() +
                " USD" + (sh != null ? " (" + pct(sh) + ")" : "") : "";
            }).join("");
          } },
        xAxis: { type: "value", splitLine: { lineStyle: { color: "#eef1f4" } },
          axisLabel: { formatter: function (v) { return v >= 1e9 ? (v / 1e9) + " bn" : v >= 1e6 ? (v / 1e6) + " M" : v; } } },
        yAxis: { type: "category", data: labels, axisLabel: { width: 290, overflow: "truncate", fontSize: 11 },
                 axisTick: { show: false } },
        series: d.origins.map(function (o, k) {
          return { name: o.label, type: "bar", stack: "o", barMaxWidth: 14,
                   itemStyle: { color: palette[k % palette.length] }, data: o.values.slice().reverse() };
        })
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-bars", String(d.industries.length));
    },
    "import-content": function (el, d) {
      var n = d.industries.length;
      var labels = d.industries.slice().reverse();
      var c = chartOf(el);
      c.setOption({
        animation: false, color: ["#1f6fb2", "#9cc3e6"],
        legend: { top: 0, data: [d.labels.direct, d.labels.indirect] },
        grid: { left: 300, right: 40, top: 30, bottom: 30 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
          valueFormatter: function (v) { return pct(v); } },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } },
                 splitLine: { lineStyle: { color: "#eef1f4" } } },
        yAxis: { type: "category", data: labels, axisLabel: { width: 290, overflow: "truncate", fontSize: 11 },
                 axisTick: { show: false } },
        series: [
          { name: d.labels.direct, type: "bar", stack: "ic", barMaxWidth: 14, data: d.direct.slice().reverse() },
          { name: d.labels.indirect, type: "bar", stack: "ic", barMaxWidth: 14, data: d.indirect.slice().reverse() }
        ]
      });
      el.setAttribute("data-drawn", "1");
      el.setAttribute("data-bars", String(n));
    }
  };

  function draw(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data(el), fn = renderers[el.getAttribute("data-chart")];
      if (d && fn) fn(el, d);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
    // a choice made with the mouse applies at once; with the keyboard, arrows only move the
    // choice and Enter (or leaving the field) applies it, so browsing the list is not a reload
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      var initial = s.value, keyed = false;
      function apply() { if (s.value !== initial) { initial = s.value; s.form.submit(); } }
      s.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); apply(); } else if (e.key !== "Tab") { keyed = true; }
      });
      s.addEventListener("pointerdown", function () { keyed = false; });
      s.addEventListener("change", function () { if (!keyed) { apply(); } });
      s.addEventListener("blur", function () { if (keyed) { keyed = false; apply(); } });
    });
  });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();

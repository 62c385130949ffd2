/**
 * What runs in the reader's browser: the stylesheet and a small script that turns the chart
 * specs embedded in the page (JSON: x values, series, unit) into uPlot charts. The figures
 * themselves are computed in Node (spectra from the encoded histograms, time series from the
 * intervals); the script only draws them, formats hover values, and redraws on a change of
 * colour scheme, on printing and on resizing.
 *
 * Kept as plain ES2017 text: it is checked by the browser tests (test/browser/), which load
 * a saved report in Chromium and fail on any console error or undrawn chart.
 */

/** Colours: Okabe-Ito for the data (told apart with colour blindness), 🟢/🟡 for thresholds. */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --grid: rgba(31, 35, 40, 0.10);
  --c0: #0072b2; --c1: #d55e00; --c2: #cc79a7; --c3: #56b4e9; --c4: #6e6e6e; --c5: #000000;
  --target: #1a7f37; --current: #bf8700;
  --green: #1a7f37; --yellow: #9a6700; --red: #cf222e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23;
    --grid: rgba(230, 237, 243, 0.12);
    --c0: #58a6ff; --c1: #f47067; --c2: #e69bc9; --c3: #a5d6ff; --c4: #b0b0b0; --c5: #ffffff;
    --target: #3fb950; --current: #e3b341;
    --green: #3fb950; --yellow: #d29922; --red: #f85149;
  }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 1.5rem 2rem 3rem; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
a { color: var(--c0); }
code { font: .88em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel);
  padding: .1em .3em; border-radius: 4px; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.r, th.r { text-align: right; white-space: nowrap; }
tr.sub td { color: var(--muted); }
.muted, .note { color: var(--muted); }
.meta { margin: .2rem 0; }
.gate { display: inline-block; margin: .5rem .5rem .2rem 0; padding: .45rem .8rem; border-radius: 6px; font-weight: 650;
  border: 2px solid var(--line); }
.gate.passed { border-color: var(--green); color: var(--green); }
.gate.failed { border-color: var(--red); color: var(--red); }
.gate.off { color: var(--muted); }
.notice { border-left: 4px solid var(--yellow); padding: .3rem .8rem; background: var(--panel); margin: .6rem 0; }
.notice.bad { border-left-color: var(--red); }
.status-green { color: var(--green); } .status-yellow { color: var(--yellow); } .status-red { color: var(--red); }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0 1.6rem; padding: .8rem; border: 1px solid var(--line); border-radius: 8px; break-inside: avoid; }
figcaption { margin-bottom: .5rem; }
.fig-body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.chart { flex: 1 1 560px; min-width: 320px; min-height: 340px; }
.fig-table { flex: 0 1 auto; max-height: 380px; overflow: auto; }
.fig-table table { margin: 0; font-size: .85rem; }
.fig-note { margin: .5rem 0 0; font-size: .9rem; }
.verdict { font-weight: 600; }
.sw { display: inline-block; width: 1.1em; height: 0; border-top: 3px solid var(--muted); margin: 0 .35em .25em 0; vertical-align: middle; }
.sw.c0 { border-color: var(--c0); } .sw.c1 { border-color: var(--c1); } .sw.c2 { border-color: var(--c2); }
.sw.c3 { border-color: var(--c3); } .sw.c4 { border-color: var(--c4); } .sw.c5 { border-color: var(--c5); }
.uplot { font-family: inherit; }
.u-legend { font-size: .85rem; text-align: left; }
.u-legend th { background: none; font-weight: 600; }
.u-legend th, .u-legend td { border: none; }
.u-legend .u-value { font-variant-numeric: tabular-nums; }
footer { margin-top: 2.5rem; border-top: 1px solid var(--line); padding-top: .8rem; color: var(--muted); font-size: .9rem; }
@media print {
  :root { color-scheme: light;
    --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --panel: #f3f3f3; --grid: rgba(0,0,0,.12);
    --c0: #0072b2; --c1: #d55e00; --c2: #cc79a7; --c3: #56b4e9; --c4: #6e6e6e; --c5: #000;
    --target: #1a7f37; --current: #bf8700; --green: #1a7f37; --yellow: #9a6700; --red: #cf222e; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .fig-body { display: block; }
  .chart { min-height: 0; }
  .chart canvas { max-width: 100%; height: auto !important; }
  .fig-table { max-height: none; overflow: visible; }
  figure, table { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .u-legend .u-value, .u-legend .u-series:first-child { display: none; }
  .sw { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

/** The drawing script; reads `#cb-data` (the chart specs) and needs the global `uPlot`. */
export const REPORT_JS = `
(function () {
  'use strict';
  var dataEl = document.getElementById('cb-data');
  if (!dataEl || typeof uPlot === 'undefined') return;
  var specs = JSON.parse(dataEl.textContent).charts;
  var HEIGHT = 300;
  var live = [];

  function sig(v, digits) {
    if (v === 0) return '0';
    var t = Number(v.toPrecision(digits));
    return Math.abs(t) >= 1000 ? t.toLocaleString('en-US') : String(t);
  }
  // Hover shows 4 significant figures; the tables show 3, as the markdown report does.
  function fmtNs(v, d) {
    d = d || 4;
    var a = Math.abs(v);
    if (a < 1e3) return sig(v, d) + 'ns';
    if (a < 1e6) return sig(v / 1e3, d) + 'us';
    if (a < 1e9) return sig(v / 1e6, d) + 'ms';
    if (a < 60e9) return sig(v / 1e9, d) + 's';
    if (a < 3600e9) return sig(v / 60e9, d) + 'm';
    return sig(v / 3600e9, d) + 'h';
  }
  function fmtBytes(v, d) {
    d = d || 4;
    var a = Math.abs(v);
    if (a < 1024) return Math.round(v) + 'B';
    if (a < 1048576) return sig(v / 1024, d) + 'KB';
    if (a < 1073741824) return sig(v / 1048576, d) + 'MB';
    return sig(v / 1073741824, d) + 'GB';
  }
  function fmtRate(v, d) { return sig(v, d || 4) + '/s'; }
  var FORMAT = { ns: fmtNs, bytes: fmtBytes, per_s: fmtRate };
  // x = 1/(1-p) on spectra: 1 -> "0%", 100 -> "99%", 100000 -> "99.999%".
  function pct(x) {
    var p = 100 * (1 - 1 / x);
    return String(Number(p.toPrecision(Math.max(3, Math.ceil(Math.log10(x)) + 2)))) + '%';
  }
  function seconds(v) {
    if (v >= 3600) return sig(v / 3600, 3) + 'h';
    if (v >= 120) return sig(v / 60, 3) + 'm';
    return sig(v, 3) + 's';
  }

  function palette() {
    var cs = getComputedStyle(document.documentElement);
    var get = function (name) { return cs.getPropertyValue(name).trim(); };
    return {
      fg: get('--fg'), muted: get('--muted'), grid: get('--grid'), target: get('--target'), current: get('--current'), mark: get('--red'),
      series: [get('--c0'), get('--c1'), get('--c2'), get('--c3'), get('--c4'), get('--c5')]
    };
  }

  // Log axes: labels at powers of ten (and 2x, 5x when the range is short), not at every mantissa.
  function logSplits(u, axisIdx, min, max) {
    var out = [];
    var lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
    var mants = hi - lo <= 2 ? [1, 2, 5] : [1];
    for (var e = lo; e <= hi; e++) {
      for (var i = 0; i < mants.length; i++) {
        var v = mants[i] * Math.pow(10, e);
        if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
      }
    }
    return out;
  }
  // Bytes: round steps of KB, MB or GB (1, 2, 2.5 or 5 times a power of ten of the unit), not of 10^n bytes.
  function bytesSplits(u, axisIdx, min, max) {
    var unit = max >= 1073741824 ? 1073741824 : max >= 1048576 ? 1048576 : 1024;
    var raw = (max - min) / unit / 5;
    var pow = Math.pow(10, Math.floor(Math.log10(raw > 0 ? raw : 1)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * pow; }).filter(function (m) { return m >= raw; })[0] * unit;
    var out = [];
    for (var v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(v);
    return out;
  }
  function decades(u, min, max) {
    var lo = Math.pow(10, Math.floor(Math.log10(min > 0 ? min : 1)));
    var hi = Math.pow(10, Math.ceil(Math.log10(max > 0 ? max : 1)));
    return [lo, hi > lo ? hi : lo * 10];
  }
  // Our splits are already chosen for their labels: uPlot's log filter would drop 2x and 5x.
  function keepAll(u, splits) { return splits; }
  function spectrumSplits(u, axisIdx, min, max) {
    return [1, 2, 10, 100, 1000, 10000, 100000].filter(function (v) { return v >= min && v <= max * 1.001; });
  }

  // Marks on the x axis (a capacity, its knee interval): a shaded band, a line, a label at the top.
  function drawMarks(u, marks, color) {
    var ctx = u.ctx, box = u.bbox, px = uPlot.pxRatio || 1;
    ctx.save();
    marks.forEach(function (m) {
      var at = m.at != null ? u.valToPos(m.at, 'x', true) : null;
      if (m.band) {
        var x0 = u.valToPos(m.band[0], 'x', true), x1 = u.valToPos(m.band[1], 'x', true);
        ctx.globalAlpha = 0.18;
        ctx.fillStyle = color;
        ctx.fillRect(x0, box.top, Math.max(2 * px, x1 - x0), box.height);
        ctx.globalAlpha = 1;
        if (at == null) at = (x0 + x1) / 2;
      }
      if (m.at != null) {
        ctx.strokeStyle = color;
        ctx.lineWidth = 2 * px;
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(at, box.top);
        ctx.lineTo(at, box.top + box.height);
        ctx.stroke();
      }
      // The label on the side with room: left of a mark in the right third of the plot.
      var right = at > box.left + box.width * 0.66;
      ctx.fillStyle = color;
      ctx.font = 600 + ' ' + Math.round(12 * px) + 'px system-ui, sans-serif';
      ctx.textAlign = right ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(m.label, at + (right ? -6 : 6) * px, box.top + 6 * px);
    });
    ctx.restore();
  }

  function build(spec, el) {
    var pal = palette();
    var fmt = FORMAT[spec.unit] || function (v) { return sig(v, 4); };
    var spectrum = spec.type === 'spectrum';
    var logY = spectrum || spec.yLog === true;
    var rateX = spec.xUnit === 'per_s';
    var fmtX = spectrum ? pct : rateX ? function (v) { return fmtRate(v, 4); } : seconds;
    var marks = spec.marks || [];
    var series = [{
      label: spectrum ? 'percentile' : rateX ? 'offered' : 'time',
      value: function (u, v) { return v == null ? '-' : fmtX(v); }
    }];
    spec.series.forEach(function (s) {
      var threshold = s.kind !== 'data';
      series.push({
        label: s.label,
        stroke: s.kind === 'target' ? pal.target : s.kind === 'current' ? pal.current : s.kind === 'reference' ? pal.muted : pal.series[s.color % pal.series.length],
        width: threshold ? 1.5 : 2,
        dash: threshold ? [7, 5] : undefined,
        points: { show: !spectrum && !threshold && spec.x.length <= 40, size: 4 },
        value: function (u, v) { return v == null ? '-' : fmt(v); }
      });
    });
    var xMax = spec.x[spec.x.length - 1];
    // An offered rate: room past the last rate for the marks (the generator's limit may lie beyond the curve).
    if (rateX) {
      marks.forEach(function (m) { xMax = Math.max(xMax, m.at != null ? m.at : 0, m.band ? m.band[1] : 0); });
      xMax *= 1.08;
    }
    var axisBase = { stroke: pal.fg, grid: { stroke: pal.grid, width: 1 }, ticks: { stroke: pal.grid, width: 1 } };
    var opts = {
      width: Math.max(300, el.clientWidth),
      height: HEIGHT,
      scales: {
        x: spectrum
          ? { time: false, distr: 3, log: 10, range: function () { return [1, Math.max(10, xMax)]; } }
          : { time: false, range: function () { return [0, xMax > 0 ? xMax : 1]; } },
        // Whole decades, at least one: a phase of one value still gets a readable axis.
        y: logY ? { distr: 3, log: 10, range: decades } : { range: function (u, min, max) { return [0, max > 0 ? max * 1.08 : 1]; } }
      },
      axes: [
        Object.assign({}, axisBase, {
          label: spec.xLabel,
          splits: spectrum ? spectrumSplits : undefined,
          filter: spectrum ? keepAll : undefined,
          values: function (u, vals) { return vals.map(function (v) { return v == null ? '' : spectrum ? pct(v) : rateX ? fmtRate(v, 3) : seconds(v); }); }
        }),
        Object.assign({}, axisBase, {
          label: spec.yLabel,
          size: 64,
          splits: logY ? logSplits : spec.unit === 'bytes' ? bytesSplits : undefined,
          filter: logY ? keepAll : undefined,
          values: function (u, vals) { return vals.map(function (v) { return v == null ? '' : fmt(v, 3); }); }
        })
      ],
      series: series,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: marks.length > 0 ? { draw: [function (u) { drawMarks(u, marks, pal.mark); }] } : {}
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    return new uPlot(opts, data, el);
  }

  function drawAll() {
    live.forEach(function (c) { if (c.u) c.u.destroy(); });
    live = [];
    specs.forEach(function (spec) {
      var el = document.querySelector('[data-chart="' + spec.id + '"]');
      if (el) live.push({ el: el, u: build(spec, el) });
    });
  }

  drawAll();
  // Colours come from CSS variables: redraw when the scheme changes, and in the print palette for printing.
  var dark = window.matchMedia('(prefers-color-scheme: dark)');
  if (dark.addEventListener) dark.addEventListener('change', drawAll);
  // matchMedia('print') fires once the print layout applies, so the widths read are the page's.
  var print = window.matchMedia('print');
  if (print.addEventListener) print.addEventListener('change', drawAll);
  var pending = false;
  window.addEventListener('resize', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      live.forEach(function (c) { c.u.setSize({ width: Math.max(300, c.el.clientWidth), height: HEIGHT }); });
    });
  });
})();
`;

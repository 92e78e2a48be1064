// fiml-perf charts: the one chart module of the HTML report and the live UI (uPlot). It draws
// series in the shape src/report/html/series.ts makes (columns: t, rps, failures, users, conns,
// p50, p90, p95, p99, max, and intended and dropped for open models), and makes tables sortable
// and filterable. A chart's `update` redraws it with new data, as the live UI does every second.
window.FimlCharts = (() => {
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(name).trim();
  const C = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'].map(colour);
  const FAIL = colour('--fail');
  const HEIGHT = 260;
  /** Every chart drawn, for resizing. */
  const charts = new Set();

  const fmtMs = (v) =>
    v == null ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  const fmtSeconds = (v) =>
    v == null
      ? ''
      : v >= 3600
        ? `${(v / 3600).toFixed(1)}h`
        : v >= 120
          ? `${(v / 60).toFixed(0)}m`
          : `${v}s`;

  function widthOf(el) {
    return Math.max(320, Math.floor(el.getBoundingClientRect().width || 800));
  }

  /** Vertical lines at moments of the run (a spike's start and end, a change of users), labelled. */
  function drawMarks(u) {
    const marks = u.fimlMarks;
    if (!marks || marks.length === 0) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = colour('--muted');
    ctx.fillStyle = colour('--fg');
    ctx.setLineDash([3, 3]);
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    for (const mark of marks) {
      const x = Math.round(u.valToPos(mark.t, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillText(mark.label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  /**
   * The span of the run its figures do not cover (`{ fromS, toS, label }`: a distributed run that
   * lost Redis), shaded and labelled: a gap in the lines, not a drop to zero.
   */
  function drawUnknown(u) {
    const span = u.fimlUnknown;
    if (!span) return;
    const left = Math.max(u.bbox.left, Math.round(u.valToPos(span.fromS, 'x', true)));
    const right = Math.min(u.bbox.left + u.bbox.width, Math.round(u.valToPos(span.toS, 'x', true)));
    if (right <= left) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(128,128,128,0.16)';
    ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
    ctx.fillStyle = colour('--muted');
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    // The axes' drawing may leave another alignment set.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(span.label, left + 4 * devicePixelRatio, u.bbox.top + 28 * devicePixelRatio);
    ctx.restore();
  }

  /** The x scale: the data's, or up to the end of an unknown span (no data there to set it). */
  function timeScale(unknown) {
    return unknown
      ? { time: false, range: (_u, min, max) => [min ?? 0, Math.max(max ?? 0, unknown.toS)] }
      : { time: false };
  }

  /**
   * A uPlot chart in `el`, with `update(data, marks)` to redraw it with new values (same series)
   * and `destroy()` to remove it.
   */
  function chart(el, opts, values, marks, toValues, unknown) {
    const plot = new uPlot(
      { width: widthOf(el), height: HEIGHT, ...opts, hooks: { draw: [drawUnknown, drawMarks] } },
      values,
      el,
    );
    plot.fimlMarks = marks || [];
    plot.fimlUnknown = unknown;
    const entry = { plot, el };
    charts.add(entry);
    return {
      plot,
      update(data, nextMarks) {
        if (nextMarks) plot.fimlMarks = nextMarks;
        plot.setData(toValues(data));
      },
      destroy() {
        charts.delete(entry);
        plot.destroy();
      },
    };
  }

  /** A horizontal line at `value` over the run, drawn as a dashed series. */
  const flat = (t, value) => t.map(() => value);

  function timeAxis() {
    return { label: 'time into the run', values: (_u, ticks) => ticks.map(fmtSeconds) };
  }

  /** The baseline's values at the current run's times (nearest earlier second), for overlays. */
  function alignTo(t, bt, bv) {
    const out = [];
    let j = 0;
    for (const x of t) {
      while (j + 1 < bt.length && bt[j + 1] <= x) j++;
      out.push(bt.length && bt[j] <= x ? bv[j] : null);
    }
    return out;
  }

  /**
   * Requests/s with failures/s and users; for open models the scheduled rate and the dropped
   * iterations; a baseline's requests/s under them. Options: baseline, marks, open (draw the
   * open model's lines even before the data has them), unknown (a span not seen, shaded).
   */
  function throughput(el, s, options = {}) {
    const { baseline, marks, unknown } = options;
    // The live UI says whether the model is open; the report goes by the data it has.
    const open = options.open ?? Boolean(s.intended);
    const dropped = options.open ?? Boolean(s.dropped);
    const series = [
      {},
      { label: 'requests/s', stroke: C[0], width: 2 },
      { label: 'failures/s', stroke: FAIL, width: 2 },
      { label: 'users', stroke: C[2], scale: 'users', dash: [4, 4] },
      { label: 'new connections/s', stroke: C[3], show: false },
    ];
    if (open) series.push({ label: 'scheduled iterations/s', stroke: C[1], dash: [6, 3] });
    if (dropped)
      series.push({ label: 'dropped iterations/s', stroke: C[4], dash: [2, 2], width: 2 });
    if (baseline)
      series.push({ label: 'baseline requests/s', stroke: colour('--muted'), dash: [2, 4] });
    const toValues = (d) => {
      const values = [d.t, d.rps, d.failures, d.users, d.conns];
      if (open) values.push(d.intended || d.t.map(() => null));
      if (dropped) values.push(d.dropped || d.t.map(() => null));
      if (baseline) values.push(alignTo(d.t, baseline.t, baseline.rps));
      return values;
    };
    return chart(
      el,
      {
        scales: { x: timeScale(unknown) },
        axes: [
          timeAxis(),
          { label: 'per second' },
          { scale: 'users', side: 1, label: 'users', grid: { show: false } },
        ],
        series,
      },
      toValues(s),
      marks,
      toValues,
      unknown,
    );
  }

  /** Latency percentiles a second, with the targets' thresholds as dashed lines. */
  function latency(el, s, options = {}) {
    const { baseline, marks, unknown } = options;
    const thresholds = options.thresholds || [];
    const series = [
      {},
      { label: 'p50', stroke: C[0], width: 2, value: (_u, v) => fmtMs(v) },
      { label: 'p90', stroke: C[1], value: (_u, v) => fmtMs(v) },
      { label: 'p95', stroke: C[2], value: (_u, v) => fmtMs(v) },
      { label: 'p99', stroke: C[4], width: 2, value: (_u, v) => fmtMs(v) },
      { label: 'max', stroke: C[3], show: false, value: (_u, v) => fmtMs(v) },
    ];
    for (const th of thresholds)
      series.push({ label: `target ${th.label}`, stroke: FAIL, dash: [8, 4], width: 1 });
    if (baseline) {
      series.push({ label: 'baseline p95', stroke: colour('--muted'), dash: [2, 4] });
      series.push({ label: 'baseline p99', stroke: colour('--muted'), dash: [6, 3] });
    }
    const toValues = (d) => {
      const values = [d.t, d.p50, d.p90, d.p95, d.p99, d.max];
      for (const th of thresholds) values.push(flat(d.t, th.ms));
      if (baseline) {
        values.push(alignTo(d.t, baseline.t, baseline.p95));
        values.push(alignTo(d.t, baseline.t, baseline.p99));
      }
      return values;
    };
    // The scale follows the shown series: a target far above them (500 ms over a 40 ms run)
    // would flatten every line, so a target sets the scale only within twice their highest value.
    const range = (u) => {
      let top = 0;
      u.series.forEach((line, i) => {
        if (i === 0 || !line.show || String(line.label).startsWith('target')) return;
        for (const v of u.data[i]) if (v != null && v > top) top = v;
      });
      const near = thresholds.filter((th) => th.ms <= 2 * top).map((th) => th.ms);
      return [0, Math.max(top, ...near) * 1.1 || 1];
    };
    return chart(
      el,
      {
        scales: { x: timeScale(unknown), y: { range } },
        axes: [timeAxis(), { label: 'ms' }],
        series,
        // Bands between the percentiles, so the spread reads at a glance.
        bands: [
          { series: [2, 1], fill: 'rgba(0,114,178,0.10)' },
          { series: [4, 2], fill: 'rgba(230,159,0,0.10)' },
        ],
      },
      toValues(s),
      marks,
      toValues,
      unknown,
    );
  }

  /** A latency histogram: request counts up to each bound (`{upperMs, counts}`). */
  function distribution(el, d) {
    let bounds = d.upperMs;
    const toValues = (next) => {
      bounds = next.upperMs;
      return [next.upperMs.map((_v, i) => i), next.counts];
    };
    const values = toValues(d);
    const handle = chart(
      el,
      {
        scales: { x: { time: false, range: (_u, _lo, hi) => [-0.5, Math.max(hi, 0) + 0.5] } },
        axes: [
          {
            label: 'latency up to (ms)',
            values: (_u, ticks) =>
              ticks.map((i) => (Number.isInteger(i) && bounds[i] != null ? fmtMs(bounds[i]) : '')),
          },
          { label: 'requests' },
        ],
        series: [
          {
            value: (_u, i) =>
              i == null || bounds[i] == null ? '' : `up to ${fmtMs(bounds[i])} ms`,
          },
          {
            label: 'requests',
            stroke: C[0],
            fill: 'rgba(0,114,178,0.45)',
            paths: uPlot.paths.bars({ size: [0.9, 40] }),
            points: { show: false },
          },
        ],
      },
      values,
      [],
      toValues,
    );
    return handle;
  }

  /** Sorts a table by a column when its header's button is pressed (`data-v` holds raw values). */
  function sortable(table) {
    const headers = [...table.querySelectorAll('thead th')];
    for (const th of headers) {
      const button = th.querySelector('button');
      if (!button) continue;
      button.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        for (const other of headers)
          if (other.hasAttribute('aria-sort')) other.setAttribute('aria-sort', 'none');
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        sortRows(table);
      });
    }
  }

  /** Puts a table's rows in the order its headers' `aria-sort` asks for (after new rows came). */
  function sortRows(table) {
    const headers = [...table.querySelectorAll('thead th')];
    const column = headers.findIndex((th) => {
      const sort = th.getAttribute('aria-sort');
      return sort === 'ascending' || sort === 'descending';
    });
    if (column < 0) return;
    const ascending = headers[column].getAttribute('aria-sort') === 'ascending';
    const body = table.tBodies[0];
    const rows = [...body.rows];
    const key = (row) => {
      const cell = row.cells[column];
      const raw = cell?.dataset.v ?? cell?.textContent ?? '';
      const n = Number(raw);
      return raw !== '' && Number.isFinite(n) ? n : raw.toLowerCase();
    };
    rows.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    });
    for (const row of rows) body.appendChild(row);
  }

  /** Hides the rows of the table named by `data-filter` that do not contain the typed text. */
  function filterable(input) {
    const table = document.getElementById(input.dataset.filter);
    if (!table) return;
    const apply = () => {
      const needle = input.value.trim().toLowerCase();
      for (const row of table.tBodies[0].rows)
        row.hidden = needle !== '' && !row.textContent.toLowerCase().includes(needle);
    };
    input.addEventListener('input', apply);
    return apply;
  }

  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { plot, el } of charts) plot.setSize({ width: widthOf(el), height: HEIGHT });
    });
  });
  window.addEventListener('beforeprint', () => {
    for (const { plot } of charts) plot.setSize({ width: 680, height: 220 });
  });

  return {
    colour,
    fmtMs,
    fmtSeconds,
    throughput,
    latency,
    distribution,
    sortable,
    sortRows,
    filterable,
  };
})();

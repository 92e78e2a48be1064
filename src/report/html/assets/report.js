// fiml-perf report: draws the charts (uPlot) from the data embedded in the page, and makes the
// tables sortable and filterable. The page works without it (every figure is in a table), and it
// makes no request: the data is in <script id="report-data">.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(name).trim();
  const C = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'].map(colour);
  const FAIL = colour('--fail');
  const charts = [];

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

  /** Vertical lines at moments of the run (a spike's start and end, its recovery), labelled. */
  const markerHook = (marks) => (u) => {
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
  };

  function chart(el, opts, series, marks = []) {
    const hooks = marks.length ? { draw: [markerHook(marks)] } : undefined;
    const plot = new uPlot(
      { width: widthOf(el), height: 260, ...opts, ...(hooks ? { hooks } : {}) },
      series,
      el,
    );
    charts.push({ plot, el });
    return plot;
  }

  /** A horizontal line at `value` over the run, drawn as a dashed series. */
  const flat = (t, value) => t.map(() => value);

  function timeAxis() {
    return { label: 'time into the run', values: (_u, ticks) => ticks.map(fmtSeconds) };
  }

  function throughputChart(el, s, baseline, marks) {
    const series = [
      {},
      { label: 'requests/s', stroke: C[0], width: 2 },
      { label: 'failures/s', stroke: FAIL, width: 2 },
      { label: 'users', stroke: C[2], scale: 'users', dash: [4, 4] },
      { label: 'new connections/s', stroke: C[3], show: false },
    ];
    const values = [s.t, s.rps, s.failures, s.users, s.conns];
    if (s.intended) {
      series.push({ label: 'scheduled iterations/s', stroke: C[1], dash: [6, 3] });
      values.push(s.intended);
    }
    if (s.dropped) {
      series.push({ label: 'dropped iterations/s', stroke: C[4], dash: [2, 2], width: 2 });
      values.push(s.dropped);
    }
    if (baseline) {
      series.push({ label: 'baseline requests/s', stroke: colour('--muted'), dash: [2, 4] });
      values.push(alignTo(s.t, baseline.t, baseline.rps));
    }
    return chart(
      el,
      {
        scales: { x: { time: false } },
        axes: [
          timeAxis(),
          { label: 'per second' },
          { scale: 'users', side: 1, label: 'users', grid: { show: false } },
        ],
        series,
      },
      values,
      marks,
    );
  }

  function latencyChart(el, s, thresholds, baseline, marks) {
    const series = [
      {},
      { label: 'p50', stroke: C[0], width: 2, value: (_u, v) => fmtMs(v) },
      { label: 'p90', stroke: C[1], value: (_u, v) => fmtMs(v) },
      { label: 'p95', stroke: C[2], value: (_u, v) => fmtMs(v) },
      { label: 'p99', stroke: C[4], width: 2, value: (_u, v) => fmtMs(v) },
      { label: 'max', stroke: C[3], show: false, value: (_u, v) => fmtMs(v) },
    ];
    const values = [s.t, s.p50, s.p90, s.p95, s.p99, s.max];
    for (const th of thresholds) {
      series.push({ label: `target ${th.label}`, stroke: FAIL, dash: [8, 4], width: 1 });
      values.push(flat(s.t, th.ms));
    }
    if (baseline) {
      series.push({ label: 'baseline p95', stroke: colour('--muted'), dash: [2, 4] });
      values.push(alignTo(s.t, baseline.t, baseline.p95));
      series.push({ label: 'baseline p99', stroke: colour('--muted'), dash: [6, 3] });
      values.push(alignTo(s.t, baseline.t, baseline.p99));
    }
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
        scales: { x: { time: false }, y: { range } },
        axes: [timeAxis(), { label: 'ms' }],
        series,
        // Bands between the percentiles, so the spread reads at a glance.
        bands: [
          { series: [2, 1], fill: 'rgba(0,114,178,0.10)' },
          { series: [4, 2], fill: 'rgba(230,159,0,0.10)' },
        ],
      },
      values,
      marks,
    );
  }

  function distributionChart(el, d) {
    const x = d.upperMs.map((_v, i) => i);
    return chart(
      el,
      {
        scales: { x: { time: false, range: [-0.5, x.length - 0.5] } },
        axes: [
          {
            label: 'latency up to (ms)',
            values: (_u, ticks) =>
              ticks.map((i) =>
                Number.isInteger(i) && d.upperMs[i] != null ? fmtMs(d.upperMs[i]) : '',
              ),
          },
          { label: 'requests' },
        ],
        series: [
          { value: (_u, i) => (i == null ? '' : `up to ${fmtMs(d.upperMs[i])} ms`) },
          {
            label: 'requests',
            stroke: C[0],
            fill: 'rgba(0,114,178,0.45)',
            paths: uPlot.paths.bars({ size: [0.9, 40] }),
            points: { show: false },
          },
        ],
      },
      [x, d.counts],
    );
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

  function drawRun(root, run) {
    const get = (name) => root.querySelector(`[data-chart="${name}"]`);
    const state = { endpoint: '' };
    let drawn = [];
    const draw = () => {
      for (const plot of drawn) {
        plot.destroy();
        const at = charts.findIndex((c) => c.plot === plot);
        if (at >= 0) charts.splice(at, 1);
      }
      drawn = [];
      // A result without per-endpoint series (schema 1) keeps the run's time charts (the page says so).
      const s = (state.endpoint && run.endpoints[state.endpoint]) || run.series;
      const dist = state.endpoint
        ? run.distribution.byEndpoint[state.endpoint]
        : run.distribution.all;
      const thresholds = state.endpoint ? [] : run.thresholds;
      const baseline = state.endpoint ? undefined : run.baseline;
      if (s && get('throughput'))
        drawn.push(throughputChart(get('throughput'), s, baseline, run.markers));
      if (s && get('latency'))
        drawn.push(latencyChart(get('latency'), s, thresholds, baseline, run.markers));
      if (dist && get('distribution')) drawn.push(distributionChart(get('distribution'), dist));
      showRanges(state.endpoint ? run.ranges.byEndpoint[state.endpoint] : run.ranges.all);
      for (const label of root.querySelectorAll('[data-showing]'))
        label.textContent = state.endpoint ? state.endpoint : 'all endpoints';
    };
    const bar = root.querySelector('[data-range-bar]');
    const rows = root.querySelector('[data-range-rows]');
    const RANGE_COLOURS = ['--c3', '--c2', '--c5', '--fail', '--c4'].map(colour);
    const line = (label, count, share, swatchColour) => {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      name.className = 'l';
      if (swatchColour) {
        const swatch = document.createElement('span');
        swatch.className = 'legend-key';
        swatch.style.background = swatchColour;
        name.append(swatch);
      }
      name.append(label);
      const n = document.createElement('td');
      n.textContent = count.toLocaleString('en-US');
      const s = document.createElement('td');
      s.textContent = `${(share * 100).toFixed(1)}%`;
      tr.append(name, n, s);
      return tr;
    };
    function showRanges(table) {
      if (!table || !bar || !rows) return;
      const total = table.ranges.reduce((sum, r) => sum + r.count, 0) || 1;
      bar.replaceChildren(
        ...table.ranges.map((r, i) => {
          const span = document.createElement('span');
          span.style.flex = String(r.count / total);
          if (r.count === 0) span.style.minWidth = '0';
          span.style.background = RANGE_COLOURS[i % RANGE_COLOURS.length];
          span.title = `${r.label}: ${r.count}`;
          return span;
        }),
      );
      rows.replaceChildren(
        ...table.ranges.map((r, i) =>
          line(r.label, r.count, r.share, RANGE_COLOURS[i % RANGE_COLOURS.length]),
        ),
        line('of which failed', table.failed.count, table.failed.share),
      );
    }
    const select = root.querySelector('select[data-endpoint-select]');
    const show = (key) => {
      state.endpoint = key;
      if (select) select.value = key;
      for (const tr of root.querySelectorAll('tr[data-endpoint]'))
        tr.classList.toggle('selected', tr.dataset.endpoint === key);
      draw();
    };
    if (select) select.addEventListener('change', () => show(select.value));
    for (const tr of root.querySelectorAll('tr.pick[data-endpoint]')) {
      const pick = () => {
        show(tr.dataset.endpoint);
        root.querySelector('.charts')?.scrollIntoView({ block: 'start' });
      };
      tr.addEventListener('click', pick);
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          pick();
        }
      });
    }
    draw();
  }

  function sortable(table) {
    const headers = [...table.querySelectorAll('thead th')];
    headers.forEach((th, column) => {
      const button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        for (const other of headers)
          if (other.hasAttribute('aria-sort')) other.setAttribute('aria-sort', 'none');
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
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
            typeof x === 'number' && typeof y === 'number'
              ? x - y
              : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        for (const row of rows) body.appendChild(row);
      });
    });
  }

  function filterable(input) {
    const table = document.getElementById(input.dataset.filter);
    if (!table) return;
    input.addEventListener('input', () => {
      const needle = input.value.trim().toLowerCase();
      for (const row of table.tBodies[0].rows)
        row.hidden = needle !== '' && !row.textContent.toLowerCase().includes(needle);
    });
  }

  for (const table of document.querySelectorAll('table.sortable')) sortable(table);
  for (const input of document.querySelectorAll('input[data-filter]')) filterable(input);
  for (const root of document.querySelectorAll('[data-run]')) {
    const run = data.runs[Number(root.dataset.run)];
    if (run) drawRun(root, run);
  }
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { plot, el } of charts) plot.setSize({ width: widthOf(el), height: 260 });
    });
  });
  window.addEventListener('beforeprint', () => {
    for (const { plot } of charts) plot.setSize({ width: 680, height: 220 });
  });
  document.documentElement.dataset.ready = 'true';
})();

// fiml-perf report: draws the charts (the shared chart module, charts.js) from the data embedded
// in the page, and makes the tables sortable and filterable. The page works without it (every
// figure is in a table), and it makes no request: the data is in <script id="report-data">.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const charts = window.FimlCharts;
  const colour = charts.colour;

  function drawRun(root, run) {
    const get = (name) => root.querySelector(`[data-chart="${name}"]`);
    const state = { endpoint: '' };
    let drawn = [];
    const draw = () => {
      for (const chart of drawn) chart.destroy();
      drawn = [];
      // A result without per-endpoint series (schema 1) keeps the run's time charts (the page says so).
      const s = (state.endpoint && run.endpoints[state.endpoint]) || run.series;
      const dist = state.endpoint
        ? run.distribution.byEndpoint[state.endpoint]
        : run.distribution.all;
      const thresholds = state.endpoint ? [] : run.thresholds;
      const baseline = state.endpoint ? undefined : run.baseline;
      const { markers: marks, unknown } = run;
      if (s && get('throughput'))
        drawn.push(charts.throughput(get('throughput'), s, { baseline, marks, unknown }));
      if (s && get('latency'))
        drawn.push(charts.latency(get('latency'), s, { thresholds, baseline, marks, unknown }));
      if (dist && get('distribution')) drawn.push(charts.distribution(get('distribution'), dist));
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

  // A statement's row opens its full text and plan. Without the script every plan stays shown.
  for (const row of document.querySelectorAll('tr.db-statement[data-detail]')) {
    const detail = document.getElementById(row.dataset.detail);
    const button = row.querySelector('button.expand');
    if (!detail || !button) continue;
    const show = (open) => {
      detail.hidden = !open;
      button.setAttribute('aria-expanded', String(open));
      row.classList.toggle('open', open);
    };
    show(false);
    // The button's own click (and Enter or Space on it) reaches the row: one listener.
    row.addEventListener('click', () => show(detail.hidden));
  }

  // A suggestion's DDL: copied with a button; selected for Ctrl+C where the clipboard is refused.
  for (const block of document.querySelectorAll('pre[data-copy]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    const said = (label) => {
      button.textContent = label;
      setTimeout(() => {
        button.textContent = 'Copy';
      }, 2000);
    };
    const select = () => {
      const range = document.createRange();
      range.selectNodeContents(block);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      said('Selected: press Ctrl+C');
    };
    button.addEventListener('click', () => {
      const text = block.textContent;
      if (navigator.clipboard?.writeText)
        navigator.clipboard.writeText(text).then(() => said('Copied'), select);
      else select();
    });
    block.after(button);
  }

  for (const table of document.querySelectorAll('table.sortable')) charts.sortable(table);
  for (const input of document.querySelectorAll('input[data-filter]')) charts.filterable(input);
  for (const root of document.querySelectorAll('[data-run]')) {
    const run = data.runs[Number(root.dataset.run)];
    if (run) drawRun(root, run);
  }
  document.documentElement.dataset.ready = 'true';
})();

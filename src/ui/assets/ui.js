// fiml-perf live UI: a client of the UI's JSON API. It gets the whole run so far in a `snapshot`
// event, then one `tick` a second, from the server-sent event stream /api/events; it changes the
// test only through POSTs with JSON bodies. Every figure is written as text, never as markup.
(() => {
  const charts = window.FimlCharts;
  const $ = (id) => document.getElementById(id);
  const root = document.documentElement;

  let snap = null;
  let latest = null;
  let series = emptySeries();
  let endpointSeries = {};
  let selected = '';
  let drawn = null;
  let formFilled = false;
  let showForm = false;

  function emptySeries() {
    return {
      t: [],
      rps: [],
      failures: [],
      users: [],
      conns: [],
      p50: [],
      p90: [],
      p95: [],
      p99: [],
      max: [],
      intended: [],
      dropped: [],
    };
  }

  // ---- formatting ----------------------------------------------------------------------------
  const num = (n) => (n == null ? '-' : Number(n).toLocaleString('en-US'));
  const ms = (v) => charts.fmtMs(v);
  const pct = (share, digits = 1) => (share == null ? 'n/a' : `${(share * 100).toFixed(digits)}%`);
  function clock(msValue) {
    const s = Math.max(0, Math.round(msValue / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, '0');
    return h ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
  }
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function cell(text, value, className) {
    const td = el('td', text, className);
    if (value != null) td.dataset.v = String(value);
    return td;
  }

  // ---- series ----------------------------------------------------------------------------------
  function pushRow(s, r) {
    s.t.push(r.t);
    s.rps.push(r.rps);
    s.failures.push(r.requests ? (r.failures * r.rps) / r.requests : r.failures);
    s.users.push(r.users);
    s.conns.push(r.newConnections ?? null);
    s.p50.push(r.p50);
    s.p90.push(r.p90);
    s.p95.push(r.p95);
    s.p99.push(r.p99);
    s.max.push(r.max);
    s.intended.push(r.intended ?? null);
    s.dropped.push(r.dropped ?? null);
  }
  function pushEndpoint(s, t, e, step = 1) {
    s.t.push(t);
    s.rps.push(e.requests / step);
    s.failures.push(e.failures / step);
    s.users.push(null);
    s.conns.push(null);
    s.p50.push(e.p50);
    s.p90.push(e.p90);
    s.p95.push(e.p95);
    s.p99.push(e.p99);
    s.max.push(e.max);
    s.intended.push(null);
    s.dropped.push(null);
  }
  function fromEndpointResult(r) {
    const s = emptySeries();
    r.t.forEach((t, i) => {
      pushEndpoint(
        s,
        t,
        {
          requests: r.requests[i],
          failures: r.failures[i],
          p50: r.p50[i],
          p90: r.p90[i],
          p95: r.p95[i],
          p99: r.p99[i],
          max: r.max[i],
        },
        r.stepS,
      );
    });
    return s;
  }

  // ---- API ---------------------------------------------------------------------------------------
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
    return data;
  }
  function message(text, kind = 'error') {
    const box = $('message');
    box.hidden = !text;
    box.textContent = text || '';
    box.className = `message ${kind}`;
  }
  async function act(button, work) {
    button.disabled = true;
    try {
      await work();
      message('');
    } catch (error) {
      message(error.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- the start and edit forms -----------------------------------------------------------------
  function modelShown(form, model) {
    for (const label of form.querySelectorAll('[data-model]'))
      label.hidden = label.dataset.model !== model;
  }
  function fillForm(input) {
    const form = $('start-form');
    $('scenario').textContent = snap.scenario;
    $('i-host').placeholder = `${snap.defaultHost}${snap.embedded ? ' (the embedded FIML)' : ''}`;
    $('i-host').value = input.host || '';
    const classes = $('classes');
    classes.replaceChildren();
    const picked = new Set(input.classes?.length ? input.classes : snap.defaultClasses);
    for (const c of snap.classes) {
      const label = el('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'classes';
      box.value = c.name;
      box.checked = picked.has(c.name);
      label.append(box, ` ${c.name} `, el('span', `(${c.weight})`, 'sub'));
      classes.append(label);
    }
    form.elements.model.value = input.model;
    modelShown(form, input.model);
    $('i-users').value = input.users;
    $('i-spawn').value = input.spawnRate;
    $('i-rate').value = input.rate;
    $('i-max-users').value = input.maxUsers;
    $('i-run-time').value = input.runTime;
    $('i-targets-file').value = input.targetsFile;
    $('i-targets').value = input.targets.join('\n');
  }
  function readForm() {
    const form = $('start-form');
    const number = (input) => (input.value.trim() === '' ? undefined : Number(input.value));
    const model = form.elements.model.value;
    const body = {
      host: $('i-host').value.trim(),
      classes: [...form.querySelectorAll('input[name=classes]:checked')].map((b) => b.value),
      model,
      runTime: $('i-run-time').value.trim(),
      targetsFile: $('i-targets-file').value.trim(),
      targets: $('i-targets')
        .value.split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    };
    const fields =
      model === 'open'
        ? { rate: $('i-rate'), maxUsers: $('i-max-users') }
        : { users: $('i-users'), spawnRate: $('i-spawn') };
    for (const [name, input] of Object.entries(fields)) {
      const value = number(input);
      // A field the browser cannot read as a number goes as text: the server says what is wrong.
      if (value !== undefined) body[name] = Number.isNaN(value) ? input.value : value;
      else if (input.validity.badInput) body[name] = 'not a number';
    }
    if (body.classes.length === 0) delete body.classes;
    return body;
  }
  $('start-form').addEventListener('change', (event) => {
    if (event.target.name === 'model') modelShown($('start-form'), event.target.value);
  });
  $('start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act($('b-start'), async () => {
      await post('/api/start', readForm());
      showForm = false;
    });
  });
  $('edit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const open = snap.run?.model === 'open';
    const change = {};
    const take = (name, input) => {
      if (input.value.trim() !== '') change[name] = Number(input.value);
    };
    if (open) take('rate', $('e-rate'));
    else {
      take('users', $('e-users'));
      take('spawnRate', $('e-spawn'));
    }
    act($('b-apply'), () => post('/api/edit', change));
  });
  $('b-stop').addEventListener('click', () => act($('b-stop'), () => post('/api/stop')));
  $('b-reset').addEventListener('click', () => act($('b-reset'), () => post('/api/reset')));
  $('b-new').addEventListener('click', () => {
    showForm = true;
    fillForm(snap.run?.input ?? snap.defaults);
    render();
    $('start-panel').scrollIntoView({ block: 'start' });
  });

  // ---- rendering ---------------------------------------------------------------------------------
  function render() {
    const state = snap.state;
    root.dataset.state = state;
    const running = state === 'running' || state === 'stopping' || state === 'starting';
    const run = snap.run;
    $('state').textContent =
      state === 'stopped' && run?.ended
        ? run.error
          ? 'failed'
          : run.ended.passed === false
            ? 'stopped: targets missed'
            : 'stopped'
        : state;
    $('state').className =
      `state ${state}${run?.ended?.passed === false || run?.error ? ' fail' : ''}`;
    $('b-stop').hidden = !running;
    $('b-stop').textContent = state === 'stopping' ? 'Stop now' : 'Stop';
    $('b-reset').hidden = state !== 'running';
    $('b-new').hidden = state !== 'stopped' || showForm;
    $('start-panel').hidden = !(state === 'ready' || (state === 'stopped' && showForm));
    $('edit-panel').hidden = state !== 'running';
    $('live').hidden = !run;
    $('f-host').textContent = run?.host ?? snap.defaultHost;
    if (!formFilled) {
      fillForm(snap.defaults);
      formFilled = true;
    }
    if (run) {
      modelShown($('edit-form'), run.model);
      const warnings = [...run.warnings];
      if (run.error) warnings.unshift(`The test failed: ${run.error}`);
      $('warnings').replaceChildren(...warnings.map((w) => el('p', w)));
    }
    const ended = Boolean(run?.ended) && !run?.error;
    for (const link of $('downloads').querySelectorAll('a')) {
      link.setAttribute('aria-disabled', String(!ended));
      link.classList.toggle('disabled', !ended);
    }
    $('downloads-note').textContent = ended
      ? `Files of test ${run.id}, which ended.`
      : 'The files of a test can be downloaded once it has ended.';
    $('footer').textContent =
      `fiml-perf ${snap.version} · scenario ${snap.scenario} · ${snap.workers} worker thread(s)`;
    renderFigures();
  }

  function renderFigures() {
    const tick = latest;
    const run = snap.run;
    $('f-users').textContent = tick ? num(tick.users) : '0';
    $('f-rps').textContent = tick?.row ? tick.row.rps.toFixed(1) : '0';
    $('f-failures').textContent = tick?.total.requests
      ? pct(tick.total.failures / tick.total.requests, 2)
      : '0%';
    $('f-elapsed').textContent = tick ? clock(tick.elapsedMs) : '-';
    const progress = $('progress');
    progress.hidden = !(tick?.durationMs && snap.state === 'running');
    if (tick?.durationMs) progress.value = Math.min(1, tick.elapsedMs / tick.durationMs);
    if (!tick || !run) return;
    if (snap.state === 'running' && document.activeElement?.form !== $('edit-form')) {
      $('e-users').value = tick.steering.users;
      $('e-spawn').value = tick.steering.spawnRate;
      $('e-rate').value = tick.steering.rate;
    }
    const saturation = $('saturation');
    saturation.hidden = tick.generator.saturation.length === 0;
    saturation.textContent = `⚠ The load generator is saturated (${tick.generator.saturation.join('; ')}): its figures measure the generator, not the service. Use more --workers or less load.`;
    renderTable(tick);
    renderTargets(tick.targets);
    renderFailures(tick.errors);
    renderService(tick.service);
    renderGenerator(tick.generator);
  }

  function endpointRow(e, total) {
    const tr = document.createElement('tr');
    const l = e.latencyMs;
    tr.append(
      cell(e.method, null, 'l'),
      cell(e.name, null, 'l name'),
      cell(num(e.requests), e.requests),
      cell(num(e.failures), e.failures, e.failures ? 'bad' : ''),
      cell(ms(l.p50), l.p50),
      cell(ms(l.p90), l.p90),
      cell(ms(l.p95), l.p95),
      cell(ms(l.p99), l.p99),
      cell(ms(l.p999), l.p999),
      cell(ms(l.max), l.max),
      cell(ms(l.mean), l.mean),
      cell(e.currentRps.toFixed(1), e.currentRps),
    );
    if (!total) {
      tr.className = 'pick';
      tr.tabIndex = 0;
      tr.dataset.endpoint = e.key;
      tr.title = "show this endpoint's charts";
      tr.classList.toggle('selected', e.key === selected);
    }
    return tr;
  }

  const applyFilter = charts.filterable($('stats-filter'));
  charts.sortable($('stats-table'));
  function renderTable(tick) {
    const table = $('stats-table');
    table.tBodies[0].replaceChildren(...tick.table.map((e) => endpointRow(e, false)));
    const total = endpointRow(tick.total, true);
    total.cells[0].textContent = '';
    table.tFoot.replaceChildren(total);
    charts.sortRows(table);
    applyFilter?.();
    const select = $('endpoint-select');
    const keys = tick.table.map((e) => e.key).sort();
    const have = [...select.options].slice(1).map((o) => o.value);
    if (keys.join('\n') !== have.join('\n')) {
      select.replaceChildren(el('option', 'all endpoints'));
      select.options[0].value = '';
      for (const key of keys) {
        const option = el('option', key);
        option.value = key;
        select.append(option);
      }
      select.value = selected;
    }
  }
  $('stats-table').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-endpoint]');
    if (tr) pick(tr.dataset.endpoint);
  });
  $('stats-table').addEventListener('keydown', (event) => {
    const tr = event.target.closest('tr[data-endpoint]');
    if (tr && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      pick(tr.dataset.endpoint);
    }
  });
  $('endpoint-select').addEventListener('change', (event) => pick(event.target.value));
  function pick(key) {
    selected = key;
    $('endpoint-select').value = key;
    for (const tr of $('stats-table').querySelectorAll('tr[data-endpoint]'))
      tr.classList.toggle('selected', tr.dataset.endpoint === key);
    drawCharts();
  }

  function verdict(v) {
    return v === 'pass' ? '✓ pass' : v === 'fail' ? '✗ FAIL' : '? unknown';
  }
  function renderTargets(outcomes) {
    const box = $('targets');
    box.className = '';
    if (!outcomes) {
      box.replaceChildren(
        el(
          'p',
          snap.run?.input.targets.length || snap.run?.input.targetsFile
            ? 'Judging the targets…'
            : 'No targets for this test: add some in the form (p99 < 500ms) or a targets file.',
          'empty',
        ),
      );
      return;
    }
    const failed = outcomes.filter((o) => o.verdict === 'fail').length;
    const unknown = outcomes.filter((o) => o.verdict === 'unknown').length;
    box.className = failed ? 'targets-fail' : unknown ? 'targets-unknown' : 'targets-pass';
    const summary = el(
      'p',
      failed
        ? `✗ ${failed} of ${outcomes.length} targets failing on the run so far`
        : unknown
          ? `? ${unknown} of ${outcomes.length} targets cannot be judged yet`
          : `✓ all ${outcomes.length} targets met so far`,
      'targets-summary',
    );
    const table = el('table');
    const head = el('tr');
    for (const h of ['Target', 'Expression', 'Now', 'Verdict', 'Basis'])
      head.append(el('th', h, h === 'Now' ? '' : 'l'));
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    for (const o of outcomes) {
      const tr = el('tr');
      tr.dataset.verdict = o.verdict;
      tr.append(
        cell(o.name, null, 'l'),
        cell(o.expression, null, 'l code'),
        cell(o.actual ?? 'n/a'),
        cell(verdict(o.verdict), null, `l verdict-${o.verdict}`),
        cell(o.detail, null, 'l sub'),
      );
      table.tBodies[0].append(tr);
    }
    box.replaceChildren(summary, table);
  }

  function renderFailures(errors) {
    const box = $('failures');
    if (!errors.length) {
      box.replaceChildren(el('p', 'No failures.', 'empty'));
      return;
    }
    const kindOf = (g) => (g.status == null ? g.kind : `${g.kind} ${g.status}`);
    const kinds = [...new Set(errors.map(kindOf))].sort();
    const byEndpoint = new Map();
    for (const g of errors) {
      const key = `${g.method} ${g.name}`;
      if (!byEndpoint.has(key)) byEndpoint.set(key, new Map());
      byEndpoint.get(key).set(kindOf(g), g);
    }
    const table = el('table', null, 'matrix');
    table.append(
      el('caption', 'Failures by endpoint and kind; hover a count for a sample message.'),
    );
    const head = el('tr');
    head.append(el('th', 'Endpoint', 'l'));
    for (const k of kinds) head.append(el('th', k));
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    for (const [key, row] of byEndpoint) {
      const tr = el('tr');
      tr.append(cell(key, null, 'l name'));
      for (const k of kinds) {
        const g = row.get(k);
        const td = cell(g ? num(g.count) : '', g?.count ?? 0, g ? 'hit' : '');
        if (g) td.title = g.message;
        tr.append(td);
      }
      table.tBodies[0].append(tr);
    }
    const samples = el('table');
    samples.append(el('caption', 'Sample messages, most frequent first.'), el('tbody'));
    for (const g of errors.slice(0, 20)) {
      const tr = el('tr');
      tr.append(
        cell(`${g.method} ${g.name}`, null, 'l name'),
        cell(kindOf(g), null, 'l'),
        cell(num(g.count), g.count),
        cell(g.message, null, 'l'),
      );
      samples.tBodies[0].append(tr);
    }
    box.replaceChildren(table, samples);
  }

  function renderService(service) {
    const box = $('service');
    if (!service) {
      box.replaceChildren(el('p', "Waiting for the service's metrics.", 'empty'));
      return;
    }
    if (service.unavailable) {
      box.replaceChildren(el('p', `No service figures: ${service.unavailable}.`, 'empty'));
      return;
    }
    const dl = el('dl', null, 'facts');
    const fact = (k, v) => dl.append(el('dt', k), el('dd', v));
    fact('Cache hit rate', pct(service.cacheHitRate));
    fact('Task completion', pct(service.taskCompletionRate));
    fact('Provider uptime', pct(service.providerUptime, 2));
    if (service.uptime)
      fact(
        'Health probes',
        `${num(service.uptime.ok)} of ${num(service.uptime.total)} ok (${pct(service.uptime.total ? service.uptime.ok / service.uptime.total : null, 2)})`,
      );
    for (const [name, up] of Object.entries(service.providers ?? {}))
      fact(`Provider ${name}`, pct(up, 2));
    for (const layer of service.cacheLayers ?? []) {
      const all = layer.hits + layer.misses;
      fact(`Cache ${layer.layer}`, `${pct(all ? layer.hits / all : null)} of ${num(all)} lookups`);
    }
    box.replaceChildren(dl);
  }

  function renderGenerator(g) {
    const box = $('generator');
    const dl = el('dl', null, 'facts');
    const fact = (k, v) => dl.append(el('dt', k), el('dd', v));
    fact('CPU', `${g.cpuPercent}% of one core`);
    fact('Event-loop delay p99', `${g.loopLagMs} ms`);
    fact('Saturated', g.saturation.length ? `yes: ${g.saturation.join('; ')}` : 'no');
    const parts = [dl];
    if (g.workers.length) {
      const table = el('table');
      table.append(el('caption', 'Worker threads'), el('thead'), el('tbody'));
      const head = el('tr');
      for (const h of ['Worker', 'Users', 'Requests']) head.append(el('th', h));
      table.tHead.append(head);
      g.workers.forEach((w, i) => {
        const tr = el('tr');
        tr.append(
          cell(String(i + 1), i, 'l'),
          cell(num(w.users), w.users),
          cell(num(w.requests), w.requests),
        );
        table.tBodies[0].append(tr);
      });
      parts.push(table);
    }
    box.replaceChildren(...parts);
  }

  // ---- charts ------------------------------------------------------------------------------------
  function shown() {
    const s = selected ? endpointSeries[selected] : series;
    return s ?? emptySeries();
  }
  function marks() {
    return snap.run?.marks ?? [];
  }
  function drawCharts() {
    if (drawn) for (const chart of Object.values(drawn)) chart?.destroy();
    drawn = null;
    if (!snap.run) return;
    const open = snap.run.model === 'open' && !selected;
    drawn = {
      throughput: charts.throughput($('c-throughput'), shown(), { marks: marks(), open }),
      latency: charts.latency($('c-latency'), shown(), {
        marks: marks(),
        thresholds: selected ? [] : snap.run.thresholds,
      }),
      distribution: latest?.distribution
        ? charts.distribution($('c-distribution'), latest.distribution)
        : null,
    };
  }
  function updateCharts() {
    if (!drawn) return drawCharts();
    drawn.throughput.update(shown(), marks());
    drawn.latency.update(shown(), marks());
    if (latest?.distribution) {
      if (drawn.distribution) drawn.distribution.update(latest.distribution);
      else drawn.distribution = charts.distribution($('c-distribution'), latest.distribution);
    }
  }

  // ---- the event stream --------------------------------------------------------------------------
  function onSnapshot(data) {
    snap = data;
    latest = data.latest;
    series = emptySeries();
    for (const row of data.rows) pushRow(series, row);
    endpointSeries = {};
    for (const [key, s] of Object.entries(data.endpointSeries))
      endpointSeries[key] = fromEndpointResult(s);
    if (selected && !endpointSeries[selected]) selected = '';
    root.dataset.seconds = String(series.t.length);
    render();
    drawCharts();
  }
  function onTick(tick) {
    if (!snap?.run || tick.runId !== snap.run.id) return;
    latest = tick;
    if (tick.row) pushRow(series, tick.row);
    for (const [key, second] of Object.entries(tick.seconds)) {
      endpointSeries[key] ??= emptySeries();
      pushEndpoint(endpointSeries[key], second.t, second);
    }
    root.dataset.seconds = String(series.t.length);
    renderFigures();
    updateCharts();
  }
  function onState(data) {
    if (!snap) return;
    snap.state = data.state;
    snap.run = data.run;
    render();
    if (drawn) updateCharts();
  }

  const source = new EventSource('/api/events');
  source.addEventListener('snapshot', (event) => onSnapshot(JSON.parse(event.data)));
  source.addEventListener('tick', (event) => onTick(JSON.parse(event.data)));
  source.addEventListener('state', (event) => onState(JSON.parse(event.data)));
  source.addEventListener('open', () => message(''));
  source.addEventListener('error', () => {
    $('state').textContent = 'reconnecting';
    root.dataset.state = 'disconnected';
  });
  root.dataset.ready = 'true';
})();

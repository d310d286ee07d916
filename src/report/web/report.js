// The report's behaviour: summary, the two plots (Vega-Lite through vega-embed), the candidates table
// (sort on a header click, filter by status and text, the first 200 rows until asked for all) and jumps from a plot's point to its operator.
// window.synoReport exposes the state for tests; document.body.dataset.ready is set once all is drawn.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('syno-data').textContent);
  // A large run's table shows its first `limit` matching rows until asked for all: laying out 2,000 rows
  // would take most of the page's load time.
  const report = (window.synoReport = { data: data, views: {}, sort: { key: 'seq', dir: 1 }, limit: 200 });
  const run = data.run;
  const speedName = data.speed_axis === 'latency' ? 'speedup (end-to-end latency, batch 1)' : 'speedup (FLOPs ratio)';

  const num = (x, d) => (x === null || x === undefined || !isFinite(x) ? '-' : Number(x).toFixed(d));
  const pct = (x) => (x === null || x === undefined ? '-' : (100 * x).toFixed(2) + '%');
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  function summary() {
    document.getElementById('run-path').textContent = run.path;
    const o = run.options || {};
    const c = run.counts;
    const rows = [
      ['Problem', (o.input || '?') + ' \u2192 ' + (o.output || '?') + (o.bindings ? '  bindings ' + o.bindings : '')],
      ['Network', o.evaluator === 'synthetic' ? 'none (synthetic evaluator)' : (o.model || '?') + ' on ' + (o.data || '?')],
      ['Search', (run.algorithm || '?') + ', seed ' + run.seed + ', reward ' + (o.reward || '?')],
      ['Evaluator', run.fingerprint],
      ['Status', run.status + ' \u2014 done ' + c.done + ', failed ' + c.failed + ', running ' + c.running + ', queued ' + c.queued +
        (run.settings && run.settings.budget ? ' (budget ' + run.settings.budget + ')' : '')],
      ['Wall time', num(run.wall_minutes, 1) + ' min since the first candidate was queued; ' + num(run.eval_hours, 2) +
        ' h of evaluations; ' + run.sessions + ' session(s)'],
      ['Baseline', 'accuracy ' + pct(run.baseline_accuracy) + ', latency ' +
        (run.baseline_latency_ms === null ? '-' : num(run.baseline_latency_ms, 3) + ' ms') + ' at batch 1 (median over the candidates timed beside it)'],
      ['Created', run.created_at + ' by syno ' + run.syno_version],
    ];
    document.getElementById('summary-list').innerHTML =
      rows.map((r) => '<dt>' + esc(r[0]) + '</dt><dd>' + esc(r[1]) + '</dd>').join('');
    document.getElementById('options').textContent = JSON.stringify({ options: o, settings: run.settings }, null, 2);
  }

  // A point's section if it has one, else its table row.
  function jump(seq) {
    const section = document.getElementById('op-' + seq);
    if (section) { location.hash = 'op-' + seq; return; }
    document.getElementById('status-filter').value = '';
    document.getElementById('text-filter').value = '';
    report.limit = Infinity;
    renderRows();
    const row = document.getElementById('row-' + seq);
    if (!row) return;
    document.querySelectorAll('tr.highlight').forEach((r) => r.classList.remove('highlight'));
    row.classList.add('highlight');
    row.scrollIntoView({ block: 'center' });
  }

  function paretoSpec() {
    const points = data.candidates.filter((c) => c.status === 'done' && c.accuracy !== null && c.speedup !== null)
      .map((c) => ({ seq: c.seq, accuracy: c.accuracy, speedup: c.speedup, flops_ratio: c.flops_ratio,
        reward: c.reward, canonical: c.canonical, operator: c.op.split('\n').filter((l) => l && !/^(syno-operator|primary|coefficients)/.test(l)).join('; ') }));
    const front = points.filter((p) => frontSeqs.has(p.seq)).sort((a, b) => a.speedup - b.speedup);
    const x = { field: 'speedup', type: 'quantitative', title: speedName, scale: { zero: false } };
    const y = { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false }, axis: { format: '.1%' } };
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 720, height: 400,
      layer: [
        { name: 'front', data: { values: front }, mark: { type: 'line', interpolate: 'step-before', color: '#111827', strokeWidth: 1.5 },
          encoding: { x: x, y: y, order: { field: 'speedup' } } },
        { name: 'candidates', data: { values: points }, mark: { type: 'point', filled: true, size: 45, opacity: 0.85, cursor: 'pointer' },
          encoding: { x: x, y: y,
            color: { field: 'flops_ratio', type: 'quantitative', title: 'FLOPs ratio', scale: { scheme: 'viridis' } },
            tooltip: [{ field: 'seq', title: 'candidate' }, { field: 'accuracy', format: '.2%' }, { field: 'speedup', format: '.3f' },
              { field: 'flops_ratio', title: 'FLOPs ratio', format: '.3f' }, { field: 'reward', format: '.4f' },
              { field: 'canonical' }, { field: 'operator' }] } },
      ],
    };
  }

  function progressSpec() {
    const chart = (field, title) => ({
      width: 330, height: 220,
      layer: [
        { mark: { type: 'line', interpolate: 'step-after', color: '#2563eb' },
          encoding: { x: { field: field, type: 'quantitative', title: title },
            y: { field: 'best_reward', type: 'quantitative', title: 'best reward', axis: { titleColor: '#2563eb' } } } },
        { mark: { type: 'line', interpolate: 'step-after', color: '#dc2626' },
          encoding: { x: { field: field, type: 'quantitative', title: title },
            y: { field: 'hypervolume', type: 'quantitative', title: 'front hypervolume', axis: { orient: 'right', titleColor: '#dc2626' } } } },
      ],
      resolve: { scale: { y: 'independent' } },
    });
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values: data.progress },
      hconcat: [chart('evaluations', 'evaluations finished'), chart('wall_minutes', 'wall time (minutes)')],
    };
  }

  const frontSeqs = new Set(data.candidates.filter((c) => c.front).map((c) => c.seq));

  const columns = [
    { key: 'seq', title: '#', f: (c) => (c.section ? '<a href="#op-' + c.seq + '">' + c.seq + '</a>' : c.seq) },
    { key: 'status', title: 'status', text: true, f: (c) => '<span class="status-' + esc(c.status) + '">' + esc(c.status) + '</span>' },
    { key: 'reward', title: 'reward', f: (c) => num(c.reward, 4) },
    { key: 'accuracy', title: 'accuracy', f: (c) => pct(c.accuracy) },
    { key: 'latency_ratio', title: 'speedup (latency)', f: (c) => num(c.latency_ratio, 3) },
    { key: 'flops_ratio', title: 'FLOPs ratio', f: (c) => num(c.flops_ratio, 3) },
    { key: 'flops', title: 'FLOPs', f: (c) => (c.flops === null ? '-' : c.flops.toExponential(3)) },
    { key: 'params', title: 'params', f: (c) => (c.params === null ? '-' : c.params.toExponential(3)) },
    { key: 'latency_ms', title: 'latency ms', f: (c) => num(c.latency_ms, 3) },
    { key: 'eval_seconds', title: 'eval s', f: (c) => num(c.eval_seconds, 1) },
    { key: 'canonical', title: 'canonical id', text: true, f: (c) => '<code>' + esc(c.canonical) + '</code>' },
    { key: 'failure', title: 'failure reason', text: true, cls: 'failure', f: (c) => esc(c.failure) },
  ];

  function tableHead() {
    const head = document.querySelector('#candidates thead');
    head.innerHTML = '<tr>' + columns.map((col) => '<th data-key="' + col.key + '" class="' + (col.text ? 'text' : '') +
      '" title="sort">' + esc(col.title) + '</th>').join('') + '</tr>';
    head.addEventListener('click', (e) => {
      const th = e.target.closest('th');
      if (!th) return;
      const key = th.dataset.key;
      report.sort = { key: key, dir: report.sort.key === key ? -report.sort.dir : 1 };
      renderRows();
    });
  }

  // Missing values sort last in both directions.
  function compare(key, dir) {
    return (a, b) => {
      const x = a[key], y = b[key];
      const xm = x === null || x === '' || x === undefined, ym = y === null || y === '' || y === undefined;
      if (xm || ym) return xm === ym ? a.seq - b.seq : xm ? 1 : -1;
      const r = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      return r !== 0 ? dir * r : a.seq - b.seq;
    };
  }

  function renderRows() {
    const status = document.getElementById('status-filter').value;
    const text = document.getElementById('text-filter').value.trim().toLowerCase();
    const rows = data.candidates.filter((c) => (!status || c.status === status) &&
      (!text || String(c.seq) === text || c.canonical.includes(text) || c.failure.toLowerCase().includes(text) ||
        c.status.includes(text)));
    rows.sort(compare(report.sort.key, report.sort.dir));
    const shown = rows.slice(0, report.limit);
    document.querySelector('#candidates tbody').innerHTML = shown.map((c) => '<tr id="row-' + c.seq + '" data-seq="' + c.seq +
      '"' + (c.front ? ' class="front"' : '') + '>' + columns.map((col) => '<td class="' + (col.text ? 'text ' : '') +
      (col.cls || '') + '">' + col.f(c) + '</td>').join('') + '</tr>').join('');
    document.querySelectorAll('#candidates th').forEach((th) => {
      th.classList.toggle('sorted-asc', th.dataset.key === report.sort.key && report.sort.dir > 0);
      th.classList.toggle('sorted-desc', th.dataset.key === report.sort.key && report.sort.dir < 0);
    });
    document.getElementById('row-count').textContent = rows.length + ' of ' + data.candidates.length + ' candidates' +
      (shown.length < rows.length ? ', the first ' + shown.length + ' shown' : '');
    const more = document.getElementById('show-all');
    more.hidden = shown.length === rows.length;
    more.textContent = 'show all ' + rows.length + ' rows';
  }
  report.render = renderRows;

  summary();
  tableHead();
  renderRows();
  document.getElementById('status-filter').addEventListener('change', renderRows);
  document.getElementById('text-filter').addEventListener('input', renderRows);
  document.getElementById('show-all').addEventListener('click', () => { report.limit = Infinity; renderRows(); });
  const opts = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
  Promise.all([
    vegaEmbed('#pareto', paretoSpec(), opts).then((r) => {
      report.views.pareto = r.view;
      r.view.addEventListener('click', (event, item) => { if (item && item.datum && item.datum.seq) jump(item.datum.seq); });
    }),
    vegaEmbed('#progress', progressSpec(), opts).then((r) => { report.views.progress = r.view; }),
  ]).then(() => { document.body.dataset.ready = '1'; })
    .catch((e) => { document.body.dataset.ready = 'error'; console.error('syno report: a plot failed: ' + e); });
})();

/* hwfsim workshop page: the model runs in this page (WebAssembly, compiled from hwfsim's own
 * loader, model and solver) and answers every change of a slider or switch (docs/workshop.md).
 *
 * The page computes nothing itself: each setting goes to the model as a request, and the model
 * answers with the saved scenario's YAML, its warnings and the tables of the run and of the
 * no-policy baseline, which the charts draw as they are. Every text that comes from the
 * scenarios reaches the page through textContent, <option> text or Vega's own text marks (which
 * escape), never as HTML. Charts are Vega-Lite specs drawn by vega-embed with its expression
 * interpreter (ast), so the page needs no eval; the Content-Security-Policy allows only the
 * page's own scripts, the WebAssembly they compile, and no network. */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('hwf-data').textContent);
  const state = {
    ready: null, runs: 0, running: false, errors: [], views: new Map(), response: null,
    timings: [], scenario: null, settings: new Map(),
  };
  window.hwfWorkshop = state;

  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  const panel = document.getElementById('panel');
  const main = document.getElementById('main');
  const fmt = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });
  const show = (v) => (v === null || v === undefined ? '\u2013' : fmt.format(v));

  // ---- The model -----------------------------------------------------------------------------

  let model = null;
  function call(request) {
    const p = model.ccall('hwf_call', 'number', ['string'], [JSON.stringify(request)]);
    const text = model.UTF8ToString(p);
    model.ccall('hwf_free', null, ['number'], [p]);
    return JSON.parse(text);
  }
  function writeFiles() {
    for (const [file, text] of Object.entries(data.files)) {
      model.FS.mkdirTree(file.substring(0, file.lastIndexOf('/')));
      model.FS.writeFile(file, text);
    }
  }

  // ---- Tables of a response --------------------------------------------------------------------

  /** The values of the series of `table` whose key columns hold `key`, or null. */
  function series(table, key) {
    if (!table) return null;
    const cols = Object.keys(key).map((c) => table.columns.indexOf(c));
    for (let i = 0; i < table.series.length; i += 1) {
      const s = table.series[i];
      if (cols.every((c, j) => c >= 0 && s[c] === key[Object.keys(key)[j]])) return table.values[i];
    }
    return null;
  }
  /** Chart rows of one series of the run and the baseline. */
  function rows(response, table, key, label) {
    const out = [];
    const add = (tables, run) => {
      const v = series(tables[table], key);
      if (!v) return;
      v.forEach((value, i) => {
        if (value !== null) out.push({ year: response.years[i], value, run, series: label });
      });
    };
    add(response.run, 'Your settings');
    if (table !== 'summary') add(response.baseline, 'Baseline (no policy)');
    return out;
  }

  // ---- Charts ----------------------------------------------------------------------------------

  const runScale = {
    domain: ['Your settings', 'Baseline (no policy)'],
    range: ['#1f5f8b', '#9aa5b1'],
  };
  function lineSpec(title, unit, opts) {
    const layers = [{
      mark: { type: 'line', point: false, strokeWidth: 2 },
      encoding: {
        x: { field: 'year', type: 'quantitative', title: null, axis: { format: 'd', tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: unit, axis: { format: '~s' } },
        color: opts.bySeries
          ? { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 1, labelLimit: 320 } }
          : { field: 'run', type: 'nominal', title: null, scale: runScale, legend: { orient: 'bottom' } },
        strokeDash: {
          field: 'run', type: 'nominal', title: null,
          scale: { domain: runScale.domain, range: [[1, 0], [5, 3]] },
          legend: { orient: 'bottom' },
        },
        detail: { field: 'series', type: 'nominal' },
        tooltip: [
          { field: 'series', type: 'nominal', title: 'Series' },
          { field: 'run', type: 'nominal', title: 'Run' },
          { field: 'year', type: 'quantitative', title: 'Year', format: 'd' },
          { field: 'value', type: 'quantitative', title: unit, format: ',.4~r' },
        ],
      },
    }];
    if (opts.floor) {
      // Costs that are all zero (a policy that pays nothing) would leave the axis without a range.
      layers.push({ data: { values: [{ y: 1 }] }, mark: { type: 'rule', opacity: 0 }, encoding: { y: { field: 'y', type: 'quantitative' } } });
    }
    if (opts.threshold !== undefined) {
      layers.push({
        data: { values: [{ y: opts.threshold, label: opts.thresholdLabel }] },
        mark: { type: 'rule', color: '#52606d', strokeDash: [2, 2] },
        encoding: { y: { field: 'y', type: 'quantitative' }, tooltip: [{ field: 'label', type: 'nominal', title: 'Reference' }] },
      });
    }
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: title, anchor: 'start', fontSize: 13 },
      width: 'container',
      height: 150,
      autosize: { type: 'fit-x', contains: 'padding' },
      data: { name: 'table' },
      layer: layers,
      config: { view: { stroke: null }, font: 'system-ui, DejaVu Sans, sans-serif' },
    };
  }
  async function chart(id, target, spec, rowsNow) {
    spec.datasets = { table: rowsNow };
    const result = await vegaEmbed(target, spec, {
      renderer: 'svg',
      ast: true,
      actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false },
      downloadFileName: 'hwfsim-workshop-' + id,
      scaleFactor: 2,
      i18n: { PNG_ACTION: 'Save as PNG (for slides)', SVG_ACTION: 'Save as SVG' },
    });
    state.views.set(id, result.view);
    return result.view;
  }

  // ---- The page of one scenario ----------------------------------------------------------------

  let described = null;
  let pending = false;
  let rebuild = true;  // the charts are drawn anew (countries or cadre changed), not updated
  const charts = [];

  function scenarioSettings(file) {
    if (!state.settings.has(file)) state.settings.set(file, { values: new Map(), off: new Set() });
    return state.settings.get(file);
  }

  function request() {
    const s = scenarioSettings(state.scenario);
    const set = [];
    for (const c of described.controls) {
      const v = s.values.get(c.path);
      if (v !== undefined && v !== c.value) set.push([c.path, v]);
    }
    return { op: 'run', scenario: state.scenario, set, off: [...s.off] };
  }

  function schedule() {
    pending = true;
    if (!state.running) requestAnimationFrame(runNow);
  }

  async function runNow() {
    if (!pending) return;
    pending = false;
    state.running = true;
    const started = performance.now();
    const response = call(request());
    const modelMs = performance.now() - started;
    state.runs += 1;
    try {
      if (response.ok) {
        state.response = response;
        if (rebuild) await buildCharts(response);
        else await redraw(response);
        rebuild = false;
      } else if (rebuild) {
        // No run to draw for the scenario (or countries) just chosen: no charts of another.
        for (const v of state.views.values()) v.finalize();
        state.views.clear();
        charts.length = 0;
        main.replaceChildren(el('p', { class: 'note', text: 'No charts: the model refused these settings (see the left).' }));
      }
      state.timings.push({ model: modelMs, total: performance.now() - started });
      status(response, modelMs, performance.now() - started);
    } catch (err) {
      state.errors.push(String(err));
      status({ ok: false, error: String(err) }, modelMs, 0);
    } finally {
      state.running = false;
      if (pending) requestAnimationFrame(runNow);
    }
  }

  const statusLine = el('p', { class: 'status', id: 'status' });
  const messages = el('ul', { class: 'messages', id: 'messages' });
  function status(response, modelMs, totalMs) {
    messages.replaceChildren();
    if (!response.ok) {
      statusLine.textContent = 'The model refused these settings:';
      messages.append(el('li', { class: 'error', text: response.error }));
      return;
    }
    statusLine.textContent = 'Model run in ' + Math.round(modelMs) + ' ms, drawn in ' +
      Math.round(totalMs) + ' ms.';
    for (const w of response.warnings.concat(response.notes)) messages.append(el('li', { text: w }));
  }

  function countryName(iso3) {
    const c = described.countries.find((x) => x.iso3 === iso3);
    return c ? c.name + ' (' + iso3 + ')' : iso3;
  }
  function label(name) {
    const i = described.indicators[name];
    return i ? i.label : name;
  }
  function unit(name) {
    const i = described.indicators[name];
    return i ? i.unit : '';
  }

  const view = { ends: [], cadre: 'all' };

  async function redraw(response) {
    for (const c of charts) {
      const v = state.views.get(c.id);
      if (!v) continue;
      await v.data('table', c.rows(response)).runAsync();
    }
    figures(response);
  }

  const figureTables = [];
  function figures(response) {
    const last = response.years.length - 1;
    figureTables.forEach((t, side) => {
      const iso3 = view.ends[side];
      t.replaceChildren(el('tr', {}, el('th', { text: String(response.years[last]) }),
        el('th', { text: 'Your settings' }), el('th', { text: 'Baseline' })));
      const density = view.cadre === 'all' ? 'sdg_density' : 'density_per_10k';
      for (const name of ['supply', density, 'shortage', 'net_migration']) {
        const key = { country: iso3, cadre: view.cadre, indicator: name };
        const now = series(response.run.indicators, key);
        const base = series(response.baseline.indicators, key);
        t.append(el('tr', {}, el('th', { text: label(name) }),
          el('td', { text: now ? show(now[last]) : '\u2013' }),
          el('td', { text: base ? show(base[last]) : '\u2013' })));
      }
      const cost = series(response.run.summary, { country: iso3, indicator: 'policy_cost_cumulative' });
      t.append(el('tr', {}, el('th', { text: label('policy_cost_cumulative') }),
        el('td', { text: cost ? show(cost[last]) : '\u2013' }),
        el('td', { text: '\u2013', title: 'The baseline has no policy, so no policy cost' })));
    });
  }

  async function buildCharts(response) {
    for (const c of charts) {
      const v = state.views.get(c.id);
      if (v) v.finalize();
      state.views.delete(c.id);
    }
    charts.length = 0;
    figureTables.length = 0;
    main.replaceChildren();
    const ends = el('div', { class: 'ends' });
    main.append(ends);
    // The SDG threshold counts doctors, nurses and midwives together: with all cadres the chart
    // draws the SDG density against it; one cadre's density has no threshold of its own.
    const density = view.cadre === 'all' ? 'sdg_density' : 'density_per_10k';
    const perEnd = [
      ['supply', lineSpec(label('supply'), unit('supply'), {})],
      [density, view.cadre === 'all'
        ? lineSpec(label(density) + ' against the SDG threshold', unit(density), {
          threshold: described.sdg_threshold,
          thresholdLabel: 'SDG index threshold: ' + described.sdg_threshold + ' doctors, nurses and midwives per 10,000',
        })
        : lineSpec(label(density) + ' (' + view.cadre + ')', unit(density), {})],
      ['shortage', lineSpec(label('shortage'), unit('shortage'), {})],
    ];
    view.ends.forEach((iso3, side) => {
      const box = el('section', { class: 'end', 'data-country': iso3 });
      box.append(el('h2', { text: countryName(iso3) }));
      const t = el('table', { class: 'figures' });
      figureTables.push(t);
      box.append(t);
      ends.append(box);
      for (const [name, spec] of perEnd) {
        const target = el('div', { class: 'chart' });
        box.append(target);
        charts.push({
          id: name + '-' + side, target, spec,
          rows: (r) => rows(r, 'indicators', { country: iso3, cadre: view.cadre, indicator: name }, countryName(iso3)),
        });
      }
      const target = el('div', { class: 'chart' });
      box.append(target);
      charts.push({
        id: 'cost-' + side, target,
        spec: lineSpec(label('policy_cost_cumulative'), unit('policy_cost_cumulative'), { floor: true }),
        rows: (r) => rows(r, 'summary', { country: iso3, indicator: 'policy_cost_cumulative' }, countryName(iso3)),
      });
    });
    const wide = el('section', { class: 'wide' });
    wide.append(el('h2', { text: 'Migration between ' + view.ends.map(countryName).join(' and ') }));
    main.append(wide);
    for (const name of ['emigration', 'migrant_stock', 'compensation']) {
      const target = el('div', { class: 'chart' });
      wide.append(target);
      charts.push({
        id: 'corridor-' + name, target,
        spec: lineSpec(label(name), unit(name), { bySeries: true, floor: name === 'compensation' }),
        rows: (r) => corridorRows(r, name),
      });
    }
    for (const c of charts) {
      const now = c.rows(response);
      if (now.length) await chart(c.id, c.target, c.spec, now);
      else c.target.append(el('p', { class: 'note', text: c.spec.title.text + ': none in this model.' }));
    }
    figures(response);
  }

  /** Rows of every corridor between the two countries shown (either way), by cadre. */
  function corridorRows(response, name) {
    const out = [];
    const t = response.run.corridors;
    const o = t.columns.indexOf('origin'), d = t.columns.indexOf('destination');
    const k = t.columns.indexOf('cadre'), i = t.columns.indexOf('indicator');
    const [a, b] = view.ends;
    for (const s of t.series) {
      if (s[i] !== name) continue;
      if (!((s[o] === a && s[d] === b) || (s[o] === b && s[d] === a))) continue;
      if (view.cadre !== 'all' && s[k] !== view.cadre) continue;
      const key = { origin: s[o], destination: s[d], cadre: s[k], indicator: name };
      out.push(...rows(response, 'corridors', key, s[o] + ' \u2192 ' + s[d] + ', ' + s[k]));
    }
    return out;
  }

  // ---- Settings --------------------------------------------------------------------------------

  function sliderFor(c, s) {
    const box = el('div', { class: 'control', 'data-path': c.path });
    const id = 'c-' + c.path.replace(/[^A-Za-z0-9_-]/g, '_');
    const name = el('label', { class: 'name', for: id, text: c.label });
    const value = el('span', { class: 'value' });
    const given = el('span', { class: 'given', text: ' (scenario: ' + (c.unit === 'year' ? String(c.value) : show(c.value)) + ')' });
    const list = el('datalist', { id: id + '-given' }, el('option', { value: String(c.value) }));
    const input = el('input', {
      type: 'range', id, min: String(c.min), max: String(c.max), step: String(c.step),
      list: id + '-given', 'aria-describedby': id + '-unit',
    });
    // The scenario's value stays exact until the slider moves (it need not lie on a step).
    const current = s.values.has(c.path) ? s.values.get(c.path) : c.value;
    input.value = String(current);
    const unitText = el('span', { class: 'given', id: id + '-unit', text: ' ' + c.unit });
    const paint = (v) => {
      value.textContent = c.unit === 'year' ? String(v) : show(v);
      box.classList.toggle('changed', v !== c.value);
    };
    paint(current);
    input.addEventListener('input', () => {
      const v = Number(input.value);
      s.values.set(c.path, v);
      paint(v);
      schedule();
    });
    box.append(name, input, list, el('div', {}, value, unitText, given));
    if (c.source) box.title = c.source;
    return box;
  }

  function buildPanel() {
    panel.replaceChildren();
    const s = scenarioSettings(state.scenario);
    if (data.scenarios.length > 1) {
      const pick = el('select', { id: 'scenario' });
      for (const sc of data.scenarios) {
        const o = el('option', { value: sc.file, text: sc.path });
        if (sc.file === state.scenario) o.selected = true;
        pick.append(o);
      }
      pick.addEventListener('change', () => open(pick.value));
      panel.append(el('label', { for: 'scenario', text: 'Scenario' }), pick);
    }
    const ends = [0, 1].map((side) => {
      const sel = el('select', { id: 'end-' + side });
      for (const c of described.countries) {
        const o = el('option', { value: c.iso3, text: c.name + ' (' + c.iso3 + ')' });
        if (c.iso3 === view.ends[side]) o.selected = true;
        sel.append(o);
      }
      sel.addEventListener('change', () => { view.ends[side] = sel.value; rebuild = true; schedule(); });
      return sel;
    });
    const cadre = el('select', { id: 'cadre' });
    for (const k of ['all'].concat(described.cadres)) {
      const o = el('option', { value: k, text: k === 'all' ? 'all cadres' : k });
      if (k === view.cadre) o.selected = true;
      cadre.append(o);
    }
    cadre.addEventListener('change', () => { view.cadre = cadre.value; rebuild = true; schedule(); });
    panel.append(el('label', { for: 'end-0', text: 'Left: one end of the corridor' }), ends[0],
      el('label', { for: 'end-1', text: 'Right: the other end' }), ends[1],
      el('label', { for: 'cadre', text: 'Cadre' }), cadre);

    const groups = new Map();
    for (const p of described.policies) groups.set(p.name, []);
    groups.set('', []);
    for (const c of described.controls) (groups.get(c.policy) || groups.get('')).push(c);
    for (const p of described.policies) {
      const fs = el('fieldset', { 'data-policy': p.name });
      fs.append(el('legend', { text: p.name }));
      const box = el('input', { type: 'checkbox', id: 'on-' + p.name.replace(/[^A-Za-z0-9_-]/g, '_') });
      box.checked = !s.off.has(p.name);
      const sliders = groups.get(p.name).map((c) => sliderFor(c, s));
      const apply = () => {
        if (box.checked) s.off.delete(p.name);
        else s.off.add(p.name);
        for (const sl of sliders) {
          sl.classList.toggle('disabled', !box.checked);
          sl.querySelector('input').disabled = !box.checked;
        }
      };
      apply();
      box.addEventListener('change', () => { apply(); schedule(); });
      fs.append(el('label', { class: 'switch' }, box, 'on (' + p.type + ')'), ...sliders);
      panel.append(fs);
    }
    if (groups.get('').length) {
      const fs = el('fieldset', {});
      fs.append(el('legend', { text: 'Model parameters' }), ...groups.get('').map((c) => sliderFor(c, s)));
      panel.append(fs);
    }
    if (!described.policies.length && !described.controls.length)
      panel.append(el('p', { class: 'note', text: 'This scenario has no policy and no workshop block: nothing to change.' }));

    const reset = el('button', { type: 'button', id: 'reset', text: 'Reset' });
    reset.addEventListener('click', () => {
      state.settings.delete(state.scenario);
      buildPanel();
      schedule();
    });
    const save = el('button', { type: 'button', id: 'save', class: 'primary', text: 'Save this scenario' });
    save.addEventListener('click', () => {
      if (!state.response) return;
      const blob = new Blob([state.response.yaml], { type: 'application/yaml' });
      const a = el('a', { href: URL.createObjectURL(blob), download: described.saved_file });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    });
    panel.append(el('div', { class: 'buttons' }, reset, save), statusLine, messages);
  }

  async function open(file) {
    state.scenario = file;
    described = call({ op: 'describe', scenario: file });
    if (!described.ok) {
      panel.replaceChildren(el('p', { class: 'status', text: 'This scenario cannot be opened:' }),
        el('ul', { class: 'messages' }, el('li', { class: 'error', text: described.error })));
      main.replaceChildren();
      return;
    }
    document.getElementById('title').textContent = described.title;
    document.getElementById('lead').textContent = described.description;
    view.ends = described.shown.slice(0, 2);
    while (view.ends.length < 2) view.ends.push(described.countries[view.ends.length].iso3);
    buildPanel();
    rebuild = true;
    pending = true;
    await runNow();
  }

  document.getElementById('footer').textContent = data.generator + '. Charts: ' + data.libraries +
    '. The model runs in this page; nothing leaves it.';
  // The model's WebAssembly, carried in the page in base64 and handed to its loader as bytes.
  const wasm = (() => {
    const text = atob(document.getElementById('hwf-wasm').textContent.trim());
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
    return bytes;
  })();
  state.ready = createHwfsim({ wasmBinary: wasm }).then(async (m) => {
    model = m;
    writeFiles();
    await open(data.scenarios[0].file);
  }).catch((err) => {
    state.errors.push(String(err));
    panel.replaceChildren(el('p', { class: 'status', text: 'The model could not start: ' + err }));
    throw err;
  });
})();

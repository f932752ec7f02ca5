/* hwfsim report.html: builds the page from the results embedded in it (docs/report.md).
 *
 * Every text that comes from the results (scenario, country and file names, descriptions) reaches
 * the page through textContent, <option> text or Vega's own text marks and tooltips (which
 * escape), never as HTML. Charts are Vega-Lite specs drawn by vega-embed with its expression
 * interpreter (ast), so the page needs no eval and runs under a Content-Security-Policy that
 * allows only its own scripts and no network. */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('hwf-data').textContent);
  const report = { views: new Map(), charts: [], ready: null, errors: [], redraws: 0 };
  window.hwfReport = report;

  // ---- Data access -------------------------------------------------------------------------

  const D = data.dictionaries;
  const K = data.constants;
  const kind = data.kind;
  const scenarios = D.scenarios;
  const countries = D.countries || [];
  const cadres = D.cadres || [];
  const countryInfo = data.country_info || [];
  // The countries with rows of their own: a rest-of-world entry only names the destination of
  // corridors, so no selector, table or chart by country lists it (docs/report.md).
  const listed = countries.map((_, c) => c).filter((c) => !(countryInfo[c] && countryInfo[c].rest_of_world));
  const eachListed = (f) => listed.forEach((c) => f(countries[c], c));
  const isMc = kind === 'mc';
  const comparing = scenarios.length > 1;

  const lookup = {};
  for (const name of Object.keys(D)) {
    const m = new Map();
    D[name].forEach((label, i) => m.set(label, i));
    lookup[name] = m;
  }
  const id = (dict, label) => (lookup[dict] && lookup[dict].has(label) ? lookup[dict].get(label) : -1);

  // Each table names its key columns (scenario, country, origin, destination, cadre, indicator,
  // and whatever a model adds, such as an age band) and the dictionary of each; the page finds a
  // key by its column's name, never by its position. A key column a lookup does not name is read
  // at its total ('all'), so an added dimension shifts nothing.
  const tables = {};
  for (const [name, t] of Object.entries(data.tables)) {
    const map = new Map();
    for (const s of t.series) map.set(s.slice(0, -1).join('|'), s[s.length - 1]);
    const totals = t.keys.map((dict) => id(dict, 'all'));
    tables[name] = { years: t.years, columns: t.columns, keyColumns: t.key_columns, totals, map };
  }
  const has = (name) => Object.prototype.hasOwnProperty.call(tables, name);

  /** The value columns of the series of table `t` at `key` ({column name: id}), or undefined. */
  const seriesAt = (t, key) =>
    t.map.get(t.keyColumns.map((c, i) => (key[c] === undefined ? t.totals[i] : key[c])).join('|'));

  /** The values over the table's years of one series and column, or null. */
  function series(table, key, column) {
    const t = tables[table];
    if (!t) return null;
    const cols = seriesAt(t, key);
    if (!cols) return null;
    const c = column === undefined ? 0 : t.columns.indexOf(column);
    return c >= 0 ? cols[c] : null;
  }

  const mainTable = isMc ? 'quantiles' : 'indicators';
  const corridorTable = isMc ? 'corridor_quantiles' : 'corridors';
  const valueColumn = isMc ? 'p50' : 'value';
  const years = has(mainTable) ? tables[mainTable].years : has(corridorTable) ? tables[corridorTable].years : [];
  const cadreAll = id('cadres', 'all');

  // Corridors: (origin, destination, cadre) triples present in the corridor table.
  const corridors = [];
  if (has(corridorTable)) {
    const t = tables[corridorTable];
    const [at, ad, ak] = ['origin', 'destination', 'cadre'].map((c) => t.keyColumns.indexOf(c));
    const seen = new Set();
    for (const key of t.map.keys()) {
      const ids = key.split('|').map(Number);
      const [o, d, k] = [ids[at], ids[ad], ids[ak]];
      const triple = o + '|' + d + '|' + k;
      if (!seen.has(triple)) {
        seen.add(triple);
        corridors.push({ o, d, k });
      }
    }
  }

  // ---- Labels, units, formats --------------------------------------------------------------

  /** "a", "a and b", "a, b and c". */
  const listText = (xs) => (xs.length < 2 ? xs.join('') : xs.slice(0, -1).join(', ') + ' and ' + xs[xs.length - 1]);
  // The cadres the SDG density counts (sdg_core in the model); a folder written before run.json
  // listed them names them in general.
  const modelCadres = ((data.scenarios[0] || {}).model || {}).cadres;
  const sdgCadres = modelCadres ? modelCadres.filter((k) => k.sdg_core).map((k) => k.id) : null;
  const sdgText = sdgCadres === null ? 'the cadres the SDG index counts' : sdgCadres.length ? listText(sdgCadres) : 'no cadre';
  const noSdgCadre = sdgCadres !== null && sdgCadres.length === 0;

  // [label, unit, format kind, key-figure title] of each indicator, from the model's registry in
  // run.json; names it does not list (a folder written before run.json carried them) are shown
  // as they are.
  const INDICATORS = {};
  for (const e of ((data.scenarios[0] || {}).model || {}).indicators || [])
    INDICATORS[e.name] = [e.name === 'sdg_density' ? e.label + ' (' + sdgText + ')' : e.label, e.unit, e.format, e.short_label];
  const meta = (name) => INDICATORS[name] || [name, '', 'number'];
  const label = (name) => meta(name)[0];
  const unit = (name) => meta(name)[1];
  // The column title of the key figures (units in the header's tooltip): the registry's short
  // label where the label alone would not say it.
  const columnTitle = (name) => meta(name)[3] || label(name);
  // The chart's title names the indicator; its y axis, the unit.
  const axisTitle = (name) => {
    const u = unit(name) || label(name);
    return u.charAt(0).toUpperCase() + u.slice(1);
  };
  // Money reads "12.0 M" in the page as in the console (app/console.cpp, money()): below a million,
  // whole dollars with thousands separators; from a million, M, B or T with two decimals below
  // 10 and one from 10 ("2.39 M", "12.0 M", "135.5 M", "1.35 B"). Each step rounds half up on
  // the magnitude, in the same double arithmetic as the console's.
  const MONEY = 'hwfMoney';
  const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  function money(x) {
    if (x === null || x === undefined || !isFinite(x)) return '\u2013';
    const sign = x < 0 ? '-' : '';
    const a = Math.abs(x);
    const whole = Math.floor(a + 0.5);
    if (whole < 1e6) return (whole === 0 ? '' : sign) + thousands(whole);
    const units = [[1e6, 'M'], [1e9, 'B'], [1e12, 'T']];
    for (let i = 0; i < units.length; ++i) {
      const v = a / units[i][0];
      const r2 = Math.floor(v * 100 + 0.5) / 100;
      if (r2 < 10) return sign + r2.toFixed(2) + ' ' + units[i][1];
      const r1 = Math.floor(v * 10 + 0.5) / 10;
      if (r1 < 1000 || i === units.length - 1) return sign + r1.toFixed(1) + ' ' + units[i][1];
    }
    return '';
  }
  report.money = money;
  /** Replaces the money format's placeholder by the page's formatter, everywhere in a spec. */
  function moneyFormats(o) {
    if (Array.isArray(o)) { o.forEach(moneyFormats); return o; }
    if (o && typeof o === 'object') {
      if (o.format === MONEY) { delete o.format; o.formatType = MONEY; }
      for (const v of Object.values(o)) moneyFormats(v);
    }
    return o;
  }
  const FORMATS = {
    count: { axis: '~s', tip: ',.0f' },
    density: { axis: '.0f', tip: '.1f' },
    usd: { axis: MONEY, tip: MONEY },
    share: { axis: '.0%', tip: '.0%' },
    number: { axis: '~s', tip: ',.4~g' },
  };
  const fmtOf = (name) => FORMATS[meta(name)[2]] || FORMATS.number;

  const countryName = (c) => (countryInfo[c] && countryInfo[c].name) || countries[c];
  const countryLabel = (c) => {
    const name = countryName(c);
    return name === countries[c] ? name : name + ' (' + countries[c] + ')';
  };
  const corridorLabel = (e) =>
    countries[e.o] + ' \u2192 ' + countries[e.d] + ', ' + cadres[e.k];
  const cadreLabel = (k) => (k === cadreAll ? 'all cadres' : cadres[k]);

  const numberFormat = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function formatValue(name, x) {
    if (x === null || x === undefined || !isFinite(x)) return '\u2013';
    switch (meta(name)[2]) {
      case 'density': return oneDecimal.format(x);
      case 'usd': return money(x);
      case 'share': return Math.round(x * 100) + '%';
      default: return numberFormat.format(x);
    }
  }

  const SCENARIO_COLORS = ['#1f5f8b', '#d97706', '#059669', '#b91c1c', '#7c3aed', '#0891b2',
    '#be185d', '#65a30d', '#92400e', '#475569'];
  const CADRE_COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#975a16'];
  const scenarioScale = (names) => ({
    domain: names,
    range: names.map((n) => SCENARIO_COLORS[scenarios.indexOf(n) % SCENARIO_COLORS.length]),
  });

  // The width of the chart being drawn (drawNow sets it): legends wrap to fit it.
  let drawWidth = 600;
  /** A legend laid out in as many columns as fit the chart's width, so that every name shows
   *  whole however many series there are (a long name wraps onto a row of its own). */
  function legendLayout(names) {
    const avail = Math.max(160, drawWidth - 16);
    // An entry's width, generously: symbol, padding, and 6.8 pixels a character at 11 pixels.
    const entry = (n) => String(n).length * 6.8 + 32;
    // The most columns whose widths (each its widest entry, as Vega aligns them) fit.
    let columns = 1;
    for (let c = names.length; c > 1; --c) {
      const widths = new Array(c).fill(0);
      names.forEach((n, i) => { widths[i % c] = Math.max(widths[i % c], entry(n)); });
      if (widths.reduce((a, b) => a + b, 0) <= avail) { columns = c; break; }
    }
    return { columns, labelLimit: Math.max(60, Math.floor(avail - 32)) };
  }

  // ---- State and controls ------------------------------------------------------------------

  const chosenYears = (() => {
    const ys = years.filter((y) => y > years[0]);
    let wanted = [];
    if (kind === 'compare' && data.comparison && data.comparison.summary_years)
      wanted = data.comparison.summary_years;
    else if (years.length) wanted = [years[0] + 5, years[0] + 10, years[years.length - 1]];
    const out = wanted.filter((y, i) => ys.includes(y) && wanted.indexOf(y) === i);
    return out.length ? out : ys.slice(-1);
  })();

  /** The country the scenarios change most: the largest change of supply (all cadres) from the
   *  baseline at the last year, relative to the baseline's (the median difference run by run for
   *  an ensemble); the first country when nothing is compared. */
  function mostChangedCountry() {
    if (!comparing || cadreAll < 0) return listed.length ? listed[0] : 0;
    const supply = id('indicators', 'supply');
    const last = years.length - 1;
    let best = listed.length ? listed[0] : 0, bestChange = 0;
    eachListed((_, c) => {
      const b = series(mainTable, { scenario: 0, country: c, cadre: cadreAll, indicator: supply }, valueColumn);
      if (!b || b[last] === null) return;
      for (let s = 1; s < scenarios.length; ++s) {
        let d = null;
        if (isMc) {
          const q = series('difference_quantiles', { scenario: s, country: c, cadre: cadreAll, indicator: supply }, 'p50');
          d = q ? q[last] : null;
        } else {
          const v = series('indicators', { scenario: s, country: c, cadre: cadreAll, indicator: supply });
          d = v && v[last] !== null ? v[last] - b[last] : null;
        }
        const change = d === null ? 0 : Math.abs(d) / Math.max(Math.abs(b[last]), 1);
        if (change > bestChange) { best = c; bestChange = change; }
      }
    });
    return best;
  }
  /** The country the address names (report.html#country=GHA), or -1. */
  function hashCountry() {
    const wanted = new URLSearchParams(window.location.hash.slice(1)).get('country');
    if (!wanted) return -1;
    return listed.find((c) => countries[c].toUpperCase() === wanted.toUpperCase()) ?? -1;
  }

  const state = {
    scenario: 0,
    policy: comparing ? 1 : 0,
    country: hashCountry() >= 0 ? hashCountry() : mostChangedCountry(),
    cadre: cadreAll >= 0 ? cadreAll : 0,
    indicator: Math.max(0, id('indicators', 'shortage')),
    corridor: 0,
    year: chosenYears.length ? chosenYears[chosenYears.length - 1] : years[years.length - 1],
  };

  report.state = state;

  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const listeners = [];
  const CONTROL_HELP = {
    scenario: 'The scenario of the charts that show one scenario at a time (need and supply, supply by cadre, corridor totals' +
      (isMc ? ', the bands' : '') + ')',
    policy: 'The scenario whose run-by-run difference from the baseline is shown',
    country: 'The country of the country charts',
    cadre: 'The cadre of the country charts and the corridor totals',
    indicator: 'The indicator of the first country chart' + (comparing ? ' and of the charts of differences' : ''),
    corridor: 'The corridor of the corridor charts',
    year: 'The year of the key figures, of the corridor totals' + (comparing ? ' and of the by-country charts' : ''),
  };
  function addControl(box, key, labelText, options) {
    const wrap = el('div', { class: 'control', title: CONTROL_HELP[key] || '' });
    const sel = el('select', { id: 'control-' + key, name: key });
    const lab = el('label', { for: sel.id }, labelText);
    for (const [value, text] of options) sel.add(new Option(text, String(value)));
    sel.value = String(state[key]);
    sel.addEventListener('change', () => {
      state[key] = Number(sel.value);
      for (const f of listeners) f(key);
    });
    wrap.append(lab, sel);
    box.append(wrap);
  }

  // ---- Chart specs -------------------------------------------------------------------------

  const CONFIG = {
    customFormatTypes: true,  // money (hwfMoney)
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#e4e7eb',
      domainColor: '#9aa5b1', tickColor: '#9aa5b1', titleColor: '#3e4c59', labelColor: '#52606d' },
    legend: { orient: 'bottom', labelFontSize: 11, titleFontSize: 11, labelLimit: 320,
      symbolStrokeWidth: 2, columns: 0 },
    title: { anchor: 'start', fontSize: 14, fontWeight: 600, subtitleFontSize: 12,
      subtitleColor: '#52606d', offset: 10, color: '#1f2933' },
    line: { strokeWidth: 2 },
  };
  // Points carry the tooltips of a line; drawn transparent (the line shows the values), larger than
  // they look so that they are easy to hover.
  const POINT = { size: 70, filled: true, opacity: 0 };
  const X_YEAR = { field: 'year', type: 'quantitative', title: 'Year',
    axis: { format: 'd', tickMinStep: 1, labelOverlap: true }, scale: { nice: false } };

  function base(title, subtitle, height) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container',
      height: height || 230,
      autosize: { type: 'fit-x', contains: 'padding' },
      title: { text: title, subtitle: subtitle || '' },
      config: CONFIG,
    };
  }

  /** Rows {year, series, value} of one series of values over the table's years. */
  function rowsOf(table, values, seriesName, extra) {
    const out = [];
    if (!values) return out;
    const ys = tables[table].years;
    values.forEach((v, i) => {
      if (v !== null) out.push(Object.assign({ year: ys[i], series: seriesName, value: v }, extra || {}));
    });
    return out;
  }

  function referenceRules() {
    return [
      { value: K.sdg_threshold, label: 'SDG index threshold ' + K.sdg_threshold },
      { value: K.safeguards_median, label: 'Safeguards List ' + K.safeguards_edition + ' median ' + K.safeguards_median },
    ];
  }

  /** Dashed reference lines, labelled at the right: the lowest below its line, the others above,
   *  so that close values (44.5 and 49) keep their labels apart. */
  function ruleLayers(rules) {
    if (!rules || !rules.length) return [];
    const sorted = rules.slice().sort((a, b) => a.value - b.value);
    return [{ data: { values: rules }, mark: { type: 'rule', strokeDash: [5, 4], color: '#9b2c2c', strokeWidth: 1.2 },
      encoding: { y: { field: 'value', type: 'quantitative' } } }].concat(sorted.map((r, i) => ({
      data: { values: [r] },
      mark: { type: 'text', align: 'right', dx: -2, dy: i === 0 && sorted.length > 1 ? 9 : -7, fontSize: 11, color: '#9b2c2c' },
      encoding: { y: { field: 'value', type: 'quantitative' }, x: { value: { expr: 'width' } }, text: { field: 'label' } } })));
  }

  /** A y domain for values that do not vary (a shortage of 0 throughout), where Vega would
   *  make an empty domain and label the axis NaN; null when the values span a range. */
  function steadyDomain(values, zero) {
    const xs = values.filter((v) => v !== null && v !== undefined && isFinite(v));
    if (!xs.length) return null;
    let lo = Math.min(...xs), hi = Math.max(...xs);
    if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (hi > lo) return null;
    if (lo === 0) return zero ? [0, 2] : [-1, 1];
    const d = Math.max(1, Math.abs(lo) * 0.1);
    return [lo - d, hi + d];
  }
  /** Puts a steady domain on a y encoding, with ticks at its ends and middle only (finer ticks
   *  would repeat a rounded label). Does nothing for a null domain. */
  function steadyAxis(y, domain) {
    if (!domain) return;
    y.scale = Object.assign(y.scale || {}, { domain });
    y.axis = Object.assign(y.axis || {}, { values: [domain[0], (domain[0] + domain[1]) / 2, domain[1]] });
  }
  const ruleValues = (o) => (o.rules || []).map((r) => r.value).concat(o.zeroRule ? [0] : []);

  /** Lines over the years, one per series, with points for tooltips. */
  function lineChart(o) {
    const f = fmtOf(o.indicator);
    const spec = base(o.title, o.subtitle, o.height);
    const color = o.colors
      ? { field: 'series', type: 'nominal', title: o.legend || null, scale: o.colors, sort: o.colors.domain }
      : { value: SCENARIO_COLORS[0] };
    if (o.colors) color.legend = o.colors.domain.length < 2 ? null : legendLayout(o.colors.domain);
    const lines = {
      data: { values: o.rows },
      mark: { type: 'line', point: POINT, tooltip: true },
      encoding: {
        x: X_YEAR,
        y: { field: 'value', type: 'quantitative', title: o.yTitle || axisTitle(o.indicator),
          axis: { format: f.axis }, scale: { zero: o.zero !== false } },
        color,
        tooltip: [
          { field: 'series', title: o.legend || 'Series' },
          { field: 'year', title: 'Year' },
          { field: 'value', title: label(o.indicator), format: f.tip },
        ],
      },
    };
    if (o.dashes) lines.encoding.strokeDash = o.dashes;
    steadyAxis(lines.encoding.y, steadyDomain(o.rows.map((r) => r.value).concat(ruleValues(o)), o.zero !== false));
    spec.layer = [lines].concat(o.zeroRule ? [{ data: { values: [{ value: 0 }] },
      mark: { type: 'rule', color: '#52606d' }, encoding: { y: { field: 'value', type: 'quantitative' } } }] : [],
    ruleLayers(o.rules));
    return spec;
  }

  /** A fan chart: p05-p95 and p25-p75 bands and the median, from quantile rows. */
  function fanChart(o) {
    const f = fmtOf(o.indicator);
    const spec = base(o.title, o.subtitle, o.height);
    const colorScale = { domain: ['5th to 95th percentile', '25th to 75th percentile', 'Median'],
      range: ['#bcd4e6', '#6f9fc4', '#1f5f8b'] };
    const color = { field: 'band', type: 'nominal', title: null, scale: colorScale };
    const tip = [
      { field: 'year', title: 'Year' },
      { field: 'p50', title: 'Median', format: f.tip },
      { field: 'p25', title: '25th percentile', format: f.tip },
      { field: 'p75', title: '75th percentile', format: f.tip },
      { field: 'p05', title: '5th percentile', format: f.tip },
      { field: 'p95', title: '95th percentile', format: f.tip },
      { field: 'mean', title: 'Mean', format: f.tip },
    ];
    const y = { field: 'p05', type: 'quantitative', title: o.yTitle || axisTitle(o.indicator),
      axis: { format: f.axis }, scale: { zero: o.zero !== false } };
    const spread = [];
    for (const r of o.rows) spread.push(r.p05, r.p95, r.p50);
    if (o.extraLines) for (const r of o.extraLines.data.values) spread.push(r.value);
    steadyAxis(y, steadyDomain(spread.concat(ruleValues(o)), o.zero !== false));
    spec.layer = [
      { data: { values: o.rows }, transform: [{ calculate: "'5th to 95th percentile'", as: 'band' }],
        mark: { type: 'area', opacity: 0.9 },
        encoding: { x: X_YEAR, y, y2: { field: 'p95' }, color } },
      { data: { values: o.rows }, transform: [{ calculate: "'25th to 75th percentile'", as: 'band' }],
        mark: { type: 'area', opacity: 0.9 },
        encoding: { x: X_YEAR, y: { field: 'p25', type: 'quantitative' }, y2: { field: 'p75' }, color } },
      { data: { values: o.rows }, transform: [{ calculate: "'Median'", as: 'band' }],
        mark: { type: 'line', point: POINT, tooltip: true },
        encoding: { x: X_YEAR, y: { field: 'p50', type: 'quantitative' }, color, tooltip: tip } },
    ];
    if (o.extraLines) spec.layer.push(o.extraLines);
    if (o.zeroRule) spec.layer.push({ data: { values: [{ value: 0 }] }, mark: { type: 'rule', color: '#52606d' },
      encoding: { y: { field: 'value', type: 'quantitative' } } });
    spec.layer = spec.layer.concat(ruleLayers(o.rules));
    return spec;
  }

  /** Quantile rows {year, mean, p05..p95} of one series of a quantile table. */
  function quantileRows(table, key) {
    const t = tables[table];
    if (!t) return [];
    const cols = seriesAt(t, key);
    if (!cols) return [];
    const out = [];
    t.years.forEach((year, i) => {
      const r = { year };
      t.columns.forEach((c, j) => { r[c] = cols[j][i]; });
      if (r.p50 !== null) out.push(r);
    });
    return out;
  }

  const ind = (name) => id('indicators', name);
  const cind = (name) => id('corridor_indicators', name);
  const countryKey = (s, c, k, name) => ({ scenario: s, country: c, cadre: k, indicator: ind(name) });
  const corridorKey = (s, e, i) => ({ scenario: s, origin: e.o, destination: e.d, cadre: e.k, indicator: i });
  const countryHasCadre = (c, k) => series(mainTable, countryKey(0, c, k, 'supply'), valueColumn) !== null;
  const cadresOf = (c) => cadres.map((_, k) => k).filter((k) => k !== cadreAll && countryHasCadre(c, k));

  // ---- Charts ------------------------------------------------------------------------------

  /** A chart: a box in a section, redrawn when one of the controls it depends on changes.
   *  spec() returns a Vega-Lite spec, or a string saying why there is nothing to draw. */
  function chart(section, idName, deps, spec, file, wide) {
    const box = el('div', { class: 'chart-box' + (wide ? ' wide' : '') });
    const target = el('div', { class: 'chart', id: 'chart-' + idName, 'data-chart': idName });
    box.append(target);
    section.charts.append(box);
    if (wide) box.style.gridColumn = '1 / -1';
    const c = { id: idName, deps, spec, file, target, view: null, drawn: 0 };
    report.charts.push(c);
    return c;
  }

  /** Draws a chart again; draws of one chart run one after the other, each with the controls'
   *  state when it starts, so quick changes never leave two charts in one box. */
  function draw(c) {
    c.queue = (c.queue || Promise.resolve()).catch(() => {}).then(() => drawNow(c));
    return c.queue;
  }

  async function drawNow(c) {
    drawWidth = c.target.clientWidth || 600;
    const spec = c.spec();
    if (c.view) {
      c.view.finalize();
      c.view = null;
      report.views.delete(c.id);
    }
    c.target.replaceChildren();
    if (typeof spec === 'string') {
      c.target.append(el('p', { class: 'note' }, spec));
      c.target.dataset.empty = '1';
      c.drawn += 1;
      return;
    }
    delete c.target.dataset.empty;
    const name = ('hwfsim-' + c.id + '-' + c.file()).replace(/[^A-Za-z0-9_.-]+/g, '_');
    moneyFormats(spec);
    try {
      const result = await vegaEmbed(c.target, spec, {
        expressionFunctions: { [MONEY]: (v) => money(v) },
        renderer: 'svg',
        ast: true,
        actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false },
        downloadFileName: name,
        scaleFactor: 2,
        i18n: { PNG_ACTION: 'Save as PNG (for slides)', SVG_ACTION: 'Save as SVG' },
      });
      c.view = result.view;
      report.views.set(c.id, result.view);
    } catch (err) {
      report.errors.push(c.id + ': ' + err);
      c.target.append(el('p', { class: 'chart-error' }, 'This chart could not be drawn: ' + err));
      throw err;
    }
    c.drawn += 1;
  }

  const main = document.getElementById('main');
  function section(idName, title, intro) {
    const s = el('section', { class: 'card', id: 'section-' + idName });
    const h = el('h2', null, title);
    s.append(h);
    if (intro) s.append(el('p', { class: 'section-intro' }, intro));
    const charts = el('div', { class: 'charts' });
    s.append(charts);
    main.append(s);
    return { el: s, heading: h, charts };
  }

  // ---- Header, provenance ------------------------------------------------------------------

  const first = data.scenarios[0] || {};
  const horizon = first.horizon ? first.horizon.start + '\u2013' + first.horizon.end : '';
  const kindText = { run: 'Scenario run', compare: 'Scenario comparison', mc: 'Monte Carlo ensemble', calibrate: 'Calibration',
    sensitivity: 'Sensitivity analysis' }[kind] || kind;
  document.getElementById('kicker').textContent = 'hwfsim report \u00b7 ' + kindText;
  const titleText = comparing
    ? scenarios[0] + ' and ' + (scenarios.length - 1) + ' other scenario' + (scenarios.length > 2 ? 's' : '')
    : scenarios[0];
  document.getElementById('title').textContent = titleText;
  document.title = titleText + ' \u2013 hwfsim report';
  const leadParts = [];
  if (!comparing && first.description) leadParts.push(first.description);
  if (first.model && first.model.description) leadParts.push('Model: ' + first.model.description);
  document.getElementById('lead').textContent = leadParts.join(' ');

  function provenance() {
    const s = section('about', 'About these results');
    s.charts.remove();
    const facts = el('dl', { class: 'facts' });
    const fact = (k, v) => { facts.append(el('dt', null, k), el('dd', null, v)); };
    fact('Horizon', horizon);
    if (first.solver) {
      const step = first.solver.step_years ? ', step ' + (1 / first.solver.step_years >= 1.5
        ? '1/' + Math.round(1 / first.solver.step_years) : first.solver.step_years) + ' year' : '';
      fact('Solver', first.solver.method + step);
    }
    if (first.model && first.model.name) fact('Model', first.model.name);
    if (kind === 'compare' && data.comparison) {
      fact('Baseline', data.comparison.baseline);
      fact('Discount rate', String(data.comparison.discount_rate));
    }
    if (isMc && data.monte_carlo) {
      const mc = data.monte_carlo;
      fact('Monte Carlo', mc.successful_runs + ' of ' + mc.samples + ' runs succeeded; ' + mc.sampling +
        ' sampling, seed ' + mc.seed + '; quantiles: ' + mc.quantiles);
      if (mc.dimensions && mc.dimensions.length) fact('Sampled', mc.dimensions.join(', '));
    }
    s.el.append(facts);

    s.el.append(el('h3', null, comparing ? 'Scenarios' : 'Scenario'));
    const wrap = el('div', { class: 'table-scroll' });
    const table = el('table');
    const head = el('tr');
    for (const h of ['Scenario', 'Description', 'Input files (SHA-256)']) head.append(el('th', null, h));
    const thead = el('thead');
      thead.append(head);
      table.append(thead);
    const body = el('tbody');
    data.scenarios.forEach((sc, i) => {
      const tr = el('tr');
      tr.append(el('td', null, sc.scenario + (i === 0 && comparing ? ' (baseline)' : '')));
      tr.append(el('td', null, sc.description || ''));
      const files = el('td', { class: 'mono' });
      for (const f of sc.inputs || []) {
        files.append(el('div', null, f.file + '  ' + String(f.sha256 || '').slice(0, 16) + '\u2026'));
      }
      tr.append(files);
      body.append(tr);
    });
    table.append(body);
    wrap.append(table);
    s.el.append(wrap);
    s.el.append(el('p', { class: 'note' }, 'Numbers in this page are rounded to ' + data.significant_digits +
      ' significant digits; the CSV files beside it hold full precision. Results of hwfsim ' +
      (first.hwfsim_version || '') + (first.git_commit ? ' (' + String(first.git_commit).slice(0, 12) + ')' : '') +
      '; page built by ' + (data.generator || 'hwfsim') + '.'));
  }

  // ---- Key figures -------------------------------------------------------------------------

  function keyFigures() {
    const s = section('figures', 'Key figures', '');
    s.charts.remove();
    const intro = s.el.querySelector('.section-intro') || el('p', { class: 'section-intro' });
    s.el.append(intro);
    const wrap = el('div', { class: 'table-scroll' });
    s.el.append(wrap);

    let columns;
    if (kind === 'compare') {
      columns = ['supply', 'sdg_density', 'shortage', 'net_migration', 'policy_cost_cumulative',
        'cost_per_additional_worker_year', 'wage_bill_cumulative'].filter((n) => id('summary_indicators', n) >= 0)
        .map((n) => ({ name: n, title: columnTitle(n), unit: unit(n), get: (sc, c, y) => summaryAt(sc, c, n, y) }));
    } else if (!isMc) {
      columns = [
        { name: 'supply', get: (sc, c, y) => valueAt(sc, c, 'supply', y) },
        { name: 'sdg_density', get: (sc, c, y) => valueAt(sc, c, 'sdg_density', y) },
        { name: 'shortage', get: (sc, c, y) => valueAt(sc, c, 'shortage', y) },
        // Computed once, by the model (indicators.csv), as compare's summary.csv reads it.
        { name: 'net_migration', get: (sc, c, y) => valueAt(sc, c, 'net_migration', y) },
        { name: 'training_cost', get: (sc, c, y) => valueAt(sc, c, 'training_cost', y) },
        { name: 'investment_lost', get: (sc, c, y) => valueAt(sc, c, 'investment_lost', y) },
        { name: 'wage_bill', get: (sc, c, y) => valueAt(sc, c, 'wage_bill', y) },
      ].map((col) => Object.assign({ title: columnTitle(col.name), unit: unit(col.name) }, col));
    } else {
      const q = (n) => (sc, c, y) => quantileAt('quantiles', countryKey(sc, c, cadreAll, n), y);
      columns = [
        { name: 'supply', get: q('supply'), range: true },
        { name: 'sdg_density', get: q('sdg_density'), range: true },
        { name: 'shortage', get: q('shortage'), range: true },
        { name: 'emigration', get: q('emigration'), range: true },
        { name: 'investment_lost', get: q('investment_lost'), range: true },
      ].map((col) => Object.assign({ title: columnTitle(col.name) + ', median [5th\u201395th]', unit: unit(col.name) }, col));
      for (const p of D.probabilities || []) {
        columns.push({ name: p, title: columnTitle(p), unit: unit(p), share: true, get: (sc, c, y) => probabilityAt(sc, c, p, y) });
      }
    }

    function render() {
      const where = kind === 'compare' ? 'summary years set by compare --years' : 'start + 5, start + 10 and the last year';
      intro.textContent = 'All cadres, ' + state.year + '. Pick another year (' + where + ') above. ' +
        (kind === 'compare' ? 'Policy cost is cumulative from the start; the cost per additional worker-year is discounted at ' +
          data.comparison.discount_rate + ' (docs/comparing.md). The wage bill (salaries of the workers in practice, ' +
          'cumulative from the start) stands beside the policy costs and is not part of them. ' : '') +
        (kind === 'run' ? 'Flows and costs are over the year before. ' : '') +
        'The SDG density counts ' + sdgText + ' per 10,000 people (SDG index threshold ' + K.sdg_threshold + ').';
      const table = el('table', { id: 'key-figures' });
      const head = el('tr');
      head.append(el('th', null, 'Country'));
      if (comparing) head.append(el('th', null, 'Scenario'));
      for (const col of columns) {
        const th = el('th', { class: 'num' }, col.title);
        if (col.unit) th.title = col.unit;
        head.append(th);
      }
      const thead = el('thead');
      thead.append(head);
      table.append(thead);
      const body = el('tbody');
      eachListed((_, c) => {
        scenarios.forEach((sc, s) => {
          const tr = el('tr', s === 0 && comparing ? { class: 'group-start' } : null);
          tr.append(el('td', null, s === 0 ? countryLabel(c) : ''));
          if (comparing) tr.append(el('td', { class: 'name' }, sc));
          for (const col of columns) {
            const v = col.get(s, c, state.year);
            let text;
            if (col.range) text = v ? formatValue(col.name, v.p50) + ' [' + formatValue(col.name, v.p05) + '\u2013' +
              formatValue(col.name, v.p95) + ']' : '\u2013';
            else if (col.share) text = v === null ? '\u2013' : Math.round(v * 100) + '%';
            else text = formatValue(col.name, v);
            tr.append(el('td', { class: 'num' }, text));
          }
          body.append(tr);
        });
      });
      table.append(body);
      wrap.replaceChildren(table);
    }
    render();
    listeners.push((key) => { if (key === 'year') render(); });
  }

  function atYear(table, values, y) {
    if (!values) return null;
    const i = tables[table].years.indexOf(y);
    return i < 0 ? null : values[i];
  }
  const valueAt = (s, c, n, y) => atYear('indicators', series('indicators', countryKey(s, c, cadreAll, n)), y);
  const summaryAt = (s, c, n, y) => atYear('summary', series('summary', { scenario: s, country: c, indicator: id('summary_indicators', n) }), y);
  const probabilityAt = (s, c, p, y) => atYear('probabilities', series('probabilities', { scenario: s, country: c, probability: id('probabilities', p) }), y);
  function quantileAt(table, key, y) {
    const t = tables[table];
    if (!t) return null;
    const cols = seriesAt(t, key);
    const i = t.years.indexOf(y);
    if (!cols || i < 0 || cols[t.columns.indexOf('p50')][i] === null) return null;
    const r = {};
    t.columns.forEach((col, j) => { r[col] = cols[j][i]; });
    return r;
  }

  // ---- Sections of charts ------------------------------------------------------------------

  const scenarioName = () => scenarios[state.scenario];
  const fileTag = () => countries[state.country] + '-' + (cadres[state.cadre] || '');
  // An indicator the model reports only where its inputs are given (the labour market's, where
  // funded posts are) has no values elsewhere: its charts say so rather than draw empty axes.
  const notReported = (n) => label(n) + ' is not reported for ' + countryLabel(state.country) + ', ' +
    cadreLabel(state.cadre) + ': the model computes it only where its inputs are given (the labour-market ' +
    'indicators where funded posts are).';

  const densityTitle = 'Density of ' + sdgText;
  const noSdgNote = 'No cadre of this model counts in the SDG density (sdg_core in the model), so it is 0 throughout; ' +
    'the density of all cadres is among the indicators above.';

  function countrySection() {
    const s = section('country', '', '');
    const intro = s.el.querySelector('.section-intro') || el('p', { class: 'section-intro' });
    s.el.insertBefore(intro, s.charts);
    const badge = el('span', { class: 'badge' }, 'on the WHO Safeguards List');
    const heading = () => {
      s.heading.textContent = 'Country: ' + countryLabel(state.country);
      if (countryInfo[state.country] && countryInfo[state.country].safeguards_list) s.heading.append(badge);
      intro.textContent = (isMc ? 'Bands hold 90% and 50% of the runs; the line is the median. ' : '') +
        'Pick the country, cadre and indicator above; each chart exports to PNG or SVG from its \u22ef menu.';
    };
    heading();
    listeners.push((key) => { if (key === 'country') heading(); });

    const cadreMissing = () => (state.cadre !== cadreAll && !countryHasCadre(state.country, state.cadre)
      ? countryLabel(state.country) + ' has no ' + cadres[state.cadre] + ' in this model: pick another cadre.' : null);

    // Indicator chosen above, for the chosen country and cadre.
    chart(s, 'indicator', ['country', 'cadre', 'indicator', 'scenario'], () => {
      const missing = cadreMissing();
      if (missing) return missing;
      const n = D.indicators[state.indicator];
      const sub = countryLabel(state.country) + ', ' + cadreLabel(state.cadre);
      if (isMc) {
        const rows = quantileRows('quantiles', countryKey(state.scenario, state.country, state.cadre, n));
        if (!rows.length) return notReported(n);
        return fanChart({ indicator: n, title: label(n), subtitle: sub + (comparing ? ', ' + scenarioName() : ''), rows });
      }
      const rows = [];
      scenarios.forEach((sc, si) => rows.push(...rowsOf('indicators', series('indicators', countryKey(si, state.country, state.cadre, n)), sc)));
      if (!rows.length) return notReported(n);
      return lineChart({ indicator: n, title: label(n), subtitle: sub, rows, legend: 'Scenario', colors: scenarioScale(scenarios) });
    }, fileTag);

    // Density against the SDG threshold and the Safeguards-List median.
    chart(s, 'density', ['country', 'scenario'], () => {
      const n = 'sdg_density';
      const sub = countryLabel(state.country) + '; dashed: reference densities';
      if (isMc) {
        if (noSdgCadre) return noSdgNote;
        return fanChart({ indicator: n, title: densityTitle, subtitle: sub + (comparing ? ', ' + scenarioName() : ''),
          rows: quantileRows('quantiles', countryKey(state.scenario, state.country, cadreAll, n)), rules: referenceRules() });
      }
      const rows = [];
      scenarios.forEach((sc, si) => rows.push(...rowsOf('indicators', series('indicators', countryKey(si, state.country, cadreAll, n)), sc)));
      if (noSdgCadre) return noSdgNote;
      return lineChart({ indicator: n, title: densityTitle, subtitle: sub, rows,
        legend: 'Scenario', colors: scenarioScale(scenarios), rules: referenceRules() });
    }, () => countries[state.country]);

    // Need against supply: the gap chart.
    chart(s, 'gap', ['country', 'cadre', 'scenario'], () => {
      const missing = cadreMissing();
      if (missing) return missing;
      const sub = countryLabel(state.country) + ', ' + cadreLabel(state.cadre) + (comparing ? ', ' + scenarioName() : '');
      const f = fmtOf('supply');
      if (isMc) {
        const need = quantileRows('quantiles', countryKey(state.scenario, state.country, state.cadre, 'need'))
          .map((r) => ({ year: r.year, value: r.p50, series: 'Need (median)' }));
        return fanChart({ indicator: 'supply', title: 'Need and supply', subtitle: sub + '; bands: supply',
          yTitle: axisTitle('supply'), rows: quantileRows('quantiles', countryKey(state.scenario, state.country, state.cadre, 'supply')),
          extraLines: { data: { values: need }, mark: { type: 'line', strokeDash: [6, 3], color: '#9b2c2c' },
            encoding: { x: X_YEAR, y: { field: 'value', type: 'quantitative' } } } });
      }
      const sv = series('indicators', countryKey(state.scenario, state.country, state.cadre, 'supply'));
      const nv = series('indicators', countryKey(state.scenario, state.country, state.cadre, 'need'));
      const ys = tables.indicators.years;
      const rows = [];
      ys.forEach((year, i) => {
        if (sv && nv && sv[i] !== null && nv[i] !== null)
          rows.push({ year, Supply: sv[i], Need: nv[i], top: Math.max(sv[i], nv[i]), Shortage: Math.max(0, nv[i] - sv[i]) });
      });
      const spec = base('Need and supply', sub);
      const color = { type: 'nominal', title: null,
        scale: { domain: ['Supply', 'Need', 'Shortage'], range: ['#1f5f8b', '#3e4c59', '#f6ad9b'] } };
      const tip = [{ field: 'year', title: 'Year' }, { field: 'Supply', format: f.tip }, { field: 'Need', format: f.tip },
        { field: 'Shortage', format: f.tip }];
      spec.data = { values: rows };
      spec.layer = [
        { mark: { type: 'area', opacity: 0.8 }, encoding: { x: X_YEAR,
          y: { field: 'Supply', type: 'quantitative', title: axisTitle('supply'), axis: { format: f.axis } }, y2: { field: 'top' },
          color: Object.assign({ datum: 'Shortage' }, color) } },
        { mark: { type: 'line' }, encoding: { x: X_YEAR, y: { field: 'Supply', type: 'quantitative' },
          color: Object.assign({ datum: 'Supply' }, color) } },
        { mark: { type: 'line', strokeDash: [6, 3] }, encoding: { x: X_YEAR, y: { field: 'Need', type: 'quantitative' },
          color: Object.assign({ datum: 'Need' }, color) } },
        { mark: Object.assign({ type: 'point', tooltip: true }, POINT), encoding: { x: X_YEAR,
          y: { field: 'Supply', type: 'quantitative' }, tooltip: tip } },
      ];
      steadyAxis(spec.layer[0].encoding.y, steadyDomain(rows.map((r) => r.top), true));
      return spec;
    }, fileTag);

    // Supply by cadre (stacked; medians for an ensemble).
    chart(s, 'cadres', ['country', 'scenario'], () => {
      const ks = cadresOf(state.country);
      if (!ks.length) return countryLabel(state.country) + ' has no cadres in this model.';
      const rows = [];
      for (const k of ks) {
        const vals = series(mainTable, countryKey(state.scenario, state.country, k, 'supply'), valueColumn);
        rows.push(...rowsOf(mainTable, vals, cadres[k]));
      }
      const f = fmtOf('supply');
      const spec = base(isMc ? 'Supply by cadre (medians)' : 'Supply by cadre',
        countryLabel(state.country) + (comparing ? ', ' + scenarioName() : ''));
      const names = ks.map((k) => cadres[k]);
      spec.data = { values: rows };
      spec.mark = isMc ? { type: 'line', point: POINT, tooltip: true } : { type: 'area', tooltip: true, opacity: 0.9, line: { strokeWidth: 1 } };
      spec.encoding = {
        x: X_YEAR,
        y: { field: 'value', type: 'quantitative', title: axisTitle('supply'), stack: isMc ? null : 'zero', axis: { format: f.axis } },
        color: { field: 'series', type: 'nominal', title: 'Cadre', sort: names,
          scale: { domain: names, range: names.map((_, i) => CADRE_COLORS[i % CADRE_COLORS.length]) }, legend: legendLayout(names) },
        tooltip: [{ field: 'series', title: 'Cadre' }, { field: 'year', title: 'Year' },
          { field: 'value', title: 'Supply', format: f.tip }],
      };
      return spec;
    }, () => countries[state.country]);

    // Workers by age band, for a model with age bands (docs/model.md, 15.7): a pyramid of the
    // first year (left) and the year chosen above (right), domestic and foreign-trained workers
    // stacked; medians for an ensemble.
    const ageTable = isMc ? 'age_quantiles' : 'ages';
    if (has(ageTable)) chart(s, 'ages', ['country', 'cadre', 'scenario', 'year'], () => {
      const k = state.cadre;
      if (k === cadreAll) return 'Pick a cadre above to see its workers by age band.';
      const aind = (n) => id('age_indicators', n);
      const key = (b, n) => ({ scenario: state.scenario, country: state.country, cadre: k, age_band: b, indicator: aind(n) });
      const bands = (D.age_bands || []).map((_, b) => b)
        .filter((b) => series(ageTable, key(b, 'workforce_domestic'), valueColumn) !== null);
      if (!bands.length) return countryLabel(state.country) + ' has no age bands for ' + cadreLabel(k) + ' in this model.';
      const ys = tables[ageTable].years;
      const first = ys[0];
      const last = ys.includes(state.year) ? state.year : ys[ys.length - 1];
      const parts = ['workforce_domestic', 'foreign_trained'];
      const rows = [];
      for (const b of bands)
        for (const [year, side] of [[first, -1], [last, 1]])
          for (const n of parts) {
            const v = atYear(ageTable, series(ageTable, key(b, n), valueColumn), year);
            if (v !== null) rows.push({ band: D.age_bands[b], year: String(year), part: label(n), value: side * v, workers: v });
          }
      const f = fmtOf('supply');
      const names = parts.map(label);
      const order = bands.map((b) => D.age_bands[b]).reverse();  // the oldest band on top
      const spec = base(isMc ? 'Workers by age band (medians)' : 'Workers by age band',
        countryLabel(state.country) + ', ' + cadreLabel(k) + ': ' + first + ' left, ' + last + ' right' +
        (comparing ? ', ' + scenarioName() : ''), Math.max(180, 36 * bands.length + 60));
      spec.data = { values: rows };
      spec.mark = { type: 'bar', tooltip: true };
      spec.encoding = {
        y: { field: 'band', type: 'ordinal', sort: order, title: 'Age band (years)' },
        x: { field: 'value', type: 'quantitative', stack: 'zero', title: axisTitle('supply'),
          axis: { labelExpr: 'format(abs(datum.value), "' + f.axis + '")' } },
        color: { field: 'part', type: 'nominal', title: null, sort: names,
          scale: { domain: names, range: ['#1f5f8b', '#e0a458'] }, legend: legendLayout(names) },
        tooltip: [{ field: 'band', title: 'Age band' }, { field: 'year', title: 'Year' },
          { field: 'part', title: 'Workers' }, { field: 'workers', title: 'Number', format: f.tip }],
      };
      return spec;
    }, fileTag);
  }

  // Charts by country show at most this many countries: those that change most.
  const MAX_BAR_COUNTRIES = 30;
  /** The rows of the countries that change most (by size(row)), at most MAX_BAR_COUNTRIES of
   *  them, in the model's order, and the subtitle that says which are shown. */
  function mostChanged(rows, size) {
    const all = [...new Set(rows.map((r) => r.country))];
    if (all.length <= MAX_BAR_COUNTRIES) return { rows, order: all, cut: false, subtitle: 'Every country' };
    const largest = new Map();
    for (const r of rows) largest.set(r.country, Math.max(largest.get(r.country) || 0, size(r)));
    const kept = new Set(all.slice().sort((a, b) => largest.get(b) - largest.get(a)).slice(0, MAX_BAR_COUNTRIES));
    return { rows: rows.filter((r) => kept.has(r.country)), order: all.filter((c) => kept.has(c)), cut: true,
      subtitle: 'The ' + MAX_BAR_COUNTRIES + ' of ' + all.length + ' countries that change most' };
  }

  function compareSection() {
    const s = section('compare', 'Compared with the baseline',
      'Each scenario minus the baseline (' + scenarios[0] + '), for the indicator, country and cadre picked above. ' +
      'Above zero: the scenario has more of it than the baseline.');
    const others = scenarios.slice(1);
    chart(s, 'delta', ['country', 'cadre', 'indicator'], () => {
      if (state.cadre !== cadreAll && !countryHasCadre(state.country, state.cadre))
        return countryLabel(state.country) + ' has no ' + cadres[state.cadre] + ' in this model.';
      const n = D.indicators[state.indicator];
      const b = series('indicators', countryKey(0, state.country, state.cadre, n));
      const rows = [];
      others.forEach((sc, j) => {
        const v = series('indicators', countryKey(j + 1, state.country, state.cadre, n));
        if (!v || !b) return;
        rows.push(...rowsOf('indicators', v.map((x, i) => (x === null || b[i] === null ? null : x - b[i])), sc));
      });
      if (!rows.length) return notReported(n);
      return lineChart({ indicator: n, title: 'Change from the baseline',
        subtitle: label(n) + ', ' + countryLabel(state.country) + ', ' + cadreLabel(state.cadre), rows, legend: 'Scenario',
        colors: scenarioScale(others), zero: false, zeroRule: true, yTitle: 'Difference (' + (unit(n) || label(n)) + ')' });
    }, fileTag);

    chart(s, 'delta-countries', ['cadre', 'indicator', 'year'], () => {
      const n = D.indicators[state.indicator];
      const rows = [];
      eachListed((iso, c) => {
        const b = atYear('indicators', series('indicators', countryKey(0, c, state.cadre, n)), state.year);
        others.forEach((sc, j) => {
          const v = atYear('indicators', series('indicators', countryKey(j + 1, c, state.cadre, n)), state.year);
          if (v !== null && b !== null) rows.push({ country: iso, name: countryName(c), series: sc, value: v - b });
        });
      });
      if (!rows.length) return 'No country has ' + cadreLabel(state.cadre) + ' for ' + label(n) + ' in ' + state.year + '.';
      const f = fmtOf(n);
      const shown = mostChanged(rows, (r) => Math.abs(r.value));
      const spec = base('Change in ' + label(n).toLowerCase() + ' from the baseline, ' + state.year,
        shown.subtitle + ', ' + cadreLabel(state.cadre), 260);
      spec.data = { values: shown.rows };
      spec.mark = { type: 'bar', tooltip: true };
      spec.encoding = {
        x: { field: 'country', type: 'nominal', title: null, sort: shown.order, axis: { labelAngle: 0 } },
        xOffset: { field: 'series', sort: others },
        y: { field: 'value', type: 'quantitative', title: 'Difference (' + (unit(n) || label(n)) + ')', axis: { format: f.axis } },
        color: { field: 'series', type: 'nominal', title: 'Scenario', scale: scenarioScale(others), sort: others,
          legend: legendLayout(others) },
        tooltip: [{ field: 'name', title: 'Country' }, { field: 'series', title: 'Scenario' },
          { field: 'value', title: 'Difference', format: f.tip }],
      };
      steadyAxis(spec.encoding.y, steadyDomain(shown.rows.map((r) => r.value).concat([0]), false));
      return spec;
    }, () => (cadres[state.cadre] || '') + '-' + state.year, true);
  }

  function uncertaintySection() {
    const s = section('uncertainty', comparing ? 'Policies under uncertainty' : 'Chances',
      comparing ? 'Run by run differences from the baseline (' + scenarios[0] + ') on the same samples (common random numbers), ' +
        'for the policy picked above; and the share of runs in which an outcome holds.'
        : 'The share of runs in which an outcome holds.');
    if (comparing) {
      chart(s, 'difference', ['country', 'cadre', 'indicator', 'policy'], () => {
        if (state.cadre !== cadreAll && !countryHasCadre(state.country, state.cadre))
          return countryLabel(state.country) + ' has no ' + cadres[state.cadre] + ' in this model.';
        const n = D.indicators[state.indicator];
        const rows = quantileRows('difference_quantiles', countryKey(state.policy, state.country, state.cadre, n));
        if (!rows.length) return notReported(n);
        return fanChart({ indicator: n, title: 'Difference from the baseline',
          subtitle: [label(n) + ', ' + countryLabel(state.country) + ', ' + cadreLabel(state.cadre),
            scenarios[state.policy] + ' minus ' + scenarios[0] + ', run by run'], zero: false, zeroRule: true,
          yTitle: 'Difference (' + (unit(n) || label(n)) + ')', rows });
      }, fileTag);

      chart(s, 'difference-countries', ['cadre', 'indicator', 'policy', 'year'], () => {
        const n = D.indicators[state.indicator];
        const rows = [];
        eachListed((iso, c) => {
          const q = quantileAt('difference_quantiles', countryKey(state.policy, c, state.cadre, n), state.year);
          if (q) rows.push(Object.assign({ country: iso, name: countryName(c) }, q));
        });
        if (!rows.length) return 'No country has ' + cadreLabel(state.cadre) + ' for ' + label(n) + ' in ' + state.year + '.';
        const f = fmtOf(n);
        const shown = mostChanged(rows, (r) => Math.max(Math.abs(r.p05), Math.abs(r.p95)));
        const spec = base(label(n) + ': difference from the baseline in ' + state.year + ', by country',
          [scenarios[state.policy] + ' minus ' + scenarios[0] + ', ' + cadreLabel(state.cadre) +
          '; thin: 5th\u201395th percentile, thick: 25th\u201375th, tick: median'].concat(
            shown.cut ? [shown.subtitle] : []), 240);
        const x = { field: 'country', type: 'nominal', title: null, sort: shown.order, axis: { labelAngle: 0 } };
        const tip = [{ field: 'name', title: 'Country' }, { field: 'p50', title: 'Median', format: f.tip },
          { field: 'p05', title: '5th percentile', format: f.tip }, { field: 'p95', title: '95th percentile', format: f.tip }];
        spec.data = { values: shown.rows };
        spec.layer = [
          { mark: { type: 'rule', color: '#6f9fc4', strokeWidth: 2 }, encoding: { x,
            y: { field: 'p05', type: 'quantitative', title: 'Difference (' + (unit(n) || label(n)) + ')', axis: { format: f.axis } }, y2: { field: 'p95' } } },
          { mark: { type: 'bar', color: '#1f5f8b', size: 12, tooltip: true }, encoding: { x,
            y: { field: 'p25', type: 'quantitative' }, y2: { field: 'p75' }, tooltip: tip } },
          { mark: { type: 'tick', color: '#f5b942', thickness: 3, size: 18 }, encoding: { x, y: { field: 'p50', type: 'quantitative' } } },
          { data: { values: [{ value: 0 }] }, mark: { type: 'rule', color: '#52606d' }, encoding: { y: { field: 'value', type: 'quantitative' } } },
        ];
        steadyAxis(spec.layer[0].encoding.y, steadyDomain(shown.rows.flatMap((r) => [r.p05, r.p95]).concat([0]), false));
        return spec;
      }, () => (cadres[state.cadre] || '') + '-' + state.year, true);
    }

    // The chance of a lower shortage sits beside the difference fan; the SDG chance comes last.
    // The shortage chart shows both definitions: below or equal (ties count: a policy that
    // leaves no shortage where the baseline has none either does not fail) and strictly below.
    const probs = D.probabilities || [];
    const TIE = { shortage_not_above_baseline: 'at most the baseline\u2019s (ties count)',
      shortage_below_baseline: 'strictly below the baseline\u2019s' };
    const groups = [];
    const shortageProbs = probs.filter((p) => TIE[p]);
    if (shortageProbs.length) groups.push({ sdg: false, names: shortageProbs });
    for (const p of probs) if (p.startsWith('sdg_density')) groups.push({ sdg: true, names: [p] });
    for (const g of groups) {
      const sdg = g.sdg;
      chart(s, 'chance-' + (sdg ? 'sdg' : 'shortage'), ['country'], () => {
        const rows = [];
        scenarios.forEach((sc, si) => {
          if (!sdg && si === 0) return;
          for (const p of g.names)
            rows.push(...rowsOf('probabilities', series('probabilities', { scenario: si, country: state.country, probability: id('probabilities', p) }), sc,
              sdg ? undefined : { definition: TIE[p] }));
        });
        const names = sdg ? scenarios : scenarios.slice(1);
        if (sdg && rows.length && rows.every((r) => r.value === 0))
          return 'Chance that the SDG density reaches ' + K.sdg_threshold + ': in no run' + (comparing ? ' of any scenario' : '') +
            ' does the SDG density of ' + countryLabel(state.country) + ' (' + sdgText + ') reach ' + K.sdg_threshold +
            ' per 10,000 by ' + years[years.length - 1] + ', so the chance is 0 throughout.';
        const spec = lineChart({ indicator: '', title: sdg ? 'Chance that the SDG density reaches ' + K.sdg_threshold
          : 'Chance that the shortage is at most the baseline\u2019s (solid) or below it (dashed)',
        subtitle: countryLabel(state.country) + '; share of runs' + (sdg ? ''
          : '; a run where both shortages are 0 counts as at most, not as below'),
        rows, legend: 'Scenario', colors: scenarioScale(names), yTitle: 'Share of runs',
        dashes: sdg ? undefined : { field: 'definition', type: 'nominal', title: 'Shortage',
          scale: { domain: g.names.map((p) => TIE[p]).sort(), range: [[1, 0], [5, 3]] } } });
        spec.layer[0].encoding.y.axis = { format: '.0%' };
        spec.layer[0].encoding.y.scale = { domain: [0, 1] };
        spec.layer[0].encoding.tooltip[2] = { field: 'value', title: 'Share of runs', format: '.0%' };
        if (!sdg) spec.layer[0].encoding.tooltip.push({ field: 'definition', title: 'Shortage' });
        return spec;
      }, () => countries[state.country]);
    }
    // Rows of two: the difference fan and the chance of a lower shortage, then the wide chart.
    const wide = document.getElementById('chart-difference-countries');
    const beside = document.getElementById('chart-chance-shortage');
    if (wide && beside) beside.parentElement.after(wide.parentElement);
  }

  const MAX_MATRIX = 14;
  const compactCount = (x) => numberFormat.format(x);
  function corridorSection() {
    if (!corridors.length) return;
    const s = section('corridors', 'Corridors',
      'Migration along the corridors of the model: where workers go, how many come back, how many work abroad, ' +
      'and what their training cost the origin.' + (isMc ? ' Bands hold 90% and 50% of the runs.' : ''));
    const origins = [...new Set(corridors.map((e) => e.o))];
    const destinations = [...new Set(corridors.map((e) => e.d))];

    chart(s, 'corridor-matrix', ['cadre', 'scenario', 'year'], () => {
      const em = cind('emigration');
      const ys = tables[corridorTable].years;
      const totals = new Map();
      for (const e of corridors) {
        if (state.cadre !== cadreAll && e.k !== state.cadre) continue;
        const v = series(corridorTable, corridorKey(state.scenario, e, em), isMc ? 'mean' : 'value');
        if (!v) continue;
        const key = e.o + '|' + e.d;
        ys.forEach((y, i) => { if (y <= state.year && v[i] !== null) totals.set(key, (totals.get(key) || 0) + v[i]); });
      }
      if (!totals.size) return 'No corridor carries ' + cadreLabel(state.cadre) + '.';
      // At most MAX_MATRIX origins and destinations: those with the most emigration.
      const byOrigin = new Map(), byDestination = new Map();
      for (const [key, v] of totals) {
        const [o, d] = key.split('|').map(Number);
        byOrigin.set(o, (byOrigin.get(o) || 0) + v);
        byDestination.set(d, (byDestination.get(d) || 0) + v);
      }
      const top = (m, order) => {
        if (m.size <= MAX_MATRIX) return order.filter((c) => m.has(c));
        const kept = new Set([...m.keys()].sort((a, b) => m.get(b) - m.get(a)).slice(0, MAX_MATRIX));
        return order.filter((c) => kept.has(c));
      };
      const os = top(byOrigin, origins), ds = top(byDestination, destinations);
      const rows = [];
      for (const o of os) {
        for (const d of ds) {
          const total = totals.get(o + '|' + d);
          if (total !== undefined) rows.push({ origin: countries[o], destination: countries[d],
            originName: countryName(o), destinationName: countryName(d), value: total });
        }
      }
      const cut = os.length < byOrigin.size || ds.length < byDestination.size;
      const f = fmtOf('emigration');
      const spec = base('Emigration along each corridor, ' + (ys[0] + 1) + '\u2013' + state.year + (isMc ? ' (mean of the runs)' : ''),
        ['Origin (rows) to destination (columns), ' + cadreLabel(state.cadre) + ', cumulative workers' + (comparing ? ', ' + scenarioName() : '')]
          .concat(cut ? ['The ' + os.length + ' of ' + byOrigin.size + ' origins and ' + ds.length + ' of ' + byDestination.size +
            ' destinations with the most emigration'] : []),
        28 * os.length);
      // Cells as wide as fit beside the axis and the legend (110 pixels at most).
      const cell = Math.max(30, Math.min(110, Math.floor((drawWidth - 170) / ds.length)));
      spec.width = cell * ds.length;
      delete spec.autosize;
      spec.data = { values: rows };
      spec.encoding = {
        tooltip: [{ field: 'originName', title: 'Origin' }, { field: 'destinationName', title: 'Destination' },
          { field: 'value', title: 'Emigrants', format: f.tip }],
        y: { field: 'origin', type: 'nominal', title: 'Origin', sort: os.map((o) => countries[o]), axis: { labelAngle: 0 } },
        x: { field: 'destination', type: 'nominal', title: 'Destination', sort: ds.map((d) => countries[d]),
          axis: { orient: 'top', labelAngle: cell < 50 ? -45 : 0 } },
      };
      const max = Math.max(...rows.map((r) => r.value));
      spec.layer = [
        { mark: { type: 'rect', tooltip: true, stroke: '#ffffff', strokeWidth: 1 }, encoding: {
          color: { field: 'value', type: 'quantitative', title: 'Workers', scale: { scheme: 'blues' }, legend: { orient: 'right', format: '~s', gradientLength: Math.max(60, 28 * os.length - 20) } } } },
      ];
      // Numbers in the cells where they fit.
      if (cell >= 7 * compactCount(max).length + 8) {
        spec.layer.push({ mark: { type: 'text', fontSize: 11, tooltip: true }, encoding: { text: { field: 'value', type: 'quantitative', format: ',.0f' },
          color: { condition: { test: 'datum.value > 0.6 * ' + max, value: '#ffffff' }, value: '#1f2933' } } });
      }
      return spec;
    }, () => (cadres[state.cadre] || '') + '-' + state.year, true);

    const corridorChart = (name, title) => chart(s, 'corridor-' + name, ['corridor', 'scenario'], () => {
      const e = corridors[state.corridor];
      const sub = corridorLabel(e);
      const i = cind(name);
      if (isMc) {
        return fanChart({ indicator: name, title, subtitle: sub + (comparing ? ', ' + scenarioName() : ''),
          rows: quantileRows(corridorTable, corridorKey(state.scenario, e, i)) });
      }
      const rows = [];
      scenarios.forEach((sc, si) => rows.push(...rowsOf(corridorTable, series(corridorTable, corridorKey(si, e, i)), sc)));
      return lineChart({ indicator: name, title, subtitle: sub, rows, legend: 'Scenario', colors: scenarioScale(scenarios) });
    }, () => { const e = corridors[state.corridor]; return countries[e.o] + '-' + countries[e.d] + '-' + cadres[e.k]; });
    corridorChart('emigration', 'Emigration');
    corridorChart('returns', 'Returns');
    corridorChart('migrant_stock', 'Migrant stock');
    corridorChart('investment_lost', 'Training investment lost');
  }

  // ---- Calibration -------------------------------------------------------------------------

  // A calibration's page (hwfsim calibrate): the fit's summary from run.json, then fit.csv,
  // parameters.csv and holdout.csv as written. Every number shown is one of theirs; the page
  // only groups the rows by series and picks the smallest of three given errors to emphasise.
  const isCalibration = kind === 'calibrate';

  /** The rows of an embedded file (fit, parameters, holdout) as objects by column name; [] when
   *  the folder has none. */
  function recordsOf(name) {
    const r = (data.records || {})[name];
    if (!r) return [];
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
  }

  /** x with 4 significant digits, as the console prints the estimates. */
  const sig4 = (x) => (x === null || x === undefined || !isFinite(x) ? '\u2013' : String(Number(x.toPrecision(4))));
  const percent = (x) => (x === null || x === undefined || !isFinite(x) ? '\u2013' : x.toFixed(1) + '%');
  const persons = (x) => (x === null || x === undefined || !isFinite(x) ? '\u2013' : numberFormat.format(x));

  // A series of observed data: country, destination (a corridor's), cadre, measure.
  const seriesKey = (r) => [r.country, r.destination, r.cadre, r.measure].join('|');
  const seriesLabel = (r) => (r.destination
    ? r.country + '\u2192' + r.destination + ' ' + r.cadre + ' ' + r.measure.replace(/_/g, ' ')
    : r.country + ' ' + r.cadre + ' (' + r.measure + ')');
  const isoName = (iso) => (id('countries', iso) >= 0 ? countryName(id('countries', iso)) : iso);
  const seriesPlace = (r) => isoName(r.country) + (r.destination ? ' to ' + isoName(r.destination) : '');
  const measureUnit = (m) => (m === 'emigration' || m === 'returns' ? 'Persons per year' : 'Persons');

  const OBSERVED_FIT = 'Observed, fit years';
  const OBSERVED_HOLDOUT = 'Observed, hold-out years';
  const OBSERVED_LEFT_OUT = 'Observed, left out of the fit';
  const CAL_COLORS = { fit: '#1f2933', holdout: '#d97706', start: '#7b8794', fitted: '#1f5f8b' };
  const setLabel = (r) => (r.set === 'fit' ? OBSERVED_FIT : r.set === 'left_out' ? OBSERVED_LEFT_OUT : OBSERVED_HOLDOUT);

  /** A table in its scrolling frame: `rows` are {cls, cells}, each cell a text or {text, title,
   *  strong, badge, cls}; numeric(i) says whether column i holds numbers (aligned right). */
  function recordTable(idName, heads, rows, numeric) {
    const t = el('table', { id: idName });
    const head = el('tr');
    heads.forEach((h, i) => head.append(el('th', numeric(i) ? { class: 'num' } : null, h)));
    const thead = el('thead');
    thead.append(head);
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr', row.cls ? { class: row.cls } : null);
      row.cells.forEach((cell, i) => {
        const c = typeof cell === 'object' && cell !== null ? cell : { text: cell };
        const td = el('td', numeric(i) ? { class: 'num' } : null);
        if (c.strong) td.append(el('strong', { class: 'best' }, c.text));
        else td.textContent = c.text;
        if (c.badge) td.append(el('span', { class: 'badge' }, c.badge));
        if (c.title) td.title = c.title;
        if (c.cls) td.className += (td.className ? ' ' : '') + c.cls;
        tr.append(td);
      });
      body.append(tr);
    }
    t.append(thead, body);
    const wrap = el('div', { class: 'table-scroll' });
    wrap.append(t);
    return wrap;
  }

  /** Which of the given numbers are smallest (ties all), as booleans; nulls never are. */
  const smallest = (xs) => {
    const given = xs.filter((x) => x !== null && x !== undefined && isFinite(x));
    const least = given.length ? Math.min(...given) : null;
    return xs.map((x) => least !== null && x === least);
  };

  function calibrationSections() {
    const cal = data.calibration || {};
    const fit = recordsOf('fit');
    const parameters = recordsOf('parameters');
    const holdout = recordsOf('holdout');
    const fitYears = cal.fit_years || [];
    const holdoutYears = cal.holdout_years || null;
    // Every chart spans the fit and hold-out years, half a year beyond each end.
    const first = fitYears.length ? fitYears[0] : Math.min(...fit.map((r) => r.year));
    const last = holdoutYears ? holdoutYears[1] : fitYears.length ? fitYears[1] : Math.max(...fit.map((r) => r.year));
    const yearScale = { nice: false, zero: false, domain: [first - 0.5, last + 0.5] };

    // What was fitted.
    {
      const s = section('fit', 'The fit');
      s.charts.remove();
      if (cal.converged === false) {
        s.el.append(el('p', { class: 'callout warn', id: 'fit-warning', role: 'alert' },
          'The fit did not converge: ' + String(cal.message || 'the solver gave no reason').replace(/\.*$/, '') + '. The estimates below are where ' +
          'the best start stopped, not a minimum of the cost: try more starts, other bounds, or priors (docs/calibration.md).'));
      }
      const facts = el('dl', { class: 'facts', id: 'fit-facts' });
      const fact = (k, v) => { facts.append(el('dt', null, k), el('dd', null, v)); };
      fact('Scenario', scenarios[0]);
      if (cal.observed) fact('Observed data', cal.observed.name + ' (' + cal.observed.file + ')');
      fact('Fit years', fitYears.join('\u2013') + ': ' + cal.observations + ' observed values');
      fact('Hold-out years', holdoutYears ? holdoutYears.join('\u2013') + ': never seen by the fit' : 'none');
      fact('Parameters', cal.parameters + ' fitted');
      fact('Starts', cal.starts + '; the best is start ' + cal.best_start);
      fact('Iterations', cal.iterations + ' (of the best start); ' + cal.runs + ' runs of the model in all');
      fact('Cost', sig4(cal.cost) + ' (half the sum of the squared residuals and prior terms)');
      fact('Converged', (cal.converged ? 'yes' : 'no') + ': ' + (cal.message || ''));
      fact('Residual scale', cal.standard_errors_given
        ? 'standard errors given: every fitted series gives its standard error, so the residuals are in standard errors and the covariance is not rescaled'
        : sig4(cal.residual_scale) + ': the observations\u2019 common spread on the log scale, estimated from the residuals; the standard errors are scaled by it');
      s.el.append(facts);
    }

    // The estimates.
    {
      const s = section('parameters', 'Estimates',
        'Each fitted parameter before the fit (the scenario\u2019s value, the first start), its estimate, bounds, prior and standard error ' +
        '(parameters.csv). Not identified: the data and priors leave it, or a combination with others, free. On a bound: the estimate ' +
        'is at an end of its range. Neither has a standard error. Weakly identified: its 95% interval is wider than its bounds, which ' +
        'hold it more than the data do (docs/calibration.md).');
      s.charts.remove();
      const rows = parameters.map((p) => {
        const flagged = p.flag !== 'identified';
        return {
          cls: flagged ? 'flagged' : '',
          cells: [p.parameter, { text: sig4(p.start), title: String(p.start) }, { text: sig4(p.estimate), title: String(p.estimate) },
            sig4(p.min), sig4(p.max), p.prior, { text: sig4(p.standard_error), title: String(p.standard_error ?? '') },
            flagged ? { text: '', badge: p.flag } : p.flag],
        };
      });
      s.el.append(recordTable('parameters', ['Parameter', 'Start', 'Estimate', 'Min', 'Max', 'Prior', 'Standard error', 'Flag'], rows,
        (i) => i >= 1 && i <= 6 && i !== 5));
    }

    // The hold-out years: median absolute errors (run.json), then every value (holdout.csv).
    {
      const s = section('holdout', 'Hold-out years',
        holdoutYears ? 'The years ' + holdoutYears.join('\u2013') + ', which the fit never saw, forecast by the calibrated model and by two ' +
          'naive forecasts from each series\u2019 fit-year values: persistence (the last value) and the linear trend (their least-squares ' +
          'line). Errors in percent of the observed value; the smallest of each row in bold. A model that does not beat persistence ' +
          'does not yet earn its structure.' : '');
      s.charts.remove();
      const errors = cal.holdout_median_abs_error_percent || [];
      if (!holdoutYears || !errors.length) {
        s.el.append(el('p', { class: 'note', id: 'no-holdout' }, 'This calibration held out no years (no holdout in its calibration ' +
          'block), so the fit is judged on the years it was given only.'));
      } else {
        s.el.append(el('h3', null, 'Median absolute error'));
        const rows = errors.map((e) => {
          const best = smallest([e.fitted, e.persistence, e.trend]);
          return {
            cls: e.horizon === 0 ? 'all' : '',
            cells: [e.horizon === 0 ? 'All hold-out values' : e.horizon + (e.horizon === 1 ? ' year' : ' years') + ' ahead',
              String(e.values), ...[e.fitted, e.persistence, e.trend].map((x, i) => ({ text: percent(x), strong: best[i] }))],
          };
        });
        s.el.append(recordTable('holdout-errors', ['Horizon', 'Values', 'Calibrated model', 'Persistence', 'Linear trend'], rows, (i) => i >= 1));
        if (cal.holdout_values > errors[0].values)
          s.el.append(el('p', { class: 'note', id: 'holdout-common' }, 'The medians are over the ' + errors[0].values + ' of ' +
            cal.holdout_values + ' hold-out values that both naive forecasts give: a series needs one fit-year value for ' +
            'persistence and two for the trend. Every value is in the table below.'));
        if (holdout.length) {
          s.el.append(el('h3', null, 'Every hold-out value'));
          const rows2 = holdout.map((h) => {
            const best = smallest([h.error_fitted, h.error_persistence, h.error_trend].map((x) => (x === null ? null : Math.abs(x))));
            const cell = (v, e, i) => ({ text: persons(v) + ' (' + (e === null ? '\u2013' : (e > 0 ? '+' : '') + percent(e)) + ')', strong: best[i] });
            return { cells: [seriesLabel(h), String(h.year), String(h.horizon), persons(h.observed),
              cell(h.fitted, h.error_fitted, 0), cell(h.persistence, h.error_persistence, 1), cell(h.trend, h.error_trend, 2)] };
          });
          s.el.append(recordTable('holdout-values', ['Series', 'Year', 'Horizon', 'Observed', 'Calibrated model (error)', 'Persistence (error)',
            'Linear trend (error)'], rows2, (i) => i >= 1));
        }
      }
    }

    // The residuals of every observed value.
    {
      const s = section('residuals', 'Residuals');
      s.charts.classList.add('single');
      chart(s, 'residuals', [], () => {
        const rows = fit.filter((r) => r.residual !== null).map((r) => Object.assign({ series: seriesLabel(r), setLabel: setLabel(r) }, r));
        if (!rows.length) return 'No observed value has a residual (the fitted runs failed).';
        const spec = base('Residuals of the fitted model', ['weight \u00d7 log(fitted / observed) of each observed value; above 0 the model is ' +
          'higher than the observation'].concat(holdoutYears ? ['Only the fit years\u2019 residuals were fitted'] : []), 260);
        const sets = [OBSERVED_FIT].concat(holdoutYears ? [OBSERVED_HOLDOUT] : []);
        const y = { field: 'residual', type: 'quantitative', title: 'Residual' };
        steadyAxis(y, steadyDomain(rows.map((r) => r.residual).concat([0]), false));
        spec.layer = [
          { data: { values: [{ value: 0 }] }, mark: { type: 'rule', color: '#52606d' }, encoding: { y: { field: 'value', type: 'quantitative' } } },
          { data: { values: rows }, mark: { type: 'point', filled: true, size: 40, opacity: 0.75, tooltip: true },
            encoding: {
              x: Object.assign({}, X_YEAR, { scale: yearScale }), y,
              color: { field: 'setLabel', type: 'nominal', title: null, sort: sets,
                scale: { domain: sets, range: [CAL_COLORS.fit, CAL_COLORS.holdout].slice(0, sets.length) }, legend: legendLayout(sets) },
              shape: { field: 'setLabel', type: 'nominal', sort: sets, scale: { domain: sets, range: ['circle', 'diamond'].slice(0, sets.length) } },
              tooltip: [{ field: 'series', title: 'Series' }, { field: 'year', title: 'Year' }, { field: 'residual', title: 'Residual', format: '.3f' },
                { field: 'observed', title: 'Observed', format: ',.0f' }, { field: 'fitted', title: 'Fitted', format: ',.0f' }],
            } },
        ];
        return spec;
      }, () => 'residuals', true);
    }

    // Each observed series against the model before and after the fit.
    {
      const s = section('series', 'Observed series',
        'Each observed series (fit.csv) against the model before the fit (the scenario\u2019s own values) and the fitted model, at the ' +
        'observed years; hover a point for its values and the data\u2019s note.');
      const key = el('p', { class: 'key' });
      const swatch = (cls, text) => { const k = el('span', { class: 'key-item' }); k.append(el('span', { class: 'swatch ' + cls }), text); key.append(k); };
      swatch('dot fit', OBSERVED_FIT);
      if (holdoutYears) swatch('dot holdout', OBSERVED_HOLDOUT + ' (shaded)');
      if (fit.some((r) => r.set === 'left_out')) swatch('dot left-out', OBSERVED_LEFT_OUT + ' (fit: false in the observed file)');
      swatch('line start', 'Model before the fit');
      swatch('line fitted', 'Fitted model');
      s.el.insertBefore(key, s.charts);
      s.charts.classList.add('small');
      const groups = new Map();
      for (const r of fit) {
        const k = seriesKey(r);
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(r);
      }
      let n = 0;
      for (const points of groups.values()) {
        const r0 = points[0];
        const label = seriesLabel(r0);
        chart(s, 'series-' + n++, [], () => {
          const obs = points.map((r) => Object.assign({ series: label, setLabel: setLabel(r) }, r));
          const model = (field) => points.filter((r) => r[field] !== null).map((r) => ({ year: r.year, value: r[field] }));
          const unfitted = points.every((r) => r.set !== 'fit');
          const spec = base(label, seriesPlace(r0) + (r0.weight !== 1 ? ', weight ' + sig4(r0.weight) : '') +
            (unfitted ? '; no value in the fit years' : ''), 150);
          const x = Object.assign({}, X_YEAR, { title: null, scale: yearScale, axis: Object.assign({}, X_YEAR.axis, { tickCount: 4 }) });
          const y = { field: 'value', type: 'quantitative', title: measureUnit(r0.measure), axis: { format: '~s' }, scale: { zero: false } };
          steadyAxis(y, steadyDomain(points.flatMap((r) => [r.observed, r.start, r.fitted]), false));
          const line = (field, color, dash) => ({ data: { values: model(field) },
            mark: { type: 'line', color, strokeDash: dash, point: { size: 16, filled: true, color } },
            encoding: { x, y } });
          const dots = (set, color, shape, filled = true) => ({ data: { values: obs.filter((r) => r.set === set) },
            mark: { type: 'point', filled, size: 50, color, shape, tooltip: true },
            encoding: { x, y: { field: 'observed', type: 'quantitative' }, tooltip: [
              { field: 'series', title: 'Series' }, { field: 'year', title: 'Year' }, { field: 'setLabel', title: 'Value' },
              { field: 'observed', title: 'Observed', format: ',.0f' }, { field: 'start', title: 'Before the fit', format: ',.0f' },
              { field: 'fitted', title: 'Fitted', format: ',.0f' }, { field: 'residual', title: 'Residual', format: '.3f' },
              { field: 'note', title: 'Note' }] } });
          spec.layer = (holdoutYears ? [{ data: { values: [{ from: holdoutYears[0] - 0.5, to: last + 0.5 }] },
            mark: { type: 'rect', color: '#eef2f6' }, encoding: { x: { field: 'from', type: 'quantitative', scale: yearScale }, x2: { field: 'to' } } }] : [])
            .concat([line('start', CAL_COLORS.start, [5, 3]), line('fitted', CAL_COLORS.fitted, [1, 0]),
              dots('fit', CAL_COLORS.fit, 'circle'), dots('holdout', CAL_COLORS.holdout, 'diamond'),
              dots('left_out', CAL_COLORS.fit, 'circle', false)])
            .filter((layer) => layer.data.values.length);  // an empty layer would make Vega warn
          return spec;
        }, () => label);
      }
    }
  }

  // ---- Sensitivity ---------------------------------------------------------------------------

  // A sensitivity study's page (hwfsim sensitivity): the design's summary from run.json, then
  // indices.csv, convergence.csv, outputs.csv and inputs.csv as written. Every number shown is
  // one of theirs: the page groups their rows by output and input, sorts the inputs by an index
  // and picks the largest of some to scale an axis; it computes nothing else.
  const isSensitivity = kind === 'sensitivity';
  // Charts per output (tornado, convergence, second order) for at most this many outputs; the
  // heat map and the tables show every output.
  const MAX_OUTPUT_CHARTS = 40;
  const sig4Format = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 4 });
  const secondsFormat = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 2 });
  const percentFormat = new Intl.NumberFormat('en-GB', { style: 'percent', maximumSignificantDigits: 4 });
  const given = (x) => x !== null && x !== undefined && isFinite(x);
  /** An index (a share of variance) with 3 decimals (the console prints 2). */
  const indexText = (x) => (given(x) ? x.toFixed(3) : '\u2013');
  const intervalText = (lo, hi) => (given(lo) && given(hi) ? '[' + indexText(lo) + ', ' + indexText(hi) + ']' : 'none');
  /** A value of output indicator `name`: money as the console prints it, otherwise 4
   *  significant digits. */
  const outputValue = (name, x) => (!given(x) ? '\u2013' : meta(name)[2] === 'usd' ? money(x) : sig4Format.format(x));
  // The longest label of an input or output on an axis, in pixels (longer ones end in an ellipsis;
  // the tooltips and tables give them whole).
  const LABEL_LIMIT = 320;
  const INPUT_COLORS = ['#1f5f8b', '#d97706', '#059669', '#b91c1c', '#7c3aed', '#0891b2', '#be185d', '#65a30d',
    '#92400e', '#475569', '#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#975a16', '#9aa5b1'];

  function sensitivitySections() {
    const sa = data.sensitivity || {};
    const sobol = sa.method !== 'morris';
    const indices = recordsOf('indices');
    const convergence = recordsOf('convergence');
    const outputRows = recordsOf('outputs');
    const inputRows = recordsOf('inputs');

    // The inputs in inputs.csv's order, then any other that indices.csv names; the outputs in
    // outputs.csv's order, likewise.
    const unique = (xs) => [...new Set(xs)];
    const inputNames = unique(inputRows.map((r) => r.input)
      .concat(indices.filter((r) => r.index !== 'second_order').map((r) => r.input)));
    const outputNames = unique(outputRows.map((r) => r.output).concat(indices.map((r) => r.output)));
    const outputInfo = new Map(outputRows.map((r) => [r.output, r]));
    // indices.csv's rows by output and index, each a map by input.
    const byOutput = new Map();
    for (const r of indices) {
      const key = r.output + '\u0000' + r.index;
      if (!byOutput.has(key)) byOutput.set(key, new Map());
      byOutput.get(key).set(r.input, r);
    }
    const rowOf = (output, index, input) => {
      const m = byOutput.get(output + '\u0000' + index);
      return m ? m.get(input) || null : null;
    };
    const estimateOf = (output, index, input) => {
      const r = rowOf(output, index, input);
      return r && given(r.estimate) ? r.estimate : null;
    };
    // The index that ranks the inputs: the total index, or mu*.
    const rankIndex = sobol ? 'total' : 'mu_star';
    /** The inputs sorted by their rank index for `output`, largest first (inputs.csv's order
     *  among equals; an input without one last). */
    const ranked = (output) => inputNames.slice().sort((a, b) => {
      const x = estimateOf(output, rankIndex, a), y = estimateOf(output, rankIndex, b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    });
    const isConstant = (output) => (outputInfo.get(output) || {}).constant === 'yes';
    const constantNote = (output) => {
      const o = outputInfo.get(output) || {};
      return output + ' is the same in every run (' + outputValue(o.indicator, o.mean) + (unit(o.indicator) ? ' ' + unit(o.indicator) : '') +
        '): no input moves it, so its indices are 0 and there is nothing to rank.';
    };
    const cadreText = (k) => (k === 'all' ? 'all cadres' : k);
    /** Where an output is: a country's name, or a corridor's ends. */
    const placeText = (o) => (o.table === 'corridors' && String(o.place).includes('-')
      ? String(o.place).split('-').map(isoName).join(' \u2192 ') : isoName(o.place));
    /** The lines under an output's title: its indicator's label and unit, where and when, and
     *  its mean and standard deviation over the runs (outputs.csv). */
    const outputSubtitle = (output) => {
      const o = outputInfo.get(output);
      if (!o) return [];
      const u = unit(o.indicator);
      return [label(o.indicator) + (u ? ' (' + u + ')' : '') + ', ' + placeText(o) + ', ' + cadreText(o.cadre) + ', ' + o.year,
        'Mean ' + outputValue(o.indicator, o.mean) + ' \u00b1 ' + outputValue(o.indicator, o.sd) + ' (standard deviation) over the runs'];
    };
    const shown = outputNames.slice(0, MAX_OUTPUT_CHARTS);
    const cutNote = (what) => (outputNames.length > shown.length
      ? ' ' + what + ' of the first ' + shown.length + ' of the ' + outputNames.length + ' outputs (outputs.csv\u2019s order) are drawn; ' +
        'the heat map and indices.csv have every output, and --outputs narrows the study.' : '');
    const inputScale = (names) => ({ domain: names, range: names.map((n) => INPUT_COLORS[inputNames.indexOf(n) % INPUT_COLORS.length]) });
    /** An axis domain for indices: 0 to 1, wider where an estimate or interval lies outside. */
    const indexDomain = (values) => {
      const xs = values.filter(given);
      return [Math.min(0, ...xs), Math.max(1, ...xs)];
    };

    // What was run.
    {
      const s = section('study', 'The study');
      s.charts.remove();
      const facts = el('dl', { class: 'facts', id: 'study-facts' });
      const fact = (k, v) => { facts.append(el('dt', null, k), el('dd', null, v)); };
      fact('Scenario', scenarios[0]);
      fact('Method', sobol
        ? 'Sobol indices: first-order and total' + (sa.second_order ? ', and second-order' : '') + ', from a Saltelli design'
        : 'Morris elementary effects (\u03bc, \u03bc*, \u03c3)');
      fact('Runs', sa.runs + ' runs of the model' + (sobol
        ? ' from ' + sa.base_samples + ' base samples'
        : ' on ' + sa.trajectories + ' trajectories over a grid of ' + sa.levels + ' levels (step ' + sig4Format.format(sa.delta) + ' of each input\u2019s probability range)'));
      fact('Inputs', sa.inputs + ': the scenario\u2019s uncertain inputs (its uncertainty block), each varied over its distribution; listed below');
      fact('Outputs', sa.outputs + ', matching ' + (sa.output_patterns || []).join(', '));
      fact('Seed', String(sa.seed));
      if (sobol) {
        fact('Intervals', sa.bootstrap_samples > 0
          ? percentFormat.format(sa.confidence) + ' bootstrap intervals from ' + sa.bootstrap_samples + ' resamples of the base rows'
          : 'none (--bootstrap 0)');
      } else {
        fact('Unbounded inputs', 'an input whose distribution has no bound on a side spans its quantiles from ' + sa.morris_tail +
          ' to 1 \u2212 ' + sa.morris_tail + ' there');
      }
      const est = sa.estimators || {};
      const ESTIMATOR = { first_order: 'first-order', total: 'total', second_order: 'second-order', mu_star: '\u03bc*', design: 'design' };
      fact('Estimators', Object.entries(est).filter(([k]) => sa.second_order || k !== 'second_order')
        .map(([k, v]) => (ESTIMATOR[k] || k) + ': ' + v).join('; '));
      const constant = outputNames.filter(isConstant);
      if (constant.length) fact('Constant outputs', constant.length + ' of ' + outputNames.length + ' outputs are the same in every run: ' +
        constant.join(', '));
      if (given(sa.run_seconds)) fact('Run time', secondsFormat.format(sa.run_seconds) + ' s for the runs');
      s.el.append(facts);
    }

    // A tornado chart per output.
    {
      const intro = sobol
        ? 'For each output, the share of its variance over the runs that each input explains, largest total first. First-order: the ' +
          'input alone; total: the input with all its interactions with the others. ' +
          (sa.bootstrap_samples > 0 ? 'Whiskers: the ' + percentFormat.format(sa.confidence) + ' bootstrap intervals. ' : '') +
          'An input whose total index is near 0 can be fixed anywhere in its range without changing the output; the gap between its ' +
          'total and first-order index is what it does through interactions. An estimate from few runs can fall a little below 0 or ' +
          'above 1; its interval says how far to trust it.'
        : 'For each output, \u03bc*: the mean absolute change of the output when an input moves one grid step, per unit of the ' +
          'input\u2019s probability range (the output\u2019s unit), largest first; \u03c3: the spread of those changes. A \u03c3 as large ' +
          'as \u03bc* means the input\u2019s effect depends on the others (interactions) or is not linear. Morris ranks the inputs; ' +
          'it does not split the variance.';
      const s = section('tornado', sobol ? 'Sobol indices by output' : 'Elementary effects by output', intro + cutNote('The charts'));
      // One to a row, so that the inputs' names show whole beside their bars.
      s.charts.classList.add('single');
      const FIRST = 'First-order', TOTAL = 'Total', MU = '\u03bc* (mean absolute effect)', SIGMA = '\u03c3 (spread of the effects)';
      shown.forEach((output, n) => {
        chart(s, 'tornado-' + n, [], () => {
          if (isConstant(output)) return constantNote(output);
          const order = ranked(output);
          const o = outputInfo.get(output) || {};
          const rows = [];
          for (const input of order) {
            if (sobol) {
              const f = rowOf(output, 'first_order', input), t = rowOf(output, 'total', input);
              const text = (r) => (r ? indexText(r.estimate) + (given(r.ci_low) ? ' ' + intervalText(r.ci_low, r.ci_high) : '') : '\u2013');
              const tip = { input, firstText: text(f), totalText: text(t) };
              for (const [name, r] of [[FIRST, f], [TOTAL, t]])
                if (r && given(r.estimate)) rows.push(Object.assign({ index: name, estimate: r.estimate, low: r.ci_low, high: r.ci_high }, tip));
            } else {
              const tip = { input, mu: estimateOf(output, 'mu', input), muStar: estimateOf(output, 'mu_star', input),
                sigma: estimateOf(output, 'sigma', input), relative: estimateOf(output, 'mu_star_relative', input) };
              for (const [name, v] of [[MU, tip.muStar], [SIGMA, tip.sigma]])
                if (given(v)) rows.push(Object.assign({ index: name, estimate: v }, tip));
            }
          }
          if (!rows.length) return 'indices.csv has no ' + (sobol ? 'Sobol' : 'Morris') + ' index of ' + output + '.';
          const names = sobol ? [FIRST, TOTAL] : [MU, SIGMA];
          const spec = base(output, outputSubtitle(output), Math.max(130, 34 * order.length + 70));
          const y = { field: 'input', type: 'nominal', sort: order, title: null, axis: { labelLimit: LABEL_LIMIT } };
          const yOffset = { field: 'index', type: 'nominal', sort: names, scale: { domain: names } };
          const color = { field: 'index', type: 'nominal', title: null, sort: names,
            scale: { domain: names, range: ['#8fb8d8', '#1f5f8b'] }, legend: legendLayout(names) };
          let x, tooltip;
          if (sobol) {
            x = { field: 'estimate', type: 'quantitative', title: 'Sobol index (share of the output\u2019s variance)',
              scale: { domain: indexDomain(rows.flatMap((r) => [r.estimate, r.low, r.high])), nice: false } };
            tooltip = [{ field: 'input', title: 'Input' }, { field: 'totalText', title: 'Total index' },
              { field: 'firstText', title: 'First-order index' }];
          } else {
            const tip = meta(o.indicator)[2] === 'usd' ? MONEY : ',.4~r';
            x = { field: 'estimate', type: 'quantitative', title: 'Effect (' + (unit(o.indicator) || label(o.indicator)) + ')',
              axis: { format: tip === MONEY ? MONEY : ',~r' } };
            steadyAxis(x, steadyDomain(rows.map((r) => r.estimate), true));
            tooltip = [{ field: 'input', title: 'Input' }, { field: 'muStar', title: '\u03bc*', format: tip },
              { field: 'sigma', title: '\u03c3', format: tip }, { field: 'mu', title: '\u03bc (signed)', format: tip },
              { field: 'relative', title: '\u03bc* relative to the largest', format: '.3f' }];
          }
          const whiskers = rows.filter((r) => given(r.low) && given(r.high));
          spec.layer = [
            { data: { values: rows }, mark: { type: 'bar', tooltip: true }, encoding: { y, yOffset, x, color, tooltip } },
            { data: { values: whiskers }, mark: { type: 'rule', color: '#1f2933', strokeWidth: 1.5 },
              encoding: { y, yOffset, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
            { data: { values: [{ value: 0 }] }, mark: { type: 'rule', color: '#52606d' }, encoding: { x: { field: 'value', type: 'quantitative' } } },
          ].filter((layer) => layer.data.values.length);  // an empty layer would make Vega warn
          return spec;
        }, () => output);
      });
    }

    // The heat map of every output against every input.
    {
      const s = section('heatmap', 'Inputs against outputs', sobol
        ? 'The total Sobol index of each input (columns) for each output (rows): the share of the output\u2019s variance the input ' +
          'accounts for, alone and through interactions, on a scale from 0 (white) to 1. Inputs with the largest index first; hover ' +
          'a cell for its interval and first-order index.'
        : 'The \u03bc* of each input (columns) for each output (rows), relative to the output\u2019s most influential input (1), so ' +
          'that outputs of different units compare. Inputs with the largest value first; hover a cell for \u03bc* and \u03c3.');
      s.charts.classList.add('single');
      chart(s, 'heatmap', [], () => {
        const valueIndex = sobol ? 'total' : 'mu_star_relative';
        const rows = [];
        const largest = new Map();
        for (const output of outputNames) {
          for (const input of inputNames) {
            const r = rowOf(output, valueIndex, input);
            if (!r || !given(r.estimate)) continue;
            const o = outputInfo.get(output) || {};
            const row = { output, input, value: r.estimate, constant: isConstant(output) ? 'yes' : 'no' };
            if (sobol) Object.assign(row, { interval: intervalText(r.ci_low, r.ci_high), first: estimateOf(output, 'first_order', input) });
            else Object.assign(row, { muStar: outputValue(o.indicator, estimateOf(output, 'mu_star', input)),
              sigma: outputValue(o.indicator, estimateOf(output, 'sigma', input)) });
            rows.push(row);
            largest.set(input, Math.max(largest.has(input) ? largest.get(input) : -Infinity, r.estimate));
          }
        }
        if (!rows.length) return 'indices.csv has no ' + (sobol ? 'total index' : '\u03bc*') + ' to show.';
        const columns = inputNames.filter((i) => largest.has(i)).sort((a, b) => largest.get(b) - largest.get(a));
        const lines = outputNames.filter((o) => rows.some((r) => r.output === o));
        // Cells as wide as fit beside the outputs' names and the legend (110 pixels at most).
        const nameWidth = Math.min(LABEL_LIMIT, 7 * Math.max(...lines.map((o) => o.length))) + 12;
        const cell = Math.max(22, Math.min(110, Math.floor((drawWidth - nameWidth - 110) / columns.length)));
        const spec = base(sobol ? 'Total Sobol index of each input for each output' : 'Relative \u03bc* of each input for each output',
          lines.length + ' outputs, ' + columns.length + ' inputs' + (sobol ? '' : '; 1: the output\u2019s most influential input'),
          Math.max(40, 26 * lines.length));
        spec.width = cell * columns.length;
        delete spec.autosize;
        spec.data = { values: rows };
        const tooltip = [{ field: 'output', title: 'Output' }, { field: 'input', title: 'Input' }].concat(sobol
          ? [{ field: 'value', title: 'Total index', format: '.3f' }, { field: 'interval', title: 'Interval' },
            { field: 'first', title: 'First-order index', format: '.3f' }]
          : [{ field: 'value', title: '\u03bc* relative', format: '.3f' }, { field: 'muStar', title: '\u03bc*' }, { field: 'sigma', title: '\u03c3' }])
          .concat([{ field: 'constant', title: 'Same in every run' }]);
        spec.encoding = {
          tooltip,
          y: { field: 'output', type: 'nominal', title: null, sort: lines, axis: { labelLimit: LABEL_LIMIT } },
          x: { field: 'input', type: 'nominal', title: null, sort: columns,
            axis: { orient: 'top', labelAngle: -40, labelAlign: 'left', labelLimit: LABEL_LIMIT } },
        };
        spec.layer = [
          { mark: { type: 'rect', tooltip: true, stroke: '#ffffff', strokeWidth: 1 }, encoding: {
            color: { field: 'value', type: 'quantitative', title: sobol ? 'Total index' : '\u03bc* relative',
              scale: { domain: [0, 1], scheme: 'blues', clamp: true },
              legend: { orient: 'right', format: '.1f', gradientLength: Math.max(60, Math.min(200, 26 * lines.length - 20)) } } } },
        ];
        // Values in the cells where they fit.
        if (cell >= 40) {
          spec.layer.push({ mark: { type: 'text', fontSize: 11, tooltip: true }, encoding: {
            text: { field: 'value', type: 'quantitative', format: '.2f' },
            color: { condition: { test: 'datum.value > 0.6', value: '#ffffff' }, value: '#1f2933' } } });
        }
        return spec;
      }, () => (sobol ? 'total' : 'mu_star_relative'), true);
    }

    // Second-order indices: a small heat map of the pairs per output.
    const pairs = indices.filter((r) => r.index === 'second_order');
    if (sobol && pairs.length) {
      // "A & B" names a pair; its inputs are found among the inputs' own names.
      const pairOf = new Map();
      for (let a = 0; a < inputNames.length; ++a)
        for (let b = a + 1; b < inputNames.length; ++b) pairOf.set(inputNames[a] + ' & ' + inputNames[b], [inputNames[a], inputNames[b]]);
      const s = section('second-order', 'Interactions between pairs of inputs',
        'The second-order Sobol index of each pair of inputs: the share of the output\u2019s variance that the two explain together ' +
        'beyond what each does alone. Colours run from 0 to the output\u2019s largest pair (at least 0.1); the numbers are the ' +
        'estimates, the intervals are in the tooltips. Estimates near 0, or below it, are noise.' + cutNote('The maps'));
      shown.forEach((output, n) => {
        chart(s, 'second-order-' + n, [], () => {
          if (isConstant(output)) return constantNote(output);
          const m = byOutput.get(output + '\u0000second_order');
          if (!m) return 'indices.csv has no second-order index of ' + output + '.';
          const rows = [];
          for (const [name, r] of m) {
            const ab = pairOf.get(name);
            if (ab && given(r.estimate)) rows.push({ a: ab[0], b: ab[1], pair: name, value: r.estimate, interval: intervalText(r.ci_low, r.ci_high) });
          }
          if (!rows.length) return 'No second-order index of ' + output + ' names two of the inputs.';
          const as = inputNames.filter((i) => rows.some((r) => r.a === i));
          const bs = inputNames.filter((i) => rows.some((r) => r.b === i));
          const top = Math.max(0.1, ...rows.map((r) => r.value));
          const spec = base(output, [outputSubtitle(output)[0] || ''], 30 * as.length);
          const nameWidth = Math.min(LABEL_LIMIT, 7 * Math.max(...as.map((i) => i.length))) + 12;
          spec.width = Math.max(30, Math.min(70, Math.floor((drawWidth - nameWidth - 90) / bs.length))) * bs.length;
          delete spec.autosize;
          spec.data = { values: rows };
          spec.encoding = {
            tooltip: [{ field: 'pair', title: 'Inputs' }, { field: 'value', title: 'Second-order index', format: '.3f' },
              { field: 'interval', title: 'Interval' }],
            y: { field: 'a', type: 'nominal', title: null, sort: as, axis: { labelLimit: LABEL_LIMIT } },
            x: { field: 'b', type: 'nominal', title: null, sort: bs, axis: { orient: 'top', labelAngle: -40, labelAlign: 'left', labelLimit: LABEL_LIMIT } },
          };
          spec.layer = [
            { mark: { type: 'rect', tooltip: true, stroke: '#ffffff', strokeWidth: 1 }, encoding: {
              color: { field: 'value', type: 'quantitative', title: 'Index', scale: { domain: [0, top], scheme: 'oranges', clamp: true },
                legend: { orient: 'right', format: '.2f', gradientLength: Math.max(40, 30 * as.length - 20) } } } },
            { mark: { type: 'text', fontSize: 10.5, tooltip: true }, encoding: { text: { field: 'value', type: 'quantitative', format: '.2f' },
              color: { condition: { test: 'datum.value > ' + 0.6 * top, value: '#ffffff' }, value: '#1f2933' } } },
          ];
          return spec;
        }, () => output + '-second-order');
      });
    }

    // How the indices settle as the runs grow.
    if (sobol) {
      const s = section('convergence', 'Convergence',
        'The first-order (dashed) and total (solid) index of each input from the design\u2019s first 16, 32, \u2026 base samples ' +
        '(convergence.csv), against the runs they take, on a log scale. Lines that are still moving at the right end need more ' +
        'base samples (--base-samples); lines that have settled do not.' + cutNote('The charts'));
      const FIRST = 'First-order', TOTAL = 'Total';
      shown.forEach((output, n) => {
        chart(s, 'convergence-' + n, [], () => {
          if (isConstant(output)) return constantNote(output);
          const rows = convergence.filter((r) => r.output === output && given(r.estimate) && given(r.runs))
            .map((r) => ({ input: r.input, index: r.index === 'total' ? TOTAL : FIRST, runs: r.runs, estimate: r.estimate }));
          if (!rows.length) return 'convergence.csv has no rows for ' + output + '.';
          // Each input keeps its colour in every chart: the scale's domain is every input.
          const names = inputNames.filter((i) => rows.some((r) => r.input === i));
          const runs = unique(rows.map((r) => r.runs)).sort((a, b) => a - b);
          const spec = base(output, outputSubtitle(output).slice(0, 1), 230);
          spec.data = { values: rows };
          spec.mark = { type: 'line', point: { size: 30, filled: true }, tooltip: true };
          spec.encoding = {
            x: { field: 'runs', type: 'quantitative', title: 'Runs of the model', scale: { type: 'log', nice: false },
              axis: { values: runs, format: ',d', labelOverlap: true } },
            y: { field: 'estimate', type: 'quantitative', title: 'Sobol index', scale: { domain: indexDomain(rows.map((r) => r.estimate)), nice: false } },
            color: { field: 'input', type: 'nominal', title: 'Input', sort: names, scale: inputScale(names), legend: legendLayout(names) },
            strokeDash: { field: 'index', type: 'nominal', title: null, sort: [TOTAL, FIRST],
              scale: { domain: [TOTAL, FIRST], range: [[1, 0], [5, 3]] }, legend: { symbolType: 'stroke', symbolStrokeColor: '#3e4c59' } },
            tooltip: [{ field: 'input', title: 'Input' }, { field: 'index', title: 'Index' }, { field: 'runs', title: 'Runs' },
              { field: 'estimate', title: 'Estimate', format: '.3f' }],
          };
          return spec;
        }, () => output + '-convergence');
      });
    }

    // The inputs and outputs.
    {
      const s = section('inputs', 'Inputs', 'Each input is a factor of the design (inputs.csv): a parameter drawn on its own, a pattern ' +
        'drawn once for all its matches (shared), or a multivariate-normal group varied as one.');
      s.charts.remove();
      const KIND = { parameter: 'parameter', shared: 'shared (one draw for every match)', group: 'group (multivariate normal)' };
      s.el.append(recordTable('inputs-table', ['Input', 'Kind', 'Parameters', 'Distribution'], inputRows.map((r) => ({
        cells: [r.input, KIND[r.kind] || r.kind, { text: String(r.parameters || '').split(' ').join('\n'), cls: 'mono lines' }, r.distribution],
      })), () => false));
    }
    {
      const s = section('outputs', 'Outputs', 'Each output analysed (outputs.csv): one value of the results, with its mean and ' +
        'standard deviation over the runs. An output that is the same in every run has indices of 0.');
      s.charts.remove();
      s.el.append(recordTable('outputs-table', ['Output', 'Indicator', 'Place', 'Cadre', 'Year', 'Mean', 'Standard deviation', 'Same in every run'],
        outputRows.map((r) => ({
          cls: r.constant === 'yes' ? 'flagged' : '',
          cells: [r.output, label(r.indicator), placeText(r), cadreText(r.cadre), String(r.year),
            { text: outputValue(r.indicator, r.mean), title: String(r.mean) }, { text: outputValue(r.indicator, r.sd), title: String(r.sd) },
            r.constant === 'yes' ? { text: '', badge: 'yes' } : 'no'],
        })), (i) => i >= 4 && i <= 6));
    }
  }

  // ---- Assemble ----------------------------------------------------------------------------

  const controls = document.getElementById('controls');
  const inner = el('div', { class: 'controls-inner' });
  controls.append(inner);

  function addControls() {
    if (comparing) addControl(inner, 'scenario', 'Scenario',
      scenarios.map((sc, i) => [i, sc + (i === 0 ? ' (baseline)' : '')]));
    if (isMc && comparing) addControl(inner, 'policy', 'Policy (differences)', scenarios.slice(1).map((sc, i) => [i + 1, sc]));
    if (listed.length) addControl(inner, 'country', 'Country', listed.map((c) => [c, countryLabel(c)]));
    if (cadres.length) {
      const order = cadres.map((_, k) => k).filter((k) => k !== cadreAll);
      if (cadreAll >= 0) order.unshift(cadreAll);
      addControl(inner, 'cadre', 'Cadre', order.map((k) => [k, cadreLabel(k)]));
    }
    if ((D.indicators || []).length) addControl(inner, 'indicator', 'Indicator',
      D.indicators.map((n, i) => [i, label(n)]));
    if (corridors.length) addControl(inner, 'corridor', 'Corridor', corridors.map((e, i) => [i, corridorLabel(e)]));
    if (chosenYears.length) addControl(inner, 'year', 'Year', chosenYears.map((y) => [y, String(y)]));
  }

  if (isCalibration) {
    // One chart per series and nothing to choose: no bar of controls.
    controls.hidden = true;
    calibrationSections();
    provenance();
  } else if (isSensitivity) {
    // One chart per output and nothing to choose: no bar of controls.
    controls.hidden = true;
    sensitivitySections();
    provenance();
  } else {
    addControls();
    provenance();
    if (has(mainTable)) {
      keyFigures();
      countrySection();
      if (kind === 'compare') compareSection();
      if (isMc) uncertaintySection();
    } else {
      const s = section('no-tables', 'No country tables');
      s.el.append(el('p', { class: 'note' }, 'This run wrote no indicators table (its scenario\u2019s output.tables), so there is nothing to chart per country.'));
    }
    corridorSection();
  }

  const footer = document.getElementById('footer');
  footer.textContent = 'Rebuild this page with: hwfsim report <the folder that holds it>. It works offline: ' +
    'the chart libraries (' + data.libraries + ', BSD-3-Clause) are inside it.';

  // The address names the country shown, so that a link opens the same country.
  listeners.push((key) => {
    if (key === 'country' && countries.length)
      window.history.replaceState(null, '', '#country=' + encodeURIComponent(countries[state.country]));
  });
  window.addEventListener('hashchange', () => {
    const c = hashCountry();
    const sel = document.getElementById('control-country');
    if (c < 0 || c === state.country || !sel) return;
    sel.value = String(c);
    sel.dispatchEvent(new Event('change'));
  });
  listeners.push((key) => {
    const todo = report.charts.filter((c) => c.deps.includes(key));
    report.ready = Promise.all(todo.map(draw)).then(() => {
      report.redraws += 1;
      document.body.dataset.drawn = String(report.redraws);
    });
  });
  report.ready = Promise.all(report.charts.map(draw)).then(
    () => { document.body.dataset.ready = '1'; },
    (err) => { document.body.dataset.ready = 'error'; console.error(err); });
})();

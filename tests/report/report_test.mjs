// report.html in a real browser: Debian's headless Chromium, driven by playwright-core (no
// browser is downloaded). For the two-country run, a world comparison, a Monte Carlo ensemble and
// a Monte Carlo comparison, it checks that the page draws every chart with data in it, without a
// console message of level error or warning, an uncaught exception or any network request; that
// the controls redraw the charts, tooltips show, and the charts export to PNG and SVG. It writes
// a screenshot of each page, checks the world report's size, and checks that names and
// descriptions holding <script> show as text and run nothing.
//
// It also compares six scenarios with long names (legends, net migration and money against the
// console, a difference of 0 throughout, the country the page opens on and #country=...), checks
// the pages of two calibrations (the shipped 2013 example, and a fit that did not converge:
// summary, a chart per series, estimates and hold-out errors as the files give them), the pages of
// a Sobol and a Morris sensitivity study (a chart per output, the heat map, convergence and pairs,
// every value as indices.csv gives it, an input label holding <script> shown as text), and, given
// --synthetic-world, the benchmarks' 194-country synthetic world (size, drawing, width).
//
// Usage: node tests/report/report_test.mjs HWFSIM OUTPUT_DIR [--readme-png docs/report.png]
//          [--synthetic-world HWF_SYNTHETIC_WORLD]
//   (from the source root; ctest runs it so). --readme-png also writes the README's picture.
// Environment: HWF_CHROMIUM, the browser (default /usr/bin/chromium).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check, chromiumArgs, finish } from './checks.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'outputs/report/package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: report_test.mjs HWFSIM OUTPUT_DIR [--readme-png PATH]');
  process.exit(2);
}
const hwfsim = path.resolve(args[0]);
const outDir = path.resolve(args[1]);
const readmePng = args.indexOf('--readme-png') >= 0 ? path.resolve(args[args.indexOf('--readme-png') + 1]) : null;
const synthetic = args.indexOf('--synthetic-world') >= 0 ? path.resolve(args[args.indexOf('--synthetic-world') + 1]) : null;
const browserPath = process.env.HWF_CHROMIUM || '/usr/bin/chromium';
// The world comparison's page: 1.6 MB when written (docs/report.md); this bound catches a data
// encoding that grows by half.
const worldLimitBytes = 2.5e6;
// The 194-country synthetic world's run: 5.6 MB when written (docs/report.md); this bound, too,
// catches an encoding that grows by half.
const world194LimitBytes = 8.5e6;


fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hwf-report-'));
const hwf = (...a) => execFileSync(hwfsim, a, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// ---- Results folders ----------------------------------------------------------------------

const t0 = Date.now();
const folders = {
  run: path.join(work, 'run'),
  world: path.join(work, 'world'),
  mc: path.join(work, 'mc'),
  mcCompare: path.join(work, 'mc-compare'),
  escaping: path.join(work, 'escaping'),
  long: path.join(work, 'long-names'),
  world194: path.join(work, 'world-194'),
  restOfWorld: path.join(work, 'rest-of-world'),
  labour: path.join(work, 'labour-ages'),
  calibrate: path.join(work, 'calibrate'),
  stalled: path.join(work, 'calibrate-stalled'),
  sobol: path.join(work, 'sensitivity-sobol'),
  morris: path.join(work, 'sensitivity-morris'),
};
hwf('run', 'scenarios/two-countries.yaml', '-o', folders.run, '-q');
hwf('run', 'tests/data/good/scenario_rest_of_world.yaml', '-o', folders.restOfWorld, '-q');
hwf('compare', 'scenarios/flagship.yaml', 'scenarios/world-compensation.yaml',
  'scenarios/world-who-code-universal.yaml', '-o', folders.world, '-q');
hwf('mc', 'scenarios/two-countries-uncertainty.yaml', '--samples', '100', '-o', folders.mc, '-q');
hwf('compare', 'scenarios/workshop/ghana-graduates-without-posts.yaml', 'scenarios/workshop/ghana-more-posts.yaml',
  'scenarios/workshop/uk-retirement-wave.yaml', '-o', folders.labour, '-q');
const policy = path.join(work, 'bigger-top-up.yaml');
fs.writeFileSync(policy, 'scenario: bigger-top-up\nextends: ' + path.join(root, 'scenarios/two-countries-uncertainty.yaml') +
  '\nset:\n  policies.ghana-top-up.u: 0.5\n');
hwf('mc', '--compare', 'scenarios/two-countries-uncertainty.yaml', policy, '--samples', '60', '-o', folders.mcCompare, '-q');

// Calibrations: the shipped 2013 example (WHO counts of 2013-2016 fitted, every later count and
// register flow to 2025 held out), and a
// fit of the two-country model stopped after one iteration (it does not converge: exit 1), with
// a corridor's emigration among its series and no hold-out years.
hwf('calibrate', 'scenarios/validation/calibrate-2013.yaml', '-o', folders.calibrate, '-q');
{
  const truth = path.join(work, 'calibrate-truth');
  hwf('run', 'scenarios/two-countries.yaml', '-o', truth, '-q');
  const rows = (file, match) => fs.readFileSync(path.join(truth, file), 'utf8').split('\n').map((l) => l.split(','))
    .filter((f) => match(f) && Number(f[1]) > 2020 && Number(f[1]) <= 2030);
  const supply = rows('indicators.csv', (f) => f[2] === 'GHA' && f[3] === 'nurses' && f[4] === 'supply');
  const emigration = rows('corridors.csv', (f) => f[2] === 'GHA' && f[3] === 'GBR' && f[4] === 'nurses' && f[5] === 'emigration');
  fs.writeFileSync(path.join(work, 'observed.yaml'), 'observed: made-up\nseries:\n  GHA:\n    nurses:\n' +
    supply.map((f) => '      ' + f[1] + ': ' + Number(f[5]) * 1.1 + '\n').join('') +
    'corridors:\n  GHA-GBR:\n    nurses:\n      measure: emigration\n      values:\n' +
    emigration.map((f) => '        ' + f[1] + ': ' + Number(f[6]) * 1.3 + '\n').join(''));
  fs.writeFileSync(path.join(work, 'stalled.yaml'), 'scenario: stalled\nextends: ' + path.join(root, 'scenarios/two-countries.yaml') +
    '\ncalibration:\n  observed: observed.yaml\n  fit: {from: 2021, to: 2030}\n  seed: 1\n  starts: 1\n  max_iterations: 1\n' +
    '  parameters:\n    countries.GHA.cadres.nurses.exit_rate: {min: 0.005, max: 0.1}\n' +
    '    corridors.GHA-GBR.nurses.emigration_rate: {min: 0.001, max: 0.1}\n');
  try {
    hwf('calibrate', path.join(work, 'stalled.yaml'), '-o', folders.stalled, '-q');
  } catch (err) {
    if (err.status !== 1) throw err;  // a fit that does not converge exits 1, its results written
  }
}

// Sensitivity studies of the uncertainty scenario's inputs: Sobol indices with second order for
// four outputs, one of which no input moves (Ghana's population); and Morris effects of the same
// inputs and a multivariate-normal group whose source, the input's label, holds markup.
const sobolOutputs = ['GHA.nurses.density_per_10k.2035', 'GBR.nurses.shortage.2035', 'GBR.all.shortage.2035', 'GHA.all.population.2035'];
hwf('sensitivity', 'scenarios/two-countries-uncertainty.yaml', '--second-order', '--base-samples', '64', '--bootstrap', '200',
  '--outputs', sobolOutputs.join(','), '-o', folders.sobol, '-q');
const hostileInput = '<script>alert(1)</script></script><!-- & "quoted" fit';
fs.writeFileSync(path.join(work, 'sensitivity-morris.yaml'), 'scenario: sensitivity-morris\nextends: ' +
  path.join(root, 'scenarios/two-countries-uncertainty.yaml') + '\ndescription: ' +
  JSON.stringify('Morris </script><script>alert(2)</script>') + '\nuncertainty:\n  multivariate_normal:\n' +
  '    - source: ' + JSON.stringify(hostileInput) + '\n      parameters:\n' +
  '        countries.GBR.cadres.nurses.exit_rate: {mean: 0.04, sd: 0.005, min: 0.01, max: 0.1}\n' +
  '        countries.GBR.cadres.nurses.entry_rate: {mean: 0.95, sd: 0.01, min: 0.9, max: 1}\n' +
  '      correlation:\n        - [1, 0.3]\n        - [0.3, 1]\n');
hwf('sensitivity', path.join(work, 'sensitivity-morris.yaml'), '--method', 'morris', '--trajectories', '10',
  '--outputs', 'GHA.nurses.density_per_10k.2035,GBR.nurses.shortage.2035', '-o', folders.morris, '-q');

// Scenario names are restricted to [A-Za-z0-9._-] by the loader, so the hostile text goes where
// free text is allowed: a country's name, the model's and the scenario's descriptions.
const hostile = '<script>alert(1)</script></script><!-- & "quoted"';
const model = fs.readFileSync(path.join(root, 'models/teaching/two-countries.yaml'), 'utf8')
  .replace(/^    name: Ghana$/m, '    name: ' + JSON.stringify('Ghana ' + hostile))
  .replace(/^description: .*$/m, 'description: ' + JSON.stringify('Model ' + hostile));
check('the escaping model names Ghana with a script', model.includes('Ghana <script>alert(1)'));
fs.writeFileSync(path.join(work, 'model.yaml'), model);
fs.writeFileSync(path.join(work, 'scenario.yaml'),
  'scenario: escaping\ndescription: ' + JSON.stringify('Scenario </script><script>alert(2)</script>') +
  '\nmodel: model.yaml\nhorizon: {start: 2020, end: 2030}\n');
hwf('run', path.join(work, 'scenario.yaml'), '-o', folders.escaping, '-q');

// Six scenarios with long names: the baseline, the policies, three variants of them, and one
// identical to the baseline (its differences are 0 throughout).
const longNames = {
  'ghana-retention-top-up-of-half-the-salary-for-public-nurses': ['two-countries-policies.yaml', 'policies.ghana-top-up.u: 0.5'],
  'uk-commits-to-the-who-code-with-full-compliance-from-2023': ['two-countries-policies.yaml', 'policies.uk-code.compliance: 1.0'],
  'ghana-adds-four-thousand-nursing-seats-from-2024-onwards': ['two-countries-policies.yaml', 'policies.ghana-nursing-seats.added_seats: 4000'],
  'same-as-the-baseline-to-check-a-difference-of-zero-throughout': ['two-countries.yaml', null],
};
const longFiles = ['scenarios/two-countries.yaml', 'scenarios/two-countries-policies.yaml'];
for (const [name, [parent, set]] of Object.entries(longNames)) {
  const file = path.join(work, name + '.yaml');
  fs.writeFileSync(file, 'scenario: ' + name + '\nextends: ' + path.join(root, 'scenarios', parent) + '\n' +
    (set ? 'set:\n  ' + set + '\n' : ''));
  longFiles.push(file);
}
const longConsole = hwf('compare', ...longFiles, '-o', folders.long);
let world194Seconds = 0;
if (synthetic) {
  const t = Date.now();
  const scenario = execFileSync(synthetic, [path.join(work, 'world-194-model'), '194', '4', '388'], { encoding: 'utf8' }).trim();
  hwf('run', scenario, '-o', folders.world194, '-q');
  world194Seconds = (Date.now() - t) / 1000;
}
console.log('# results folders written in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');

// ---- The browser --------------------------------------------------------------------------

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hwf-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: browserPath,
  headless: true,
  args: chromiumArgs,
  viewport: { width: 1280, height: 900 },
  deviceScaleFactor: 1,
  offline: true,
});

/** Opens a report (at `hash`, if given), with every console message, page error, dialog and request recorded. */
// The text of the tooltip shown on hovering the first point of chart `chart` ('' if none).
/** The tooltip shown when hovering a point of `chart`: of its first symbol mark, or with `top`
 *  of its last, the layer drawn over the others (where points of several layers meet). */
async function tooltipOf(page, chart, top = false) {
  await page.mouse.move(0, 0);
  const marks = await page.$$(chart + ' g.mark-symbol.role-mark');
  const point = marks.length ? await marks[top ? marks.length - 1 : 0].$('path') : null;
  if (point) {
    await point.hover({ force: true });
    await page.waitForTimeout(300);
  }
  return page.evaluate(() => {
    const t = document.getElementById('vg-tooltip-element');
    return t && t.classList.contains('visible') ? t.textContent : '';
  });
}

async function open(file, hash) {
  const page = await context.newPage();
  const seen = { problems: [], dialogs: [], requests: [] };
  const url = pathToFileURL(file).href;
  await page.addInitScript(() => {
    window.__hwfAlerts = [];
    for (const f of ['alert', 'confirm', 'prompt']) {
      window[f] = (m) => { window.__hwfAlerts.push(f + ':' + m); };
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.problems.push(m.type() + ': ' + m.text());
  });
  page.on('pageerror', (e) => seen.problems.push('page error: ' + e.message));
  page.on('dialog', async (d) => { seen.dialogs.push(d.message()); await d.dismiss(); });
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) seen.requests.push(r.url());
  });
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  const t = Date.now();
  await page.goto(url + (hash || ''));
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 30000 });
  seen.seconds = (Date.now() - t) / 1000;
  return { page, seen };
}

/** Per chart: its id, the data marks drawn (lines, areas, rectangles, points) and export links. */
async function charts(page) {
  return page.$$eval('[data-chart]', (boxes) => boxes.map((b) => {
    const marks = b.querySelectorAll(
      'svg g.mark-line.role-mark > path, svg g.mark-area.role-mark > path, svg g.mark-rect.role-mark > path, ' +
      'svg g.mark-symbol.role-mark > path');
    let drawn = 0;
    for (const m of marks) if ((m.getAttribute('d') || '').length > 2) drawn += 1;
    const links = [...b.querySelectorAll('.vega-actions a')].map((a) => a.textContent);
    return { id: b.dataset.chart, marks: drawn, empty: b.dataset.empty === '1', links };
  }));
}

const signature = (page, chartId) => page.$eval('#chart-' + chartId + ' svg', (svg) =>
  [...svg.querySelectorAll('g.role-mark path')].map((p) => p.getAttribute('d')).join(';'));

async function pick(page, control, optionText) {
  const value = await page.$eval('#control-' + control, (s, text) => {
    const o = [...s.options].find((x) => x.textContent.startsWith(text));
    return o ? o.value : null;
  }, optionText);
  if (value === null) return false;
  if (await page.$eval('#control-' + control, (s, v) => s.value === v, value)) return true;  // already shown
  const before = await page.evaluate(() => document.body.dataset.drawn || '');
  await page.selectOption('#control-' + control, value);
  await page.waitForFunction((b) => (document.body.dataset.drawn || '') !== b, before, { timeout: 15000 });
  return true;
}

/** What a person would see go wrong in the page as it stands: a horizontal scrollbar, a table
 *  or chart past the page's edge, an axis or legend label reading NaN or cut short. */
async function layout(page) {
  return page.evaluate(() => {
    const out = { scrollWidth: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
      outside: [], nan: [], cut: [] };
    const mainBox = document.getElementById('main').getBoundingClientRect();
    for (const e of document.querySelectorAll('section.card, .table-scroll, .chart svg')) {
      const r = e.getBoundingClientRect();
      if (r.right > mainBox.right + 1 || r.left < mainBox.left - 1) out.outside.push((e.id || e.className.baseVal || e.className) + ' ' + Math.round(r.right));
    }
    for (const t of document.querySelectorAll('.chart svg text')) {
      if (/NaN/.test(t.textContent)) out.nan.push(t.closest('[data-chart]').dataset.chart + ': ' + t.textContent);
    }
    for (const svg of document.querySelectorAll('.chart svg')) {
      const box = svg.getBoundingClientRect();
      for (const t of svg.querySelectorAll('.role-legend-label text, .role-legend-title text')) {
        const r = t.getBoundingClientRect();
        if (t.textContent.endsWith('\u2026') || r.right > box.right + 1 || r.bottom > box.bottom + 1)
          out.cut.push(svg.closest('[data-chart]').dataset.chart + ': ' + t.textContent);
      }
    }
    return out;
  });
}

function laidOut(name, l) {
  check(name + ': no horizontal scrollbar', l.scrollWidth <= l.width, l.scrollWidth + ' > ' + l.width + ' pixels');
  check(name + ': every card, table and chart stays inside the page', l.outside.length === 0, l.outside.slice(0, 5).join(', '));
  check(name + ': no axis or legend label reads NaN', l.nan.length === 0, l.nan.slice(0, 5).join(', '));
  check(name + ': every legend label shows whole', l.cut.length === 0, l.cut.slice(0, 5).join(', '));
}

async function common(name, file, expected, notes) {
  const { page, seen } = await open(file);
  check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
  const list = await charts(page);
  check(name + ': ' + expected + ' charts', list.length === expected, list.length + ' charts: ' + list.map((c) => c.id).join(', '));
  const bare = list.filter((c) => (c.empty || c.marks === 0) && !(notes || []).includes(c.id)).map((c) => c.id);
  check(name + ': every chart has data marks' + (notes ? ' (but ' + notes.join(', ') + ')' : ''), bare.length === 0, 'no marks in ' + bare.join(', '));
  laidOut(name, await layout(page));
  const exportless = list.filter((c) => !(c.empty && (notes || []).includes(c.id)) &&
    !(c.links.some((l) => /PNG/.test(l)) && c.links.some((l) => /SVG/.test(l))));
  check(name + ': every chart offers PNG and SVG export', exportless.length === 0, exportless.map((c) => c.id).join(', '));
  const marks = list.reduce((a, c) => a + c.marks, 0);
  console.log('# ' + name + ': ' + list.length + ' charts, ' + marks + ' data marks, drawn in ' + seen.seconds.toFixed(1) + ' s');
  const images = await page.evaluate(async () => {
    const v = window.hwfReport.views.get('density');
    const png = await v.toImageURL('png', 2);
    const svg = await v.toSVG();
    return { png: png.slice(0, 22), pngLength: png.length, svg: svg.slice(0, 200) };
  });
  check(name + ': a chart exports to PNG', images.png === 'data:image/png;base64,' && images.pngLength > 5000, images.png);
  check(name + ': a chart exports to SVG', images.svg.includes('<svg'), images.svg);
  // A tooltip shows on hovering a point of the density chart.
  const tip = await tooltipOf(page, '#chart-density');
  check(name + ': hovering a point shows its tooltip', /Year/.test(tip), JSON.stringify(tip));
  return { page, seen };
}

function clean(name, seen) {
  check(name + ': no console error or warning, no page error', seen.problems.length === 0, seen.problems.slice(0, 5).join(' | '));
  check(name + ': no network request', seen.requests.length === 0, seen.requests.slice(0, 5).join(', '));
  check(name + ': no dialog', seen.dialogs.length === 0, seen.dialogs.join(', '));
}

/** The records of a CSV file hwfsim writes (RFC 4180 quoting), as objects by column name. */
function readCsv(file) {
  const text = fs.readFileSync(file, 'utf8');
  const records = [];
  let fields = [], field = '', quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { fields.push(field); field = ''; }
    else if (c === '\n') { fields.push(field); records.push(fields); fields = []; field = ''; }
    else field += c;
  }
  const [head, ...rows] = records;
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** The labels of a chart's y axis, top to bottom. */
const yLabels = (page, chartId) => page.$$eval('#chart-' + chartId + ' .role-axis', (axes) => {
  for (const a of axes) {
    const texts = [...a.querySelectorAll('.role-axis-label text')];
    const tops = texts.map((t) => t.getBoundingClientRect().top);
    if (texts.length > 1 && new Set(tops.map(Math.round)).size === texts.length)
      return texts.map((t, i) => [tops[i], t.textContent]).sort((x, y) => x[0] - y[0]).map((x) => x[1]);
  }
  return [];
});

/** The tooltip shown on hovering rectangle `n` of a chart: its text and HTML. */
async function rectTooltip(page, chartId, n) {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(200);
  const rects = await page.$$('#chart-' + chartId + ' g.mark-rect.role-mark > path');
  if (!rects[n]) return { text: '', html: '' };
  await rects[n].hover({ force: true });
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const t = document.getElementById('vg-tooltip-element');
    return t && t.classList.contains('visible') ? { text: t.textContent, html: t.innerHTML } : { text: '', html: '' };
  });
}

async function screenshot(page, file) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(outDir, file), fullPage: true });
}

try {
  // The two-country run: 4 country charts, the corridor matrix and 4 corridor charts.
  {
    const name = 'two-country run';
    const { page, seen } = await common(name, path.join(folders.run, 'report.html'), 9);
    const before = await signature(page, 'density');
    check(name + ': the country control switches to the UK', await pick(page, 'country', 'United Kingdom'));
    const after = await signature(page, 'density');
    check(name + ': the density chart changed with the country', after.length > 0 && after !== before);
    check(name + ': the heading names the country',
      (await page.textContent('#section-country h2')).includes('United Kingdom (GBR)'));
    const rows = await page.$$eval('#key-figures tbody tr', (r) => r.length);
    check(name + ': the key figures have a row per country', rows === 2, rows + ' rows');
    await pick(page, 'country', 'Ghana');
    await screenshot(page, 'two-country-run.png');
    clean(name, seen);
    await page.close();
  }

  // A run with a rest-of-world destination: it is a corridor destination, never a country row.
  {
    const name = 'rest-of-world run';
    const { page, seen } = await common(name, path.join(folders.restOfWorld, 'report.html'), 9);
    const options = await page.$$eval('#control-country option', (o) => o.map((x) => x.textContent));
    check(name + ': the country control leaves out the rest of the world',
      options.length === 2 && !options.some((o) => /ROW|Rest of the world/.test(o)), options.join(', '));
    const rows = await page.$$eval('#key-figures tbody tr', (r) => r.length);
    check(name + ': the key figures have a row per listed country', rows === 2, rows + ' rows');
    const corridors = await page.$$eval('#control-corridor option', (o) => o.map((x) => x.textContent));
    check(name + ': its corridor is listed', corridors.some((o) => /Rest of the world|ROW/.test(o)), corridors.join(', '));
    clean(name, seen);
    await page.close();
  }

  // The world comparison: 4 country charts, the nurses' age pyramid, 2 delta charts, the matrix
  // and 4 corridor charts. The pyramid asks for a cadre until one is picked.
  {
    const name = 'world compare';
    const file = path.join(folders.world, 'report.html');
    const size = fs.statSync(file).size;
    console.log('# world compare report.html: ' + (size / 1e6).toFixed(2) + ' MB');
    check(name + ': report.html is under ' + worldLimitBytes / 1e6 + ' MB', size < worldLimitBytes, size + ' bytes');
    const { page, seen } = await common(name, file, 12, ['ages']);
    const before = await signature(page, 'indicator');
    check(name + ': the indicator control switches to supply', await pick(page, 'indicator', 'Supply'));
    check(name + ': the indicator chart changed', (await signature(page, 'indicator')) !== before);
    const beforeCadre = await signature(page, 'delta');
    check(name + ': the cadre control switches to nurses', await pick(page, 'cadre', 'nurses'));
    check(name + ': the delta chart changed with the cadre', (await signature(page, 'delta')) !== beforeCadre);
    check(name + ': the country control switches to the UK', await pick(page, 'country', 'United Kingdom'));
    const list = await charts(page);
    check(name + ': every chart still has data marks', list.every((c) => c.marks > 0 && !c.empty),
      list.filter((c) => c.marks === 0).map((c) => c.id).join(', '));
    const rows = await page.$$eval('#key-figures tbody tr', (r) => r.length);
    check(name + ': the key figures have a row per country and scenario', rows === 17 * 3, rows + ' rows');
    await screenshot(page, 'world-compare.png');
    if (readmePng) {
      // The README's picture: the controls and the country charts, Ghana, all cadres.
      await pick(page, 'country', 'Ghana');
      await pick(page, 'cadre', 'all cadres');
      await page.setViewportSize({ width: 1280, height: 1080 });
      await page.evaluate(() => {
        const top = document.getElementById('section-country').getBoundingClientRect().top + window.scrollY;
        window.scrollTo(0, top - document.getElementById('controls').offsetHeight - 12);
      });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: readmePng, fullPage: false });
      console.log('# wrote ' + readmePng);
    }
    clean(name, seen);
    await page.close();
  }

  // Funded posts and age bands (the workshop's exercises 7 and 8): the labour-market indicators
  // in the picker, and the pyramid of workers by age band, which needs a cadre.
  {
    const name = 'posts and age bands';
    const { page, seen } = await common(name, path.join(folders.labour, 'report.html'), 12, ['ages']);
    check(name + ': the pyramid asks for a cadre while all cadres are shown',
      /Pick a cadre above/.test(await page.textContent('#chart-ages')));
    const options = await page.$$eval('#control-indicator option', (o) => o.map((x) => x.textContent));
    check(name + ': the indicator picker offers the labour-market indicators',
      ['Unemployed workers', 'Vacancies', 'Wage bill'].every((l) => options.includes(l)), options.join(', '));
    check(name + ': the indicator control switches to the unemployed', await pick(page, 'indicator', 'Unemployed workers'));
    const ghana = (await charts(page)).find((c) => c.id === 'indicator');
    check(name + ': Ghana\'s unemployed are drawn, one line per scenario', ghana.marks >= 3 && !ghana.empty, JSON.stringify(ghana));
    check(name + ': the cadre control switches to nurses', await pick(page, 'cadre', 'nurses'));
    const bars = await page.$$eval('#chart-ages g.mark-rect.role-mark > path', (p) => p.length);
    check(name + ': the pyramid has a bar per band, year and kind of worker', bars === 20, bars + ' bars');
    const before = await signature(page, 'ages');
    check(name + ': the country control switches to the UK', await pick(page, 'country', 'United Kingdom'));
    check(name + ': the pyramid changed with the country', (await signature(page, 'ages')) !== before);
    check(name + ': the UK, which has no funded posts, gets a note instead of empty axes',
      /Unemployed workers is not reported for United Kingdom \(GBR\), nurses/.test(await page.textContent('#chart-indicator')));
    const pyramidText = await page.textContent('#chart-ages');
    check(name + ': the pyramid names its years and bands',
      /2020 left, 2045 right/.test(pyramidText) && /56-66/.test(pyramidText), pyramidText.slice(0, 200));
    laidOut(name + ' (pyramid)', await layout(page));
    await screenshot(page, 'posts-and-age-bands.png');
    clean(name, seen);
    await page.close();
  }

  // Monte Carlo: 4 fan charts, the chance of reaching the SDG threshold, 5 corridor charts.
  {
    const name = 'mc';
    // Ghana's SDG density reaches 44.5 in no run: a note stands for the chance chart.
    const { page, seen } = await common(name, path.join(folders.mc, 'report.html'), 10, ['chance-sdg']);
    const bands = await page.$$eval('#chart-indicator g.mark-area.role-mark > path', (p) => p.length);
    check(name + ': the fan chart has its two bands', bands === 2, bands + ' areas');
    check(name + ': a note says that no run of Ghana reaches the SDG threshold',
      /in no run does the SDG density of Ghana \(GHA\) \(nurses\) reach 44\.5 per 10,000 by 2045/.test(await page.textContent('#chart-chance-sdg')));
    const before = await signature(page, 'gap');
    check(name + ': the country control switches to the UK', await pick(page, 'country', 'United Kingdom'));
    check(name + ': the need and supply chart changed', (await signature(page, 'gap')) !== before);
    const uk = (await charts(page)).find((c) => c.id === 'chance-sdg');
    check(name + ': the UK, which some runs bring to the threshold, gets the chance chart', uk.marks > 0 && !uk.empty);
    await screenshot(page, 'mc.png');
    clean(name, seen);
    await page.close();
  }

  // Monte Carlo comparison: adds the difference fan, its distribution by country, and the chance
  // that the shortage is below the baseline's.
  {
    const name = 'mc --compare';
    // It opens on Ghana, whose policy it is, and which reaches the SDG threshold in no run.
    const { page, seen } = await common(name, path.join(folders.mcCompare, 'report.html'), 13, ['chance-sdg']);
    const opened = await page.$eval('#control-country', (s) => s.options[s.selectedIndex].textContent);
    check(name + ': the page opens on Ghana, which the policy changes most', opened === 'Ghana (GHA)', opened);
    const diff = await page.$$eval('#chart-difference g.mark-area.role-mark > path', (p) => p.length);
    check(name + ': the difference fan has its bands', diff === 2, diff + ' areas');
    const before = await signature(page, 'difference');
    check(name + ': the indicator control switches to emigration', await pick(page, 'indicator', 'Emigration'));
    check(name + ': the difference chart changed', (await signature(page, 'difference')) !== before);
    await screenshot(page, 'mc-compare.png');
    clean(name, seen);
    await page.close();
  }

  // Escaping: the hostile texts show as text, and no script of theirs runs.
  {
    const name = 'escaping';
    const file = path.join(folders.escaping, 'report.html');
    const raw = fs.readFileSync(file, 'utf8');
    check(name + ': the file holds the hostile texts only escaped', !raw.includes('alert(1)</script>') &&
      !raw.includes('<script>alert') && raw.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'));
    const { page, seen } = await common(name, file, 9);
    // The alert hook and the dialog listener catch a script that runs: prove it on a probe.
    await page.evaluate(() => window.alert('probe'));
    const probe = await page.evaluate(() => window.__hwfAlerts.slice());
    check(name + ': the alert hook catches a script (probe)', probe.length === 1 && probe[0] === 'alert:probe', JSON.stringify(probe));
    await page.evaluate(() => { window.__hwfAlerts.length = 0; });
    const scripts = await page.evaluate(() => document.scripts.length);
    check(name + ': the page has only its own 5 script elements', scripts === 5, scripts + ' scripts');
    const text = await page.evaluate(() => document.body.innerText);
    check(name + ': the country name shows as text', text.includes('Ghana ' + hostile));
    check(name + ': the scenario description shows as text', text.includes('Scenario </script><script>alert(2)</script>'));
    check(name + ': the model description shows as text', text.includes('Model ' + hostile));
    const option = await page.$eval('#control-country', (s) => s.options[0].textContent);
    check(name + ': the country control shows the name as text', option.startsWith('Ghana ' + hostile), option);
    // The corridor matrix's tooltip names the origin country.
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    const cell = await page.$('#chart-corridor-matrix g.mark-rect.role-mark path');
    await cell.hover({ force: true });
    await page.waitForTimeout(300);
    const tip = await page.evaluate(() => {
      const t = document.getElementById('vg-tooltip-element');
      return t ? { text: t.textContent, html: t.innerHTML } : { text: '', html: '' };
    });
    check(name + ': the tooltip shows the name as text', tip.text.includes('<script>alert(1)</script>') &&
      !tip.html.includes('<script>'), JSON.stringify(tip.text));
    const alerts = await page.evaluate(() => window.__hwfAlerts.slice());
    check(name + ': no script of the data ran', alerts.length === 0 && seen.dialogs.length === 0, JSON.stringify(alerts));
    await screenshot(page, 'escaping.png');
    clean(name, seen);
    await page.close();
  }

  // A calibration: the fit's summary, a chart per observed series and the residuals, the
  // estimates and the hold-out's errors, every number as run.json and the CSV files give it.
  {
    const name = 'calibration';
    const dir = folders.calibrate;
    const runJson = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).calibration;
    const csv = (file) => fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const fitRows = csv('fit.csv');
    const series = [...new Set(fitRows.map((f) => f.slice(1, 5).join('|')))];
    const parameters = csv('parameters.csv');
    const { page, seen } = await open(path.join(dir, 'report.html'));
    check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
    const list = await charts(page);
    check(name + ': a chart per observed series (' + series.length + ') and the residuals', list.length === series.length + 1 &&
      list.filter((c) => c.id.startsWith('series-')).length === series.length && list.some((c) => c.id === 'residuals'),
    list.length + ' charts');
    const bare = list.filter((c) => c.empty || c.marks === 0).map((c) => c.id);
    check(name + ': every chart has data marks', bare.length === 0, bare.join(', '));
    console.log('# ' + name + ': ' + list.length + ' charts, ' + list.reduce((a, c) => a + c.marks, 0) + ' data marks, drawn in ' +
      seen.seconds.toFixed(1) + ' s');
    const exportless = list.filter((c) => !(c.links.some((l) => /PNG/.test(l)) && c.links.some((l) => /SVG/.test(l))));
    check(name + ': every chart offers PNG and SVG export', exportless.length === 0, exportless.map((c) => c.id).join(', '));
    laidOut(name, await layout(page));
    const titles = await page.$$eval('[data-chart^="series-"] .role-title-text text', (t) => t.map((x) => x.textContent));
    check(name + ': the series charts are titled by series', titles.includes('GHA nurses (practising)') &&
      titles.includes('GBR doctors (practising)'), titles.slice(0, 5).join(', '));
    // The summary.
    const facts = await page.textContent('#fit-facts');
    check(name + ': the summary names the observed data, years, starts, runs and cost',
      facts.includes(runJson.observed.name) && facts.includes('2013\u20132016: ' + runJson.observations + ' observed values') &&
      facts.includes('2017\u20132025') && facts.includes(runJson.runs + ' runs') && facts.includes(String(Number(runJson.cost.toPrecision(4)))),
    facts.slice(0, 300));
    check(name + ': a converged fit shows no warning', (await page.$('#fit-warning')) === null);
    // A fit year's value marked `fit: false` (Ireland's doctors in 2013) is drawn apart, and named in the key.
    const leftOut = fitRows.filter((f) => f[6] === 'left_out');
    const key = await page.textContent('#section-series .key');
    check(name + ': the key names the ' + leftOut.length + ' value(s) left out of the fit', leftOut.length === 1 &&
      leftOut[0].slice(1, 6).join() === 'IRL,,doctors,practising,2013' && key.includes('Observed, left out of the fit'), key);
    // The estimates: a row per parameter, its estimate as parameters.csv gives it, flags marked.
    const estimates = await page.$$eval('#parameters tbody tr', (rows) => rows.map((r) => ({
      cells: [...r.children].map((td) => td.textContent), flagged: r.classList.contains('flagged'),
      badge: r.querySelector('.badge') ? r.querySelector('.badge').textContent : null })));
    check(name + ': a row per fitted parameter', estimates.length === parameters.length, estimates.length + ' rows');
    const gha = estimates.find((r) => r.cells[0] === 'countries.GHA.cadres.doctors.exit_rate');
    const ghaCsv = parameters.find((f) => f[0] === 'countries.GHA.cadres.doctors.exit_rate');
    check(name + ': an estimate reads as in parameters.csv (' + ghaCsv[2] + ')', gha && gha.cells[2] === String(Number(Number(ghaCsv[2]).toPrecision(4))),
      JSON.stringify(gha));
    const flagged = parameters.filter((f) => f[7] !== 'identified').length;
    check(name + ': every parameter not identified, weakly identified or on a bound is marked (' + flagged + ')', flagged > 0 &&
      estimates.filter((r) => r.flagged && ['on a bound', 'not identified', 'weakly identified'].includes(r.badge)).length === flagged);
    // The hold-out's median errors: run.json's, the best of each row emphasised.
    const errors = await page.$$eval('#holdout-errors tbody tr', (rows) => rows.map((r) => ({
      cells: [...r.children].map((td) => td.textContent), best: [...r.querySelectorAll('strong.best')].map((b) => b.textContent) })));
    const all = runJson.holdout_median_abs_error_percent;
    check(name + ': a row of median errors per entry of run.json', errors.length === all.length, errors.length + ' rows');
    const first = errors[0];
    const expected = [all[0].fitted, all[0].persistence, all[0].trend].map((x) => x.toFixed(1) + '%');
    const least = expected[[all[0].fitted, all[0].persistence, all[0].trend].indexOf(Math.min(all[0].fitted, all[0].persistence, all[0].trend))];
    check(name + ': all hold-out values: ' + expected.join(', ') + ', the least emphasised',
      first && first.cells[0] === 'All hold-out values' && first.cells[1] === String(all[0].values) &&
      first.cells.slice(2).join() === expected.join() && first.best.length === 1 && first.best[0] === least, JSON.stringify(first));
    const values = await page.$$eval('#holdout-values tbody tr', (r) => r.length);
    check(name + ': every hold-out value is listed', values === csv('holdout.csv').length, values + ' rows');
    // A tooltip on an observed point.
    // The observed values are drawn over the model's lines, whose points have no tooltip.
    const tip = await tooltipOf(page, '#chart-series-0', true);
    check(name + ': hovering a point shows its values', /Observed/.test(tip) && /Fitted/.test(tip), JSON.stringify(tip));
    await screenshot(page, 'calibration.png');
    clean(name, seen);
    await page.close();
  }

  // A calibration that did not converge, with a corridor's series and no hold-out years.
  {
    const name = 'calibration not converged';
    const { page, seen } = await open(path.join(folders.stalled, 'report.html'));
    check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
    const warning = await page.$('#fit-warning');
    check(name + ': a warning says the fit did not converge', warning !== null && /did not converge/.test(await warning.textContent()));
    const titles = await page.$$eval('[data-chart^="series-"] .role-title-text text', (t) => t.map((x) => x.textContent));
    check(name + ': a chart per series, the corridor\'s named by its ends', titles.length === 2 &&
      titles.includes('GHA nurses (practising)') && titles.includes('GHA\u2192GBR nurses emigration'), titles.join(', '));
    check(name + ': a note says that no years were held out', (await page.$('#no-holdout')) !== null);
    laidOut(name, await layout(page));
    await screenshot(page, 'calibration-not-converged.png');
    clean(name, seen);
    await page.close();
  }

  // A Sobol study with second order: a tornado chart, a map of the pairs and the convergence per
  // output (notes for the output no input moves), and the heat map; every value as the files and
  // run.json give it.
  {
    const name = 'sensitivity (Sobol)';
    const dir = folders.sobol;
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    const indices = readCsv(path.join(dir, 'indices.csv'));
    const inputs = readCsv(path.join(dir, 'inputs.csv')).map((r) => r.input);
    const outputs = readCsv(path.join(dir, 'outputs.csv'));
    const convergence = readCsv(path.join(dir, 'convergence.csv'));
    const constant = outputs.map((o, i) => (o.constant === 'yes' ? i : -1)).filter((i) => i >= 0);
    const { page, seen } = await open(path.join(dir, 'report.html'));
    check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
    const list = await charts(page);
    const n = outputs.length;
    check(name + ': a tornado chart, a map of the pairs and a convergence chart per output (' + n + '), and the heat map', list.length === 3 * n + 1 &&
      ['tornado-', 'second-order-', 'convergence-'].every((p) => list.filter((c) => c.id.startsWith(p)).length === n) &&
      list.some((c) => c.id === 'heatmap'), list.length + ' charts: ' + list.map((c) => c.id).join(', '));
    const notes = constant.flatMap((i) => ['tornado-' + i, 'second-order-' + i, 'convergence-' + i]);
    check(name + ': Ghana\'s population is the one constant output', constant.length === 1 && outputs[constant[0]].output === 'GHA.all.population.2035');
    const bare = list.filter((c) => (c.empty || c.marks === 0) !== notes.includes(c.id)).map((c) => c.id);
    check(name + ': every chart has data marks, but the constant output\'s 3, which say why', bare.length === 0 &&
      /is the same in every run/.test(await page.textContent('#chart-tornado-' + constant[0])), bare.join(', '));
    const exportless = list.filter((c) => !c.empty && !(c.links.some((l) => /PNG/.test(l)) && c.links.some((l) => /SVG/.test(l))));
    check(name + ': every chart offers PNG and SVG export', exportless.length === 0, exportless.map((c) => c.id).join(', '));
    const images = await page.evaluate(async () => {
      const v = window.hwfReport.views.get('tornado-0');
      return { png: (await v.toImageURL('png', 2)).slice(0, 22), svg: (await v.toSVG()).slice(0, 100) };
    });
    check(name + ': a tornado chart exports to PNG and SVG', images.png === 'data:image/png;base64,' && images.svg.includes('<svg'));
    laidOut(name, await layout(page));
    console.log('# ' + name + ': ' + list.length + ' charts, ' + list.reduce((a, c) => a + c.marks, 0) + ' data marks, drawn in ' +
      seen.seconds.toFixed(1) + ' s');
    // The summary.
    const facts = await page.textContent('#study-facts');
    const sa = summary.sensitivity;
    check(name + ': the summary gives the runs, base samples, seed and intervals of run.json', facts.includes(sa.runs + ' runs') &&
      facts.includes(sa.base_samples + ' base samples') && facts.includes(String(sa.seed)) &&
      facts.includes('95% bootstrap intervals from 200 resamples') && facts.includes('second-order'), facts.slice(0, 300));
    // The tornado of Ghana's density: its inputs by total index, largest first, two bars and an
    // interval each; its title and the indicator's label, unit and mean from the files.
    const density = outputs[0];
    const totals = new Map(indices.filter((r) => r.output === density.output && r.index === 'total').map((r) => [r.input, Number(r.estimate)]));
    const byTotal = inputs.slice().sort((a, b) => totals.get(b) - totals.get(a));
    const order = await yLabels(page, 'tornado-0');
    check(name + ': the tornado lists the inputs by total index (' + byTotal[0] + ' first)', order.join() === byTotal.join(), order.join(', '));
    const bars = await page.$$eval('#chart-tornado-0 g.mark-rect.role-mark > path', (p) => p.length);
    const rules = await page.$$eval('#chart-tornado-0 g.mark-rule.role-mark > line', (p) => p.length);
    check(name + ': first-order and total bars with their intervals for each input', bars === 2 * inputs.length && rules === 2 * inputs.length + 1,
      bars + ' bars, ' + rules + ' rules');
    const registry = summary.run.model.indicators.find((e) => e.name === density.indicator);
    const title = await page.$$eval('#chart-tornado-0 .role-title text', (t) => t.map((x) => x.textContent).join(' | '));
    check(name + ': the tornado is titled by its output, its indicator\'s label and unit, and mean \u00b1 sd',
      title.startsWith(density.output) && title.includes(registry.label + ' (' + registry.unit + '), Ghana, nurses, 2035') &&
      title.includes('Mean ' + Number(Number(density.mean).toPrecision(4)) + ' \u00b1 ' + Number(Number(density.sd).toPrecision(4))), title);
    // The heat map: a cell per output and input; Ghana's exit rate for Ghana's density reads as
    // indices.csv gives it, and its tooltip gives the interval.
    const cells = await page.$$eval('#chart-heatmap g.mark-rect.role-mark > path', (p) => p.length);
    check(name + ': the heat map has a cell per output and input', cells === n * inputs.length, cells + ' cells');
    const exit = indices.find((r) => r.output === density.output && r.input === 'countries.GHA.cadres.nurses.exit_rate' && r.index === 'total');
    const cellTexts = await page.$$eval('#chart-heatmap g.mark-text.role-mark > text', (t) => t.map((x) => x.textContent));
    check(name + ': the heat map shows the total index ' + Number(exit.estimate).toFixed(2), cellTexts[0] === Number(exit.estimate).toFixed(2),
      cellTexts.slice(0, 4).join(', '));
    const tip = await rectTooltip(page, 'heatmap', 0);
    const interval = '[' + Number(exit.ci_low).toFixed(3) + ', ' + Number(exit.ci_high).toFixed(3) + ']';
    check(name + ': the cell\'s tooltip gives the total index ' + Number(exit.estimate).toFixed(3) + ' and its interval ' + interval,
      tip.text.includes(Number(exit.estimate).toFixed(3)) && tip.text.includes(interval), JSON.stringify(tip.text));
    // The pairs: a cell per pair of inputs.
    const pairs = await page.$$eval('#chart-second-order-0 g.mark-rect.role-mark > path', (p) => p.length);
    const expectedPairs = indices.filter((r) => r.output === density.output && r.index === 'second_order').length;
    check(name + ': the second-order map has a cell per pair (' + expectedPairs + ')', pairs === expectedPairs && pairs === 6, pairs + ' cells');
    // Convergence: a line per input and index, at the runs convergence.csv gives.
    const lines = await page.$$eval('#chart-convergence-0 g.mark-line.role-mark > path', (p) => p.length);
    check(name + ': the convergence chart draws first-order and total lines per input', lines === 2 * inputs.length, lines + ' lines');
    const runs = [...new Set(convergence.map((r) => r.runs))];
    const xLabels = await page.$$eval('#chart-convergence-0 .role-axis-label text', (t) => t.map((x) => x.textContent));
    check(name + ': its axis reads the runs ' + runs.join(', ') + ', up to all ' + sa.runs,
      runs.every((r) => xLabels.includes(Number(r).toLocaleString('en-US'))) && runs[runs.length - 1] === String(sa.runs), xLabels.join(', '));
    // The tables.
    const inputRows = await page.$$eval('#inputs-table tbody tr', (r) => r.length);
    const outputRows = await page.$$eval('#outputs-table tbody tr', (r) => r.map((x) => x.classList.contains('flagged')));
    check(name + ': a row per input and per output, the constant one marked', inputRows === inputs.length && outputRows.length === n &&
      outputRows.filter(Boolean).length === 1, inputRows + ' inputs, ' + outputRows.length + ' outputs');
    await screenshot(page, 'sensitivity-sobol.png');
    clean(name, seen);
    await page.close();
  }

  // A Morris study, with an input whose label holds markup: mu* bars with sigma, the heat map of
  // relative mu*, the label shown as text everywhere and no script of it run.
  {
    const name = 'sensitivity (Morris)';
    const dir = folders.morris;
    const file = path.join(dir, 'report.html');
    const raw = fs.readFileSync(file, 'utf8');
    check(name + ': the file holds the hostile label only escaped', !raw.includes('alert(1)</script>') && !raw.includes('<script>alert'));
    const indices = readCsv(path.join(dir, 'indices.csv'));
    const inputs = readCsv(path.join(dir, 'inputs.csv')).map((r) => r.input);
    check(name + ': the group is an input labelled by its source', inputs.includes(hostileInput), inputs.join(', '));
    const { page, seen } = await open(file);
    check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
    const list = await charts(page);
    check(name + ': a tornado chart per output and the heat map, no convergence', list.length === 3 &&
      list.map((c) => c.id).join() === 'tornado-0,tornado-1,heatmap', list.map((c) => c.id).join(', '));
    const bare = list.filter((c) => c.empty || c.marks === 0).map((c) => c.id);
    check(name + ': every chart has data marks', bare.length === 0, bare.join(', '));
    laidOut(name, await layout(page));
    // The UK's shortage: mu* and sigma bars for each input, by mu*, largest first.
    const output = 'GBR.nurses.shortage.2035';
    const muStar = new Map(indices.filter((r) => r.output === output && r.index === 'mu_star').map((r) => [r.input, Number(r.estimate)]));
    const byMuStar = inputs.slice().sort((a, b) => muStar.get(b) - muStar.get(a));
    const order = await yLabels(page, 'tornado-1');
    check(name + ': the tornado lists the inputs by \u03bc* (' + byMuStar[0].slice(0, 30) + ' first)', order.join() === byMuStar.join(), order.join(', '));
    const bars = await page.$$eval('#chart-tornado-1 g.mark-rect.role-mark > path', (p) => p.length);
    check(name + ': \u03bc* and \u03c3 bars for each input', bars === 2 * inputs.length, bars + ' bars');
    // The hostile label: text in the page, the axes and the tooltips; nothing of it runs.
    const text = await page.evaluate(() => document.body.innerText);
    check(name + ': the input\'s label and the description show as text', text.includes(hostileInput) &&
      text.includes('Morris </script><script>alert(2)</script>'));
    const axisTexts = await page.$$eval('#chart-heatmap .role-axis-label text', (t) => t.map((x) => x.textContent));
    check(name + ': the heat map\'s axis shows the label as text', axisTexts.includes(hostileInput), axisTexts.join(' | '));
    const tip = await rectTooltip(page, 'heatmap', inputs.indexOf(hostileInput));
    check(name + ': the tooltip shows the label as text', tip.text.includes(hostileInput) && !tip.html.includes('<script>'), JSON.stringify(tip.text));
    const scripts = await page.evaluate(() => document.scripts.length);
    const alerts = await page.evaluate(() => window.__hwfAlerts.slice());
    check(name + ': only the page\'s own scripts, and no script of the data ran', scripts === 5 && alerts.length === 0 &&
      seen.dialogs.length === 0, scripts + ' scripts, ' + JSON.stringify(alerts));
    await screenshot(page, 'sensitivity-morris.png');
    clean(name, seen);
    await page.close();
  }

  // Six scenarios with long names: legends wrap and show every name whole; a scenario equal to
  // the baseline draws its differences of 0 on a real axis; net migration and money read as in
  // the console and in summary.csv and the run's own report; the page opens on the country the
  // scenarios change most, or on the one the address names.
  {
    const name = 'six long names';
    const file = path.join(folders.long, 'report.html');
    const { page, seen } = await common(name, file, 11);
    const names = Object.keys(longNames);
    const legend = await page.$$eval('#chart-indicator .role-legend-label text', (t) => t.map((x) => x.textContent));
    check(name + ': the indicator chart\'s legend names all six scenarios whole',
      legend.length === 6 && names.every((n) => legend.includes(n)), JSON.stringify(legend));
    const rowsOfLegend = await page.$$eval('#chart-indicator .role-legend-label text', (t) =>
      new Set(t.map((x) => Math.round(x.getBoundingClientRect().top))).size);
    check(name + ': the legend wraps onto more than one row', rowsOfLegend > 1, rowsOfLegend + ' rows');
    // The country the scenarios change most: the largest relative change of supply in 2045.
    const supply = {};
    for (const line of fs.readFileSync(path.join(folders.long, 'indicators.csv'), 'utf8').split('\n')) {
      const f = line.split(',');
      if (f[1] === '2045' && f[3] === 'all' && f[4] === 'supply') (supply[f[2]] = supply[f[2]] || []).push(Number(f[5]));
    }
    let most = null, mostChange = -1;
    for (const [iso, v] of Object.entries(supply)) {
      const change = Math.max(...v.slice(1).map((x) => Math.abs(x - v[0]) / v[0]));
      if (change > mostChange) { most = iso; mostChange = change; }
    }
    const opened = await page.$eval('#control-country', (s) => s.options[s.selectedIndex].textContent);
    check(name + ': the page opens on the country the scenarios change most (' + most + ')', opened.includes('(' + most + ')'), opened);
    // Differences of 0 throughout: the delta chart of the copy of the baseline has a real axis.
    await pick(page, 'indicator', 'Compensation paid');
    const zeroAxis = await page.$$eval('#chart-delta .role-axis-label text', (t) => t.map((x) => x.textContent));
    check(name + ': differences of 0 throughout get an axis with numbers, each once', zeroAxis.length > 2 &&
      zeroAxis.every((x) => !/NaN/.test(x)) && new Set(zeroAxis).size === zeroAxis.length, JSON.stringify(zeroAxis));
    laidOut(name + ' (compensation paid)', await layout(page));
    // Net migration, GBR 2045, baseline: summary.csv, the console, this page and the run's page.
    const summaryCsv = fs.readFileSync(path.join(folders.long, 'summary.csv'), 'utf8');
    const net = Number(summaryCsv.match(/^two-countries-baseline,2045,GBR,net_migration,(.*)$/m)[1]);
    const consoleNet = Number(longConsole.match(/^two-countries-baseline\s+GBR\s+\S+\s+\S+\s+\S+\s+\S+\s+(-?\d+)/m)[1]);
    const cell = async (pg, country, scenario, column) => pg.evaluate(([c, sc, col]) => {
      const heads = [...document.querySelectorAll('#key-figures thead th')].map((t) => t.textContent);
      let current = '';
      for (const tr of document.querySelectorAll('#key-figures tbody tr')) {
        const td = [...tr.children].map((t) => t.textContent);
        if (td[0]) current = td[0];
        if (current.includes('(' + c + ')') && (sc === null || td[1] === sc)) return td[heads.indexOf(col)];
      }
      return null;
    }, [country, scenario, column]);
    const pageNet = await cell(page, 'GBR', 'two-countries-baseline', 'Net migration per year');
    check(name + ': net migration, UK 2045: summary.csv ' + net + ', console ' + consoleNet + ', page ' + pageNet,
      Math.round(net) === consoleNet && pageNet === consoleNet.toLocaleString('en-GB'));
    // Money: the policy cost reads the same in the page and in the console.
    const consoleCost = longConsole.match(/^two-countries-policies\s+GHA(?:\s+\S+){5}\s+(-?[\d.,]+(?: [MBT])?)/m)[1];
    const pageCost = await cell(page, 'GHA', 'two-countries-policies', 'Policy cost, cumulative (USD)');
    check(name + ': money reads alike in page and console (' + consoleCost + ')', pageCost === consoleCost && / [MB]$/.test(consoleCost),
      'page ' + pageCost);
    // The model has nurses only: no label speaks of doctors or midwives.
    const text = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll('svg text')].map((t) => t.textContent).join(' '));
    check(name + ': labels follow the model\'s cadres (nurses only)', !/doctors|midwives/.test(text) && /Density of nurses/.test(text));
    await screenshot(page, 'six-long-names.png');
    clean(name, seen);
    await page.close();

    // The run's own page gives the same net migration; #country=GBR opens the UK.
    const run = await open(path.join(folders.run, 'report.html'), '#country=GBR');
    const runOpened = await run.page.$eval('#control-country', (s) => s.options[s.selectedIndex].textContent);
    check('two-country run: #country=GBR opens the UK', runOpened.includes('(GBR)'), runOpened);
    check('two-country run: the heading names the UK', (await run.page.textContent('#section-country h2')).includes('(GBR)'));
    const runNet = await cell(run.page, 'GBR', null, 'Net migration per year');
    check('two-country run: net migration, UK 2045, as compare\'s (' + runNet + ')', runNet === consoleNet.toLocaleString('en-GB'));
    await pick(run.page, 'country', 'Ghana');
    check('two-country run: the address follows the country', run.page.url().endsWith('#country=GHA'), run.page.url());
    // A shortage of 0 throughout (Ghana's compensation paid: no policy) draws a real axis.
    await pick(run.page, 'indicator', 'Compensation paid');
    const axis = await run.page.$$eval('#chart-indicator .role-axis-label text', (t) => t.map((x) => x.textContent));
    check('two-country run: a series of 0 throughout gets an axis with numbers, each once', axis.length > 2 &&
      axis.every((x) => !/NaN/.test(x)) && new Set(axis).size === axis.length, JSON.stringify(axis));
    clean('two-country run (#country)', run.seen);
    await run.page.close();
  }

  // The benchmarks' synthetic world of 194 countries, 4 cadres and 388 corridor-cadres.
  if (synthetic) {
    const name = 'world-194';
    const file = path.join(folders.world194, 'report.html');
    const size = fs.statSync(file).size;
    console.log('# world-194 run written in ' + world194Seconds.toFixed(1) + ' s; report.html ' + (size / 1e6).toFixed(2) + ' MB');
    check(name + ': report.html is under ' + world194LimitBytes / 1e6 + ' MB', size < world194LimitBytes, size + ' bytes');
    const { page, seen } = await common(name, file, 9);
    const labels = await page.$$eval('#chart-corridor-matrix .role-axis-label text', (t) => t.length);
    check(name + ': the corridor matrix shows at most 14 origins and 14 destinations', labels > 0 && labels <= 28, labels + ' labels');
    check(name + ': labels name the model\'s cadres', (await page.textContent('#section-figures')).includes('cadre_a, cadre_b, cadre_c and cadre_d'));
    await screenshot(page, 'world-194.png');
    clean(name, seen);
    await page.close();
  }
} catch (err) {
  check('the browser test ran to its end', false, err && err.stack ? err.stack : String(err));
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}

console.log('# screenshots in ' + outDir + '; ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s in all');
finish();

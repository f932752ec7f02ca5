// report.html in a real browser: Debian's headless Chromium, driven by playwright-core (no
// browser is downloaded). For the two-country run, a world comparison, a Monte Carlo ensemble and
// a Monte Carlo comparison, it checks that the page draws every chart with data in it, without a
// console message of level error or warning, an uncaught exception or any network request; that
// the controls redraw the charts, tooltips show, and the charts export to PNG and SVG. It writes
// a screenshot of each page, checks the world report's size, and checks that names and
// descriptions holding <script> show as text and run nothing.
//
// Usage: node tests/report/report_test.mjs HWFSIM OUTPUT_DIR [--readme-png docs/report.png]
//   (from the source root; ctest runs it so). --readme-png also writes the README's picture.
// Environment: HWF_CHROMIUM, the browser (default /usr/bin/chromium).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
const browserPath = process.env.HWF_CHROMIUM || '/usr/bin/chromium';
// The world comparison's page: 1.6 MB when written (docs/report.md); this bound catches a data
// encoding that grows by half.
const worldLimitBytes = 2.5e6;

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) {
    passed += 1;
    console.log('ok   ' + name);
  } else {
    failed += 1;
    console.log('FAIL ' + name + (detail ? ': ' + detail : ''));
  }
  return ok;
}

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
};
hwf('run', 'scenarios/two-countries.yaml', '-o', folders.run, '-q');
hwf('compare', 'scenarios/flagship.yaml', 'scenarios/world-compensation.yaml',
  'scenarios/world-who-code-universal.yaml', '-o', folders.world, '-q');
hwf('mc', 'scenarios/two-countries-uncertainty.yaml', '--samples', '100', '-o', folders.mc, '-q');
const policy = path.join(work, 'bigger-top-up.yaml');
fs.writeFileSync(policy, 'scenario: bigger-top-up\nextends: ' + path.join(root, 'scenarios/two-countries-uncertainty.yaml') +
  '\nset:\n  policies.ghana-top-up.u: 0.5\n');
hwf('mc', '--compare', 'scenarios/two-countries-uncertainty.yaml', policy, '--samples', '60', '-o', folders.mcCompare, '-q');

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
console.log('# results folders written in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');

// ---- The browser --------------------------------------------------------------------------

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hwf-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: browserPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  deviceScaleFactor: 1,
  offline: true,
});

/** Opens a report, with every console message, page error, dialog and request recorded. */
async function open(file) {
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
  await page.goto(url);
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
  const before = await page.evaluate(() => document.body.dataset.drawn || '');
  await page.selectOption('#control-' + control, value);
  await page.waitForFunction((b) => (document.body.dataset.drawn || '') !== b, before, { timeout: 15000 });
  return true;
}

async function common(name, file, expected) {
  const { page, seen } = await open(file);
  check(name + ': the page drew everything', (await page.evaluate(() => document.body.dataset.ready)) === '1');
  const list = await charts(page);
  check(name + ': ' + expected + ' charts', list.length === expected, list.length + ' charts: ' + list.map((c) => c.id).join(', '));
  const bare = list.filter((c) => c.empty || c.marks === 0).map((c) => c.id);
  check(name + ': every chart has data marks', bare.length === 0, 'no marks in ' + bare.join(', '));
  const exportless = list.filter((c) => !(c.links.some((l) => /PNG/.test(l)) && c.links.some((l) => /SVG/.test(l))));
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
  await page.mouse.move(0, 0);
  const point = await page.$('#chart-density g.mark-symbol.role-mark path');
  if (point) {
    await point.hover({ force: true });
    await page.waitForTimeout(300);
  }
  const tip = await page.evaluate(() => {
    const t = document.getElementById('vg-tooltip-element');
    return t && t.classList.contains('visible') ? t.textContent : '';
  });
  check(name + ': hovering a point shows its tooltip', /Year/.test(tip), JSON.stringify(tip));
  return { page, seen };
}

function clean(name, seen) {
  check(name + ': no console error or warning, no page error', seen.problems.length === 0, seen.problems.slice(0, 5).join(' | '));
  check(name + ': no network request', seen.requests.length === 0, seen.requests.slice(0, 5).join(', '));
  check(name + ': no dialog', seen.dialogs.length === 0, seen.dialogs.join(', '));
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

  // The world comparison: 4 country charts, 2 delta charts, the matrix and 4 corridor charts.
  {
    const name = 'world compare';
    const file = path.join(folders.world, 'report.html');
    const size = fs.statSync(file).size;
    console.log('# world compare report.html: ' + (size / 1e6).toFixed(2) + ' MB');
    check(name + ': report.html is under ' + worldLimitBytes / 1e6 + ' MB', size < worldLimitBytes, size + ' bytes');
    const { page, seen } = await common(name, file, 11);
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

  // Monte Carlo: 4 fan charts, the chance of reaching the SDG threshold, 5 corridor charts.
  {
    const name = 'mc';
    const { page, seen } = await common(name, path.join(folders.mc, 'report.html'), 10);
    const bands = await page.$$eval('#chart-indicator g.mark-area.role-mark > path', (p) => p.length);
    check(name + ': the fan chart has its two bands', bands === 2, bands + ' areas');
    const before = await signature(page, 'gap');
    check(name + ': the country control switches to the UK', await pick(page, 'country', 'United Kingdom'));
    check(name + ': the need and supply chart changed', (await signature(page, 'gap')) !== before);
    await screenshot(page, 'mc.png');
    clean(name, seen);
    await page.close();
  }

  // Monte Carlo comparison: adds the difference fan, its distribution by country, and the chance
  // that the shortage is below the baseline's.
  {
    const name = 'mc --compare';
    const { page, seen } = await common(name, path.join(folders.mcCompare, 'report.html'), 13);
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
} catch (err) {
  check('the browser test ran to its end', false, err && err.stack ? err.stack : String(err));
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}

console.log('# screenshots in ' + outDir + '; ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s in all');
console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed === 0 ? 0 : 1);

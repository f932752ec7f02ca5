// The workshop page of `hwfsim workshop` in a real browser: Debian's headless Chromium, driven by
// playwright-core (no browser is downloaded). It writes a page of three scenarios (the teaching
// policies, the UK-Kenya agreement on the world dataset, and one whose title, description and
// labels hold HTML), then checks that the page loads without a console message of level error or
// warning, an uncaught exception or any network request; that moving a slider changes the
// charts' data; that switching every policy off gives the baseline exactly; that "Save this
// scenario" downloads a file which `hwfsim run` runs to the page's numbers (1e-12 relative, every
// value of the indicators table) for settings on both models; that Reset restores the scenario;
// and that hostile texts show as text and run nothing. It also checks the command's refusals
// (an existing page without --force) and prints the time the model took per change.
//
// Usage: node tests/workshop/workshop_test.mjs HWFSIM OUTPUT_DIR   (from the source root)
// Environment: HWF_CHROMIUM, the browser (default /usr/bin/chromium).

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { check, checksSoFar, chromiumArgs, finish } from '../report/checks.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'outputs/report/package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: workshop_test.mjs HWFSIM OUTPUT_DIR');
  process.exit(2);
}
const hwfsim = path.resolve(args[0]);
const outDir = path.resolve(args[1]);
const browserPath = process.env.HWF_CHROMIUM || '/usr/bin/chromium';


fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
// A copy of the scenarios and models: the saved files go beside the scenarios they extend.
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hwf-workshop-'));
const tree = path.join(work, 'tree');
fs.cpSync(path.join(root, 'scenarios'), path.join(tree, 'scenarios'), { recursive: true });
fs.cpSync(path.join(root, 'models'), path.join(tree, 'models'), { recursive: true });
const hostileText = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & "quotes"';
fs.writeFileSync(path.join(tree, 'scenarios/hostile.yaml'), [
  'scenario: hostile-names',
  'extends: two-countries-policies.yaml',
  'description: ' + JSON.stringify('Description ' + hostileText),
  'workshop:',
  '  title: ' + JSON.stringify('Title ' + hostileText),
  '  controls:',
  '    policies.ghana-top-up.u: {label: ' + JSON.stringify('Label ' + hostileText) + '}',
  '',
].join('\n'));

const hwf = (cwd, ...a) => spawnSync(hwfsim, a, { cwd, encoding: 'utf8' });
const page1 = path.join(outDir, 'workshop.html');
const scenarios = ['scenarios/two-countries-policies.yaml', 'scenarios/world-uk-kenya-agreement.yaml',
  'scenarios/hostile.yaml'];
{
  const r = hwf(tree, 'workshop', ...scenarios, '-o', page1);
  check('hwfsim workshop writes the page', r.status === 0 && fs.existsSync(page1), r.stderr);
  check('it says where and how large', /Workshop page of 3 scenarios \(\d+ files\): .*workshop\.html \(\d+\.\d MB\)/.test(r.stdout), r.stdout);
  const again = hwf(tree, 'workshop', scenarios[0], '-o', page1);
  check('an existing page is kept without --force (exit 3)', again.status === 3 &&
    /already exists\. Use --force to replace it/.test(again.stderr), again.stderr);
  const forced = hwf(tree, 'workshop', ...scenarios, '-o', page1, '--force');
  check('--force replaces it', forced.status === 0, forced.stderr);
  const missing = hwf(tree, 'workshop', 'scenarios/no-such.yaml', '-o', path.join(outDir, 'x.html'));
  check('a missing scenario is bad input (exit 2), nothing written', missing.status === 2 &&
    !fs.existsSync(path.join(outDir, 'x.html')), missing.stderr);
  check('the page is one self-contained file of at most 6 MB', fs.statSync(page1).size < 6e6,
    String(fs.statSync(page1).size));
}

// ---- The page ---------------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: browserPath,
  args: chromiumArgs,
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
const page = await context.newPage();
const messages = [];
const requests = [];
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(m.type() + ': ' + m.text()); });
page.on('pageerror', (e) => messages.push('uncaught: ' + e.message));
page.on('request', (r) => { if (r.url() !== pathToFileURL(page1).href) requests.push(r.url()); });

await page.goto(pathToFileURL(page1).href);
await page.waitForFunction(() => window.hwfWorkshop && window.hwfWorkshop.ready);
await page.evaluate(() => window.hwfWorkshop.ready);
const waitRuns = async (n) => page.waitForFunction((k) => window.hwfWorkshop.runs >= k && !window.hwfWorkshop.running, n);
await waitRuns(1);

const st = () => page.evaluate(() => ({
  runs: window.hwfWorkshop.runs,
  errors: window.hwfWorkshop.errors,
  status: document.getElementById('status').textContent,
  messages: document.getElementById('messages').textContent,
}));
{
  const s = await st();
  check('the page starts and runs the first scenario', s.runs === 1 && s.status.startsWith('Model run in'), JSON.stringify(s));
  check('its title is the scenario\'s', (await page.textContent('#title')) === 'two-countries-policies');
}

/** The chart rows of view `id`, of one run ('Your settings' or 'Baseline (no policy)'). */
const chartRows = (id, run) => page.evaluate(([v, r]) =>
  window.hwfWorkshop.views.get(v).data('table').filter((x) => x.run === r).map((x) => [x.year, x.value]), [id, run]);

/** Moves the slider of `path` to `value`, as a hand does (an input event), and waits for the run. */
async function slide(pathName, value) {
  const before = (await st()).runs;
  await page.evaluate(([p, v]) => {
    const input = document.querySelector('.control[data-path="' + p + '"] input');
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, [pathName, value]);
  await waitRuns(before + 1);
}
async function toggle(policy) {
  const before = (await st()).runs;
  await page.click('fieldset[data-policy="' + policy + '"] input[type="checkbox"]');
  await waitRuns(before + 1);
}

/** Saves the scenario as a participant does, runs the file with hwfsim, and compares. */
async function saveAndCompare(label) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const response = await page.evaluate(() => window.hwfWorkshop.response);
  const scenario = await page.evaluate(() => window.hwfWorkshop.scenario);
  const folder = path.join(tree, path.dirname(scenario.replace(/^\/w\//, '')));
  const saved = path.join(folder, download.suggestedFilename());
  await download.saveAs(saved);
  const text = fs.readFileSync(saved, 'utf8');
  check(label + ': the saved file is the page\'s YAML', text === response.yaml);
  const results = path.join(work, 'run-' + checksSoFar());
  const r = hwf(tree, 'run', path.relative(tree, saved), '-o', results, '-q');
  if (!check(label + ': hwfsim run runs the saved file', r.status === 0, r.stderr)) return;
  const lines = fs.readFileSync(path.join(results, 'indicators.csv'), 'utf8').trim().split('\n').slice(1);
  const native = new Map();
  for (const line of lines) {
    const [, year, country, cadre, indicator, value] = line.split(',');
    native.set([country, cadre, indicator, year].join('|'), Number(value));
  }
  const t = response.run.indicators;
  let compared = 0;
  let worst = 0;
  let missing = 0;
  t.series.forEach((key, i) => {
    t.values[i].forEach((v, y) => {
      if (v === null) return;
      const n = native.get([key[0], key[1], key[2], response.years[y]].join('|'));
      if (n === undefined) { missing += 1; return; }
      const rel = Math.abs(v - n) / Math.max(Math.abs(n), 1e-300);
      if (v !== n) worst = Math.max(worst, rel);
      compared += 1;
    });
  });
  check(label + ': the page\'s numbers equal hwfsim run\'s to 1e-12 relative (' + compared +
    ' values, largest difference ' + worst.toExponential(2) + ')', compared > 500 && missing === 0 && worst <= 1e-12,
    'compared ' + compared + ', missing ' + missing + ', worst ' + worst);
  return text;
}

// Moving a slider changes the charts' data.
{
  const before = await chartRows('supply-0', 'Your settings');
  await slide('policies.ghana-top-up.u', 0.6);
  const after = await chartRows('supply-0', 'Your settings');
  check('moving a slider changes the charts\' data', JSON.stringify(before) !== JSON.stringify(after) && after.length === before.length);
  check('the saved YAML holds the new value', (await page.evaluate(() => window.hwfWorkshop.response.yaml)).includes('policies.ghana-top-up.u: 0.6'));
  await slide('policies.uk-ghana-agreement.quota', 1500);
  const text = await saveAndCompare('teaching model, two sliders moved');
  check('the saved file extends the scenario and sets both values', text &&
    text.includes('extends: two-countries-policies.yaml') && text.includes('policies.uk-ghana-agreement.quota: 1500'));
}

// Every policy off: the baseline, exactly.
{
  const names = await page.evaluate(() => [...document.querySelectorAll('fieldset[data-policy]')].map((f) => f.dataset.policy));
  for (const n of names) await toggle(n);
  const same = await page.evaluate(() => {
    const r = window.hwfWorkshop.response;
    return JSON.stringify(r.run.indicators) === JSON.stringify(r.baseline.indicators) &&
      JSON.stringify(r.run.corridors) === JSON.stringify(r.baseline.corridors);
  });
  check('switching every policy off gives the baseline\'s tables exactly', same);
  const a = await chartRows('supply-0', 'Your settings');
  const b = await chartRows('supply-0', 'Baseline (no policy)');
  check('and its charts draw the baseline\'s values', a.length > 0 && JSON.stringify(a) === JSON.stringify(b));
  check('the sliders of a switched-off policy are disabled', await page.evaluate(() =>
    document.querySelector('.control[data-path="policies.ghana-top-up.u"] input').disabled));
  const text = await saveAndCompare('teaching model, every policy off');
  check('the saved file removes the policies', text && text.includes('remove: [ghana-top-up, ghana-nursing-seats, uk-code, uk-ghana-agreement]'), text);
  await toggle('uk-code');
  check('one switched back on acts again', await page.evaluate(() => {
    const r = window.hwfWorkshop.response;
    return JSON.stringify(r.run.corridors) !== JSON.stringify(r.baseline.corridors);
  }));
}

// Reset restores the scenario as given.
{
  const before = (await st()).runs;
  await page.click('#reset');
  await waitRuns(before + 1);
  const r = await page.evaluate(() => ({
    yaml: window.hwfWorkshop.response.yaml,
    on: [...document.querySelectorAll('fieldset[data-policy] input[type="checkbox"]')].every((b) => b.checked),
    u: document.querySelector('.control[data-path="policies.ghana-top-up.u"] input').value,
  }));
  check('Reset switches every policy on and sets nothing', r.on && !r.yaml.includes('set:') && !r.yaml.includes('remove:') && r.u === '0.3', JSON.stringify(r));
}

// The world dataset: the scenario picker, a lever and a timing.
{
  const before = (await st()).runs;
  await page.selectOption('#scenario', { label: 'scenarios/world-uk-kenya-agreement.yaml' });
  await waitRuns(before + 1);
  check('the picker opens the second scenario', (await page.textContent('#title')) === 'world-uk-kenya-agreement');
  check('the page shows both ends of its corridor', await page.evaluate(() =>
    [...document.querySelectorAll('section.end')].map((s) => s.dataset.country).join(',')) === 'KEN,GBR');
  await slide('policies.uk-kenya-nurses.active_quota', 100);
  await slide('policies.uk-kenya-nurses.unemployed_share', 0.5);
  await saveAndCompare('world dataset, the route quota and its share of the unemployed changed');
  const notes = (await st()).messages;
  check('a quota that binds gives no "never binds" note', !notes.includes('never binds'), notes);
}

// Another cadre, another pair of countries: the charts are drawn anew.
{
  let before = (await st()).runs;
  await page.selectOption('#cadre', 'nurses');
  await waitRuns(before + 1);
  const density = await page.evaluate(() => window.hwfWorkshop.views.has('density_per_10k-0') &&
    !window.hwfWorkshop.views.has('sdg_density-0'));
  check('one cadre: its own density, without the SDG threshold of all cadres', density);
  before = (await st()).runs;
  await page.selectOption('#end-1', 'DEU');
  await waitRuns(before + 1);
  const r = await page.evaluate(() => ({
    ends: [...document.querySelectorAll('section.end')].map((s) => s.dataset.country).join(','),
    heading: document.querySelector('section.wide h2').textContent,
    supply: window.hwfWorkshop.views.get('supply-1').data('table').length,
  }));
  check('another country: its charts, and the migration between the two', r.ends === 'KEN,DEU' &&
    r.heading === 'Migration between Kenya (KEN) and Germany (DEU)' && r.supply > 0, JSON.stringify(r));
}

// Hostile texts show as text.
{
  const before = (await st()).runs;
  await page.selectOption('#scenario', { label: 'scenarios/hostile.yaml' });
  await waitRuns(before + 1);
  const r = await page.evaluate(() => ({
    title: document.getElementById('title').textContent,
    lead: document.getElementById('lead').textContent,
    label: document.querySelector('.control[data-path="policies.ghana-top-up.u"] .name').textContent,
    imgs: document.querySelectorAll('header img, aside img').length,
    pwned: window.pwned,
  }));
  check('hostile title, description and label show as text', r.title === 'Title ' + hostileText &&
    r.lead === 'Description ' + hostileText && r.label === 'Label ' + hostileText, JSON.stringify(r));
  check('and run nothing', r.imgs === 0 && r.pwned === undefined);
  check('its workshop block\'s scenario runs', (await st()).status.startsWith('Model run in'), (await st()).messages);
  await toggle('ghana-top-up');
  check('with the policy of its only control switched off too', (await st()).status.startsWith('Model run in'), (await st()).messages);
}

const s = await st();
check('no console error or warning, no uncaught exception', messages.length === 0 && s.errors.length === 0,
  messages.concat(s.errors).join('\n').slice(0, 2000));
check('no network request', requests.length === 0, requests.join(', '));
await page.screenshot({ path: path.join(outDir, 'workshop.png'), fullPage: true });
const timings = await page.evaluate(() => window.hwfWorkshop.timings.map((t) => Math.round(t.model)));
console.log('model time per change (ms, in order): ' + timings.join(', '));
await browser.close();
fs.rmSync(work, { recursive: true, force: true });
finish();

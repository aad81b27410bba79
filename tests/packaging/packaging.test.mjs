// Packaging smoke tests: `npm pack` the package, install the tarball into fresh projects
// and use it as users do: Node `require`, Node `import`, and an esbuild bundle run in
// headless Chromium. Answers are checked against the golden vectors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, copyFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/chromium.mjs';
import { Miniflare } from 'miniflare';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..', 'pkg');
const vector = JSON.parse(readFileSync(join(here, '..', 'vectors', 'weighted-unicode.json'), 'utf8'));
const textLookups = vector.lookups.filter((l) => 'key' in l);
let work;
let tarball;

function project(name, files) {
  const dir = join(work, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '0.0.0' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: dir });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const script = (importLine) => `${importLine}
const doc = ${JSON.stringify({ config: vector.config, nodes: vector.nodes, keys: textLookups.map((l) => l.key) })};
const ring = new HashRing(doc.config);
for (const n of doc.nodes) ring.add(n.id, { weight: n.weight });
console.log(JSON.stringify({ fingerprint: ring.fingerprint, owners: doc.keys.map((k) => ring.get(k) ?? null) }));
`;

function check(out) {
  assert.equal(out.fingerprint, vector.expect.fingerprint);
  assert.deepEqual(out.owners, textLookups.map((l) => l.owner));
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ringroute-packaging-'));
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', work, pkg]).toString().trim().split('\n').pop();
  tarball = join(work, name);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball holds the built package and nothing else', () => {
  const files = execFileSync('tar', ['-tzf', tarball]).toString().trim().split('\n').sort();
  for (const f of ['package/dist/node/ringroute.cjs', 'package/dist/web/ringroute_bg.wasm', 'package/worker.js', 'package/node.mjs',
    'package/full/node.mjs', 'package/full/worker.js', 'package/dist/web/ringroute_full_bg.wasm']) {
    assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.includes('build.sh') || f.endsWith('.rs')), files.join(', '));
});

test('node-cjs: require("ringroute")', () => {
  const dir = project('node-cjs', { 'index.cjs': script("const { HashRing } = require('ringroute');") });
  check(JSON.parse(execFileSync('node', ['index.cjs'], { cwd: dir }).toString()));
});

test('node-esm: import from "ringroute" and "ringroute/full"', () => {
  const dir = project('node-esm', {
    'index.mjs': script("import { HashRing } from 'ringroute';"),
    'full.mjs': `${script("import { HashRing, Ketama } from 'ringroute/full';")}
const ketama = new Ketama();
ketama.add('10.0.0.1', 11211);
if (ketama.get('key:0') !== '10.0.0.1:11211') throw new Error('ketama');`,
  });
  check(JSON.parse(execFileSync('node', ['index.mjs'], { cwd: dir }).toString()));
  check(JSON.parse(execFileSync('node', ['full.mjs'], { cwd: dir }).toString()));
});

test('worker: an esbuild bundle for workerd, run in miniflare', async () => {
  const dir = project('edge-worker', {});
  copyFileSync(join(here, 'worker.mjs'), join(dir, 'worker.mjs'));
  const esbuild = join(here, '..', 'node_modules', '.bin', 'esbuild');
  execFileSync(esbuild, ['worker.mjs', '--bundle', '--format=esm', '--platform=neutral', '--conditions=workerd,worker',
    '--loader:.wasm=copy', '--outdir=dist'], { cwd: dir });
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, 'dist', 'worker.js'),
    modulesRoot: join(dir, 'dist'),
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-07-01',
  });
  try {
    const body = JSON.stringify({ config: vector.config, nodes: vector.nodes, keys: textLookups.map((l) => l.key) });
    const res = await mf.dispatchFetch('http://worker/', { method: 'POST', body });
    check(await res.json());
  } finally {
    await mf.dispose();
  }
});

test('esbuild bundle in headless Chromium', async () => {
  const dir = project('esbuild-app', {});
  copyFileSync(join(here, 'app.js'), join(dir, 'app.js'));
  const esbuild = join(here, '..', 'node_modules', '.bin', 'esbuild');
  execFileSync(esbuild, ['app.js', '--bundle', '--format=esm', '--platform=browser', '--loader:.wasm=file', '--outdir=dist'], { cwd: dir });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const file = join(dir, 'dist', req.url === '/' ? 'index.html' : req.url.slice(1));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.replay === 'function');
    const out = await page.evaluate((doc) => window.replay(doc), { config: vector.config, nodes: vector.nodes, lookups: textLookups });
    check(out);
    assert.deepEqual(out.many, textLookups.map((l) => l.owner));
    assert.deepEqual(errors, []);
    assert.ok(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'esbuild emitted the wasm');
  } finally {
    await browser.close();
    server.close();
  }
});

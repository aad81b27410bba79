// The packaging matrix: `npm pack` of pkg/ once, then every cell installs the tarball
// into a fresh project and routes the golden vectors there (see cells.mjs). Each cell is
// one test that fails with its errors; a summary of status, time and browser bytes is
// printed at the end. CELLS=<regex> runs a subset; RINGROUTE_TARBALL=<.tgz> tests a
// given tarball instead of packing pkg/; KEEP=1 keeps the projects.
import { test, suite, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cells } from './cells.mjs';
import { failures, boundedAnswers } from './verdict.mjs';
import { exec, nodeBinary, nodeMajors, packTarball } from './support.mjs';
import { launchChromium } from '../support/chromium.mjs';

const selected = cells.filter((c) => !process.env.CELLS || new RegExp(process.env.CELLS).test(c.name));
const concurrency = Number(process.env.CELL_CONCURRENCY ?? 3);
let work;
let tarball;
let browserLaunch;
const summary = [];
// The line of an error that says what went wrong (a failed command's first error line).
const headline = (error) => {
  const lines = error.split('\n').map((l) => l.trim()).filter(Boolean);
  const body = lines[0].startsWith('`') ? lines.slice(1) : lines;
  const at = Math.max(0, body.findIndex((l) => /error|cannot|not /i.test(l)));
  // "error during build:" says little; the line after it says what.
  const line = body[at]?.endsWith(':') && body[at + 1] ? `${body[at]} ${body[at + 1]}` : body[at] ?? lines[0];
  return line.slice(0, 300);
};
const bounded = new Map();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ringroute-matrix-'));
  tarball = await packTarball(work);
  // Node majors from npm, fetched one at a time (npx's cache is not safe to fill concurrently).
  for (const major of nodeMajors) await nodeBinary(major);
});

after(async () => {
  if (browserLaunch) await (await browserLaunch).close();
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
  else console.log(`projects kept in ${work}`);
  const kb = (n) => (n / 1024).toFixed(1);
  const lines = summary.map((s) => {
    const sizes = s.sizes ? ` | main ${kb(s.sizes.main.raw)} KB, ${kb(s.sizes.main.gzip)} KB gz; full ${kb(s.sizes.full.raw)} KB, ${kb(s.sizes.full.gzip)} KB gz` : '';
    return `${s.ok ? 'PASS' : 'FAIL'} ${s.name.padEnd(20)} ${(s.ms / 1000).toFixed(1).padStart(6)} s${sizes}${s.notes ? ` | ${s.notes}` : ''}${s.ok ? '' : `\n       ${headline(s.error)}`}`;
  });
  const subset = selected.length < cells.length ? ` — a subset: ${selected.length} of ${cells.length} cells (CELLS=${process.env.CELLS})` : '';
  console.log(`\npackaging matrix (${summary.filter((s) => s.ok).length}/${summary.length} cells pass${subset}):\n${lines.join('\n')}\n`);
});

test('the tarball: both licenses, package metadata, no duplicated file', async () => {
  const { stdout } = await exec('tar', ['-tzvf', tarball]);
  const entries = stdout.trim().split('\n').filter((line) => line.startsWith('-')).map((line) => {
    const parts = line.trim().split(/\s+/);
    return { size: Number(parts[2]), path: parts.slice(5).join(' ').replace(/^package\//, '') };
  });
  const unpacked = entries.reduce((s, e) => s + e.size, 0);
  console.log(`tarball: ${statSync(tarball).size} bytes packed, ${unpacked} unpacked, ${entries.length} files`);
  const paths = entries.map((e) => e.path);
  for (const license of ['LICENSE-MIT', 'LICENSE-APACHE']) assert.ok(paths.includes(license), `${license} missing from ${paths.join(', ')}`);
  assert.ok(!paths.some((p) => p.endsWith('.sh') || p.endsWith('.rs')), paths.join(', '));
  const manifest = JSON.parse((await exec('tar', ['-xzOf', tarball, 'package/package.json'])).stdout);
  for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license', 'exports']) assert.ok(manifest[field], `package.json has no ${field}`);
  // Every file package.json points at is in the tarball.
  const targets = (value) => (typeof value === 'string' ? [value] : Object.values(value ?? {}).flatMap(targets));
  const pointed = [...targets(manifest.exports), ...['main', 'module', 'types'].flatMap((f) => targets(manifest[f]))];
  assert.deepEqual(pointed.map((p) => p.replace(/^\.\//, '')).filter((p) => !paths.includes(p)), [], 'targets of package.json missing from the tarball');
  // Byte-identical files (a wasm shipped twice) waste what every user downloads.
  const dir = join(work, 'unpacked');
  await exec('mkdir', ['-p', dir]);
  await exec('tar', ['-xzf', tarball, '-C', dir]);
  const byHash = new Map();
  for (const p of paths) {
    const hash = createHash('sha256').update(readFileSync(join(dir, 'package', p))).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), p]);
  }
  // Identical declaration files are how one set of types serves both `import` and `require`.
  const duplicated = [...byHash.values()].filter((ps) => ps.filter((p) => !/\.d\.[cm]?ts$/.test(p)).length > 1);
  assert.deepEqual(duplicated, [], 'byte-identical files in the tarball');
});

suite('cells', { concurrency }, () => {
  for (const cell of selected) {
    test(`${cell.group}: ${cell.name}`, async (t) => {
      const start = Date.now();
      const entry = { name: cell.name, ok: false, ms: 0 };
      summary.push(entry);
      try {
        const result = await cell.run({
          dir: join(work, cell.name),
          tarball,
          browser: () => (browserLaunch ??= launchChromium()),
        });
        Object.assign(entry, { sizes: result.sizes, notes: result.notes });
        const found = [...(result.errors ?? [])];
        for (const { which, report } of result.reports) {
          found.push(...failures(report, which));
          const b = boundedAnswers(report);
          if (b) bounded.set(cell.name, b);
        }
        if (found.length) throw new Error(found.join('\n'));
        entry.ok = true;
      } catch (e) {
        entry.error = e.message;
        throw e;
      } finally {
        entry.ms = Date.now() - start;
        if (entry.sizes) t.diagnostic(`bytes downloaded: ${JSON.stringify(entry.sizes)}`);
        t.diagnostic(`${(entry.ms / 1000).toFixed(1)} s`);
      }
    });
  }
});

test('BoundedLoads answers are identical in every cell', () => {
  assert.ok(bounded.size > 0, 'no cell reported BoundedLoads answers');
  const distinct = new Set(bounded.values());
  assert.equal(distinct.size, 1, `cells disagree: ${[...bounded.keys()].join(', ')}`);
});

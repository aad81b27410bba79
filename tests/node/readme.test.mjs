// Runs every JavaScript snippet of both READMEs (the repository's and the npm
// package's) against the package, as a user would paste it into a module. A snippet that
// uses `using` runs on Node 24 (the `node` npm package), since older Node rejects it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const readmes = { 'README.md': join(root, 'README.md'), 'pkg/README.md': join(root, 'pkg', 'README.md') };

function snippets(path) {
  return [...readFileSync(path, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs `code` as a module in tests/node (where `ringroute` resolves); returns its exports. */
async function run(code, name, exportList = []) {
  const file = join(here, `.readme-example-${process.pid}-${name}.mjs`);
  const exports = exportList.length ? `\nexport { ${exportList.join(', ')} };\n` : '\n';
  writeFileSync(file, code + exports);
  try {
    if (/^\s*using /m.test(code) && Number(process.versions.node.split('.')[0]) < 24) {
      execFileSync('npx', ['-y', '-p', 'node@24', 'node', file], { stdio: 'pipe', cwd: here });
      return {};
    }
    return await import(pathToFileURL(file));
  } finally {
    rmSync(file);
  }
}

for (const [label, path] of Object.entries(readmes)) {
  snippets(path).forEach((code, i) => {
    test(`${label}: JavaScript snippet ${i + 1} runs`, async () => {
      await run(code, `${label.replace(/\W/g, '_')}-${i}`);
    });
  });
}

test('both READMEs have snippets, and the package README shows `using`', () => {
  assert.ok(snippets(readmes['README.md']).length >= 1);
  const pkg = snippets(readmes['pkg/README.md']);
  assert.ok(pkg.length >= 4);
  assert.ok(pkg.some((code) => /^\s*using /m.test(code)));
});

test('the repository README example computes what its comments say', async () => {
  const [code] = snippets(readmes['README.md']);
  const { ring, same, next, t } = await run(code, 'checked', ['ring', 'same', 'next', 't']);
  assert.equal(ring.size, 1, 'ws-server-1 was removed at the end');
  assert.deepEqual(same.nodes(), ['ws-server-0', 'ws-server-1']);
  assert.deepEqual(next.nodes(), ['ws-server-0', 'ws-server-1', 'ws-server-2']);
  assert.ok(t.progress > 0 && t.progress <= 0.25 + 1e-9, `step 1 of 4 cut over ${t.progress}`);
});

test('the package README ringroute/full example computes what its comments say', async () => {
  const code = snippets(readmes['pkg/README.md']).find((js) => js.includes("'ringroute/full'"));
  const { servers, loads, memcached, pool } = await run(code, 'full', ['servers', 'loads', 'memcached', 'pool']);
  assert.equal(loads.size, 300);
  assert.equal(loads.load('ws-1'), 0, 'ws-1 left and its connections moved');
  for (const id of ['ws-0', 'ws-2']) assert.ok(loads.load(id) <= loads.cap(servers, id));
  assert.equal(loads.load('ws-0') + loads.load('ws-2'), 300);
  assert.ok(['10.0.0.1:11211', '10.0.0.2:11211'].includes(memcached.get('user:42')));
  assert.deepEqual(pool.servers(), [{ host: '10.0.0.3', port: 11211, weight: 1 }, { host: '10.0.0.4', port: 11212, weight: 3 }]);
  assert.equal(pool.pointCount, 320);
});

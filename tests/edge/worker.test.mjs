// The golden vectors replayed inside workerd (Cloudflare's runtime, run locally by
// miniflare), through the package's `workerd` entry (dist/*/worker.js): initSync on a compiled module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const vectors = join(here, '..', 'vectors');
let mf;

before(async () => {
  mf = new Miniflare({
    modules: true,
    scriptPath: join(here, 'worker.js'),
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-07-01',
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
});

for (const file of readdirSync(vectors).filter((f) => f.endsWith('.json')).sort()) {
  test(`workerd replays ${file}`, async () => {
    const doc = JSON.parse(readFileSync(join(vectors, file), 'utf8'));
    const res = await mf.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify(doc) });
    assert.equal(res.status, 200, await res.clone().text());
    const got = await res.json();
    assert.equal(got.fingerprint, doc.expect.fingerprint);
    assert.equal(got.pointCount, doc.expect.point_count);
    assert.deepEqual(got.positions, doc.lookups.map((l) => l.position));
    assert.deepEqual(got.owners, doc.lookups.map((l) => l.owner));
    assert.deepEqual(got.many, doc.lookups.filter((l) => 'key' in l).map((l) => l.owner));
    assert.deepEqual(got.successors, doc.lookups.map((l) => l.successors));
  });
}

test('workerd: ringroute/full\'s Ketama agrees with libmemcached', async () => {
  const doc = JSON.parse(readFileSync(join(vectors, 'ketama', 'ketama.json'), 'utf8'));
  const keys = Array.from({ length: 64 }, (_, i) => `key:${i}`);
  for (const config of doc.configs.filter((_, i) => i % 10 === 0)) {
    const res = await mf.dispatchFetch('http://worker/ketama', { method: 'POST', body: JSON.stringify({ servers: config.servers, keys }) });
    assert.equal(res.status, 200, await res.clone().text());
    const names = config.servers.map((s) => `${s.host}:${s.port}`);
    assert.deepEqual((await res.json()).map((o) => names.indexOf(o)), config.libmemcached.sample.slice(0, 64), config.name);
  }
});

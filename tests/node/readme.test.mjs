// Runs the README's JavaScript example against the package, as a user would paste it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

test('the README JavaScript example runs', async () => {
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## JavaScript'));
  const match = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(match, 'the README has a JavaScript example');
  // Expose the example's bindings so the test can check what it computed.
  const file = join(here, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, `${match[1]}\nexport { ring, same, next, t };\n`);
  try {
    const { ring, same, next, t } = await import(pathToFileURL(file));
    assert.equal(ring.size, 1, 'ws-server-1 was removed at the end');
    assert.deepEqual(same.nodes(), ['ws-server-0', 'ws-server-1']);
    assert.deepEqual(next.nodes(), ['ws-server-0', 'ws-server-1', 'ws-server-2']);
    assert.ok(t.progress > 0 && t.progress <= 0.25 + 1e-9, `step 1 of 4 cut over ${t.progress}`);
  } finally {
    rmSync(file);
  }
});

test('the README ringroute/full example runs', async () => {
  const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## JavaScript'));
  const example = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((js) => js.includes("'ringroute/full'"));
  assert.ok(example, 'the README has a ringroute/full example');
  const file = join(here, `.readme-example-${process.pid}-full.mjs`);
  writeFileSync(file, `${example}\nexport { servers, loads, memcached };\n`);
  try {
    const { servers, loads, memcached } = await import(pathToFileURL(file));
    assert.equal(loads.size, 300);
    assert.equal(loads.load('ws-1'), 0, 'ws-1 left and its connections moved');
    for (const id of ['ws-0', 'ws-2']) assert.ok(loads.load(id) <= loads.cap(servers, id));
    assert.equal(loads.load('ws-0') + loads.load('ws-2'), 300);
    assert.ok(['10.0.0.1:11211', '10.0.0.2:11211'].includes(memcached.get('user:42')));
  } finally {
    rmSync(file);
  }
});

// The package's API as the README shows it: CJS and ESM, bytes and strings, JSON
// round trips, and memory that stays flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from 'ringroute';

const cjs = createRequire(import.meta.url)('ringroute');

test('require and import give the same classes and answers', () => {
  assert.equal(cjs.HashRing, esm.HashRing);
  const ring = new cjs.HashRing({ vnodes: 160, seed: 0 });
  ring.add('ws-server-0', { weight: 2, data: { address: 'ws://10.0.0.5:8080' } });
  ring.add('ws-server-1');
  assert.ok(['ws-server-0', 'ws-server-1'].includes(ring.get('user:42')));
  assert.deepEqual(ring.data('ws-server-0'), { address: 'ws://10.0.0.5:8080' });
  assert.equal(ring.weight('ws-server-0'), 2);
  assert.equal(ring.weight('nope'), undefined);
  assert.equal(ring.remove('ws-server-1'), true);
  assert.equal(ring.remove('ws-server-1'), false);
  assert.equal(ring.get('anything'), 'ws-server-0');
});

test('strings hash as UTF-8, exactly like the same bytes', () => {
  const ring = new esm.HashRing();
  for (const id of ['a', 'b', 'c', 'd']) ring.add(id);
  for (const key of ['user:1', 'ключ', '🚀', 'e\u0301', '']) {
    const bytes = new TextEncoder().encode(key);
    assert.equal(ring.position(key), ring.position(bytes));
    assert.equal(ring.get(key), ring.get(bytes));
  }
});

test('toJSON and fromJSON round-trip, and the seeds metadata loads', () => {
  const ring = new esm.HashRing({ vnodes: 100, seed: 7 });
  ring.add('a', { weight: 1.5, data: 'ws://a:1' });
  ring.add('b', { weight: 0.25 });
  const doc = JSON.parse(JSON.stringify(ring));
  assert.deepEqual(doc, {
    version: 1, epoch: 0, vnodes: 100, seed: 7,
    servers: [{ id: 'a', address: 'ws://a:1', weight: 1.5 }, { id: 'b', weight: 0.25 }],
  });
  const back = esm.HashRing.fromJSON(doc);
  assert.equal(back.fingerprint, ring.fingerprint);
  assert.equal(back.data('a'), 'ws://a:1');
  const seed = esm.HashRing.fromJSON({ servers: [{ id: 0, address: 'ws-server-0' }, { id: 1, address: 'ws-server-1' }] });
  assert.deepEqual(seed.nodes(), ['0', '1']);
  assert.equal(seed.data('1'), 'ws-server-1');
});

test('free and Symbol.dispose release the ring', () => {
  const ring = new esm.HashRing();
  ring.add('a');
  assert.equal(typeof ring.free, 'function');
  if (Symbol.dispose) assert.equal(typeof ring[Symbol.dispose], 'function');
  ring.free();
  assert.throws(() => ring.get('k'));
});

test('add/remove/get cycles leave wasm memory flat', () => {
  const ring = new esm.HashRing({ vnodes: 16 });
  for (let i = 0; i < 8; i++) ring.add(`base-${i}`);
  const cycle = (i) => {
    ring.add('churn', { data: { i } });
    ring.get(`user:${i}`);
    ring.remove('churn');
  };
  // The module's own memory: Node's `arrayBuffers` does not count wasm memory.
  const wasmBytes = () => esm.HashRing.__memoryBytes();
  for (let i = 0; i < 20_000; i++) cycle(i);
  const warm = wasmBytes();
  for (let i = 0; i < 100_000; i++) cycle(i);
  const after = wasmBytes();
  // Wasm memory only grows, a 64 KiB page at a time; after warm-up it must not grow.
  assert.ok(warm > 0);
  assert.equal(after, warm, `wasm memory grew by ${after - warm} bytes over 100,000 cycles`);
});

test('the string fast paths agree with the byte path, across membership changes and memory growth', () => {
  const { HashRing } = esm;
  const utf8 = new TextEncoder();
  const keys = ['', 'a', 'user:42', 'ключ', '🦀 crab', 'naïve café', '\ud800 lone', 'x'.repeat(100_000), 'ascii then ü'];
  for (let i = 0; i < 500; i++) keys.push(i % 3 ? `user:${i}` : `ünï:${i}`);
  const ring = new HashRing({ vnodes: 64 });
  const check = () => {
    const many = ring.getMany(keys);
    keys.forEach((k, i) => {
      const viaBytes = ring.getN(utf8.encode(k), 1)[0];
      assert.equal(ring.get(k), viaBytes, JSON.stringify(k.slice(0, 20)));
      assert.equal(ring.get(utf8.encode(k)), viaBytes);
      assert.equal(many[i], viaBytes);
    });
  };
  assert.equal(ring.get('x'), undefined);
  assert.deepEqual(ring.getMany(['x', 'y']), [undefined, undefined]);
  for (const id of ['a', 'b', 'c']) ring.add(id);
  check();
  ring.remove('b'); // the cached id list must follow the membership
  check();
  ring.add('b', { weight: 3 });
  ring.setWeight('a', 0.5);
  check();
  // Grow wasm memory: nothing in the fast paths may hold a view that detaches.
  const big = new HashRing({ vnodes: 65_536 });
  for (let i = 0; i < 8; i++) big.add(`big-${i}`);
  check();
  big.free();
  ring.free();
});

// Bad input throws a TypeError or RangeError (or an Error with a code) with a message,
// changes nothing, and never traps the wasm instance: the same ring keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing, Transition } from 'ringroute';

function ring() {
  const r = new HashRing({ vnodes: 64, seed: 1 });
  r.add('a');
  r.add('b', { weight: 2, data: 'addr-b' });
  return r;
}

const cases = [
  ['add(42)', (r) => r.add(42), TypeError, 'INVALID_TYPE', /node id must be a string, got number 42/],
  ['add(undefined)', (r) => r.add(), TypeError, 'INVALID_TYPE', /node id must be a string/],
  ['add("")', (r) => r.add(''), RangeError, 'EMPTY_ID', /node id is empty/],
  ['duplicate', (r) => r.add('a'), Error, 'DUPLICATE_ID', /add\("a"\): a node with this id is already on the ring/],
  ['weight 0', (r) => r.add('c', { weight: 0 }), RangeError, 'INVALID_WEIGHT', /weight must be a finite number greater than zero/],
  ['weight NaN', (r) => r.add('c', { weight: NaN }), RangeError, 'INVALID_WEIGHT', /greater than zero/],
  ['weight -1', (r) => r.add('c', { weight: -1 }), RangeError, 'INVALID_WEIGHT', /greater than zero/],
  ['weight huge', (r) => r.add('c', { weight: 1e300 }), RangeError, 'WEIGHT_TOO_LARGE', /virtual nodes/],
  ['weight "2"', (r) => r.add('c', { weight: '2' }), TypeError, 'INVALID_TYPE', /weight must be a number, got a string/],
  ['options 5', (r) => r.add('c', 5), TypeError, 'INVALID_TYPE', /options must be an object/],
  ['get(1)', (r) => r.get(1), TypeError, 'INVALID_TYPE', /key must be a string or a Uint8Array, got number 1/],
  ['get({})', (r) => r.get({}), TypeError, 'INVALID_TYPE', /got an object/],
  ['getN n=-1', (r) => r.getN('k', -1), RangeError, 'INVALID_ARGUMENT', /n must be a whole number/],
  ['getN n=1.5', (r) => r.getN('k', 1.5), RangeError, 'INVALID_ARGUMENT', /n must be a whole number/],
  ['getN n="3"', (r) => r.getN('k', '3'), TypeError, 'INVALID_TYPE', /n must be a number/],
  ['getMany("x")', (r) => r.getMany('x'), TypeError, 'INVALID_TYPE', /keys must be an array/],
  ['getMany([1])', (r) => r.getMany(['ok', 1]), TypeError, 'INVALID_TYPE', /keys\[1\]/],
  ['setWeight unknown', (r) => r.setWeight('zz', 1), Error, 'UNKNOWN_ID', /no node with this id/],
  ['setWeight 0', (r) => r.setWeight('a', 0), RangeError, 'INVALID_WEIGHT', /greater than zero/],
  ['remove(null)', (r) => r.remove(null), TypeError, 'INVALID_TYPE', /got null/],
  ['fromJSON bad weight', () => HashRing.fromJSON({ servers: [{ id: 'a', weight: -2 }] }), RangeError, 'INVALID_WEIGHT', /servers\[0\]\.weight/],
  ["fromJSON no servers", () => HashRing.fromJSON({}), TypeError, "INVALID_TYPE", /missing field `servers`/],
  ['diff seeds', (r) => r.diff(new HashRing({ seed: 2 })), Error, 'SEED_MISMATCH', /different hash seeds/],
];

test('every kind of bad input throws the right error and changes nothing', () => {
  const r = ring();
  const fingerprint = r.fingerprint;
  const before = ['x', 'y', 'z'].map((k) => r.get(k));
  for (const [name, op, type, code, message] of cases) {
    assert.throws(() => op(r), (err) => {
      assert.ok(err instanceof type, `${name}: ${err.constructor.name} is not ${type.name}`);
      assert.equal(err.code, code, name);
      assert.match(err.message, message, name);
      return true;
    });
    // The same instance still works after every error.
    assert.equal(r.fingerprint, fingerprint, `${name} changed the ring`);
    assert.deepEqual(['x', 'y', 'z'].map((k) => r.get(k)), before, `${name}: answers changed`);
  }
  r.add('c');
  assert.equal(r.size, 3);
});

test('constructor options are validated', () => {
  assert.throws(() => new HashRing({ vnodes: 0 }), (e) => e instanceof RangeError && e.code === 'INVALID_VNODES');
  for (const vnodes of [-1, 1.5, NaN, 65537, Infinity]) {
    assert.throws(() => new HashRing({ vnodes }), (e) => e instanceof RangeError && e.code === 'INVALID_VNODES' && /from 1 to 65536/.test(e.message), String(vnodes));
  }
  assert.throws(() => new HashRing({ vnodes: 0, seed: 'x' }), (e) => e.code === 'INVALID_VNODES');
  assert.throws(() => new HashRing({ vnodes: '8' }), (e) => e instanceof TypeError && e.code === 'INVALID_TYPE');
  assert.throws(() => new HashRing({ seed: 2 ** 32 }), (e) => e instanceof RangeError);
  assert.throws(() => new HashRing({ seed: 'x' }), TypeError);
  assert.throws(() => new HashRing('nope'), TypeError);
  const r = new HashRing();
  assert.equal(r.vnodes, 1024);
  assert.equal(r.seed, 0);
  assert.equal(r.get('k'), undefined);
  assert.deepEqual(r.getN('k', 3), []);
});

test('transitions refuse bad progress and keep working', () => {
  const prev = ring();
  const next = ring();
  next.add('c');
  const t = new Transition(prev, next, 3);
  t.setProgress(0.5);
  for (const p of [NaN, -1, 2, 0.25]) {
    assert.throws(() => t.setProgress(p), (e) => e instanceof RangeError && e.code === 'INVALID_PROGRESS');
  }
  assert.throws(() => t.setStep(1, 0), (e) => e instanceof RangeError && e.code === 'INVALID_PROGRESS');
  assert.throws(() => t.setProgress('x'), TypeError);
  assert.ok(t.setProgress(1) > 0);
  assert.equal(t.progress, 1);
  assert.throws(() => new Transition(prev, new HashRing({ seed: 9 }), 0), (e) => e.code === 'SEED_MISMATCH');
});

test('sizes that would wrap 32-bit arithmetic are refused before any large allocation', () => {
  // 4,096 servers of weight 1024 at 1024 vnodes: 2^32 points, which wraps to 0 in a
  // 32-bit usize. wasm32 is such a target; the refusal must come before the points are
  // hashed or stored (24 bytes of table and index per point would need gigabytes).
  const servers = Array.from({ length: 4096 }, (_, i) => ({ id: `s${i}`, weight: 1024 }));
  for (const count of [4095, 4096, 4097, 8192]) {
    const doc = { version: 1, epoch: 0, vnodes: 1024, seed: 0, servers: servers.slice(0, count).concat(
      Array.from({ length: Math.max(0, count - 4096) }, (_, i) => ({ id: `t${i}`, weight: 1024 }))) };
    const before = HashRing.__memoryBytes();
    assert.throws(() => HashRing.fromJSON(doc), (e) => e instanceof Error && e.code === 'TOO_MANY_POINTS', String(count));
    const grown = HashRing.__memoryBytes() - before;
    assert.ok(grown < 8 << 20, `${count} servers: wasm memory grew by ${grown} bytes before the refusal`);
  }
  const ring = new HashRing({ vnodes: 65536 });
  ring.add('a', { weight: 16 }); // 2^20 points: the most one node may have
  assert.throws(() => ring.add('b', { weight: 65536 }), (e) => e.code === 'WEIGHT_TOO_LARGE');
  assert.throws(() => ring.add('c', { weight: 1e300 }), (e) => e.code === 'WEIGHT_TOO_LARGE');
  assert.equal(ring.size, 1);
  ring.free();
});

test('freed instances and wrong classes are refused before wasm, and poison nothing', () => {
  const a = ring();
  const b = ring();
  b.free();
  b.free(); // twice is harmless
  b[Symbol.dispose]?.();
  const freed = (e) => e instanceof Error && e.code === 'INSTANCE_FREED';
  assert.throws(() => b.get('k'), freed);
  assert.throws(() => b.getMany(['k']), freed);
  assert.throws(() => b.position('k'), freed);
  assert.throws(() => b.size, freed);
  assert.throws(() => b.add('c'), freed);
  // A freed ring as the second argument: the generated code would have borrowed the
  // first ring before failing on the second, and left it borrowed for good.
  assert.throws(() => new Transition(a, b), freed);
  assert.throws(() => a.diff(b), freed);
  assert.throws(() => new Transition(a, {}), (e) => e instanceof TypeError && e.code === 'INVALID_TYPE' && /HashRing/.test(e.message));
  assert.equal(a.get('user:1'), ring().get('user:1'));
  a.add('c');
  const t = new Transition(a, ring(), 1);
  assert.ok(t.route('user:1').owner);
  a.free();
});

test('fromJSON takes the document or its JSON text, and refuses lone-surrogate ids', () => {
  const r = ring();
  const text = JSON.stringify(r);
  assert.equal(HashRing.fromJSON(text).fingerprint, r.fingerprint);
  assert.equal(HashRing.fromJSON(JSON.parse(text)).fingerprint, r.fingerprint);
  assert.throws(() => HashRing.fromJSON('{"servers": ['), (e) => e instanceof TypeError && e.code === 'INVALID_TYPE');
  const lone = { servers: [{ id: 'x\ud800' }, { id: 'x\udfff' }] };
  assert.throws(() => HashRing.fromJSON(lone), (e) => e instanceof TypeError && e.code === 'INVALID_ID');
  for (const id of ['x\ud800', '\udc00', 'a\ud83d']) {
    assert.throws(() => r.add(id), (e) => e instanceof TypeError && e.code === 'INVALID_ID', JSON.stringify(id));
    assert.throws(() => r.remove(id), (e) => e.code === 'INVALID_ID');
  }
  r.add('\ud83e\udd80'); // a surrogate pair is a valid id
  assert.ok(r.has('\ud83e\udd80'));
});

// `ringroute/full`: the same ring plus BoundedLoads and the libmemcached-compatible
// Ketama ring. Ketama answers replay the vectors generated from libmemcached itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as main from 'ringroute';
import { BoundedLoads, HashRing, Ketama } from 'ringroute/full';
import { checksum, keys } from '../vectors/ketama/answers.mjs';

const cjs = createRequire(import.meta.url)('ringroute/full');
const ketamaVectors = JSON.parse(readFileSync(new URL('../vectors/ketama/ketama.json', import.meta.url), 'utf8'));

test('require and import give the same classes; the ring routes as the main entry does', () => {
  assert.equal(cjs.Ketama, Ketama);
  assert.equal(cjs.BoundedLoads, BoundedLoads);
  const [a, b] = [new HashRing({ vnodes: 100 }), new main.HashRing({ vnodes: 100 })];
  for (const id of ['x', 'y', 'z']) { a.add(id); b.add(id); }
  assert.equal(a.fingerprint, b.fingerprint);
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  assert.deepEqual(a.getMany(keys), b.getMany(keys));
  a.free();
  b.free();
});

test('Ketama matches libmemcached on all 100 memberships × 10,100 keys', () => {
  assert.equal(ketamaVectors.configs.length, 100);
  for (const config of ketamaVectors.configs) {
    const ring = new Ketama();
    const index = new Map();
    config.servers.forEach((s, i) => {
      ring.add(s.host, s.port, { weight: s.weight });
      index.set(`${s.host}:${s.port}`, i);
    });
    const owners = keys.map((k) => index.get(ring.get(k)));
    assert.deepEqual(owners.slice(0, 64), config.libmemcached.sample.slice(0, 64), `${config.name}: first 64`);
    assert.equal(checksum(owners), config.libmemcached.checksum, `${config.name}: all keys`);
    ring.free();
  }
});

test('Ketama: membership, replicas, and bad input that changes nothing', () => {
  const ring = new Ketama();
  ring.add('10.0.0.1', 11211);
  ring.add('10.0.0.2', 11211, { weight: 2 });
  ring.add('10.0.0.3', 11212);
  assert.equal(ring.size, 3);
  assert.deepEqual(ring.servers(), [
    { host: '10.0.0.1', port: 11211, weight: 1 },
    { host: '10.0.0.2', port: 11211, weight: 2 },
    { host: '10.0.0.3', port: 11212, weight: 1 },
  ]);
  const before = ring.get('user:42');
  const replicas = ring.getN('user:42', 5);
  assert.equal(replicas.length, 3);
  assert.equal(replicas[0], before);
  assert.equal(new Set(replicas).size, 3);
  const points = ring.pointCount;
  const bad = [
    [() => ring.add(5, 11211), TypeError, /host must be a string/],
    [() => ring.add('h', 70000), RangeError, /port must be a whole number from 0 to 65535, got 70000/],
    [() => ring.add('h', 1.5), RangeError, /port must be a whole number/],
    [() => ring.add('h', 1, { weight: 0 }), RangeError, /weight/],
    [() => ring.add('h', 1, { weight: 1.5 }), RangeError, /weight/],
    // Name before weight, as ring-core checks them (SPEC.md §15).
    [() => ring.add('', 1, { weight: 0 }), RangeError, /empty/],
    [() => ring.add('h', 1, { weight: '2' }), TypeError, /weight must be a number/],
    [() => ring.add('', 1), RangeError, /empty/],
    [() => ring.add('10.0.0.1', 11211), Error, /already/],
    [() => ring.get(7), TypeError, /key must be a string or a Uint8Array/],
    [() => ring.getN('k', -1), RangeError, /n must be a whole number/],
  ];
  for (const [call, kind, message] of bad) {
    assert.throws(call, (e) => e instanceof kind && message.test(e.message) && typeof e.code === 'string', String(call));
    assert.equal(ring.size, 3);
    assert.equal(ring.pointCount, points);
    assert.equal(ring.get('user:42'), before);
  }
  assert.equal(ring.remove('10.0.0.9', 11211), false);
  assert.equal(ring.remove('10.0.0.2', 11211), true);
  assert.equal(ring.size, 2);
  ring.free();
});

test('Ketama.addAll builds the ring that adds build, hashing once; all or none', () => {
  for (const config of ketamaVectors.configs.filter((_, i) => i % 10 === 0)) {
    const [oneByOne, atOnce] = [new Ketama(), new Ketama()];
    for (const s of config.servers) oneByOne.add(s.host, s.port, { weight: s.weight });
    atOnce.addAll(config.servers);
    assert.deepEqual(atOnce.servers(), oneByOne.servers());
    assert.equal(atOnce.pointCount, oneByOne.pointCount);
    assert.deepEqual(keys.map((k) => atOnce.get(k)), keys.map((k) => oneByOne.get(k)), config.name);
    oneByOne.free();
    atOnce.free();
  }
  const ring = new Ketama();
  ring.add('a', 11211);
  const before = ring.servers();
  const trap = new Proxy([], { get(target, name) { if (name === 'length') throw new Error('boom'); return target[name]; } });
  const bad = [
    [[{ host: 'b', port: 1 }, { host: 'a', port: 11211 }], Error, 'DUPLICATE_ID', /already/],
    [[{ host: 'b', port: 1 }, { host: 'b', port: 1 }], Error, 'DUPLICATE_ID', /already/],
    // Every entry is converted first (SPEC.md §15 step 1): the type error at [1] wins
    // over the empty host at [0].
    [[{ host: '', port: 1 }, { host: 7, port: 1 }], TypeError, 'INVALID_TYPE', /servers\[1\]: host must be a string/],
    [[{ host: '', port: 1 }, { host: 'c', port: 1 }], RangeError, 'EMPTY_ID', /empty/],
    [[{ host: 'b', port: 1, weight: 0 }], RangeError, 'INVALID_WEIGHT', /weight/],
    [[{ host: 'b', port: 70000 }], RangeError, 'INVALID_ARGUMENT', /servers\[0\]: port must be a whole number/],
    [[null], TypeError, 'INVALID_TYPE', /servers\[0\] must be an object, got null/],
    ['a,b', TypeError, 'INVALID_TYPE', /servers must be an array, got a string/],
    [trap, TypeError, 'INVALID_TYPE', /cannot read servers.length/],
  ];
  for (const [i, [servers, kind, code, message]] of bad.entries()) {
    assert.throws(() => ring.addAll(servers), (e) => e instanceof kind && e.code === code && message.test(e.message), `case ${i}`);
    assert.deepEqual(ring.servers(), before, 'a refused addAll changed nothing');
  }
  ring.addAll([]);
  ring.addAll([{ host: 'b', port: 1 }, { host: 'c', port: 11211, weight: 3 }]);
  assert.deepEqual(ring.servers().map((s) => `${s.host}:${s.port}:${s.weight}`), ['a:11211:1', 'b:1:1', 'c:11211:3']);
  ring.free();
});

test('BoundedLoads caps every node, moves only what it must, and is deterministic', () => {
  const ring = new HashRing({ vnodes: 160 });
  for (const id of ['a', 'b', 'c']) ring.add(id);
  const [one, two] = [new BoundedLoads(1.25), new BoundedLoads(1.25)];
  const items = Array.from({ length: 300 }, (_, i) => `conn:${i}`);
  for (const item of items) {
    const owner = one.assign(ring, item);
    assert.equal(owner, two.assign(ring, new TextEncoder().encode(item)));
    assert.equal(one.owner(item), owner);
    assert.equal(one.assign(ring, item), owner, 'assigning again keeps the owner');
  }
  assert.equal(one.size, 300);
  assert.equal(one.factor, 1.25);
  for (const id of ['a', 'b', 'c']) {
    assert.equal(one.cap(ring, id), 125); // ceil(1.25 × 300 / 3)
    assert.ok(one.load(id) <= 125, `${id}: ${one.load(id)}`);
  }
  const before = new Map(items.map((k) => [k, one.owner(k)]));
  ring.remove('b');
  const moved = one.rebalance(ring);
  assert.equal(one.load('b'), 0);
  const changed = items.filter((k) => one.owner(k) !== before.get(k));
  assert.equal(moved, changed.length);
  assert.ok(changed.filter((k) => before.get(k) !== 'b').length <= 0.1 * 300, 'mostly b\'s items move');
  for (const id of ['a', 'c']) assert.ok(one.load(id) <= one.cap(ring, id));
  assert.equal(one.release(ring, 'conn:0'), true);
  assert.equal(one.release(ring, 'conn:0'), false);
  assert.equal(one.size, 299);
  for (const [call, kind] of [
    [() => new BoundedLoads(0.5), RangeError],
    [() => new BoundedLoads(NaN), RangeError],
    [() => new BoundedLoads('1.2'), TypeError],
    [() => one.assign(ring, 5), TypeError],
    [() => one.load(5), TypeError],
    [() => one.cap(ring, 'a', -1), RangeError],
  ]) {
    assert.throws(call, kind);
  }
  assert.equal(one.size, 299);
  assert.equal(one.assign(ring, 'conn:0') !== undefined, true);
  const empty = new HashRing();
  assert.equal(new BoundedLoads(1).assign(empty, 'x'), undefined);
  for (const r of [one, two, ring, empty]) r.free();
});

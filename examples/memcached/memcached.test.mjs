// Node and Python share one real memcached pool, key for key. Python writes through
// pylibmc (libmemcached, weighted ketama); Node routes with ringroute's Ketama and reads
// from the one server it picks. Loopback only; every loop is bounded by the pool sizes
// and key counts below.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PORT, address, membership, startServers, stopServers } from './pool.mjs';
import { startWriter } from './python.mjs';
import { HashringReader, RingrouteReader, ketamaFor } from './readers.mjs';
import { keysFor, locate, writeThenRead } from './rounds.mjs';

const KEYS = 10_000;
const REAL_SIZES = [1, 7, 14, 25, 28, 47, 50];

let writer;
let servers = [];
before(async () => {
  writer = await startWriter();
  servers = await startServers(Math.max(...REAL_SIZES), { defaultPort: true });
  const onDefault = servers.find((s) => s.port === DEFAULT_PORT);
  console.log(`pylibmc ${writer.versions.pylibmc} (libmemcached ${writer.versions.libmemcached}); ${servers.length} memcached servers; ` +
    (onDefault ? `${address(onDefault)} on the default port` : `port ${DEFAULT_PORT} busy on 127.0.0.1-3: the real pool is all non-default ports, the route-only sweep covers ${DEFAULT_PORT}`));
});
after(async () => {
  await writer?.stop();
  await stopServers(servers);
});

/** The sweep's pools: every third server on 11211 (its own loopback host), the rest on other ports. Nothing binds them. */
function sweepPool(n, weights) {
  return Array.from({ length: n }, (_, i) => ({
    host: i % 3 === 0 ? `127.0.1.${i + 1}` : '127.0.0.1',
    port: i % 3 === 0 ? DEFAULT_PORT : 20_000 + i,
    weight: weights === 'equal' ? 1 : (i % 5) + 1,
  }));
}

test('route only: ringroute picks pylibmc\'s own server for every key, 1 to 50 servers, equal and unequal weights, ports 11211 and others', async () => {
  const keys = [...keysFor(KEYS), ...keysFor(100, 'ключ')];
  let compared = 0;
  let disagree = 0;
  const hashringSplit = [];
  for (const weights of ['equal', 'unequal']) {
    for (let n = 1; n <= 50; n++) {
      const pool = sweepPool(n, weights);
      await writer.setPool(pool);
      const theirs = (await writer.route(keys)).map((i) => address(pool[i]));
      const ring = ketamaFor(pool);
      const hashring = new HashringReader(pool);
      let ringMisses = 0;
      let hashringMisses = 0;
      keys.forEach((k, i) => {
        if (ring.get(k) !== theirs[i]) ringMisses++;
        if (hashring.route(k) !== theirs[i]) hashringMisses++;
      });
      ring.free();
      hashring.close();
      compared += keys.length;
      disagree += ringMisses;
      if (ringMisses) console.log(`  ${n} ${weights}: ringroute differs from pylibmc on ${ringMisses} keys`);
      if (hashringMisses) hashringSplit.push(`${n}${weights === 'equal' ? '' : 'w'}:${hashringMisses}`);
    }
  }
  console.log(`route-only sweep: ${compared} keys compared, ringroute differs from pylibmc on ${disagree}; ` +
    `npm memcached (hashring) differs at [servers:keys, w = unequal weights] ${hashringSplit.join(' ')}`);
  assert.equal(disagree, 0);
});

test(`real pool: every key Python writes is found by Node on the one server ringroute asks, at ${REAL_SIZES.join(', ')} servers`, async () => {
  const keys = keysFor(KEYS);
  const sample = keys.slice(0, 1000);
  const ringroute = new RingrouteReader(membership(servers.slice(0, 1)));
  const hashring = new HashringReader(membership(servers.slice(0, 1)));
  try {
    for (const n of REAL_SIZES) {
      const pool = membership(servers.slice(0, n));
      await writer.setPool(pool);
      ringroute.setPool(pool);
      hashring.setPool(pool);
      const round = `equal-${n}`;
      const { written, misses } = await writeThenRead(writer, { ringroute, hashring }, keys, round);
      assert.equal(written, KEYS);
      console.log(`  ${n} servers: ringroute ${misses.ringroute} misses, npm memcached (hashring) ${misses.hashring} of ${KEYS}`);
      assert.equal(misses.ringroute, 0, `${n} servers`);
      // Where pylibmc really wrote, asking every server: exactly one holds each key, the one ringroute routes to.
      const holders = await locate(pool, sample, round);
      for (const k of sample) assert.deepEqual(holders.get(k), [ringroute.route(k)], k);
    }
  } finally {
    ringroute.close();
    hashring.close();
  }
});

test('real pool, unequal weights (1 to 5) at 7 and 28 servers', async () => {
  const keys = keysFor(KEYS);
  for (const n of [7, 28]) {
    const weights = new Map(servers.slice(0, n).map((s, i) => [s, (i % 5) + 1]));
    const pool = membership(servers.slice(0, n), weights);
    await writer.setPool(pool);
    const ringroute = new RingrouteReader(pool);
    const hashring = new HashringReader(pool);
    try {
      const { misses } = await writeThenRead(writer, { ringroute, hashring }, keys, `weighted-${n}`);
      console.log(`  ${n} servers, weights 1-5: ringroute ${misses.ringroute} misses, npm memcached (hashring) ${misses.hashring} of ${KEYS}`);
      assert.equal(misses.ringroute, 0);
    } finally {
      ringroute.close();
      hashring.close();
    }
  }
});

test('resizing: add a server, remove one, change a weight; both sides rebuild and every key written afterwards hits', async () => {
  const keys = keysFor(KEYS);
  const weights = new Map();
  let members = servers.slice(0, 7);
  const steps = [
    ['7 servers', () => {}],
    ['add one (8)', () => { members = servers.slice(0, 8); }],
    ['remove the fourth (7)', () => { members = members.filter((s) => s !== servers[3]); }],
    ['weight 1 -> 3 on the second', () => { weights.set(servers[1], 3); }],
    ['weight 3 -> 1 and add two (9)', () => { weights.delete(servers[1]); members = [...members, servers[8], servers[9]]; }],
  ];
  const ringroute = new RingrouteReader(membership(members));
  const hashring = new HashringReader(membership(members));
  let before = null;
  try {
    for (const [i, [name, change]] of steps.entries()) {
      change();
      const pool = membership(members, weights);
      await writer.setPool(pool);
      ringroute.setPool(pool);
      hashring.setPool(pool);
      const routes = keys.map((k) => ringroute.route(k));
      const moved = before ? routes.filter((r, j) => r !== before[j]).length : 0;
      before = routes;
      // Each step writes new values: a read that reached a server holding an older copy is a miss too.
      const { misses } = await writeThenRead(writer, { ringroute, hashring }, keys, `resize-${i}`);
      console.log(`  ${name}: ${moved} of ${KEYS} keys moved server; ringroute ${misses.ringroute} misses, npm memcached (hashring) ${misses.hashring}`);
      assert.equal(misses.ringroute, 0, name);
    }
  } finally {
    ringroute.close();
    hashring.close();
  }
});

test('bad pools are refused on both sides and leave the routing as it was', async () => {
  const pool = membership(servers.slice(0, 3));
  const keys = keysFor(200);
  await writer.setPool(pool);
  const reader = new RingrouteReader(pool);
  try {
    const routes = keys.map((k) => reader.route(k));
    assert.deepEqual((await writer.route(keys)).map((i) => address(pool[i])), routes);
    await assert.rejects(writer.setPool([]), /at least one server/);
    await assert.rejects(writer.setPool([{ host: '127.0.0.1', port: 'x', weight: 1 }]), /ValueError/);
    assert.throws(() => reader.setPool([{ host: '127.0.0.1', port: 1, weight: 0 }]), RangeError);
    assert.throws(() => reader.setPool([{ host: '127.0.0.1', port: 70_000, weight: 1 }]), RangeError);
    assert.deepEqual(keys.map((k) => reader.route(k)), routes);
    assert.deepEqual((await writer.route(keys)).map((i) => address(pool[i])), routes);
    const { misses } = await writeThenRead(writer, { ringroute: reader }, keys, 'after-bad-input');
    assert.equal(misses.ringroute, 0);
  } finally {
    reader.close();
  }
});

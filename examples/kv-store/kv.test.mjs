// The sharded store on loopback: etcd, storage nodes and the proxy as real processes.
// Every loop here is bounded in count and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { HashRing } from 'ringroute';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';
import { KvClient } from './client.mjs';
import { MAX_VALUE_BYTES, REPLICAS } from './protocol.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const KEYS = 10_000;
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const valueOf = (k) => `value of ${k}`;
let etcd;
let proxy;
let client;
const nodes = new Map(); // id -> process

const api = async (method, path, body) => {
  const res = await fetch(`${proxy.info.proxy}${path}`, {
    method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.json() };
};

async function startNode(id) {
  nodes.set(id, await startProcess(here('./node.mjs'), ['--id', id, '--port', '0', '--etcd', etcd.endpoint]));
}

/** Which live nodes hold each key, read from the nodes themselves. */
async function placement() {
  const { body } = await api('GET', '/nodes');
  const where = new Map();
  for (const n of body.nodes) {
    const res = await fetch(`${n.address}/keys`);
    for (const k of (await res.json()).keys) where.set(k, [...(where.get(k) ?? []), n.id]);
  }
  return { where, doc: body };
}

/** Every key on exactly the nodes getN names, and nowhere else among the members. */
async function assertPlacement() {
  const { where, doc } = await placement();
  const ring = HashRing.fromJSON(doc.membership);
  assert.equal(where.size, KEYS, 'every key is somewhere');
  for (const k of keys) assert.deepEqual([...where.get(k)].sort(), ring.getN(k, REPLICAS).sort(), k);
  ring.free();
}

/** Reads random keys through the proxy and the client library until `done` settles. */
async function readThroughout(done) {
  let finished = false;
  done.finally(() => { finished = true; });
  const failures = [];
  let reads = 0;
  const reader = async (seed) => {
    for (let i = seed; !finished && reads < 200_000; i += 7919) {
      const k = keys[i % KEYS];
      const viaProxy = await api('GET', `/kv/${encodeURIComponent(k)}`);
      const direct = await client.get(k);
      reads += 2;
      if (viaProxy.status !== 200 || viaProxy.body.value !== valueOf(k)) failures.push(`proxy ${k}: ${JSON.stringify(viaProxy)}`);
      if (direct?.value !== valueOf(k)) failures.push(`client ${k}: ${JSON.stringify(direct)}`);
    }
  };
  await Promise.all([1, 2, 3, 4, 5, 6].map(reader));
  return { failures, reads };
}

before(async () => {
  etcd = await startEtcd();
  for (const id of ['kv-0', 'kv-1', 'kv-2']) await startNode(id);
  proxy = await startProcess(here('./proxy.mjs'), ['--port', '0', '--etcd', etcd.endpoint]);
  for (const id of ['kv-0', 'kv-1', 'kv-2']) assert.equal((await api('POST', '/nodes', { id })).status, 200);
  client = await KvClient.connect(etcd.endpoint);
});

after(async () => {
  await client?.close();
  await proxy?.stop();
  await Promise.all([...nodes.values()].map((n) => n.stop()));
  await etcd?.stop();
});

test('10,000 keys load through the client library, two replicas each', async () => {
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < KEYS) {
      const k = keys[next++];
      assert.equal((await client.set(k, valueOf(k))).length, REPLICAS);
    }
  }));
  await assertPlacement();
});

test('the proxy and the client library (the logical proxy) give the same answers', async () => {
  for (const k of keys.slice(0, 300)) {
    const located = await api('GET', `/locate/${encodeURIComponent(k)}`);
    assert.deepEqual(located.body.replicas, client.nodesFor(k).map((n) => n.id));
    const viaProxy = await api('GET', `/kv/${encodeURIComponent(k)}`);
    assert.equal(viaProxy.body.value, (await client.get(k)).value);
    assert.equal(viaProxy.body.node, located.body.owner);
  }
  assert.equal((await api('GET', '/nodes')).body.fingerprint, client.fingerprint);
});

test('a join moves exactly the plan\'s keys while every key stays readable', async () => {
  const before = (await api('GET', '/nodes')).body;
  const oldRing = HashRing.fromJSON(before.membership);
  await startNode('kv-3');
  const join = api('POST', '/nodes', { id: 'kv-3' });
  const { failures, reads } = await readThroughout(join);
  const { status, body: stats } = await join;
  assert.equal(status, 200, JSON.stringify(stats));
  assert.deepEqual(failures, []);
  const after = (await api('GET', '/nodes')).body;
  const newRing = HashRing.fromJSON(after.membership);
  const moved = keys.filter((k) => oldRing.get(k) !== newRing.get(k)).length;
  assert.equal(stats.ownerMoved, moved);
  assert.equal(stats.inPlanArcs, moved, 'the keys moved are exactly those in the plan\'s arcs');
  assert.ok(moved > 0.15 * KEYS && moved < 0.35 * KEYS, `moved ${moved} of ${KEYS}`);
  assert.ok(stats.flows.every((f) => f.to === 'kv-3'), 'owners only move to the new node');
  console.log(`join: ${moved} of ${KEYS} keys changed owner (${(100 * moved / KEYS).toFixed(1)}%, plan ${(100 * stats.planFraction).toFixed(1)}% of the ring), ` +
    `${stats.copies} replica copies, ${stats.dropped} dropped; ${reads} reads during the move, 0 failed`);
  await client.waitForEpoch(after.epoch);
  await assertPlacement();
  oldRing.free();
  newRing.free();
});

test('a graceful leave keeps every key, on its new replicas', async () => {
  const leave = api('DELETE', '/nodes/kv-1');
  const { failures } = await readThroughout(leave);
  const { status, body } = await leave;
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(failures, []);
  assert.ok(body.flows.every((f) => f.from === 'kv-1'));
  await nodes.get('kv-1').stop();
  nodes.delete('kv-1');
  await assertPlacement();
});

test('a killed node loses no key: reads fall back, then re-replication restores two copies', async () => {
  const victim = 'kv-2';
  const killedAt = Date.now();
  await nodes.get(victim).stop('SIGKILL');
  nodes.delete(victim);
  // Right away, before etcd notices: every key readable from its surviving replica.
  const sample = keys.filter((_, i) => i % 10 === 0);
  for (const k of sample) assert.equal((await client.get(k))?.value, valueOf(k), k);
  // Then the lease expires, the proxy drops the node and re-replicates.
  let doc;
  for (let i = 0; i < 200; i += 1) {
    doc = (await api('GET', '/nodes')).body;
    if (!doc.nodes.some((n) => n.id === victim) && !doc.changing) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(!doc.nodes.some((n) => n.id === victim), 'the dead node left the membership');
  assert.equal(doc.last.what, `${victim} died`);
  console.log(`kill: ${victim} dropped and ${doc.last.copies} copies re-replicated ${((Date.now() - killedAt) / 1000).toFixed(1)} s after SIGKILL`);
  await client.waitForEpoch(doc.epoch);
  await assertPlacement();
  for (const k of sample) assert.equal((await client.get(k))?.value, valueOf(k));
});

test('bad requests get clear errors and crash nothing', async () => {
  let r = await api('DELETE', '/nodes/nope');
  assert.equal(r.status, 404);
  assert.match(r.body.error, /unknown node "nope"/);
  r = await api('POST', '/nodes', '{"id": ');
  assert.equal(r.status, 400);
  assert.match(r.body.error, /malformed JSON/);
  r = await api('POST', '/nodes', { id: 'ghost' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /not alive/);
  r = await api('POST', '/nodes', { id: 'kv-0' });
  assert.equal(r.status, 409);
  r = await api('PUT', '/kv/big', { value: 'x'.repeat(MAX_VALUE_BYTES + 1) });
  assert.equal(r.status, 413);
  assert.match(r.body.error, new RegExp(`limit of ${MAX_VALUE_BYTES} bytes`));
  r = await api('PUT', '/kv/a', { value: 42 });
  assert.equal(r.status, 400);
  r = await api('GET', '/kv/never-set');
  assert.equal(r.status, 404);
  const members = (await api('GET', '/nodes')).body.nodes;
  for (const n of members) {
    const direct = await fetch(`${n.address}/kv/x`, { method: 'PUT', body: 'not json' });
    assert.equal(direct.status, 400);
    assert.equal((await fetch(`${n.address}/health`)).status, 200, `${n.id} still serving`);
  }
  assert.equal((await api('GET', '/kv/key%3A1')).body.value, valueOf('key:1'));
});

test('the command line sets, gets, lists, joins and removes', async () => {
  const kv = (...args) => promisify(execFile)(process.execPath, [here('./kv.mjs'), '--proxy', proxy.info.proxy, ...args]);
  await kv('set', 'cli:key', 'héllo wörld');
  assert.equal((await kv('get', 'cli:key')).stdout, 'héllo wörld\n');
  const listed = (await kv('nodes')).stdout;
  assert.match(listed, /kv-0\thttp:\/\/127\.0\.0\.1:\d+\talive/);
  await startNode('kv-4');
  assert.match((await kv('add-node', 'kv-4')).stdout, /"what":"kv-4 joined"/);
  assert.match((await kv('remove-node', 'kv-4')).stdout, /"what":"kv-4 left"/);
  await assert.rejects(kv('remove-node', 'nope'), (e) => /unknown node/.test(e.stderr));
  assert.equal((await kv('get', 'cli:key')).stdout, 'héllo wörld\n');
  await kv('del', 'cli:key');
  await assert.rejects(kv('get', 'cli:key'), (e) => /no key/.test(e.stderr));
});

// The sharded store on loopback: etcd (auth on), storage nodes and the proxy as real
// processes. One test per failure issue 12 lists for the store, written against it.
// Every loop here is bounded in count and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { KvClient } from './client.mjs';
import { placementOf, startStore } from './harness.mjs';
import { MAX_VALUE_BYTES, PREFIX, SECRET_HEADER } from './protocol.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const KEYS = 2_000;
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const expected = new Map(); // key -> value every key must have (null: deleted)
let store;
let library;
const enc = encodeURIComponent;

before(async () => {
  store = await startStore({ nodes: ['kv-0', 'kv-1', 'kv-2'] });
  library = await KvClient.connect({ endpoint: store.etcd.endpoint, auth: store.etcd.auth, secret: store.secret, log: () => {} });
});

after(async () => {
  await library?.close();
  await store?.stop();
});

/** Runs `fn` over `items`, `width` at a time. */
async function pool(items, fn, width = 16) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/**
 * The store as it should be: every key on exactly the two nodes an independent ring
 * (built here from the raw etcd document) names, with the same newest entry on both,
 * holding the expected value; deleted keys hold a tombstone or nothing.
 */
async function assertPlacement() {
  const doc = await store.stable();
  const where = await store.placement(doc);
  const want = placementOf(doc, [...expected.keys()]);
  let checked = 0;
  for (const [key, value] of expected) {
    const held = where.get(key) ?? [];
    if (value === null && held.length === 0) continue;
    assert.deepEqual(held.map((h) => h.id).sort(), [...want.get(key)].sort(), `${key} on its two nodes`);
    assert.deepEqual(held[0].entry, held[1].entry, `${key}: both copies equal`);
    assert.equal(held[0].entry.value, value, `${key} holds its last acknowledged value`);
    checked += 1;
  }
  return { doc, checked };
}

async function assertReadable(sample = [...expected.keys()]) {
  await pool(sample, async (key) => {
    const viaProxy = await store.api('GET', `/kv/${enc(key)}`);
    const direct = await library.get(key);
    const value = expected.get(key);
    if (value === null) {
      assert.equal(viaProxy.status, 404, `${key} stays deleted (proxy)`);
      assert.equal(direct, undefined, `${key} stays deleted (library)`);
    } else {
      assert.equal(viaProxy.body.value, value, `${key} via the proxy`);
      assert.equal(direct?.value, value, `${key} via the library`);
    }
  });
}

test('2,000 keys load through the library, two copies each', async () => {
  await pool(keys, async (k) => {
    const r = await library.set(k, `v1 ${k}`);
    assert.equal(r.nodes.length, 2);
    expected.set(k, `v1 ${k}`);
  });
  const { checked } = await assertPlacement();
  assert.equal(checked, KEYS);
});

test('the proxy and the client library agree with an independent router and with the nodes', async () => {
  // Two routers in two processes (the proxy; the library here), and a third: a ring
  // built in this test from the raw document in etcd, with the entries read from the nodes.
  const doc = await store.stable();
  const sample = keys.slice(0, 300);
  const want = placementOf(doc, sample);
  const where = await store.placement(doc);
  for (const k of sample) {
    const located = await store.api('GET', `/locate/${enc(k)}`);
    assert.deepEqual(located.body.replicas, want.get(k), k);
    assert.deepEqual(library.nodesFor(k), want.get(k), k);
    const viaProxy = await store.api('GET', `/kv/${enc(k)}`);
    const direct = await library.get(k);
    const raw = where.get(k)[0].entry;
    assert.equal(viaProxy.body.value, raw.value);
    assert.equal(direct.value, raw.value);
    assert.deepEqual(viaProxy.body.version, { n: raw.n, w: raw.w });
    assert.deepEqual(direct.version, { n: raw.n, w: raw.w });
  }
});

test('a join while every key is written once: no old value afterwards, both new holders have the new one; a hot key never reads older', async () => {
  await store.startNode('kv-3');
  const join = store.admin('POST', '/nodes', { id: 'kv-3' });
  let joined = false;
  join.finally(() => { joined = true; });
  // Every key written once more, through both routers, racing the copy.
  let written = false;
  const writes = pool(keys, async (k) => {
    const value = `v2 ${k}`;
    if (k.endsWith('1')) await store.api('PUT', `/kv/${enc(k)}`, { value }).then((r) => assert.equal(r.status, 200));
    else await library.set(k, value);
    expected.set(k, value);
  }, 8).finally(() => { written = true; });
  // One hot key: each read must be at least the last write acknowledged before it began.
  let acked = 0;
  let older = 0;
  let reads = 0;
  const hot = (async () => {
    for (let i = 1; i <= 5_000 && !(joined && written); i += 1) {
      await library.set('hot', String(i));
      acked = i;
      const before = acked;
      const seen = Number((await store.api('GET', '/kv/hot')).body.value);
      reads += 1;
      if (seen < before) older += 1;
    }
  })();
  const { status, body } = await join;
  await Promise.all([writes, hot]);
  expected.set('hot', String(acked));
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(older, 0, `the hot key read older than acknowledged ${older} times of ${reads}`);
  assert.ok(reads > 0, 'the hot key was read during the join');
  const { checked } = await assertPlacement();
  await assertReadable();
  console.log(`join kv-3 under writes: ${body.last.copies} copies, every one of ${checked} keys on its two holders with its last value; hot key ${reads} reads, 0 older`);
});

test('deletes racing a join: the join completes and no deleted key comes back', async () => {
  await store.startNode('kv-4');
  const doomed = keys.slice(0, 300);
  const join = store.admin('POST', '/nodes', { id: 'kv-4' });
  await pool(doomed, async (k) => {
    const r = await store.api('DELETE', `/kv/${enc(k)}`);
    assert.equal(r.status, 200);
    expected.set(k, null);
  }, 8);
  const { status, body } = await join;
  assert.equal(status, 200, JSON.stringify(body));
  await assertReadable(doomed);
  // Another change afterwards (the old failure resurrected keys from partial copies).
  assert.equal((await store.admin('DELETE', '/nodes/kv-4')).status, 200);
  await store.nodes.get('kv-4').stop();
  store.nodes.delete('kv-4');
  await assertReadable(doomed);
  await assertPlacement();
});

test('a graceful leave under writes leaves no key under-replicated', async () => {
  const leave = store.admin('DELETE', '/nodes/kv-1');
  await pool(keys.slice(1_000, 1_400), async (k) => {
    await library.set(k, `v3 ${k}`);
    expected.set(k, `v3 ${k}`);
  }, 8);
  assert.equal((await leave).status, 200);
  await store.nodes.get('kv-1').stop();
  store.nodes.delete('kv-1');
  const { doc, checked } = await assertPlacement();
  assert.ok(!doc.membership.servers.some((s) => s.id === 'kv-1'));
  console.log(`leave kv-1: ${checked} keys, each on exactly its two holders`);
});

test('a node restarted within its lease is treated as empty and refilled; then another node dies and nothing is lost', async () => {
  const before = await store.stable();
  const old = store.nodes.get('kv-0').info.incarnation;
  await store.nodes.get('kv-0').stop('SIGKILL');
  const restarted = await store.startNode('kv-0'); // at once: its old lease is still alive
  assert.notEqual(restarted.info.incarnation, old);
  const refilled = await store.stable((d) => d.incarnations['kv-0'] === restarted.info.incarnation);
  assert.ok(refilled.epoch > before.epoch);
  await assertPlacement();
  // Now kill another node: only kv-0's refilled copies can serve some keys.
  const killedAt = Date.now();
  await store.nodes.get('kv-2').stop('SIGKILL');
  store.nodes.delete('kv-2');
  await assertReadable(keys.filter((_, i) => i % 10 === 0)); // at once: the survivors serve
  const doc = await store.stable((d) => !d.membership.servers.some((s) => s.id === 'kv-2'), 60_000);
  const { checked } = await assertPlacement();
  await assertReadable();
  console.log(`restart kv-0 refilled; SIGKILL kv-2: dropped and re-replicated ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (epoch ${doc.epoch}), ${checked} keys on two holders, none lost`);
  // The dead node's loss did not wedge anything: later changes succeed.
  await store.startNode('kv-5');
  assert.equal((await store.admin('POST', '/nodes', { id: 'kv-5' })).status, 200);
});

test('re-replication never gives up: a node killed in the middle of a copy', async () => {
  await store.startNode('kv-6');
  const join = store.admin('POST', '/nodes', { id: 'kv-6' });
  // Kill a copy source while the join copies (the old controller aborted for good on one error).
  await sleep(150);
  await store.nodes.get('kv-3').stop('SIGKILL');
  store.nodes.delete('kv-3');
  const { status, body } = await join;
  assert.equal(status, 200, JSON.stringify(body));
  await store.stable((d) => !d.membership.servers.some((s) => s.id === 'kv-3'), 60_000);
  await assertPlacement();
  await assertReadable();
  // And later membership changes still work.
  assert.equal((await store.admin('DELETE', '/nodes/kv-6')).status, 200);
  await store.nodes.get('kv-6').stop();
  store.nodes.delete('kv-6');
  await assertPlacement();
});

test('a transition abandoned half-way (the joining node dies during its copy) loses no write made during it', async () => {
  await store.startNode('kv-8');
  const join = store.admin('POST', '/nodes', { id: 'kv-8' }, { timeoutMs: 20_000 }).catch((e) => ({ status: 0, body: e.message }));
  // Wait until the transition is published, then write while it runs and kill the new node.
  let doc;
  for (let i = 0; i < 400; i += 1) {
    doc = await store.membership();
    if (doc.previous && doc.membership.servers.some((s) => s.id === 'kv-8')) break;
    await sleep(10);
  }
  assert.ok(doc.previous, 'caught the transition');
  const during = keys.slice(400, 1_000);
  let done = 0;
  let killedInTransition = null;
  const writes = pool(during, async (k) => {
    await library.set(k, `v4 ${k}`);
    expected.set(k, `v4 ${k}`);
    done += 1;
  }, 8);
  for (let i = 0; i < 500 && done < 16; i += 1) await sleep(2);
  killedInTransition = Boolean((await store.membership()).previous);
  await store.nodes.get('kv-8').stop('SIGKILL');
  store.nodes.delete('kv-8');
  await writes;
  assert.ok(killedInTransition, 'kv-8 died while the transition ran');
  await join; // fails or succeeds; either way the membership must settle without kv-8
  assert.equal((await store.admin('DELETE', '/nodes/kv-8')).status, 200);
  await store.stable((d) => !d.membership.servers.some((s) => s.id === 'kv-8'), 60_000);
  const { checked } = await assertPlacement();
  await assertReadable(during);
  console.log(`abandoned transition: ${during.length} keys written during it, all on their two holders afterwards (${checked} keys checked)`);
});

test('nodes and the admin API refuse anyone without the shared secret', async () => {
  const doc = await store.stable();
  const node = doc.membership.servers[0];
  const key = 'key:1500';
  for (const headers of [{}, { [SECRET_HEADER]: 'wrong' }]) {
    const r = await fetch(`${node.address}/kv/${enc(key)}`, {
      method: 'PUT', headers: { ...headers, 'x-epoch': String(doc.epoch), 'x-incarnation': doc.incarnations[node.id] },
      body: JSON.stringify({ n: Number.MAX_SAFE_INTEGER, w: 'intruder', value: 'forged' }),
    });
    assert.equal(r.status, 401);
    assert.equal((await fetch(`${node.address}/dump`, { headers })).status, 401);
  }
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await store.admin('DELETE', `/nodes/${node.id}`, undefined, { secret: null })).status, 401);
    assert.equal((await store.admin('DELETE', `/nodes/${node.id}`, undefined, { secret: 'wrong' })).status, 401);
    assert.equal((await store.api('DELETE', `/nodes/${node.id}`)).status, 404, 'no admin routes on the client port');
  }
  assert.deepEqual((await store.stable()).membership.servers, doc.membership.servers);
  assert.equal((await library.get(key)).value, expected.get(key));
});

/** A raw request: resolves to { status, ms } or { error }; the body is streamed in pieces. */
function rawPut(url, chunks, headers) {
  return new Promise((resolve) => {
    const started = Date.now();
    const req = request(url, { method: 'PUT', headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - started, connection: res.headers.connection }));
    });
    req.on('error', (e) => resolve({ error: e.code ?? e.message, ms: Date.now() - started }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        if (req.destroyed) return;
      }
      req.end();
    })().catch(() => {});
  });
}

test('bounds: oversized bodies get 413 at once, bad encodings and shapes 400, and everything keeps serving', async () => {
  const url = `${store.proxy.info.proxy}/kv/big`;
  const big = JSON.stringify({ value: 'x'.repeat(MAX_VALUE_BYTES + 1) });
  let r = await store.api('PUT', '/kv/big', big);
  assert.equal(r.status, 413);
  assert.match(r.body.error, new RegExp(`limit of ${MAX_VALUE_BYTES} bytes`));
  // 2 MB, declared: answered before the body is read, and the client gets the answer.
  const huge = Buffer.alloc(2 * 1024 * 1024, 'a');
  let raw = await rawPut(url, [huge], { 'content-length': huge.length });
  assert.equal(raw.status, 413, JSON.stringify(raw));
  // 8 MB, chunked with no length: cut off with a 413 (or a closed connection), never a hang.
  raw = await rawPut(url, Array.from({ length: 128 }, () => Buffer.alloc(64 * 1024, 'a')), { 'transfer-encoding': 'chunked' });
  assert.ok(raw.status === 413 || raw.error, JSON.stringify(raw));
  assert.ok(raw.ms < 8_000, `answered in ${raw.ms} ms`);
  const bad = [
    ['GET', '/kv/%E0%A4%A', undefined],
    ['PUT', '/kv/%zz', { value: 'x' }],
    ['GET', `/kv/${'k'.repeat(2_000)}`, undefined],
    ['PUT', '/kv/a', '{"value": '],
    ['PUT', '/kv/a', { value: 42 }],
    ['PUT', '/kv/a', `{"value": ${'['.repeat(5_000)}${']'.repeat(5_000)}}`],
    ['GET', '/locate/%', undefined],
  ];
  for (const [method, path, body] of bad) {
    r = await store.api(method, path, body);
    assert.equal(r.status, 400, `${method} ${path.slice(0, 30)}: ${JSON.stringify(r.body)}`);
  }
  r = await store.admin('POST', '/nodes', '{"id": ');
  assert.equal(r.status, 400);
  r = await store.admin('POST', '/nodes', { id: 'ghost' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /not alive/);
  r = await store.admin('DELETE', '/nodes/%E0%A4%A');
  assert.equal(r.status, 400);
  const doc = await store.stable();
  for (const s of doc.membership.servers) {
    const headers = { [SECRET_HEADER]: store.secret, 'x-epoch': String(doc.epoch), 'x-incarnation': doc.incarnations[s.id] };
    assert.equal((await fetch(`${s.address}/kv/%E0%A4%A`, { headers })).status, 400);
    assert.equal((await fetch(`${s.address}/kv/a`, { method: 'PUT', headers, body: '{"n": 1}' })).status, 400);
    assert.equal((await fetch(`${s.address}/merge`, { method: 'POST', headers, body: JSON.stringify({ entries: [['k', { n: -1 }]] }) })).status, 400);
    assert.equal((await fetch(`${s.address}/kv/a`, { headers: { ...headers, 'x-epoch': '1' } })).status, 409, 'a stale epoch is refused');
    assert.equal((await fetch(`${s.address}/health`)).status, 200, `${s.id} still serving`);
  }
  assert.equal((await store.api('GET', `/kv/${enc('key:1999')}`)).body.value, expected.get('key:1999'));
});

test('etcd away for 8 s: reads and writes go on, and when it returns nobody is dropped', async () => {
  const before = await store.stable();
  await store.etcd.kill();
  const sample = keys.slice(1_500, 1_600);
  let ops = 0;
  try {
    const until = Date.now() + 8_000;
    for (let round = 0; Date.now() < until && round < 1_000; round += 1) {
      const k = sample[round % sample.length];
      const value = `outage ${round}`;
      assert.equal((await store.api('PUT', `/kv/${enc(k)}`, { value })).status, 200);
      expected.set(k, value);
      assert.equal((await library.get(k)).value, value);
      ops += 2;
      await sleep(20);
    }
  } finally {
    await store.etcd.start();
  }
  // A grace period and more after etcd returns: the membership is the same one.
  await sleep(7_000);
  const afterwards = await store.stable();
  assert.deepEqual(afterwards.membership.servers, before.membership.servers);
  assert.deepEqual(afterwards.incarnations, before.incarnations);
  await assertReadable(sample);
  console.log(`etcd outage 8 s: ${ops} reads and writes acknowledged during it; membership unchanged afterwards (epoch ${afterwards.epoch})`);
});

test('a non-JSON or malformed membership document in etcd is ignored: every process keeps serving', async () => {
  const good = await store.stable();
  const text = JSON.stringify(good);
  const { connectEtcd } = await import('../shared/membership.mjs');
  const etcd = connectEtcd(store.etcd.endpoint, store.etcd.auth);
  try {
    for (const bad of ['not json', JSON.stringify({ ...good, epoch: good.epoch + 1, membership: { servers: 'x' } }),
      JSON.stringify({ ...good, epoch: good.epoch + 1, membership: { ...good.membership, servers: [] }, incarnations: {} })]) {
      await etcd.put(`${PREFIX}membership`).value(bad);
      await sleep(600); // two polls of every process
      for (const k of keys.slice(1_900, 1_950)) {
        const r = await store.api('GET', `/kv/${enc(k)}`);
        assert.equal(r.body.value, expected.get(k), k);
      }
      assert.equal((await store.api('PUT', '/kv/during-bad-doc', { value: 'ok' })).status, 200);
      expected.set('during-bad-doc', 'ok');
      for (const [, p] of store.nodes) assert.equal(p.child.exitCode, null, 'no node exited');
      assert.equal(store.proxy.child.exitCode, null, 'the proxy did not exit');
    }
  } finally {
    await etcd.put(`${PREFIX}membership`).value(text);
    etcd.close();
  }
  await assertPlacement();
});

test('the command line sets, gets, lists, joins and removes', async () => {
  const env = { ...process.env, KV_SECRET: store.secret };
  const kv = (...args) => promisify(execFile)(process.execPath, [here('./kv.mjs'), '--proxy', store.proxy.info.proxy, '--admin', store.proxy.info.admin, ...args], { env });
  await kv('set', 'cli:key', 'héllo wörld');
  assert.equal((await kv('get', 'cli:key')).stdout, 'héllo wörld\n');
  assert.match((await kv('nodes')).stdout, /kv-5\thttp:\/\/127\.0\.0\.1:\d+\talive/);
  await store.startNode('kv-7');
  assert.match((await kv('add-node', 'kv-7')).stdout, /"what":"kv-7 joined"/);
  assert.match((await kv('remove-node', 'kv-7')).stdout, /"what":"kv-7 left"/);
  await assert.rejects(kv('remove-node', 'nope'), (e) => /unknown node/.test(e.stderr));
  await kv('del', 'cli:key');
  await assert.rejects(kv('get', 'cli:key'), (e) => /no key/.test(e.stderr));
});

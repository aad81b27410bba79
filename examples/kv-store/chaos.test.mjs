// Chaos: steady traffic through two routers (the proxy, and the client library in this
// process) while nodes join, leave, are SIGKILLed with and without a quick restart, and
// etcd goes away for a while. Every operation and its answer is logged; the checker
// then verifies the guarantee from the log alone.
//   CHAOS_SECONDS (default 75) bounds the traffic; CHAOS_OUTAGE_SECONDS (default 12) the
//   etcd outage. A long run: CHAOS_SECONDS=600 CHAOS_OUTAGE_SECONDS=30.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from './checker.mjs';
import { KvClient } from './client.mjs';
import { placementOf, startStore } from './harness.mjs';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 75);
const OUTAGE_SECONDS = Number(process.env.CHAOS_OUTAGE_SECONDS ?? 12);
const KEYS = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];

test(`chaos for ${SECONDS} s: no acknowledged write lost, no stale read, no delete resurrected`, { timeout: (SECONDS + 240) * 1000 }, async () => {
  const store = await startStore({ nodes: ['kv-0', 'kv-1', 'kv-2', 'kv-3'] });
  const library = await KvClient.connect({ endpoint: store.etcd.endpoint, auth: store.etcd.auth, secret: store.secret, log: () => {} });
  const logPath = join(tmpdir(), `ringroute-kv-chaos-${process.pid}.jsonl`);
  const file = createWriteStream(logPath);
  const log = [];
  const t0 = Date.now();
  const record = (e) => { log.push(e); file.write(`${JSON.stringify(e)}\n`); };
  const keys = Array.from({ length: KEYS }, (_, i) => `chaos:${i}`);
  const stopAt = Date.now() + SECONDS * 1000;

  // ---- traffic -------------------------------------------------------------------------
  const viaProxy = {
    async write(key, value) {
      const r = value === null ? await store.api('DELETE', `/kv/${encodeURIComponent(key)}`, undefined, { timeoutMs: 15_000 })
        : await store.api('PUT', `/kv/${encodeURIComponent(key)}`, { value }, { timeoutMs: 15_000 });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
    },
    async read(key) {
      const r = await store.api('GET', `/kv/${encodeURIComponent(key)}`, undefined, { timeoutMs: 15_000 });
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      return r.body.value;
    },
  };
  const viaLibrary = {
    write: (key, value) => (value === null ? library.del(key) : library.set(key, value)),
    read: async (key) => (await library.get(key))?.value ?? null,
  };
  async function operate(router, name, op, key, value, final = false) {
    const start = Date.now() - t0;
    try {
      if (op === 'write') {
        await router.write(key, value);
        record({ op, key, value, start, end: Date.now() - t0, ok: true, via: name });
      } else {
        const result = await router.read(key);
        record({ op, key, result, start, end: Date.now() - t0, ok: true, via: name, final });
      }
    } catch (e) {
      record({ op, key, value, start, end: Date.now() - t0, ok: false, via: name, error: e.message.slice(0, 120), final });
    }
  }
  const worker = async (router, name) => {
    for (let seq = 0; Date.now() < stopAt && seq < 1_000_000; seq += 1) {
      const key = pick(keys);
      const dice = Math.random();
      if (dice < 0.45) await operate(router, name, 'write', key, `${name}#${seq}`);
      else if (dice < 0.6) await operate(router, name, 'write', key, null);
      else await operate(router, name, 'read', key);
      await sleep(5);
    }
  };
  const workers = [
    ...[0, 1, 2, 3].map((i) => worker(viaProxy, `proxy${i}`)),
    ...[0, 1].map((i) => worker(viaLibrary, `lib${i}`)),
  ];

  // ---- faults --------------------------------------------------------------------------
  const faults = [];
  const running = () => [...store.nodes.keys()];
  let spare = 4;
  /** Stable, every running wanted node a member with the incarnation it runs as. */
  const settled = () => store.stable((doc) => {
    const ids = doc.membership.servers.map((s) => s.id).sort();
    return JSON.stringify(ids) === JSON.stringify(running().sort()) &&
      ids.every((id) => doc.incarnations[id] === store.nodes.get(id).info.incarnation);
  }, 90_000);
  const act = {
    async join() {
      const id = `kv-${spare++}`;
      await store.startNode(id);
      const r = await store.admin('POST', '/nodes', { id });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return id;
    },
    async leave() {
      const id = pick(running());
      const r = await store.admin('DELETE', `/nodes/${id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await store.nodes.get(id).stop();
      store.nodes.delete(id);
      return id;
    },
    async kill() {
      const id = pick(running());
      await store.nodes.get(id).stop('SIGKILL');
      store.nodes.delete(id);
      const r = await store.admin('DELETE', `/nodes/${id}`); // the operator retires it; the data moves anyway
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return id;
    },
    async restart() {
      const id = pick(running());
      await store.nodes.get(id).stop('SIGKILL');
      await store.startNode(id); // at once, well within its lease
      return id;
    },
    async etcd() {
      await store.etcd.kill();
      await sleep(OUTAGE_SECONDS * 1000);
      await store.etcd.start();
      if (process.env.CHAOS_DEBUG) console.error('etcd health after restart', await fetch(`${store.etcd.endpoint}/health`).then((r) => r.text()));
      return `${OUTAGE_SECONDS} s`;
    },
  };
  const plan = (process.env.CHAOS_PLAN ?? 'join,restart,kill,etcd,leave').split(',');
  for (let i = 0; Date.now() < stopAt - 8_000 && i < 1_000; i += 1) {
    let kind = i < plan.length ? plan[i] : pick(['join', 'leave', 'kill', 'restart', 'restart', 'kill']);
    if ((kind === 'leave' || kind === 'kill') && running().length <= 3) kind = 'join';
    if (kind === 'join' && running().length >= 6) kind = 'restart';
    const at = Date.now() - t0;
    const target = await act[kind]();
    await settled();
    faults.push({ kind, target, at, settledMs: Date.now() - t0 - at });
    record({ op: 'fault', kind, target, at, end: Date.now() - t0 });
    await sleep(1_000);
  }
  await Promise.all(workers);
  await settled();
  // Final reads, after the faults, through both routers.
  for (const key of keys) {
    await operate(viaProxy, 'final-proxy', 'read', key, undefined, true);
    await operate(viaLibrary, 'final-lib', 'read', key, undefined, true);
  }
  // Both copies of every key, read directly from the nodes: the same newest entry on
  // exactly the two holders an independent ring names (else one more fault could lose it).
  const doc = await settled();
  const where = await store.placement(doc);
  const want = placementOf(doc, keys);
  let underReplicated = 0;
  for (const key of keys) {
    const held = where.get(key) ?? [];
    if (held.length === 0) continue; // never written, or deleted and dropped
    const same = JSON.stringify(held.map((h) => h.id).sort()) === JSON.stringify([...want.get(key)].sort()) &&
      JSON.stringify(held[0].entry) === JSON.stringify(held[1]?.entry);
    if (!same) {
      underReplicated += 1;
      record({ op: 'replicas', key, held, want: want.get(key) });
    }
  }
  file.end();
  await library.close();
  await store.stop();

  const result = check(log);
  const elapsed = ((Date.now() - t0) / 1000).toFixed(1);
  const failed = log.filter((e) => (e.op === 'read' || e.op === 'write') && !e.ok).length;
  console.log(`chaos: ${elapsed} s, ${log.length - faults.length} operations (${failed} not acknowledged or failed) on ${result.keys} keys, log ${logPath}`);
  console.log(`chaos: faults ${faults.map((f) => `${f.kind}(${f.target}) at ${(f.at / 1000).toFixed(1)} s settled in ${(f.settledMs / 1000).toFixed(1)} s`).join('; ')}`);
  console.log(`chaos: checker ${JSON.stringify(result.counts)}; keys without two equal copies at the end: ${underReplicated}`);
  for (const v of result.violations.slice(0, 10)) console.log(`chaos: VIOLATION ${JSON.stringify(v)}`);
  const kinds = new Set(faults.map((f) => f.kind));
  for (const k of ['join', 'leave', 'kill', 'restart', 'etcd']) assert.ok(kinds.has(k), `fault ${k} happened`);
  assert.ok(result.counts.writesAcked > 100 && result.counts.deletesAcked > 20 && result.counts.readsOk > 100, 'enough traffic');
  assert.equal(result.counts.unknownValue, 0);
  assert.equal(result.counts.lost, 0, 'no acknowledged write lost');
  assert.equal(result.counts.stale, 0, 'no stale read');
  assert.equal(result.counts.resurrected, 0, 'no delete resurrected');
  assert.equal(underReplicated, 0, 'every key on its two holders with the same newest entry');
  assert.ok(result.ok);
});

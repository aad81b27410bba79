// ringroute beside the `hashring` (uncached) and `consistent-hash` npm packages, in one
// run on the same unique keys: lookup speed, batch lookups, balance, wasm size and
// memory. A benchmark, not a test: it prints numbers and ratios and asserts nothing.
//
//   node tests/bench/bench.mjs
//   RINGROUTE_BASELINE=/path/to/an/older/pkg node tests/bench/bench.mjs
//     also runs that build's get and getMany in the same run, and prints the ratios.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import HashRingJs from 'hashring';
import ConsistentHash from 'consistent-hash';
import { HashRing } from 'ringroute';

const require = createRequire(import.meta.url);
const SERVERS = 100;
const KEYS = 200_000;
const ids = Array.from({ length: SERVERS }, (_, i) => `ws-server-${i}`);
const keys = Array.from({ length: KEYS }, (_, i) => `user:${String(i * 7919).padStart(15, '0')}`);

function nsPerOp(fn, rounds = 7) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / KEYS);
  }
  return best;
}

function balance(owners) {
  const counts = new Map();
  for (const o of owners) counts.set(o, (counts.get(o) ?? 0) + 1);
  const loads = [...counts.values()];
  while (loads.length < SERVERS) loads.push(0);
  return Math.max(...loads) / (KEYS / SERVERS);
}

const ours = new HashRing();
const ours160 = new HashRing({ vnodes: 160 });
for (const id of ids) {
  ours.add(id);
  ours160.add(id);
}
const theirs = new HashRingJs(ids, 'md5', { 'max cache size': 1 });
// hashring's get() caches per key; its uncached path is find(hashValue(key)).
const hashringGet = (k) => theirs.ring[theirs.find(theirs.hashValue(k))].server;
const ch = new ConsistentHash();
for (const id of ids) ch.add(id);

let sink = 0;
const baseline = process.env.RINGROUTE_BASELINE
  ? new (require(process.env.RINGROUTE_BASELINE).HashRing)()
  : null;
for (const id of baseline ? ids : []) baseline.add(id);
const results = {
  'ringroute (1024 vnodes)': nsPerOp(() => { for (const k of keys) sink ^= ours.get(k).length; }),
  'ringroute (160 vnodes)': nsPerOp(() => { for (const k of keys) sink ^= ours160.get(k).length; }),
  'hashring (uncached)': nsPerOp(() => { for (const k of keys) sink ^= hashringGet(k).length; }, 3),
  'consistent-hash': nsPerOp(() => { for (const k of keys) sink ^= ch.get(k).length; }),
};
const many = nsPerOp(() => { sink ^= ours.getMany(keys).length; });
if (baseline) {
  results['baseline build (1024 vnodes)'] = nsPerOp(() => { for (const k of keys) sink ^= baseline.get(k).length; });
  const baseMany = nsPerOp(() => { sink ^= baseline.getMany(keys).length; });
  const same = keys.every((k) => baseline.get(k) === ours.get(k));
  console.log(`baseline: get ${(results['ringroute (1024 vnodes)'] / results['baseline build (1024 vnodes)']).toFixed(2)} ` +
    `of the baseline's time, getMany ${(many / baseMany).toFixed(2)} (${baseMany.toFixed(1)} ns a key); ` +
    `answers ${same ? 'identical' : 'DIFFER'} on ${KEYS} keys\n`);
}

console.log(`get, ${SERVERS} servers, ${KEYS} unique 20-byte keys (best of several rounds)\n`);
console.log('| library | ns per get | max/avg load |\n|---|---:|---:|');
const owners = {
  'ringroute (1024 vnodes)': ours.getMany(keys),
  'ringroute (160 vnodes)': ours160.getMany(keys),
  'hashring (uncached)': keys.map(hashringGet),
  'consistent-hash': keys.map((k) => ch.get(k)),
  ...(baseline ? { 'baseline build (1024 vnodes)': baseline.getMany(keys) } : {}),
};
for (const [name, ns] of Object.entries(results)) {
  console.log(`| ${name} | ${ns.toFixed(1)} | ${balance(owners[name]).toFixed(3)} |`);
}
const base = results['ringroute (1024 vnodes)'];
console.log(`\nringroute getMany: ${many.toFixed(1)} ns per key (${(many / base).toFixed(2)} of a single get)`);
console.log(`ratios: hashring / ringroute = ${(results['hashring (uncached)'] / base).toFixed(1)}x, ` +
  `consistent-hash / ringroute = ${(results['consistent-hash'] / base).toFixed(2)}x`);

const wasm = readFileSync(new URL('../../pkg/dist/core/ringroute.wasm', import.meta.url));
console.log(`\nwasm: ${wasm.length} bytes, ${gzipSync(wasm, { level: 9 }).length} gzipped`);

// Memory: add/remove/get cycles must leave wasm memory flat after warm-up.
const churn = new HashRing({ vnodes: 160 });
for (const id of ids.slice(0, 10)) churn.add(id);
const cycle = (i) => {
  churn.add('churn', { data: { i } });
  sink ^= churn.get(keys[i % KEYS]).length;
  churn.remove('churn');
};
for (let i = 0; i < 50_000; i++) cycle(i);
// The module's own memory: Node's arrayBuffers does not count wasm memory.
const warm = HashRing.__memoryBytes();
const t = process.hrtime.bigint();
for (let i = 0; i < 1_000_000; i++) cycle(i);
const secs = Number(process.hrtime.bigint() - t) / 1e9;
const after = HashRing.__memoryBytes();
console.log(`memory: 1,000,000 add/remove/get cycles in ${secs.toFixed(1)} s; wasm memory ${warm} -> ${after} bytes (${after - warm >= 0 ? '+' : ''}${after - warm})`);
if (sink === 0.5) console.log(sink);

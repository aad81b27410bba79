// This build's get and getMany against another build of the package, interleaved in one
// process (25 alternations, best of each), so that a noisy machine slows both alike.
// A benchmark, not a test: it prints the ratios and asserts nothing.
//
//   RINGROUTE_BASELINE=/path/to/older/pkg/node.cjs node tests/bench/ab.mjs
import { createRequire } from 'node:module';
import { HashRing } from 'ringroute';

const baselinePath = process.env.RINGROUTE_BASELINE;
if (!baselinePath) {
  console.error('set RINGROUTE_BASELINE to the CommonJS entry of the build to compare with');
  process.exit(2);
}
const Baseline = createRequire(import.meta.url)(baselinePath).HashRing;
const KEYS = 200_000;
const keys = Array.from({ length: KEYS }, (_, i) => `user:${String(i * 7919).padStart(15, '0')}`);
const ours = new HashRing();
const theirs = new Baseline();
for (let i = 0; i < 100; i++) {
  ours.add(`ws-server-${i}`);
  theirs.add(`ws-server-${i}`);
}
let sink = 0;
const best = { get: Infinity, baselineGet: Infinity, getMany: Infinity, baselineGetMany: Infinity };
const time = (fn) => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / KEYS;
};
for (let round = 0; round < 25; round++) {
  best.get = Math.min(best.get, time(() => { for (const k of keys) sink ^= ours.get(k).length; }));
  best.baselineGet = Math.min(best.baselineGet, time(() => { for (const k of keys) sink ^= theirs.get(k).length; }));
  best.getMany = Math.min(best.getMany, time(() => { sink ^= ours.getMany(keys).length; }));
  best.baselineGetMany = Math.min(best.baselineGetMany, time(() => { sink ^= theirs.getMany(keys).length; }));
}
const same = keys.every((k) => ours.get(k) === theirs.get(k));
console.log(`get ${best.get.toFixed(1)} ns vs ${best.baselineGet.toFixed(1)} ns: ${(best.get / best.baselineGet).toFixed(2)} of the baseline; ` +
  `getMany ${best.getMany.toFixed(1)} vs ${best.baselineGetMany.toFixed(1)} ns a key: ${(best.getMany / best.baselineGetMany).toFixed(2)}; ` +
  `answers ${same ? 'identical' : 'DIFFER'} on ${KEYS} keys`);
if (sink === 0.5) console.log(sink);

// The package hashes keys in JS (pkg/src/hash.js) for `get`, `getMany` and `position`.
// Here that hash meets the MurmurHash3 reference vectors, and ring-core's own hash (the
// same key through wasm, `__wasmPosition`) on a generated suite: every UTF-16 code unit
// alone and between ASCII, every surrogate pair shape, lone surrogates at every offset
// of a block, long keys, random strings and bytes, under several seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HashRing } from 'ringroute';

const SEEDS = [0, 1, 0x9747b28c, 0xffffffff];
const rings = SEEDS.map((seed) => new HashRing({ seed }));

function compare(keys) {
  let compared = 0;
  for (const ring of rings) {
    for (const key of keys) {
      const js = ring.position(key);
      const wasm = ring.__wasmPosition(key);
      if (js !== wasm) {
        assert.fail(`seed ${ring.seed}: ${JSON.stringify(typeof key === 'string' ? key : [...key])}: JS ${js}, ring-core ${wasm}`);
      }
      compared++;
    }
  }
  return compared;
}

test('MurmurHash3 reference vectors (mmh3, the reference C++)', () => {
  const { cases } = JSON.parse(readFileSync(new URL('../vectors/external/murmur3_x86_32.json', import.meta.url)));
  assert.ok(cases.length >= 50, `${cases.length} cases`);
  for (const { hex, seed, hash } of cases) {
    const bytes = Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
    assert.equal(new HashRing({ seed }).position(bytes), hash, `${hex} seed ${seed}`);
  }
});

test('every UTF-16 code unit, alone and at each offset within a block', () => {
  const keys = [];
  for (let unit = 0; unit < 0x10000; unit++) {
    const c = String.fromCharCode(unit);
    keys.push(c, `a${c}`, `ab${c}`, `abc${c}`, `${c}wxyz`);
  }
  assert.equal(compare(keys), 5 * 0x10000 * SEEDS.length);
});

test('surrogate pairs, lone surrogates and their mixes', () => {
  const highs = [0xd800, 0xd801, 0xdbff];
  const lows = [0xdc00, 0xdc01, 0xdfff];
  const keys = [];
  for (const h of highs) {
    for (const l of lows) {
      const pair = String.fromCharCode(h, l);
      const [hi, lo] = [String.fromCharCode(h), String.fromCharCode(l)];
      for (const prefix of ['', 'a', 'ab', 'abc']) {
        keys.push(prefix + pair, prefix + hi, prefix + lo, prefix + lo + hi, prefix + hi + hi + lo,
          prefix + pair + hi, prefix + hi + 'x' + lo, prefix + pair + pair);
      }
    }
  }
  keys.push('x\ud800', 'x\udfff', 'x\ufffd', '\ud83e\udd80 crab', 'ключ', 'naïve café');
  compare(keys);
  // A lone surrogate hashes as U+FFFD, as TextEncoder writes it (SPEC.md §1).
  const ring = rings[0];
  assert.equal(ring.position('x\ud800'), ring.position('x\ufffd'));
  assert.equal(ring.position('x\udfff'), ring.position('x\ufffd'));
});

test('long keys, random strings and random bytes', () => {
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const keys = ['a'.repeat(100_000), 'é'.repeat(50_001), '\ud83d\ude00'.repeat(33_333), ''];
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(next() * 48);
    let s = '';
    for (let j = 0; j < length; j++) {
      const r = next();
      s += String.fromCharCode(r < 0.5 ? next() * 0x80 : r < 0.8 ? next() * 0x10000 : 0xd800 + next() * 0x800);
    }
    keys.push(s, Uint8Array.from({ length }, () => next() * 256));
  }
  compare(keys);
});

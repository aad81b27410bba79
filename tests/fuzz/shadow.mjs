// Crafted MurmurHash3 collisions (SPEC §4): a new id of the same byte length as a
// member's, whose hash state after its bytes equals the member's, so every label
// `id ‖ LE32(i)` of the two hashes alike and the higher-ranked node owns nothing. Each
// block step of MurmurHash3 is invertible, so the last block is solved for directly.
import { utf8 } from './model/hash.mjs';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const rotl = (x, r) => ((x << r) | (x >>> (32 - r))) >>> 0;
const rotr = (x, r) => ((x >>> r) | (x << (32 - r))) >>> 0;

function inverse(x) {
  let inv = x;
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(x, inv));
  return inv >>> 0;
}
const INV_C1 = inverse(C1);
const INV_C2 = inverse(C2);
const INV_5 = inverse(5);

function block(h, k) {
  k = Math.imul(k, C1); k = rotl(k, 15); k = Math.imul(k, C2);
  h ^= k; h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/** The block `k` taking state `from` to state `to`. */
function solve(from, to) {
  let x = Math.imul((to - 0xe6546b64) >>> 0, INV_5) >>> 0;
  x = rotr(x, 13);
  let k = (x ^ from) >>> 0;
  k = Math.imul(k, INV_C2) >>> 0;
  k = rotr(k, 15);
  return Math.imul(k, INV_C1) >>> 0;
}

const word = (b, i) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const state = (bytes, seed) => { let h = seed >>> 0; for (let i = 0; i < bytes.length; i += 4) h = block(h, word(bytes, i)); return h; };
const STRICT = new TextDecoder('utf-8', { fatal: true });

/** An id colliding with `target` (byte length a multiple of 4, at least 8) under `seed`. */
export function collide(target, seed, rnd) {
  const t = utf8(target);
  if (t.length < 8 || t.length % 4) return null;
  const goal = state(t, seed);
  for (let attempt = 0; attempt < 4000; attempt++) {
    const b = new Uint8Array(t.length);
    for (let i = 0; i < b.length - 4; i++) b[i] = 97 + rnd.int(26);
    const k = solve(state(b.subarray(0, b.length - 4), seed), goal);
    b[b.length - 4] = k & 0xff; b[b.length - 3] = (k >>> 8) & 0xff;
    b[b.length - 2] = (k >>> 16) & 0xff; b[b.length - 1] = k >>> 24;
    let id;
    try { id = STRICT.decode(b); } catch { continue; }
    if (id !== target && !id.includes('\ufffd')) return id;
  }
  return null;
}

/** An add that shadows (or is shadowed by) a member of ring model `m`, or a base id to add first. */
export function craftShadow(rnd, m) {
  const bases = m.ids().filter((id) => { const n = utf8(id).length; return n >= 8 && n % 4 === 0; });
  if (!bases.length) return { id: rnd.pick(['shadow-a', 'shadow-base-', 'twelve-bytes']), weight: 1 };
  const base = rnd.pick(bases);
  const id = collide(base, m.seed, rnd);
  if (!id) return null;
  // Equal weights: every point tied, one node shadowed (refused). Double or half: the
  // shared points tie and (position, rank) decides, the extra points keep both alive.
  const weight = m.members.get(base).weight * rnd.pick([1, 1, 2, 0.5]);
  return { id, weight };
}

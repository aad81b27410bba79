// SPEC.md §1 and §8: MurmurHash3 x86_32 and FNV-1a 64, in plain JS. Independent of the
// package: nothing here imports ringroute.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const rotl = (x, r) => ((x << r) | (x >>> (32 - r))) >>> 0;

/** MurmurHash3 x86_32 of `bytes` (a Uint8Array) under `seed`, as an unsigned 32-bit integer. */
export function murmur3(bytes, seed) {
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
    k = Math.imul(k, C1);
    k = rotl(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  const rest = n - blocks;
  if (rest > 0) {
    let k = 0;
    if (rest >= 3) k |= bytes[blocks + 2] << 16;
    if (rest >= 2) k |= bytes[blocks + 1] << 8;
    k |= bytes[blocks];
    k = Math.imul(k, C1);
    k = rotl(k, 15);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const UTF8 = new TextEncoder();
/** Keys are hashed as UTF-8; a lone surrogate encodes as U+FFFD, exactly as TextEncoder does. */
export const utf8 = (s) => UTF8.encode(s);
/** A key argument (string or Uint8Array) as the bytes that are hashed. */
export const keyBytes = (k) => (typeof k === 'string' ? utf8(k) : k.length === 0 ? new Uint8Array(0) : new Uint8Array(k));

/** Compares two byte strings as unsigned bytes (SPEC §3 node order). */
export function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Whether a JS string has an unpaired UTF-16 surrogate (no UTF-8 form). */
export function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { i++; continue; }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** FNV-1a 64 over a byte stream fed in pieces; 16-bit limbs keep every product exact. */
export class Fnv64 {
  constructor() {
    // 0xcbf29ce484222325, least significant limb first.
    this.h = [0x2325, 0x8422, 0x9ce4, 0xcbf2];
  }
  byte(b) {
    const h = this.h;
    h[0] ^= b;
    // h × (2^40 + 0x1b3) mod 2^64: 2^40 is limb 2 shifted by 8 bits.
    const p = 0x1b3;
    let a0 = h[0] * p, a1 = h[1] * p, a2 = h[2] * p, a3 = h[3] * p;
    a2 += (h[0] << 8);
    a3 += h[1] << 8;
    let c = 0;
    a0 += c; c = Math.floor(a0 / 65536); h[0] = a0 & 0xffff;
    a1 += c; c = Math.floor(a1 / 65536); h[1] = a1 & 0xffff;
    a2 += c; c = Math.floor(a2 / 65536); h[2] = a2 & 0xffff;
    a3 += c; h[3] = a3 & 0xffff;
  }
  bytes(arr) { for (let i = 0; i < arr.length; i++) this.byte(arr[i]); }
  u32(x) { for (let i = 0; i < 4; i++) this.byte((x >>> (8 * i)) & 0xff); }
  f64(x) {
    const b = new Uint8Array(new Float64Array([x]).buffer); // little-endian on every Node host
    this.bytes(b);
  }
  hex() { return this.h.slice().reverse().map((l) => l.toString(16).padStart(4, '0')).join(''); }
}

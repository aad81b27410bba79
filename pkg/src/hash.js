// MurmurHash3 x86_32 (SPEC.md §1) in JS, over the UTF-8 bytes of a JS string read
// straight from its UTF-16 code units, so a lookup never copies its key into wasm
// memory. A lone surrogate hashes as U+FFFD, exactly as TextEncoder (and so ring-core,
// which receives strings through it) encodes it. Everything stays in local variables:
// module-level state would cost a memory write per byte.
//
// Both functions return the position's 32 bits as a *signed* int32 (`>>> 0` gives the
// position). An unsigned result above 2^31 is no small integer to V8: every position
// in the upper half of the ring became a heap-allocated number on its way into wasm,
// about a tenth of `get`'s time. wasm reads the same 32 bits either way.
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The ring position of a string key, as an int32: MurmurHash3 of its UTF-8 form under `seed`. */
export function hashString(text, seed) {
  let h = seed | 0;
  let k = 0; // bytes waiting for a full block, little-endian
  let fill = 0; // how many bytes are in `k`, 0 to 3
  let bytes = 0;
  const units = text.length;
  let i = 0;
  while (i < units) {
    // Four ASCII units on a block boundary make one block at once: keys are mostly ASCII.
    if (fill === 0 && i + 4 <= units) {
      const a = text.charCodeAt(i);
      const b = text.charCodeAt(i + 1);
      const c = text.charCodeAt(i + 2);
      const d = text.charCodeAt(i + 3);
      if ((a | b | c | d) < 0x80) {
        let w = Math.imul(a | (b << 8) | (c << 16) | (d << 24), C1);
        w = Math.imul((w << 15) | (w >>> 17), C2);
        h ^= w;
        h = (h << 13) | (h >>> 19);
        h = (Math.imul(h, 5) + 0xe6546b64) | 0;
        i += 4;
        bytes += 4;
        continue;
      }
    }
    // One code point: its UTF-8 bytes packed little-endian into `seq`, `n` of them.
    let unit = text.charCodeAt(i++);
    let seq;
    let n;
    if (unit < 0x80) {
      seq = unit;
      n = 1;
    } else if (unit < 0x800) {
      seq = (0xc0 | (unit >> 6)) | ((0x80 | (unit & 0x3f)) << 8);
      n = 2;
    } else {
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const next = i < units ? text.charCodeAt(i) : 0;
        if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
          i++;
          seq = (0xf0 | (point >> 18)) | ((0x80 | ((point >> 12) & 0x3f)) << 8)
            | ((0x80 | ((point >> 6) & 0x3f)) << 16) | ((0x80 | (point & 0x3f)) << 24);
          n = 4;
        } else {
          unit = 0xfffd; // a lone surrogate
        }
      }
      if (n === undefined) {
        seq = (0xe0 | (unit >> 12)) | ((0x80 | ((unit >> 6) & 0x3f)) << 8)
          | ((0x80 | (unit & 0x3f)) << 16);
        n = 3;
      }
    }
    bytes += n;
    for (let j = 0; j < n; j++) {
      k |= ((seq >>> (j << 3)) & 0xff) << (fill << 3);
      if (++fill === 4) {
        let w = Math.imul(k, C1);
        w = Math.imul((w << 15) | (w >>> 17), C2);
        h ^= w;
        h = (h << 13) | (h >>> 19);
        h = (Math.imul(h, 5) + 0xe6546b64) | 0;
        k = 0;
        fill = 0;
      }
    }
  }
  return finish(h, k, fill, bytes);
}

/** The ring position of a byte key, as an int32: MurmurHash3 of the bytes as they are. */
export function hashBytes(data, seed) {
  let h = seed | 0;
  const length = data.length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let w = Math.imul(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24), C1);
    w = Math.imul((w << 15) | (w >>> 17), C2);
    h ^= w;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let i = blocks; i < length; i++) k |= data[i] << ((i - blocks) << 3);
  return finish(h, k, length - blocks, length);
}

// The tail bytes and the final mix. Lengths wrap at 2^32 as in the reference (SPEC.md
// §1); no key gets near that.
function finish(h, k, fill, length) {
  if (fill !== 0) {
    let w = Math.imul(k, C1);
    w = Math.imul((w << 15) | (w >>> 17), C2);
    h ^= w;
  }
  h ^= length | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

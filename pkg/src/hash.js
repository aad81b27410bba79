// MurmurHash3 x86_32 (SPEC.md §1) in JS, over the UTF-8 bytes of a JS string read
// straight from its UTF-16 code units, so a lookup never copies its key into wasm
// memory. A lone surrogate hashes as U+FFFD, exactly as TextEncoder (and so ring-core,
// which receives strings through it) encodes it.
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

// The running state of one hash: module-level so the byte pusher inlines without a
// closure. Hashing is synchronous and never re-entrant.
let h = 0; // the hash so far
let k = 0; // bytes waiting for a full 4-byte block, little-endian
let fill = 0; // how many bytes are in `k`

function block(word) {
  word = Math.imul(word, C1);
  word = (word << 15) | (word >>> 17);
  h ^= Math.imul(word, C2);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function push(byte) {
  k |= byte << (fill << 3);
  if (++fill === 4) {
    block(k);
    k = 0;
    fill = 0;
  }
}

function finish(length) {
  if (fill !== 0) {
    let tail = Math.imul(k, C1);
    tail = (tail << 15) | (tail >>> 17);
    h ^= Math.imul(tail, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The ring position of a string key: MurmurHash3 of its UTF-8 form under `seed`. */
export function hashString(text, seed) {
  h = seed | 0;
  k = 0;
  fill = 0;
  const units = text.length;
  let bytes = 0;
  let i = 0;
  while (i < units) {
    // Four ASCII units make one block at once: the common case for keys.
    if (fill === 0 && i + 4 <= units) {
      const a = text.charCodeAt(i);
      const b = text.charCodeAt(i + 1);
      const c = text.charCodeAt(i + 2);
      const d = text.charCodeAt(i + 3);
      if ((a | b | c | d) < 0x80) {
        block(a | (b << 8) | (c << 16) | (d << 24));
        i += 4;
        bytes += 4;
        continue;
      }
    }
    let unit = text.charCodeAt(i++);
    if (unit < 0x80) {
      push(unit);
      bytes += 1;
    } else if (unit < 0x800) {
      push(0xc0 | (unit >> 6));
      push(0x80 | (unit & 0x3f));
      bytes += 2;
    } else {
      if (unit >= 0xd800 && unit <= 0xdfff) {
        const next = i < units ? text.charCodeAt(i) : 0;
        if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
          i++;
          push(0xf0 | (point >> 18));
          push(0x80 | ((point >> 12) & 0x3f));
          push(0x80 | ((point >> 6) & 0x3f));
          push(0x80 | (point & 0x3f));
          bytes += 4;
          continue;
        }
        unit = 0xfffd; // a lone surrogate
      }
      push(0xe0 | (unit >> 12));
      push(0x80 | ((unit >> 6) & 0x3f));
      push(0x80 | (unit & 0x3f));
      bytes += 3;
    }
  }
  // Lengths wrap at 2^32 as in the reference (SPEC.md §1); no key gets near that.
  return finish(bytes | 0);
}

/** The ring position of a byte key: MurmurHash3 of the bytes as they are. */
export function hashBytes(data, seed) {
  h = seed | 0;
  k = 0;
  fill = 0;
  const length = data.length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    block(data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
  }
  for (let i = blocks; i < length; i++) push(data[i]);
  return finish(length | 0);
}

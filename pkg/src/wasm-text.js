// The embedded wasm as printable ASCII, decoded synchronously at import. Base64 would
// cost a third more after gzip (its 6-bit groups hide the module's byte patterns from
// the compressor); this keeps bytes whole: the module's 90 most frequent byte values are
// one character each, the other 166 a prefix (`~` or `^`) and a character. Gzipped it
// is within 0.1% of the raw wasm. The alphabet leaves out `\`, `'`, `<` (so `</script`
// cannot appear) and the two prefixes, so the text needs no escapes in a JS string.
export const ALPHABET = [...Array(95)]
  .map((_, i) => String.fromCharCode(0x20 + i))
  .filter((c) => !'\\\'<~^'.includes(c))
  .join('');
const SINGLE = ALPHABET.length; // 90

/** `{ length, order, text }`: `order` lists byte values by rank; see `encodeWasm`. */
export function decodeWasm({ length, order, text }) {
  const rank = new Int16Array(128).fill(-1);
  for (let i = 0; i < SINGLE; i++) rank[ALPHABET.charCodeAt(i)] = i;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (let i = 0; i < text.length && at < length; ) {
    const c = text.charCodeAt(i++);
    if (c === 0x7e) bytes[at++] = order[SINGLE + rank[text.charCodeAt(i++)]];
    else if (c === 0x5e) bytes[at++] = order[2 * SINGLE + rank[text.charCodeAt(i++)]];
    else bytes[at++] = order[rank[c]];
  }
  return bytes;
}

/** The inverse of `decodeWasm` (used by the build). */
export function encodeWasm(bytes) {
  const counts = new Array(256).fill(0);
  for (const b of bytes) counts[b]++;
  const order = [...counts.keys()].sort((a, b) => counts[b] - counts[a] || a - b);
  const token = new Array(256);
  order.forEach((byte, r) => {
    token[byte] = r < SINGLE ? ALPHABET[r] : (r < 2 * SINGLE ? '~' : '^') + ALPHABET[r % SINGLE];
  });
  let text = '';
  for (const b of bytes) text += token[b];
  return { length: bytes.length, order, text };
}

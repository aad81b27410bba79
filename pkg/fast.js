// Typed fast paths for the hottest calls. Passing a string through wasm-bindgen
// allocates, encodes and frees inside wasm on every call, and returning a JS string
// goes through the externref table: together several times the lookup itself. Here
// `get` and `getMany` encode keys straight into a scratch buffer in wasm memory, pass
// only lengths, get node indices back, and map them to ids cached per membership.
// Anything that is not a string (or an array of strings) takes the checked methods,
// with their TypeErrors.
const UTF8 = new TextEncoder();
const NONE = 0xffffffff;

export function withFastPaths(ringroute) {
  const Ring = ringroute.HashRing;
  const proto = Ring.prototype;
  let memory = null; // fetched on first use: on the web, after init()
  let keys = new Uint8Array(0); // view on the key buffer
  let lens = new Uint32Array(0); // view on the lengths buffer

  // Views on wasm memory detach (length 0) whenever memory grows; then, or when too
  // small, grow the buffers first and take fresh views after (growing may move them).
  function reserve(bytes, count) {
    if (keys.length < bytes || lens.length < count || keys.length === 0 || lens.length === 0) {
      const keyBytes = Math.max(bytes, 256, keys.length);
      const lenCount = Math.max(count, 64, lens.length);
      const keysAt = Ring.__scratchKeys(keyBytes);
      const lensAt = Ring.__scratchLens(lenCount);
      memory ??= Ring.__memory();
      keys = new Uint8Array(memory.buffer, keysAt, keyBytes);
      lens = new Uint32Array(memory.buffer, lensAt, lenCount);
    }
  }

  /** Writes `key` as UTF-8 at `at` in the key buffer; returns its length in bytes. */
  function encode(key, at) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit. encodeInto beats a charCodeAt loop
    // here, most of all on concatenated (cons) strings, which keys usually are.
    reserve(at + 3 * key.length, 0);
    return UTF8.encodeInto(key, at === 0 ? keys : keys.subarray(at)).written;
  }

  // Node ids by index, cached per ring until its membership changes.
  const idCache = new WeakMap();
  const idsOf = (ring) => {
    let ids = idCache.get(ring);
    if (!ids) idCache.set(ring, (ids = ring.nodes()));
    return ids;
  };
  for (const name of ['add', 'remove', 'setWeight']) {
    const method = proto[name];
    proto[name] = function (...args) {
      idCache.delete(this);
      return method.apply(this, args);
    };
  }

  const checkedGet = proto.get;
  proto.get = function get(key) {
    if (typeof key === 'string') {
      const index = this.__indexScratch(encode(key, 0));
      return index === NONE ? undefined : idsOf(this)[index];
    }
    if (key instanceof Uint8Array) {
      reserve(key.length, 0);
      keys.set(key);
      const index = this.__indexScratch(key.length);
      return index === NONE ? undefined : idsOf(this)[index];
    }
    return checkedGet.call(this, key);
  };

  const checkedGetMany = proto.getMany;
  proto.getMany = function getMany(keyList) {
    if (!Array.isArray(keyList)) return checkedGetMany.call(this, keyList);
    const count = keyList.length;
    for (let i = 0; i < count; i++) {
      if (typeof keyList[i] !== 'string') return checkedGetMany.call(this, keyList);
    }
    const text = keyList.join('');
    reserve(text.length, count);
    const { read, written } = UTF8.encodeInto(text, keys);
    if (read === text.length && written === text.length) {
      // All ASCII: one byte per UTF-16 unit.
      for (let i = 0; i < count; i++) lens[i] = keyList[i].length;
    } else {
      let at = 0;
      for (let i = 0; i < count; i++) {
        const n = encode(keyList[i], at);
        reserve(0, count);
        lens[i] = n;
        at += n;
      }
    }
    if (!this.__indexManyScratch(count)) return checkedGetMany.call(this, keyList);
    reserve(0, count);
    const ids = idsOf(this);
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const index = lens[i];
      out[i] = index === NONE ? undefined : ids[index];
    }
    return out;
  };
  return ringroute;
}

// Typed fast paths for the hottest call. A checked `any` argument costs three boundary
// crossings (measured: about twice the time of the whole lookup); a `string` or
// `Uint8Array` argument goes straight into wasm memory. Anything else falls back to the
// checked method and its TypeError.
export function withFastPaths(ringroute) {
  const proto = ringroute.HashRing.prototype;
  const checkedGet = proto.get;
  proto.get = function get(key) {
    if (typeof key === 'string') return this.getStr(key);
    if (key instanceof Uint8Array) return this.getBytes(key);
    return checkedGet.call(this, key);
  };
  const checkedGetMany = proto.getMany;
  proto.getMany = function getMany(keys) {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return checkedGetMany.call(this, keys);
    const lens = new Uint32Array(keys.length);
    for (let i = 0; i < keys.length; i++) lens[i] = keys[i].length;
    const indices = this.indexMany(keys.join(''), lens);
    if (indices === undefined) return keys.map((k) => this.getStr(k));
    const ids = this.nodes();
    const out = new Array(keys.length);
    for (let i = 0; i < indices.length; i++) out[i] = ids[indices[i]];
    return out;
  };
  return ringroute;
}

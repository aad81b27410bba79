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
  return ringroute;
}

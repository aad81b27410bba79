// CommonJS twin of fast.js (Node's `require` cannot load ES modules before Node 22).
'use strict';
exports.withFastPaths = function withFastPaths(ringroute) {
  const proto = ringroute.HashRing.prototype;
  const checkedGet = proto.get;
  proto.get = function get(key) {
    if (typeof key === 'string') return this.getStr(key);
    if (key instanceof Uint8Array) return this.getBytes(key);
    return checkedGet.call(this, key);
  };
  return ringroute;
};

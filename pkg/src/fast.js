// Typed fast paths for the hottest calls. A string crossing into wasm is encoded and
// copied into wasm memory, and a string coming back goes through the externref table:
// together several times the lookup itself. Here `get` and `getMany` hash the key in JS
// (./hash.js, the same MurmurHash3), pass only its position, get the owner's index back
// and map it to an id cached per membership version, which ring-core bumps on every
// change: one source of truth, no list of mutating methods to keep up to date. Anything
// that is not a string or a Uint8Array takes the checked methods, with their TypeErrors.
import { freed } from './guard.js';
import { hashBytes, hashString } from './hash.js';

const NO_OWNER = 0xffffffff;
const STALE = 0xfffffffe;
// Per-ring cache on the instance itself (a WeakMap lookup would cost as much as the hash).
const SEED = Symbol('ringroute.seed');
const IDS = Symbol('ringroute.ids');
const VERSION = Symbol('ringroute.version');

export function withFastPaths(ringroute) {
  const proto = ringroute.HashRing.prototype;

  // The owner's id of a position. A stale version (or a first call) refreshes the ids
  // and asks again; a ring that changes between the two calls cannot exist, since JS
  // runs nothing else in between.
  function ownerOf(ring, position) {
    let index = ring.__ownerAt(position, ring[VERSION] ?? -1);
    if (index === STALE) {
      ring[IDS] = ring.nodes();
      ring[VERSION] = ring.__version;
      index = ring.__ownerAt(position, ring[VERSION]);
    }
    return index === NO_OWNER ? undefined : ring[IDS][index];
  }

  const seedOf = (ring) => (ring[SEED] ??= ring.seed);

  const checkedGet = proto.get;
  proto.get = function get(key) {
    if (this.__wbg_ptr === 0) throw freed('HashRing.get()');
    if (typeof key === 'string') return ownerOf(this, hashString(key, seedOf(this)));
    if (key instanceof Uint8Array) return ownerOf(this, hashBytes(key, seedOf(this)));
    return checkedGet.call(this, key);
  };

  const checkedGetMany = proto.getMany;
  proto.getMany = function getMany(keys) {
    if (this.__wbg_ptr === 0) throw freed('HashRing.getMany()');
    if (!Array.isArray(keys)) return checkedGetMany.call(this, keys);
    const count = keys.length;
    const out = new Array(count);
    const seed = seedOf(this);
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      if (typeof key === 'string') out[i] = ownerOf(this, hashString(key, seed));
      else if (key instanceof Uint8Array) out[i] = ownerOf(this, hashBytes(key, seed));
      else return checkedGetMany.call(this, keys); // its TypeError names the index
    }
    return out;
  };
  return ringroute;
}

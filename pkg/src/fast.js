// Typed fast paths for the hottest calls. A string crossing into wasm is encoded and
// copied into wasm memory, and a string coming back goes through the externref table:
// together several times the lookup itself. Here `get` and `getMany` hash the key in JS
// (./hash.js, the same MurmurHash3), pass only its position, get the owner's index back
// and map it to an id cached per membership version, which ring-core bumps on every
// change: one source of truth, no list of mutating methods to keep up to date. Anything
// that is not a string or a Uint8Array takes the checked methods, with their TypeErrors.
import { coded, freed, rethrow } from './guard.js';
import { hashBytes, hashString } from './hash.js';

const NO_OWNER = 0xffffffff;
const STALE = 0xfffffffe;
// Each ring's cache, on the instance itself: one property holding one object of one
// shape (a WeakMap lookup would cost as much as the hash).
const CACHE = Symbol('ringroute.cache');

class Cache {
  constructor(ring) {
    this.seed = ring.seed; // fixed for a ring's life
    this.version = -1; // no ids yet
    this.ids = [];
  }

  refresh(ring) {
    this.ids = ring.nodes();
    this.version = ring.__version;
  }
}

export function withFastPaths(ringroute) {
  const proto = ringroute.HashRing.prototype;
  // The raw lookups leave the prototype: they trust their arguments (`__ownersAt` takes
  // a Uint32Array, whose size wasm-bindgen allocates), so only the fast paths call them.
  const ownerAt = proto.__ownerAt;
  const ownersAt = proto.__ownersAt;
  delete proto.__ownerAt;
  delete proto.__ownersAt;
  const cacheOf = (ring) => ring[CACHE] ?? (ring[CACHE] = new Cache(ring));

  // The owner's id of a position. A stale version (or a first call) refreshes the ids
  // and asks again; the ring cannot change in between, as JS runs nothing else there.
  function ownerOf(ring, cache, position) {
    let index;
    try {
      index = ownerAt.call(ring, position, cache.version);
      if (index === STALE) {
        cache.refresh(ring);
        index = ownerAt.call(ring, position, cache.version);
      }
    } catch (error) {
      rethrow(error); // only from a getter inside another call on this ring
    }
    return index === NO_OWNER ? undefined : cache.ids[index];
  }

  const checkedGet = proto.get;
  proto.get = function get(key) {
    if (!(this.__wbg_ptr > 0)) throw freed('HashRing.get()');
    const cache = cacheOf(this);
    if (typeof key === 'string') return ownerOf(this, cache, hashString(key, cache.seed));
    if (key instanceof Uint8Array) return ownerOf(this, cache, hashBytes(key, cache.seed));
    return checkedGet.call(this, key);
  };

  // `position` answers from the same JS hash as `get`, so every test of positions (the
  // MurmurHash3 reference vectors, the golden vectors) checks the hash `get` uses. The
  // hash computed in wasm stays reachable for the differential tests.
  const wasmPosition = proto.position;
  Object.defineProperty(proto, '__wasmPosition', { value: wasmPosition });
  proto.position = function position(key) {
    if (!(this.__wbg_ptr > 0)) throw freed('HashRing.position()');
    const cache = cacheOf(this);
    if (typeof key === 'string') return hashString(key, cache.seed) >>> 0;
    if (key instanceof Uint8Array) return hashBytes(key, cache.seed) >>> 0;
    return wasmPosition.call(this, key);
  };

  // getMany reads every key in JS before wasm is entered: a key that throws (a getter, a
  // detached buffer) then throws with no instance borrowed.
  proto.getMany = function getMany(keys) {
    if (!(this.__wbg_ptr > 0)) throw freed('HashRing.getMany()');
    if (!Array.isArray(keys)) {
      throw coded(new TypeError(`getMany(): keys must be an array, got ${describe(keys)}`), 'INVALID_TYPE');
    }
    const cache = cacheOf(this);
    const count = keys.length;
    const owners = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const key = keys[i];
      if (typeof key === 'string') owners[i] = hashString(key, cache.seed);
      else if (key instanceof Uint8Array) owners[i] = hashBytes(key, cache.seed);
      else {
        throw coded(new TypeError(`getMany(): keys[${i}]: key must be a string or a Uint8Array, got ${describe(key)}`), 'INVALID_TYPE');
      }
    }
    // Positions in, owner indices out, in one call. (The int32 hashes were stored as
    // their unsigned 32 bits.)
    try {
      if (!ownersAt.call(this, owners, cache.version)) {
        cache.refresh(this);
        ownersAt.call(this, owners, cache.version);
      }
    } catch (error) {
      rethrow(error); // only from a getter inside another call on this ring
    }
    const ids = cache.ids;
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const index = owners[i];
      out[i] = index === NO_OWNER ? undefined : ids[index];
    }
    return out;
  };
  return ringroute;
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'number' ? `number ${value}` : type === 'object' ? 'an object' : `a ${type}`;
}

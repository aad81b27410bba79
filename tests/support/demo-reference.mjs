// ring-core's answers for a membership the demo page showed, from the `ringroute`
// package (ring-core through wasm, proven equal to native by the golden vectors), never
// from the demo's own code.
import { HashRing } from 'ringroute';

/** ring-core's ring for a membership the page showed; the caller frees it. */
export function ringOf(m) {
  const ring = new HashRing({ vnodes: m.vnodes, seed: m.seed });
  for (const s of m.servers) ring.add(s.id, { weight: s.weight });
  return ring;
}

/** ring-core's owners, and modulo's (sorted ids, position % n), for the page's keys. */
export function reference(m) {
  const ring = ringOf(m);
  const keys = [...m.users, ...m.hot];
  const owners = new Map(keys.map((u) => [u, ring.get(u)]));
  const ids = m.servers.map((s) => s.id).sort();
  const modulo = new Map(keys.map((u) => [u, ids[ring.position(u) % ids.length]]));
  const shares = new Map(ring.shares().map((s) => [s.id, s.share]));
  ring.free();
  return { owners, modulo, shares };
}

/** How many of `keys` have a different answer in maps `a` and `b`. */
export function movedBetween(a, b, keys) {
  return keys.filter((k) => a.get(k) !== b.get(k)).length;
}


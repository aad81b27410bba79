// SPEC.md §2-§11 as a plain-JS model: points, lookup, replicas, shares, fingerprint,
// plans and transitions. Written from the spec (and tests/vectors/reference.py); it
// never calls the package.
import { murmur3, utf8, keyBytes, compareBytes, Fnv64 } from './hash.mjs';

export const MAX_VNODES = 65536;
export const MAX_ID_BYTES = 4096;
export const MAX_NODE_POINTS = 1 << 20;
export const MAX_NODES = 1 << 16;
export const MAX_POINTS = 1 << 24;
export const RING = 2 ** 32;

/** SPEC §3: count = max(1, floor(w × vnodes + 0.5)); null when too large. */
export function vnodeCount(weight, vnodes) {
  const c = Math.floor(weight * vnodes + 0.5);
  if (c > MAX_NODE_POINTS) return null;
  return Math.max(1, c);
}

export const validWeight = (w) => typeof w === 'number' && Number.isFinite(w) && w > 0;

// One node's point positions, cached by (seed, id, count): rings are rebuilt often.
const positionCache = new Map();
function nodePositions(idBytes, id, count, seed) {
  const key = `${seed}\u0000${count}\u0000${id}`;
  let p = positionCache.get(key);
  if (p) return p;
  p = new Uint32Array(count);
  const label = new Uint8Array(idBytes.length + 4);
  label.set(idBytes);
  const at = idBytes.length;
  for (let i = 0; i < count; i++) {
    label[at] = i & 0xff; label[at + 1] = (i >>> 8) & 0xff;
    label[at + 2] = (i >>> 16) & 0xff; label[at + 3] = (i >>> 24) & 0xff;
    p[i] = murmur3(label, seed);
  }
  if (positionCache.size > 4000) positionCache.clear();
  positionCache.set(key, p);
  return p;
}

/** Builds sorted points for a membership: {nodes (id order), positions, owners}. */
export function buildPoints(members, seed) {
  const nodes = [...members].sort((a, b) => compareBytes(a.bytes, b.bytes));
  let total = 0;
  for (const n of nodes) total += n.count;
  const keys = new Float64Array(total);
  let at = 0;
  nodes.forEach((n, rank) => {
    const ps = nodePositions(n.bytes, n.id, n.count, seed);
    for (let i = 0; i < ps.length; i++) keys[at++] = ps[i] * 65536 + rank;
  });
  keys.sort();
  const positions = new Uint32Array(total);
  const owners = new Uint16Array(total);
  for (let i = 0; i < total; i++) {
    positions[i] = Math.floor(keys[i] / 65536);
    owners[i] = keys[i] % 65536;
  }
  return { nodes, positions, owners };
}

/** SPEC §4/§5: a node owns nothing when every one of its points ties an earlier point. */
export function shadowed(built) {
  const { nodes, positions, owners } = built;
  const owns = new Uint8Array(nodes.length);
  for (let j = 0; j < positions.length; j++) {
    if (j === 0 || positions[j] !== positions[j - 1]) owns[owners[j]] = 1;
  }
  return nodes.some((_, r) => !owns[r]);
}

function lowerBound(arr, x) {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const fingerprints = new WeakMap();

export class ModelRing {
  constructor(vnodes = 1024, seed = 0) {
    this.vnodes = vnodes;
    this.seed = seed;
    this.members = new Map(); // id -> { id, bytes, weight, count, data }
    this.rebuild();
  }

  clone() {
    const r = new ModelRing(this.vnodes, this.seed);
    for (const [id, m] of this.members) r.members.set(id, { ...m });
    r.built = this.built;
    return r;
  }

  rebuild() {
    this.built = buildPoints(this.members.values(), this.seed);
  }

  /** A member record for `id` with `weight`, or an error code. */
  member(id, weight, data) {
    const bytes = utf8(id);
    return { id, bytes, weight, count: vnodeCount(weight, this.vnodes), data };
  }

  /** The membership with `changes` applied, built; null if a node would be shadowed. */
  tryWith(changes) {
    const next = new Map(this.members);
    for (const m of changes) next.set(m.id, m);
    const built = buildPoints(next.values(), this.seed);
    return shadowed(built) ? null : { members: next, built };
  }

  commit(t) {
    this.members = t.members;
    this.built = t.built;
  }

  get size() { return this.members.size; }
  get pointCount() { return this.built.positions.length; }
  ids() { return this.built.nodes.map((n) => n.id); }
  position(key) { return murmur3(keyBytes(key), this.seed); }

  pointAt(position) {
    const ps = this.built.positions;
    if (ps.length === 0) return -1;
    const i = lowerBound(ps, position);
    return i === ps.length ? 0 : i;
  }

  ownerAt(position) {
    const i = this.pointAt(position);
    return i < 0 ? undefined : this.built.nodes[this.built.owners[i]].id;
  }

  get(key) { return this.ownerAt(this.position(key)); }

  successorsAt(position, n) {
    const out = [];
    const i = this.pointAt(position);
    if (i < 0) return out;
    const { positions, owners, nodes } = this.built;
    const seen = new Uint8Array(nodes.length);
    for (let s = 0; s < positions.length && out.length < n; s++) {
      const r = owners[(i + s) % positions.length];
      if (!seen[r]) { seen[r] = 1; out.push(nodes[r].id); }
    }
    return out;
  }

  getN(key, n) { return this.successorsAt(this.position(key), n); }

  owned() {
    const { positions, owners, nodes } = this.built;
    const owned = new Array(nodes.length).fill(0);
    if (positions.length) {
      let prev = positions[positions.length - 1] - RING;
      for (let j = 0; j < positions.length; j++) {
        owned[owners[j]] += positions[j] - prev;
        prev = positions[j];
      }
    }
    return owned;
  }

  shares() {
    const owned = this.owned();
    return this.built.nodes.map((n, i) => ({ id: n.id, share: owned[i] / RING }));
  }

  fingerprint() {
    // One per membership: rings are checked after every operation.
    const cached = fingerprints.get(this.built);
    if (cached && cached.vnodes === this.vnodes && cached.seed === this.seed) return cached.hex;
    const hex = this.computeFingerprint();
    fingerprints.set(this.built, { vnodes: this.vnodes, seed: this.seed, hex });
    return hex;
  }

  computeFingerprint() {
    const f = new Fnv64();
    f.bytes(utf8('ringroute/fingerprint/v1'));
    const { nodes, positions, owners } = this.built;
    f.u32(this.vnodes); f.u32(this.seed); f.u32(nodes.length);
    for (const n of nodes) {
      f.u32(n.bytes.length); f.bytes(n.bytes); f.f64(n.weight); f.u32(n.count);
    }
    f.u32(positions.length);
    for (let j = 0; j < positions.length; j++) { f.u32(positions[j]); f.u32(owners[j]); }
    return f.hex();
  }

  /** SPEC §14 document, epoch given; string data become addresses. */
  toJSON(epoch = 0) {
    return {
      version: 1, epoch, vnodes: this.vnodes, seed: this.seed,
      servers: this.built.nodes.map((n) => {
        const s = { id: n.id };
        if (typeof n.data === 'string') s.address = n.data;
        s.weight = n.weight;
        return s;
      }),
    };
  }
}

/** SPEC §10: the arcs on which both rings' owners are constant. */
function segments(a, b) {
  const pa = a.built.positions, pb = b.built.positions;
  if (!pa.length || !pb.length) return [];
  const cuts = [...new Set([...pa, ...pb])].sort((x, y) => x - y);
  const out = [];
  let first = 0;
  for (const c of cuts) { out.push([first, c]); first = c + 1; }
  if (first <= RING - 1) out.push([first, RING - 1]);
  return out;
}

/** SPEC §10 plan: [{first, last, from, to}] merged, in position order. */
export function diff(a, b) {
  const moves = [];
  for (const [first, last] of segments(a, b)) {
    const from = a.ownerAt(last), to = b.ownerAt(last);
    if (from === to) continue;
    const prev = moves[moves.length - 1];
    if (prev && prev.from === from && prev.to === to && prev.last + 1 === first) prev.last = last;
    else moves.push({ first, last, from, to });
  }
  return moves;
}

const len = (m) => m.last - m.first + 1;

export class ModelPlan {
  constructor(moves) { this.movesList = moves; }
  moves() { return this.movesList.map((m) => ({ ...m })); }
  get length() { return this.movesList.length; }
  moved(position) {
    const m = this.movesList.find((x) => x.first <= position && position <= x.last);
    return m ? { ...m } : undefined;
  }
  get movedFraction() { return this.movesList.reduce((s, m) => s + len(m), 0) / RING; }
  flows() {
    const pairs = new Map();
    for (const m of this.movesList) {
      const k = JSON.stringify([m.from, m.to]);
      pairs.set(k, (pairs.get(k) ?? 0) + len(m));
    }
    const cmp = (x, y) => compareBytes(utf8(x), utf8(y));
    return [...pairs].map(([k, length]) => {
      const [from, to] = JSON.parse(k);
      return { from, to, length, fraction: length / RING };
    }).sort((x, y) => cmp(x.from, y.from) || cmp(x.to, y.to));
  }
}

/** SPEC §11. */
export class ModelTransition {
  constructor(oldRing, newRing, epoch) {
    this.old = oldRing.clone();
    this.new = newRing.clone();
    this.epoch = epoch;
    this.moves = diff(this.old, this.new);
    const label = new Uint8Array(12);
    const dv = new DataView(label.buffer);
    const keyed = this.moves.map((m, i) => {
      dv.setBigUint64(0, BigInt(epoch), true);
      dv.setUint32(8, m.first, true);
      return [murmur3(label, this.old.seed), m.first, i];
    });
    keyed.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    this.order = keyed.map((k) => k[2]);
    this.rank = new Array(this.moves.length);
    this.order.forEach((arc, r) => { this.rank[arc] = r; });
    this.cumulative = [];
    let sum = 0;
    for (const i of this.order) { sum += len(this.moves[i]); this.cumulative.push(sum); }
    this.total = sum;
    this.threshold = 0;
    this.cut = 0;
  }

  /** Returns newly cut count, or null when the threshold would shrink. */
  advance(threshold) {
    if (threshold < this.threshold) return null;
    this.threshold = threshold;
    let cut = 0;
    while (cut < this.cumulative.length && this.cumulative[cut] <= threshold) cut++;
    const newly = cut - this.cut;
    this.cut = cut;
    return newly;
  }

  stepThreshold(step, steps) {
    // floor(T × s / S) in integer arithmetic: T < 2^33 and s < 2^32 overflow doubles.
    return Number((BigInt(this.total) * BigInt(step)) / BigInt(steps));
  }

  progressThreshold(p) { return Math.trunc(p * this.total); }

  get progress() {
    if (this.total === 0) return 1;
    return (this.cut === 0 ? 0 : this.cumulative[this.cut - 1]) / this.total;
  }

  /** The index of the moving arc holding position `q`, or -1 (arcs are sorted, disjoint). */
  arcAt(q) {
    let lo = 0, hi = this.moves.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.moves[mid].last < q) lo = mid + 1; else hi = mid; }
    return lo < this.moves.length && this.moves[lo].first <= q ? lo : -1;
  }

  route(key) {
    const q = this.new.position(key);
    const arc = this.arcAt(q);
    if (arc < 0) {
      const owner = this.new.ownerAt(q) ?? this.old.ownerAt(q);
      return owner === undefined ? undefined : { owner };
    }
    if (this.rank[arc] < this.cut) return { owner: this.new.ownerAt(q), previous: this.old.ownerAt(q) };
    return { owner: this.old.ownerAt(q) };
  }

  cutOver() { return this.order.slice(0, this.cut).map((i) => ({ ...this.moves[i] })); }
  pending() { return this.order.slice(this.cut).map((i) => ({ ...this.moves[i] })); }
}

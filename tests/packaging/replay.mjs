// What every cell of the matrix computes, and how its answers are checked against the
// golden vectors. `replay` runs inside the cell (Node, Deno, Bun, workerd, Chromium,
// Jest): its source text is pasted into each user app, so it must stay self-contained
// (no imports, no closures over this module) and use nothing but the package's classes.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const vectors = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const load = (file) => JSON.parse(readFileSync(join(vectors, file), 'utf8'));

export const ringVector = load('weighted-unicode.json');
export const migrationVector = load(join('migration', 'swap-unicode.json'));
export const ketamaVector = load(join('ketama', 'ketama.json'));
// The MurmurHash3 reference values (mmh3): the package hashes keys in JS, so each cell
// checks that hash as well as the routes built on it.
export const murmurVector = load(join('external', 'murmur3_x86_32.json'));
// libmemcached's first 64 answers of every membership: keys `key:0` .. `key:63`.
const ketamaKeys = Array.from({ length: 64 }, (_, i) => `key:${i}`);

/** The input a cell replays: one ring vector in full, one migration, Ketama memberships. */
export const doc = {
  ring: { config: ringVector.config, nodes: ringVector.nodes, successors_n: ringVector.successors_n, lookups: ringVector.lookups.map(({ key, key_hex }) => (key_hex === undefined ? { key } : { key_hex })) },
  migration: {
    old: migrationVector.old,
    new: migrationVector.new,
    epoch: migrationVector.epoch,
    steps: migrationVector.expect.steps,
    keys: migrationVector.lookups.map((l) => l.key),
  },
  ketama: { keys: ketamaKeys, configs: ketamaVector.configs.map((c) => c.servers) },
  murmur: murmurVector.cases.map(({ hex, seed }) => ({ hex, seed })),
};

/* eslint-disable */
// Runs in the cell. `lib` holds the classes of one entry (ringroute or ringroute/full).
export function replay(lib, doc) {
  const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));
  const orNull = (v) => (v === undefined ? null : v);
  const build = (config, nodes) => {
    const ring = new lib.HashRing(config);
    for (const n of nodes) ring.add(n.id, { weight: n.weight });
    return ring;
  };
  const out = {};
  const v = doc.ring;
  const ring = build(v.config, v.nodes);
  const keys = v.lookups.map((l) => ('key' in l ? l.key : hex(l.key_hex)));
  out.ring = {
    fingerprint: ring.fingerprint,
    pointCount: ring.pointCount,
    positions: keys.map((k) => ring.position(k)),
    owners: keys.map((k) => orNull(ring.get(k))),
    many: ring.getMany(keys).map(orNull),
    successors: keys.map((k) => ring.getN(k, v.successors_n)),
  };
  ring.free();
  out.murmur = doc.murmur.map(({ hex: h, seed }) => {
    const empty = new lib.HashRing({ seed });
    const position = empty.position(hex(h));
    empty.free();
    return position;
  });

  const m = doc.migration;
  const prev = build(m.old.config, m.old.nodes);
  const next = build(m.new.config, m.new.nodes);
  const moves = prev.diff(next).moves().map((x) => [x.first, x.last, x.from, x.to]);
  const t = new lib.Transition(prev, next, m.epoch);
  const cutCounts = [];
  const routes = m.keys.map(() => []);
  for (let step = 0; step <= m.steps; step++) {
    t.setStep(step, m.steps);
    cutCounts.push(t.cutOver().length);
    m.keys.forEach((key, i) => {
      const r = t.route(key);
      routes[i].push([r.owner, orNull(r.previous)]);
    });
  }
  out.migration = { moves, cutCounts, routes, cutOrder: t.cutOver().map((x) => x.first), complete: t.complete().fingerprint, next: next.fingerprint };

  if (lib.Ketama) {
    out.ketama = doc.ketama.configs.map((servers) => {
      const k = new lib.Ketama();
      for (const s of servers) k.add(s.host, s.port, { weight: s.weight });
      const names = servers.map((s) => `${s.host}:${s.port}`);
      const owners = doc.ketama.keys.map((key) => names.indexOf(k.get(key)));
      k.free();
      return owners;
    });
  }
  if (lib.BoundedLoads) {
    const r = build({ vnodes: 160 }, [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }]);
    const loads = new lib.BoundedLoads(1.25);
    const items = Array.from({ length: 300 }, (_, i) => `conn:${i}`);
    const before = items.map((item) => orNull(loads.assign(r, item))).join(',');
    const caps = ['a', 'b', 'c'].map((id) => loads.cap(r, id));
    const loadsBefore = ['a', 'b', 'c'].map((id) => loads.load(id));
    r.remove('b');
    const moved = loads.rebalance(r);
    const after = items.map((item) => orNull(loads.owner(item))).join(',');
    const loadsAfter = ['a', 'b', 'c'].map((id) => loads.load(id));
    out.bounded = { before, after, caps, loadsBefore, loadsAfter, moved, size: loads.size };
    loads.free();
    r.free();
  }
  return out;
}
/* eslint-enable */

/** Differences between a cell's answers and the vectors (empty when all agree). */
export function problems(out, { full }) {
  const found = [];
  const same = (what, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      found.push(`${what}: got ${JSON.stringify(got)?.slice(0, 200)}, want ${JSON.stringify(want)?.slice(0, 200)}`);
    }
  };
  const eachSame = (what, got, want, label) => {
    if (!Array.isArray(got) || got.length !== want.length) return same(`${what} (length)`, got?.length, want.length);
    want.forEach((w, i) => {
      if (found.length < 12) same(`${what} of ${label(i)}`, got[i], w);
    });
  };
  if (!out?.ring) return ['no ring answers'];
  const lk = ringVector.lookups;
  const label = (i) => JSON.stringify(lk[i].key ?? `0x${lk[i].key_hex}`);
  same('fingerprint', out.ring.fingerprint, ringVector.expect.fingerprint);
  same('pointCount', out.ring.pointCount, ringVector.expect.point_count);
  eachSame('position', out.ring.positions, lk.map((l) => l.position), label);
  eachSame('get', out.ring.owners, lk.map((l) => l.owner ?? null), label);
  eachSame('getMany', out.ring.many, lk.map((l) => l.owner ?? null), label);
  eachSame(`getN(${ringVector.successors_n})`, out.ring.successors, lk.map((l) => l.successors), label);
  const mm = murmurVector.cases;
  eachSame('MurmurHash3 (position)', out.murmur, mm.map((c) => c.hash), (i) => `0x${mm[i].hex} seed ${mm[i].seed}`);

  const mv = migrationVector;
  const m = out.migration;
  if (!m) found.push('no migration answers');
  else {
    same('migration moves', m.moves, mv.expect.moves);
    same('migration cut counts', m.cutCounts, mv.expect.cut_counts);
    same('migration cut order', m.cutOrder, mv.expect.cut_order);
    same('migration complete() fingerprint', m.complete, m.next);
    eachSame('Transition.route', m.routes, mv.lookups.map((l) => l.routes), (i) => mv.lookups[i].key);
  }
  if (full) {
    if (!out.ketama) found.push('no Ketama answers');
    else eachSame('Ketama (libmemcached sample)', out.ketama, ketamaVector.configs.map((c) => c.libmemcached.sample.slice(0, 64)), (i) => ketamaVector.configs[i].name);
    const b = out.bounded;
    if (!b) found.push('no BoundedLoads answers');
    else {
      // ceil(1.25 × 300 / 3) = 125; every item placed; b's items move and b ends empty.
      same('BoundedLoads caps', b.caps, [125, 125, 125]);
      if (b.loadsBefore.some((l) => l > 125) || b.loadsBefore.reduce((x, y) => x + y, 0) !== 300) found.push(`BoundedLoads loads ${b.loadsBefore}`);
      if (b.loadsAfter[1] !== 0 || b.loadsAfter.reduce((x, y) => x + y, 0) !== 300) found.push(`BoundedLoads loads after b left ${b.loadsAfter}`);
      const [before, after] = [b.before.split(','), b.after.split(',')];
      same('BoundedLoads moved', b.moved, before.filter((o, i) => o !== after[i]).length);
      if (after.includes('b') || after.includes('null')) found.push('BoundedLoads: an item still on b or unplaced');
    }
  }
  return found;
}

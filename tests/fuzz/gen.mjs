// Random operations, chosen with an eye on the model's current state (existing ids,
// live instances) so most calls do something, and a steady share of invalid and hostile
// ones. Generation reads only the model, so a seed gives the same list on every run.
import { KINDS } from './engine.mjs';
import { genId, genKey, genNumber, genWeight, genWrongType, ID_POOL, w } from './values.mjs';
import { vnodeCount } from './model/ring.mjs';
import { craftShadow } from './shadow.mjs';

/**
 * FUZZ_FOCUS=bounded,ketama,transition: ten times the weight for those operations (a
 * deeper look at one area; CI never sets it).
 */
const FOCUS = new Set((process.env.FUZZ_FOCUS ?? '').split(',').filter(Boolean));
const FAMILY = new WeakMap();

const POINT_BUDGET = 40_000; // per ring, so the model stays fast and memory bounded
const MODS = ['main', 'full'];

function liveSlots(engine, kind) {
  const out = [];
  engine.slots[kind].forEach((s, i) => { if (s && !s.freed) out.push(i); });
  return out;
}

function anySlot(engine, kind, rnd) {
  const live = liveSlots(engine, kind);
  if (live.length && rnd.chance(0.93)) return rnd.pick(live);
  return rnd.int(KINDS[kind]);
}

function ringRef(engine, rnd, mod) {
  const rings = engine.slots.ring;
  const same = [];
  rings.forEach((s, i) => { if (s && !s.freed && (!mod || s.mod === mod)) same.push(i); });
  return rnd.weighted([
    [90, () => ({ $: 'ref', kind: 'ring', i: same.length ? rnd.pick(same) : rnd.int(KINDS.ring) })],
    [4, () => ({ $: 'ref', kind: 'ring', i: rnd.int(KINDS.ring) })], // maybe freed or other module
    [2, () => ({ $: 'ref', kind: rnd.pick(['ketama', 'bounded', 'plan', 'trans']), i: 0 })],
    [w('freed', 2), () => ({ $: 'fake', cls: 'HashRing', mod: mod ?? rnd.pick(MODS) })],
    [2, () => genWrongType(rnd)],
  ]);
}

/** An id, biased toward the ring's members. */
function idFor(engine, rnd, ringSlot) {
  const m = ringSlot?.m;
  if (m && m.size && rnd.chance(0.45)) return rnd.pick(m.ids());
  return genId(rnd);
}

function vnodesValue(rnd) {
  return rnd.weighted([
    [40, () => rnd.pick([1, 2, 3, 4, 8, 16, 40, 64, 100, 160])],
    [4, undefined],
    [2, 1024],
    [8, () => genNumber(rnd)],
  ]);
}

function ringOptions(rnd) {
  return rnd.weighted([
    [70, () => ({ vnodes: vnodesValue(rnd), seed: rnd.weighted([[70, () => rnd.int(3)], [10, 2 ** 32 - 1], [10, () => genNumber(rnd)], [10, undefined]]) })],
    [5, undefined],
    [5, () => rnd.pick([null, 'nope', 5, [], { $: 'fn' }, { seed: 1 }])],
  ]);
}

/** Options whose getters throw or call other instances (re-entrancy). */
function hostileOptions(engine, rnd, fields, plainValues, outer) {
  const name = rnd.pick(fields);
  const getter = rnd.chance(0.4) ? { throws: true } : { value: plainValues[name], nested: nestedOp(engine, rnd, outer) };
  const plain = {};
  for (const f of fields) if (f !== name && plainValues[f] !== undefined) plain[f] = plainValues[f];
  return { $: 'hostile', plain, getters: { [name]: getter } };
}

/**
 * An operation run from inside a getter: a lookup on any live ring, or a change to a
 * ring other than `outer` (the instance whose call runs the getter).
 */
function nestedOp(engine, rnd, outer) {
  const rings = liveSlots(engine, 'ring');
  if (!rings.length) return undefined;
  const k = rnd.pick(rings);
  const others = rings.filter((i) => i !== outer);
  if (others.length && rnd.chance(0.25)) {
    const j = rnd.pick(others);
    return rnd.chance(0.6) ? { t: 'add', k: j, a: [`nested-${rnd.int(1000)}`] } : { t: 'remove', k: j, a: [`nested-${rnd.int(1000)}`] };
  }
  return rnd.weighted([
    [40, () => ({ t: 'get', k, a: [rnd.pick(['zz', 'ü-long-key-' + 'é'.repeat(40), 'user:7'])] })],
    [20, () => ({ t: 'getMany', k, a: [['a', 'b', 'ü']] })],
    [15, () => ({ t: 'getN', k, a: ['k', 2] })],
  ]);
}

function weightFor(rnd, m) {
  let w = genWeight(rnd);
  // Keep valid rings small: a valid weight that would blow the point budget becomes 1.
  if (m && typeof w === 'number' && w > 0 && Number.isFinite(w)) {
    const c = vnodeCount(w, m.vnodes);
    if (c !== null && m.pointCount + c > POINT_BUDGET) w = rnd.chance(0.5) ? 1 : 2 ** 40;
  }
  return w;
}

function documentFor(engine, rnd) {
  const servers = [];
  const n = rnd.int(6);
  for (let i = 0; i < n; i++) {
    const s = rnd.weighted([
      [70, () => ({ id: rnd.pick(ID_POOL) })],
      [8, () => ({ id: rnd.int(100) })],
      [3, () => ({ id: rnd.pick([2 ** 53 - 1, 2 ** 53, -1, 1.5, NaN, 2 ** 64]) })],
      [5, () => ({ id: genId(rnd) })],
      [3, () => rnd.pick([null, 'x', [], 5])],
      [3, () => ({ id: rnd.pick(ID_POOL), extra: 1 })],
      [2, () => ({})],
    ]);
    if (s && typeof s === 'object' && !Array.isArray(s)) {
      if (rnd.chance(0.4)) s.weight = rnd.chance(w('docnum', 0.2) ? 0.8 : 1) ? rnd.pick([1, 2, 0.5, 1.5]) : genNumber(rnd);
      if (rnd.chance(0.3)) s.address = rnd.chance(0.9) ? `10.0.0.${rnd.int(9)}:80` : rnd.pick([5, {}, null]);
    }
    servers.push(s);
  }
  const doc = { servers };
  const opt = (name, gen) => { if (rnd.chance(0.35)) doc[name] = gen(); };
  // docnum: out-of-range, wrong-type and explicitly undefined numbers in documents.
  opt('version', () => rnd.weighted([[80, 1], [w('docnum', 20), () => genNumber(rnd)]]));
  opt('epoch', () => rnd.weighted([[60, () => rnd.int(100)], [20, () => rnd.pick([2 ** 53 - 1, 2 ** 53, 2 ** 64, -1, 0.5])], [w('docnum', 20), () => genNumber(rnd)]]));
  opt('vnodes', () => (w('docnum', 1) ? vnodesValue(rnd) : rnd.pick([1, 4, 16, 160])));
  opt('seed', () => rnd.weighted([[70, () => rnd.int(3)], [w('docnum', 30), () => genNumber(rnd)]]));
  if (rnd.chance(0.03)) doc.unknown = true;
  if (rnd.chance(0.03)) delete doc.servers;
  return rnd.weighted([
    [70, doc],
    [10, () => ({ $: 'json', doc })],
    [3, () => ({ $: 'text', text: rnd.pick(['{', '', 'null', '[]', '{"servers":[{"id":"a"}], }', '"x"', '{"servers":[{"id":"\\ud800"}]}']) })],
    [w('hostile', 4), () => hostileOptions(engine, rnd, Object.keys(doc).length ? Object.keys(doc) : ['servers'], doc)],
    [w('bigdoc', 4), () => bigDocument(rnd)],
    [2, () => rnd.pick([null, undefined, 5, [], { $: 'fn' }])],
  ]);
}

/** Documents past the limits: refused before anything is hashed. */
function bigDocument(rnd) {
  return rnd.pick([
    { vnodes: 1, servers: { $: 'servers', n: 65537, weight: 1 } }, // TOO_MANY_NODES
    { vnodes: 1, servers: { $: 'servers', n: 17, weight: 2 ** 20 } }, // TOO_MANY_POINTS
    { vnodes: 1024, servers: { $: 'servers', n: 4096, weight: 1024 } }, // 2^32 points: wraps a 32-bit sum
    { vnodes: 1024, servers: { $: 'servers', n: 4095, weight: 1024 } },
    { vnodes: 65536, servers: { $: 'servers', n: 2, weight: 2 ** 20 } }, // WEIGHT_TOO_LARGE
    { vnodes: 1, servers: { $: 'servers', n: 3000, weight: 1 } }, // valid, many nodes
  ]);
}

function keysList(engine, rnd, ringIndex) {
  const n = rnd.weighted([[70, () => rnd.int(8)], [20, () => rnd.int(200)], [3, 20_000]]);
  const keys = Array.from({ length: n }, () => (rnd.chance(0.93) ? `user:${rnd.int(5000)}` : genKey(rnd)));
  return rnd.weighted([
    [85, keys],
    [4, () => ['ok', 5]],
    [3, () => rnd.pick(['x', null, 5, { length: 2 }])],
    // Element getters run in the middle of getMany: re-entrant lookups on other rings.
    [w('hostile', 5), () => ({ $: 'hostileArray', items: keys.length ? keys : ['a'], at: keys.length ? rnd.int(keys.length) : 0, getter: { value: rnd.pick(['g', 'ü', 'naïve']), nested: nestedOp(engine, rnd, ringIndex) } })],
    [w('hostile', 3), () => ({ $: 'hostileArray', items: [{ $: 'u8', bytes: [1] }, 'a', 'b'], at: 1, getter: rnd.chance(0.5) ? { throws: true } : { value: 'b', nested: nestedOp(engine, rnd, ringIndex) } })],
  ]);
}

export function generate(engine, rnd) {
  const ring = () => anySlot(engine, 'ring', rnd);
  // A ketama server's fields, for `add` and `addAll`: mostly valid, a few of each fault.
  const ketamaHost = () => rnd.weighted([[80, () => `10.0.0.${rnd.int(6)}`], [5, ''], [5, () => ({ $: 'rep', s: 'h', n: rnd.pick([1025, 1026]) })], [5, 'cache-ü'], [5, () => genWrongType(rnd)]]);
  const ketamaPort = () => rnd.weighted([[80, () => rnd.pick([11211, 11211, 11212, 80])], [20, () => genNumber(rnd)]]);
  const ketamaWeight = () => rnd.weighted([[70, () => 1 + rnd.int(4)], [10, () => rnd.pick([2 ** 32 - 1, 2 ** 31])], [20, () => genNumber(rnd)]]);
  const table = [
    [4, () => ({ t: 'newRing', k: rnd.int(KINDS.ring), mod: rnd.pick(MODS), a: [rnd.chance(w('hostile', 0.05)) ? hostileOptions(engine, rnd, ['vnodes', 'seed'], { vnodes: 16, seed: 0 }) : ringOptions(rnd)] })],
    [3, () => ({ t: 'fromJSON', k: rnd.int(KINDS.ring), mod: rnd.pick(MODS), a: [documentFor(engine, rnd)] })],
    [2, () => ({ t: 'roundTrip', k: ring(), into: rnd.int(KINDS.ring), mod: rnd.pick(MODS), str: rnd.chance(0.5) })],
    [22, () => {
      const k = ring();
      const s = engine.slots.ring[k];
      const id = rnd.chance(0.8) ? genId(rnd) : idFor(engine, rnd, s);
      const weight = weightFor(rnd, s?.m);
      const opts = rnd.weighted([
        [30, undefined],
        [50, () => ({ weight, ...(rnd.chance(0.3) ? { data: rnd.pick(['ws://10.0.0.1:80', 7, null, { deep: [1] }]) } : {}) })],
        [5, () => rnd.pick([5, 'w', null, { $: 'fn' }, { weight: undefined }])],
        [w('hostile', 4), () => hostileOptions(engine, rnd, ['weight', 'data'], { weight: 1, data: 'addr' }, k)],
      ]);
      return { t: 'add', k, a: opts === undefined && rnd.chance(0.5) ? [id] : [id, opts] };
    }],
    [w('shadow', 2), () => {
      const k = ring();
      const s = engine.slots.ring[k];
      if (!s || s.freed || s.m.size === 0) return null;
      const pair = craftShadow(rnd, s.m);
      return pair ? { t: 'add', k, a: [pair.id, { weight: pair.weight }] } : null;
    }],
    [8, () => { const k = ring(); return { t: 'remove', k, a: [idFor(engine, rnd, engine.slots.ring[k])] }; }],
    [7, () => { const k = ring(); const s = engine.slots.ring[k]; return { t: 'setWeight', k, a: [idFor(engine, rnd, s), weightFor(rnd, s?.m)] }; }],
    [14, () => ({ t: 'get', k: ring(), a: [genKey(rnd)] })],
    [6, () => ({ t: 'getN', k: ring(), a: [genKey(rnd), rnd.weighted([[80, () => rnd.int(6)], [20, () => genNumber(rnd)]])] })],
    [8, () => { const k = ring(); return { t: 'getMany', k, a: [keysList(engine, rnd, k)] }; }],
    [3, () => ({ t: 'position', k: ring(), a: [genKey(rnd)] })],
    [5, () => { const k = ring(); return { t: 'lookupId', what: rnd.pick(['has', 'data', 'weight']), k, a: [idFor(engine, rnd, engine.slots.ring[k])] }; }],
    [3, () => ({ t: 'inspect', k: ring() })],
    [2, () => ({ t: 'snapshot', k: ring(), a: [rnd.weighted([[60, () => rnd.int(10)], [40, () => genNumber(rnd)]])] })],
    [w('freed', 1), () => ({ t: 'free', k: rnd.int(KINDS.ring) })],
    [4, () => { const from = ring(); return { t: 'diff', k: rnd.int(KINDS.plan), from, a: [ringRef(engine, rnd, engine.slots.ring[from]?.mod)] }; }],
    [3, () => ({ t: 'planQuery', k: anySlot(engine, 'plan', rnd), a: [genKey(rnd)] })],
    [w('freed', 0.5), () => ({ t: 'freePlan', k: rnd.int(KINDS.plan) })],
    [4, () => {
      const mod = rnd.pick(MODS);
      const epoch = rnd.weighted([[60, () => rnd.int(1000)], [10, undefined], [30, () => genNumber(rnd)]]);
      return { t: 'newTransition', k: rnd.int(KINDS.trans), mod, a: [ringRef(engine, rnd, mod), ringRef(engine, rnd, mod), epoch] };
    }],
    [4, () => {
      const steps = rnd.weighted([[80, () => 1 + rnd.int(6)], [20, () => genNumber(rnd)]]);
      const step = typeof steps === 'number' && Number.isInteger(steps) && steps > 0 && steps < 1e6 && rnd.chance(0.85) ? rnd.int(steps + 1) : genNumber(rnd);
      return { t: 'setStep', k: anySlot(engine, 'trans', rnd), a: [step, steps] };
    }],
    [3, () => ({ t: 'setProgress', k: anySlot(engine, 'trans', rnd), a: [rnd.weighted([[70, () => rnd.next()], [10, () => rnd.pick([0, 1, -0])], [20, () => genNumber(rnd)]])] })],
    [6, () => ({ t: 'route', k: anySlot(engine, 'trans', rnd), a: [genKey(rnd)] })],
    [2, () => ({ t: 'transInspect', k: anySlot(engine, 'trans', rnd) })],
    [1, () => ({ t: 'complete', k: anySlot(engine, 'trans', rnd), into: rnd.int(KINDS.ring) })],
    [w('freed', 0.5), () => ({ t: 'freeTrans', k: rnd.int(KINDS.trans) })],
    [2, () => ({ t: 'newBounded', k: rnd.int(KINDS.bounded), a: [rnd.weighted([[70, () => rnd.pick([1, 1.1, 1.25, 1.5, 2, 3])], [w('factor', 30), () => genNumber(rnd)]])] })],
    [10, () => ({ t: 'assign', k: anySlot(engine, 'bounded', rnd), a: [ringRef(engine, rnd, 'full'), rnd.chance(0.9) ? `conn:${rnd.int(150)}` : genKey(rnd)] })],
    [4, () => ({ t: 'release', k: anySlot(engine, 'bounded', rnd), a: [ringRef(engine, rnd, 'full'), rnd.chance(0.9) ? `conn:${rnd.int(150)}` : genKey(rnd)] })],
    [2, () => ({ t: 'rebalance', k: anySlot(engine, 'bounded', rnd), a: [ringRef(engine, rnd, 'full')] })],
    [4, () => {
      const k = anySlot(engine, 'bounded', rnd);
      const what = rnd.pick(['owner', 'load', 'cap']);
      const r = ringRef(engine, rnd, 'full');
      const ringSlot = r?.$ === 'ref' ? engine.slots.ring[r.i] : null;
      if (what === 'owner') return { t: 'boundedQuery', what, k, a: [rnd.chance(0.9) ? `conn:${rnd.int(150)}` : genKey(rnd)] };
      if (what === 'load') return { t: 'boundedQuery', what, k, a: [idFor(engine, rnd, ringSlot)] };
      const items = rnd.weighted([[50, undefined], [30, () => rnd.int(500)], [20, () => genNumber(rnd)]]);
      return { t: 'boundedQuery', what, k, a: items === undefined ? [r, idFor(engine, rnd, ringSlot)] : [r, idFor(engine, rnd, ringSlot), items] };
    }],
    [1, () => ({ t: 'boundedInspect', k: anySlot(engine, 'bounded', rnd) })],
    [w('freed', 0.3), () => ({ t: 'freeBounded', k: rnd.int(KINDS.bounded) })],
    [1, () => ({ t: 'newKetama', k: rnd.int(KINDS.ketama) })],
    [5, () => {
      const k = anySlot(engine, 'ketama', rnd);
      if ((engine.slots.ketama[k]?.m.servers.length ?? 0) > 12) return { t: 'kremove', k, a: [`10.0.0.${rnd.int(6)}`, 11211] };
      const opts = rnd.weighted([[50, undefined], [40, () => ({ weight: ketamaWeight() })], [5, () => rnd.pick([5, 'x'])], [w('hostile', 5), () => hostileOptions(engine, rnd, ['weight'], { weight: 2 })]]);
      return { t: 'kadd', k, a: [ketamaHost(), ketamaPort(), opts] };
    }],
    [2, () => {
      const k = anySlot(engine, 'ketama', rnd);
      if ((engine.slots.ketama[k]?.m.servers.length ?? 0) > 12) return { t: 'kremove', k, a: [`10.0.0.${rnd.int(6)}`, 11211] };
      const server = () => rnd.weighted([
        [85, () => ({ host: ketamaHost(), port: ketamaPort(), ...(rnd.chance(0.5) ? { weight: ketamaWeight() } : {}) })],
        [5, () => ({ host: ketamaHost() })],
        [5, () => genWrongType(rnd)],
        [w('hostile', 5), () => hostileOptions(engine, rnd, ['host', 'port', 'weight'], { host: '10.0.0.9', port: 11211, weight: 2 })],
      ]);
      const servers = Array.from({ length: rnd.int(5) }, server);
      return { t: 'kaddAll', k, a: [rnd.chance(0.95) ? servers : genWrongType(rnd)] };
    }],
    [2, () => ({ t: 'kremove', k: anySlot(engine, 'ketama', rnd), a: [rnd.chance(0.9) ? `10.0.0.${rnd.int(6)}` : genWrongType(rnd), rnd.chance(0.9) ? 11211 : genNumber(rnd)] })],
    [5, () => ({ t: 'kget', k: anySlot(engine, 'ketama', rnd), a: [genKey(rnd)] })],
    [2, () => ({ t: 'kgetN', k: anySlot(engine, 'ketama', rnd), a: [genKey(rnd), rnd.weighted([[80, () => rnd.int(6)], [20, () => genNumber(rnd)]])] })],
    [w('freed', 0.3), () => ({ t: 'freeKetama', k: rnd.int(KINDS.ketama) })],
    [w('internal', 0.5), () => {
      // Whatever internals the class exposes (the list covers past and present builds).
      const what = rnd.pick(['__indexScratch', '__indexManyScratch', '__ownerAt']);
      const num = () => rnd.pick([0, 1, 2, 3, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, NaN, 0xfffffffe, 2 ** 53, 'x', undefined]);
      const lens = what === '__indexManyScratch' ? rnd.pick([[0, 0], [0xffffffff, 1], [1, 2, 3], [2 ** 31, 2 ** 31]]) : undefined;
      return { t: 'internal', what, k: ring(), a: what === '__ownerAt' ? [num(), num()] : [num()], ...(lens ? { lens } : {}) };
    }],
  ];
  if (FOCUS.size) {
    for (const [, f] of table) {
      if (FAMILY.has(f)) continue;
      const text = String(f);
      FAMILY.set(f, /BoundedLoads|'assign'|'release'|'rebalance'|boundedQuery|boundedInspect|newBounded/.test(text) ? 'bounded'
        : /'kadd'|'kaddAll'|'kremove'|'kget'|'kgetN'|newKetama/.test(text) ? 'ketama'
          : /Transition|setStep|setProgress|'route'|transInspect|'complete'|'diff'|planQuery/.test(text) ? 'transition' : '');
    }
  }
  const weighted = FOCUS.size ? table.map(([wt, f]) => [FOCUS.has(FAMILY.get(f) ?? '') ? wt * 10 : wt, f]) : table;
  for (let tries = 0; tries < 20; tries++) {
    const op = rnd.weighted(weighted);
    if (op) return op;
  }
  return { t: 'get', k: 0, a: ['k'] };
}

// The differential engine: runs one list of operations against the package and the
// model side by side. Per operation it checks that an answer equals the model's, that a
// refusal is the documented class and code with the instance unchanged, and that
// nothing traps (and, after anything odd, that fresh instances still work).
import { isDeepStrictEqual } from 'node:util';
import {
  ModelRing, ModelPlan, ModelTransition, diff, validWeight, vnodeCount,
  MAX_ID_BYTES, MAX_NODES, MAX_POINTS,
} from './model/ring.mjs';
import { ModelKetama } from './model/ketama.mjs';
import { ModelBounded } from './model/bounded.mjs';
import { utf8, hasLoneSurrogate, murmur3, keyBytes } from './model/hash.mjs';
import { E, matches, describeErr, describeExpected } from './expect.mjs';
import { make, src, DETACHED } from './values.mjs';

/** Hidden on hostile objects: what their getters return or throw, for the model. */
export const HOSTILE = Symbol('hostile');
const U32_MAX = 2 ** 32 - 1;
const SAFE = 2 ** 53 - 1;
const PROBES = ['user:1', 'user:2', 'probe-key', '\u{1F980}'];

export const KINDS = { ring: 4, plan: 2, trans: 2, bounded: 2, ketama: 2 };

class Failure extends Error {
  constructor(kind, message, detail = {}) {
    super(message);
    this.kind = kind;
    this.detail = detail;
  }
}

// ---- argument checks the model applies (SPEC §2-§3, README "Errors", expect.mjs) ----

const isKey = (v) => typeof v === 'string' || v instanceof Uint8Array;
const keyFaults = (v) => (isKey(v) ? [] : [E.type]);
/** A key lookup (detached views: see `step`). */
function keyAnswer(key, answer) {
  return isKey(key) ? ok(answer()) : refused([E.type]);
}
function idFaults(v) {
  if (typeof v !== 'string') return [E.type];
  if (hasLoneSurrogate(v)) return [E.invalidId];
  return [];
}
function countFaults(v) {
  if (typeof v !== 'number') return [E.type];
  if (!(Number.isInteger(v) && v >= 0 && v <= U32_MAX)) return [E.arg];
  return [];
}
const numberFaults = (v) => (typeof v === 'number' ? [] : [E.type]);

/** Reads a field the way the package must: getters may throw or have side effects. */
function readField(obj, name, faults) {
  const h = obj[HOSTILE];
  if (h && Object.hasOwn(h, name)) {
    if (h[name].throws) { faults.push(E.hostile, E.type); return undefined; }
    return h[name].value;
  }
  return obj[name];
}

function readOptions(opts, names, faults) {
  const out = {};
  if (opts === undefined || opts === null) return out;
  if (typeof opts !== 'object') { faults.push(E.type); return out; }
  for (const n of names) out[n] = readField(opts, n, faults);
  return out;
}

function readIndex(arr, i, faults) {
  const h = arr[HOSTILE];
  if (h && Object.hasOwn(h, i)) {
    if (h[i].throws) { faults.push(E.hostile, E.type); return 'x'; }
    return h[i].value;
  }
  return arr[i];
}

const refused = (errs) => ({ errs });
/** Either refused with one of `errs` or answering `alt` is right. */
const refusedOr = (errs, alt) => ({ errs, alt });
const ok = (value, commit) => ({ ok: value, commit });

/** Makes comparable: drops undefined fields, keeps NaN/-0 semantics of deep equality. */
function norm(v) {
  if (Object.is(v, -0)) return 0; // a -0 argument may come back as 0: the same number to users
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) o[k] = norm(v[k]);
    return o;
  }
  return v;
}

const normDoc = (d) => norm({
  ...d,
  servers: d?.servers?.map((s) => ({ weight: 1, ...s })),
});

const short = (v) => {
  const s = src(v);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
};

// ---- the runner ----

export class Engine {
  constructor(pkg, { log = () => {}, lenient = false } = {}) {
    this.pkg = pkg;
    // Lenient: a refusal with the wrong class or code is recorded and the run goes on
    // (both sides refused, so their states still agree); for exploring past known bugs.
    this.lenient = lenient;
    this.soft = [];
    this.log = log;
    this.slots = {}; // kind -> [{ mod, m, h, freed }]
    for (const k of Object.keys(KINDS)) this.slots[k] = [];
    this.busy = new Set();
    this.stats = {}; // op -> [answered, refused]
    this.depth = 0;
    this.count = 0;
  }

  mod(name) { return this.pkg[name]; }

  /** The slot of a package object, or null. */
  slotOf(obj) {
    for (const [kind, list] of Object.entries(this.slots)) {
      for (let i = 0; i < list.length; i++) if (list[i] && list[i].h === obj) return { kind, i, s: list[i] };
    }
    return null;
  }

  /** Materialises the specs the generator cannot express as plain values. */
  special(spec) {
    switch (spec.$) {
      case 'ref': return this.slots[spec.kind][spec.i]?.h;
      case 'fake': return Object.create(this.mod(spec.mod)[spec.cls].prototype);
      case 'hostile': {
        const obj = {};
        const hidden = {};
        for (const [k, v] of Object.entries(spec.plain ?? {})) obj[k] = make(v, this);
        for (const [k, g] of Object.entries(spec.getters)) {
          const value = g.throws ? undefined : make(g.value, this);
          hidden[k] = { throws: !!g.throws, value };
          Object.defineProperty(obj, k, {
            enumerable: true,
            get: () => this.getter(g, value),
          });
        }
        Object.defineProperty(obj, HOSTILE, { value: hidden });
        return obj;
      }
      case 'hostileArray': {
        const arr = spec.items.map((x) => make(x, this));
        const hidden = {};
        const g = spec.getter;
        const value = g.throws ? undefined : make(g.value, this);
        hidden[spec.at] = { throws: !!g.throws, value };
        Object.defineProperty(arr, spec.at, { enumerable: true, configurable: true, get: () => this.getter(g, value) });
        Object.defineProperty(arr, HOSTILE, { value: hidden });
        return arr;
      }
      default: throw new Error(`unknown spec ${spec.$}`);
    }
  }

  getter(g, value) {
    if (g.nested) {
      try {
        this.step(g.nested, true);
      } catch (e) {
        // The package may swallow what a getter throws: keep the nested failure.
        if (e instanceof Failure) this.nestedFailure ??= e;
        throw e;
      }
    }
    if (g.throws) {
      const e = new Error('a hostile getter threw');
      e.hostile = true;
      throw e;
    }
    return value;
  }

  /** Runs a list (then, unless `final` is false, checks every instance); null or the first failure. */
  run(ops, final = true) {
    for (let i = 0; i < ops.length; i++) {
      this.current = ops[i];
      try {
        this.step(ops[i], false);
      } catch (e) {
        if (e instanceof Failure) return { index: i, kind: e.kind, message: e.message, detail: e.detail };
        return { index: i, kind: 'engine', message: `${e.stack}` };
      }
    }
    if (!final) return null;
    try {
      this.finalCheck();
    } catch (e) {
      if (e instanceof Failure) return { index: ops.length, kind: e.kind, message: e.message, detail: e.detail };
      throw e;
    }
    return null;
  }

  /** One operation: model expectation, package call, comparison, state checks. */
  step(op, nested) {
    const def = OPS[op.t];
    if (!def) throw new Error(`unknown op ${op.t}`);
    // A creating operation replaces its slot: the old instance is not its target.
    const target = op.k !== undefined && !def.creates ? this.slots[def.kind]?.[op.k] : null;
    if (def.kind && !def.creates && !target) return; // slot never created: skipped
    this.count++;
    const args = (op.a ?? []).map((a) => make(a, this));
    const reentrant = !!(target && this.busy.has(target.h));
    let expect;
    if (target?.freed && !def.onFreed) expect = refused([E.freed]);
    else expect = def.model.call(this, target, args, op);
    // (Hostile arrays are not scanned: that would run their getters.)
    const detachedIn = (a) => Array.isArray(a) && !a[HOSTILE] && a.some((x) => x?.[DETACHED]);
    if (!expect.errs && args.some((a) => a?.[DETACHED] || detachedIn(a))) {
      // A view on a detached buffer reads as zero bytes: the empty key's answer, or a
      // TypeError with a code.
      expect = { errs: [E.type], alt: expect.ok, commit: expect.commit };
    } else if (expect.errs && args.some((a) => a?.[DETACHED] || detachedIn(a))) {
      expect = { ...expect, errs: [...expect.errs, E.type] };
    }
    if (reentrant) {
      // A call on an instance that is inside another call of its own: refused, or for
      // reads the model's answer.
      expect = { errs: [E.busy], ...(expect.errs ? {} : { alt: expect.ok }), readOnly: true };
    }
    const busyAdded = [];
    for (const h of [target?.h, ...args]) {
      if (h && typeof h === 'object' && this.slotOf(h) && !this.busy.has(h)) { this.busy.add(h); busyAdded.push(h); }
    }
    this.depth++;
    let result, thrown, threw = false;
    try {
      result = def.pkg.call(this, target, args, op);
    } catch (e) {
      thrown = e;
      threw = true;
    } finally {
      this.depth--;
      for (const h of busyAdded) this.busy.delete(h);
    }
    if (this.depth === 0 && this.nestedFailure) {
      const f = this.nestedFailure;
      this.nestedFailure = null;
      throw f;
    }
    const where = `${opSource(op)}`;
    if (threw && (thrown instanceof WebAssembly.RuntimeError || /unreachable|out of bounds|RuntimeError/.test(String(thrown?.message)))) {
      const poisoned = this.freshBroken();
      throw new Failure('trap', `${where} trapped: ${describeErr(thrown)}${poisoned ? `; afterwards fresh instances fail too: ${poisoned}` : ''}`);
    }
    if (threw && thrown instanceof Failure) throw thrown; // from a nested operation
    if (def.anyOutcome) expect = { ok: result, readOnly: true };
    else     if (expect.errs && !('alt' in expect)) {
      if (!threw) {
        throw new Failure('accepted', `${where}: expected ${describeExpected(expect.errs)}, got a result: ${short(norm(result))}`);
      }
      if (!matches(thrown, expect.errs)) {
        const f = new Failure('wrong-error', `${where}: expected ${describeExpected(expect.errs)}, got ${describeErr(thrown)}`);
        if (!this.lenient) throw f;
        this.soft.push({ index: this.count, kind: f.kind, message: f.message, op: this.current ?? op });
      }
    } else {
      const want = expect.errs ? expect.alt : expect.ok;
      if (threw) {
        if (!(expect.errs && matches(thrown, expect.errs))) {
          throw new Failure('refused', `${where}: expected ${short(norm(want))}${expect.errs ? ` or ${describeExpected(expect.errs)}` : ''}, got ${describeErr(thrown)}`);
        }
      } else {
        const got = def.view ? def.view.call(this, result, target, args, op) : result;
        if (!isDeepStrictEqual(norm(got), norm(want))) {
          let first = '';
          if (Array.isArray(got) && Array.isArray(want)) {
            const i = want.findIndex((x, j) => !isDeepStrictEqual(norm(x), norm(got[j])));
            if (i >= 0) first = ` (first difference at [${i}]: expected ${short(norm(want[i]))}, got ${short(norm(got[i]))})`;
          }
          throw new Failure('answer', `${where}: expected ${short(norm(want))}, got ${short(norm(got))}${first}`);
        }
        if (expect.commit && !expect.readOnly) expect.commit();
      }
    }
    const st = (this.stats[op.t] ??= [0, 0]);
    st[threw ? 1 : 0]++;
    if (def.after) def.after.call(this, target, args, op, threw ? undefined : result);
    // The instance must be as the model says, whatever happened (an instance still inside
    // an outer call is checked when that call returns).
    if (target && !target.freed && !this.busy.has(target.h)) this.check(def.kind, target, where);
    for (const a of args) {
      const s = a && typeof a === 'object' && this.slotOf(a);
      if (s && !s.s.freed && !this.busy.has(a)) this.check(s.kind, s.s, where);
    }
  }

  /** Compares an instance's observable state with its model. */
  check(kind, s, where) {
    const fail = (what, want, got) => {
      throw new Failure('state', `after ${where}: ${kind} ${what}: expected ${short(norm(want))}, got ${short(norm(got))}`);
    };
    const same = (what, want, f) => {
      let got;
      try { got = f(); } catch (e) { fail(what, want, `threw ${describeErr(e)}`); }
      if (!isDeepStrictEqual(norm(got), norm(want))) fail(what, want, got);
    };
    const { m, h } = s;
    if (kind === 'ring') {
      same('size', m.size, () => h.size);
      same('pointCount', m.pointCount, () => h.pointCount);
      same('nodes()', m.ids(), () => h.nodes());
      if (m.size <= 64) {
        same('fingerprint', m.fingerprint(), () => h.fingerprint);
        for (const id of m.ids().slice(0, 8)) {
          same(`weight(${src(id)})`, m.members.get(id).weight, () => h.weight(id));
          const d = m.members.get(id).data;
          let got;
          try { got = h.data(id); } catch (e) { fail(`data(${src(id)})`, d, `threw ${describeErr(e)}`); }
          if (!Object.is(got, d)) fail(`data(${src(id)}) identity`, d, got);
        }
      }
      same('get() of probe keys', PROBES.map((k) => m.get(k)), () => PROBES.map((k) => h.get(k)));
    } else if (kind === 'ketama') {
      same('size', m.servers.length, () => h.size);
      same('pointCount', m.pointCount, () => h.pointCount);
      same('servers()', m.list(), () => h.servers());
      same('get() of probe keys', PROBES.map((k) => m.get(k)), () => PROBES.map((k) => h.get(k)));
    } else if (kind === 'bounded') {
      same('size', m.size, () => h.size);
      const keys = [...m.owner.values()].slice(0, 40);
      same('owner() of assigned keys', keys.map((v) => v.node), () => keys.map((v) => h.owner(v.bytes)));
    } else if (kind === 'trans') {
      // (cutOver()/pending() are compared by transInspect: a plan can have 100,000 arcs.)
      same('progress', m.progress, () => h.progress);
      same('epoch', m.epoch, () => h.epoch);
    } else if (kind === 'plan') {
      same('length', m.length, () => h.length);
    }
  }

  /** Whether fresh instances of each module still answer as the model: '' if fine. */
  freshBroken() {
    const problems = [];
    for (const name of ['main', 'full']) {
      try {
        const r = new (this.mod(name).HashRing)({ vnodes: 8, seed: 3 });
        const m = new ModelRing(8, 3);
        for (const id of ['a', 'b', 'c']) { r.add(id); m.members.set(id, m.member(id, 1)); }
        m.rebuild();
        const keys = ['k1', 'k2', 'k3', 'ü'];
        const got = [...keys.map((k) => r.get(k)), ...r.getMany(keys)];
        const want = [...keys.map((k) => m.get(k)), ...keys.map((k) => m.get(k))];
        r.free();
        if (!isDeepStrictEqual(got, want)) problems.push(`${name}: fresh ring answers ${src(got)}, model ${src(want)}`);
      } catch (e) {
        problems.push(`${name}: fresh ring throws ${describeErr(e)}`);
      }
    }
    return problems.join('; ');
  }

  finalCheck() {
    for (const [kind, list] of Object.entries(this.slots)) {
      for (const s of list) if (s && !s.freed) this.check(kind, s, 'the last operation');
    }
    const broken = this.freshBroken();
    if (broken) throw new Failure('poisoned', `after the run, ${broken}`);
  }

  /** Frees everything (between episodes, to keep memory bounded). */
  dispose() {
    for (const list of Object.values(this.slots)) {
      for (const s of list) {
        if (s && !s.freed) { try { s.h.free(); } catch { /* already checked */ } }
      }
    }
  }

  put(kind, k, slot) {
    const old = this.slots[kind][k];
    if (old && !old.freed) { try { old.h.free(); } catch { /* replaced */ } old.freed = true; }
    this.slots[kind][k] = slot;
  }
}

/** `r0.add("a", { weight: 2 })` for an operation. */
export function opSource(op) {
  const def = OPS[op.t];
  const recv = def.kind ? `${def.kind}${op.k}` : '';
  const args = (op.a ?? []).map(src).join(', ');
  return def.show ? def.show(op, recv, args) : `${recv}.${def.name ?? op.t}(${args})`;
}

// ---- model helpers shared by several operations ----

/** Model of a ring argument that must be a live HashRing of module `mod`. */
function ringArg(engine, v, mod, faults) {
  const s = v && typeof v === 'object' ? engine.slotOf(v) : null;
  if (s && s.kind === 'ring') {
    if (s.s.mod !== mod) faults.push(E.type);
    if (s.s.freed) faults.push(E.freed);
    return s.s.mod === mod && !s.s.freed ? s.s.m : null;
  }
  if (s && s.s.freed) faults.push(E.freed); // a freed instance of another class
  if (v && typeof v === 'object' && engine.mod(mod).HashRing.prototype.isPrototypeOf(v)) {
    faults.push(E.freed); // an instance that never had a pointer
    return null;
  }
  faults.push(E.type);
  return null;
}

function vnodesFaults(v, faults) {
  if (v === undefined) return 1024;
  if (typeof v !== 'number') { faults.push(E.type); return null; }
  if (!(Number.isInteger(v) && v >= 1 && v <= 65536)) { faults.push(E.vnodes); return null; }
  return v;
}

function seedFaults(v, faults) {
  if (v === undefined) return 0;
  if (typeof v !== 'number') { faults.push(E.type); return null; }
  if (!(Number.isInteger(v) && v >= 0 && v <= U32_MAX)) { faults.push(E.arg); return null; }
  return v;
}

/** SPEC §3 checks of one new node against a ring; pushes faults, returns the member. */
function nodeFaults(m, id, weight, data, faults, seen) {
  const before = faults.length;
  if (id === '') faults.push(E.empty);
  else if (utf8(id).length > MAX_ID_BYTES) faults.push(E.tooLong);
  else if (m.members.has(id) || seen?.has(id)) faults.push(E.dup);
  if (typeof weight !== 'number') faults.push(E.type);
  else if (!validWeight(weight)) faults.push(E.weight);
  else if (vnodeCount(weight, m.vnodes) === null) faults.push(E.weightLarge);
  return faults.length === before ? m.member(id, weight, data) : null;
}

/** SPEC §14: a membership document to a model ring, or its faults. */
export function parseDoc(engine, doc) {
  const faults = [];
  if (typeof doc === 'string') {
    try { doc = JSON.parse(doc); } catch { return { faults: [E.badJson] }; }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { faults: [E.type] };
  const allowed = ['version', 'epoch', 'vnodes', 'seed', 'servers'];
  for (const k of Object.keys(doc)) if (!allowed.includes(k)) faults.push(E.type);
  const num = (name, def, lo, hi, err) => {
    const v = readField(doc, name, faults);
    if (v === undefined) return def;
    if (typeof v !== 'number') { faults.push(E.type); return null; }
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) { faults.push(err); return null; }
    return v;
  };
  // SPEC §14/§15: an integer other than 1 is UNSUPPORTED_VERSION; other numbers INVALID_ARGUMENT.
  const v = readField(doc, 'version', faults);
  if (v !== undefined) {
    if (typeof v !== 'number') faults.push(E.type);
    else if (Number.isInteger(v) && v >= 0 && v <= SAFE) { if (v !== 1) faults.push(E.version); }
    else if (Number.isInteger(v)) faults.push(E.version, E.arg); // past the document integer range: either reads right
    else faults.push(E.arg);
  }
  num('epoch', 0, 0, SAFE, E.arg);
  const vnodes = num('vnodes', 1024, 1, 65536, E.vnodes);
  const seed = num('seed', 0, 0, U32_MAX, E.arg);
  const servers = readField(doc, 'servers', faults);
  if (!Array.isArray(servers)) { faults.push(E.type); return { faults }; }
  const m = new ModelRing(vnodes ?? 1024, seed ?? 0);
  if (servers.length > MAX_NODES) faults.push(E.tooManyNodes);
  const seen = new Map();
  let points = 0;
  const members = [];
  for (let i = 0; i < servers.length; i++) {
    const s = servers[i];
    if (s === null || typeof s !== 'object' || Array.isArray(s)) { faults.push(E.type); continue; }
    for (const k of Object.keys(s)) if (!['id', 'address', 'weight'].includes(k)) faults.push(E.type);
    let id = s.id;
    if (typeof id === 'number') {
      if (Number.isInteger(id) && id >= 0 && id <= SAFE) id = String(id);
      else { faults.push(E.type, E.arg); id = null; }
    } else if (typeof id !== 'string') { faults.push(E.type); id = null; } else if (hasLoneSurrogate(id)) { faults.push(E.invalidId); id = null; }
    const address = s.address;
    if (!(address === undefined || address === null || typeof address === 'string')) faults.push(E.type);
    const weight = s.weight === undefined ? 1 : s.weight;
    if (id === null) continue;
    const member = nodeFaults(m, id, weight, typeof address === 'string' ? address : undefined, faults, seen);
    seen.set(id, true);
    if (member) { points += member.count; members.push(member); }
  }
  if (points > MAX_POINTS) faults.push(E.tooManyPoints);
  if (faults.length) return { faults };
  const t = m.tryWith(members);
  if (!t) return { faults: [E.shadowed] };
  m.commit(t);
  return { ring: m };
}

// ---- the operations: model, package call, and how the result is compared ----

const ringOf = (engine, v) => {
  const s = v && typeof v === 'object' ? engine.slotOf(v) : null;
  return s?.kind === 'ring' ? s.s : null;
};

export const OPS = {
  // -- HashRing --
  newRing: {
    kind: 'ring', creates: true,
    show: (op, recv, args) => `${recv} = new ${op.mod}.HashRing(${args})`,
    model(_t, [opts]) {
      const faults = [];
      const f = readOptions(opts, ['vnodes', 'seed'], faults);
      const vnodes = vnodesFaults(f.vnodes, faults);
      const seed = seedFaults(f.seed, faults);
      if (faults.length) return refused(faults);
      return ok(undefined, () => {});
    },
    pkg(_t, [opts], op) { return new (this.mod(op.mod).HashRing)(opts); },
    view: () => undefined,
    after(_t, [opts], op, result) {
      if (!result) return;
      const f = readOptions(opts, ['vnodes', 'seed'], []);
      this.put('ring', op.k, { mod: op.mod, m: new ModelRing(f.vnodes ?? 1024, f.seed ?? 0), h: result });
      this.check('ring', this.slots.ring[op.k], 'new HashRing');
    },
  },
  fromJSON: {
    kind: 'ring', creates: true,
    show: (op, recv, args) => `${recv} = ${op.mod}.HashRing.fromJSON(${args})`,
    model(_t, [doc]) {
      const p = parseDoc(this, doc);
      if (p.faults) return refused(p.faults);
      this.pendingRing = p.ring;
      return ok(undefined);
    },
    pkg(_t, [doc], op) { return this.mod(op.mod).HashRing.fromJSON(doc); },
    view: () => undefined,
    after(_t, _a, op, result) {
      if (!result) return;
      this.put('ring', op.k, { mod: op.mod, m: this.pendingRing, h: result });
      this.check('ring', this.slots.ring[op.k], 'fromJSON');
    },
  },
  roundTrip: {
    kind: 'ring',
    show: (op, recv) => `${recv.replace(/\d+$/, '')}${op.into} = ${op.mod}.HashRing.fromJSON(${op.str ? `JSON.stringify(${recv})` : `${recv}.toJSON()`})`,
    model(t) { return ok(t.m.fingerprint()); },
    pkg(t, _a, op) {
      const doc = op.str ? JSON.stringify(t.h) : t.h.toJSON();
      const back = this.mod(op.mod).HashRing.fromJSON(doc);
      this.roundTripped = back;
      return back.fingerprint;
    },
    after(t, _a, op, result) {
      if (result === undefined) return;
      const m = t.m.clone();
      // Addresses survive a round trip; other data does not.
      for (const [id, mem] of m.members) m.members.set(id, { ...mem, data: typeof mem.data === 'string' ? mem.data : undefined });
      m.rebuild();
      this.put('ring', op.into, { mod: op.mod, m, h: this.roundTripped });
      this.check('ring', this.slots.ring[op.into], 'round trip');
    },
  },
  add: {
    kind: 'ring',
    model(t, [id, opts]) {
      const faults = idFaults(id);
      const f = readOptions(opts, ['weight', 'data'], faults);
      if (typeof id !== 'string' || faults.length) {
        // Every fault counts, whichever the package checks first.
        if (typeof f.weight === 'number' && !validWeight(f.weight)) faults.push(E.weight);
        else if (typeof f.weight === 'number' && vnodeCount(f.weight, t.m.vnodes) === null) faults.push(E.weightLarge);
        if (typeof id === 'string' && id === '') faults.push(E.empty);
        if (f.weight !== undefined && typeof f.weight !== 'number') faults.push(E.type);
        return refused(faults);
      }
      const weight = f.weight === undefined ? 1 : f.weight;
      const member = nodeFaults(t.m, id, weight, f.data, faults);
      if (faults.length) return refused(faults);
      if (t.m.size + 1 > MAX_NODES) return refused([E.tooManyNodes]);
      if (t.m.pointCount + member.count > MAX_POINTS) return refused([E.tooManyPoints]);
      const next = t.m.tryWith([member]);
      if (!next) return refused([E.shadowed]);
      return ok(undefined, () => t.m.commit(next));
    },
    pkg(t, [id, opts]) { return t.h.add(id, opts); },
  },
  remove: {
    kind: 'ring',
    model(t, [id]) {
      const faults = idFaults(id);
      if (faults[0] === E.invalidId) return refusedOr(faults, false); // no such node can exist
      if (faults.length) return refused(faults);
      const had = t.m.members.has(id);
      return ok(had, () => {
        if (!had) return;
        const members = new Map(t.m.members);
        members.delete(id);
        t.m.members = members;
        t.m.rebuild();
      });
    },
    pkg(t, [id]) { return t.h.remove(id); },
  },
  setWeight: {
    kind: 'ring',
    model(t, [id, w]) {
      const faults = idFaults(id);
      if (faults[0] === E.invalidId) faults.push(E.unknown);
      faults.push(...numberFaults(w));
      if (typeof id === 'string' && !hasLoneSurrogate(id) && !t.m.members.has(id)) faults.push(E.unknown);
      if (typeof w === 'number' && !validWeight(w)) faults.push(E.weight);
      else if (typeof w === 'number' && vnodeCount(w, t.m.vnodes) === null) faults.push(E.weightLarge);
      if (faults.length) return refused(faults);
      const old = t.m.members.get(id);
      const member = { ...old, weight: w, count: vnodeCount(w, t.m.vnodes) };
      if (t.m.pointCount - old.count + member.count > MAX_POINTS) return refused([E.tooManyPoints]);
      const next = t.m.tryWith([member]);
      if (!next) return refused([E.shadowed]);
      return ok(undefined, () => t.m.commit(next));
    },
    pkg(t, [id, w]) { return t.h.setWeight(id, w); },
  },
  get: {
    kind: 'ring',
    model(t, [key]) { return keyAnswer(key, () => t.m.get(key)); },
    pkg(t, [key]) { return t.h.get(key); },
  },
  getN: {
    kind: 'ring',
    model(t, [key, n]) {
      const f = [...keyFaults(key), ...countFaults(n)];
      return f.length ? refused(f) : ok(t.m.getN(key, n));
    },
    pkg(t, [key, n]) { return t.h.getN(key, n); },
  },
  getMany: {
    kind: 'ring',
    model(t, [keys]) {
      if (!Array.isArray(keys)) return refused([E.type]);
      const faults = [];
      const vals = [];
      for (let i = 0; i < keys.length; i++) {
        const k = readIndex(keys, i, faults);
        if (!isKey(k)) faults.push(E.type);
        vals.push(k);
      }
      if (faults.length) return refused(faults);
      return ok(vals.map((k) => t.m.get(k)));
    },
    pkg(t, [keys]) { return t.h.getMany(keys); },
  },
  position: {
    kind: 'ring',
    model(t, [key]) { return keyAnswer(key, () => t.m.position(key)); },
    pkg(t, [key]) { return t.h.position(key); },
  },
  lookupId: {
    kind: 'ring',
    show: (op, recv, args) => `${recv}.${op.what}(${args})`,
    model(t, [id], op) {
      const faults = idFaults(id);
      const none = op.what === 'has' ? false : undefined;
      if (faults[0] === E.invalidId) return refusedOr(faults, none);
      if (faults.length) return refused(faults);
      const mem = t.m.members.get(id);
      if (op.what === 'has') return ok(!!mem);
      if (op.what === 'weight') return ok(mem?.weight);
      return ok(mem?.data);
    },
    pkg(t, [id], op) { return t.h[op.what](id); },
    view(result, t, [id], op) {
      // data() must hand back the very value stored, not a copy.
      if (op.what === 'data') return result === t.m.members.get(id)?.data ? result : { notTheSameValue: result };
      return result;
    },
  },
  inspect: {
    kind: 'ring',
    show: (op, recv) => `[${recv}.size, ${recv}.pointCount, ${recv}.vnodes, ${recv}.seed, ${recv}.fingerprint, ${recv}.nodes(), ${recv}.shares(), ${recv}.toJSON()]`,
    model(t) {
      return ok([t.m.size, t.m.pointCount, t.m.vnodes, t.m.seed, t.m.fingerprint(), t.m.ids(), t.m.shares(), normDoc(t.m.toJSON())]);
    },
    pkg(t) {
      const h = t.h;
      const b = h.balance();
      // Not compared exactly (SPEC §7 leaves the summation order open): present, and
      // numbers ≥ 0 (a weight of 5e-324 makes max/avg Infinity, rightly).
      if (h.size === 0 ? b !== undefined : !(b && b.maxOverAvg >= b.minOverAvg && b.minOverAvg >= 0)) {
        throw new Failure('answer', `${'ring'}.balance() gave ${src(norm(b))} for a ring of ${h.size} nodes`);
      }
      return [h.size, h.pointCount, h.vnodes, h.seed, h.fingerprint, h.nodes(), h.shares(), normDoc(JSON.parse(JSON.stringify(h)))];
    },
  },
  snapshot: {
    kind: 'ring',
    model(t, [epoch]) {
      if (epoch === undefined) return ok(normDoc(t.m.toJSON(0))); // SPEC §15: undefined takes the default
      if (typeof epoch !== 'number') return refused([E.type]);
      if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= SAFE)) return refused([E.arg]);
      return ok(normDoc(t.m.toJSON(epoch)));
    },
    pkg(t, [epoch]) { return t.h.snapshot(epoch); },
    view: (r) => normDoc(r),
  },
  free: {
    kind: 'ring', onFreed: true,
    model() { return ok(undefined); }, // SPEC §15: calling free() again is not an error
    pkg(t) { return t.h.free(); },
    after(t) { t.freed = true; },
  },
  // -- Plan --
  diff: {
    kind: 'plan', creates: true,
    show: (op, recv, args) => `${recv} = ring${op.from}.diff(${args})`,
    model(_t, [next], op) {
      const from = this.slots.ring[op.from];
      if (!from) return ok(undefined);
      if (from.freed) return refused([E.freed]);
      const faults = [];
      const to = ringArg(this, next, from.mod, faults);
      if (faults.length) return refused(faults);
      if (to.seed !== from.m.seed) return refused([E.seed]);
      this.pendingPlan = new ModelPlan(diff(from.m, to));
      this.pendingPlan.seed = from.m.seed;
      return ok(undefined);
    },
    pkg(_t, [next], op) {
      const from = this.slots.ring[op.from];
      if (!from) return undefined;
      return from.h.diff(next);
    },
    view: () => undefined,
    after(_t, _a, op, result) {
      if (!result) return;
      this.put('plan', op.k, { mod: this.slots.ring[op.from].mod, m: this.pendingPlan, h: result });
    },
  },
  planQuery: {
    kind: 'plan',
    show: (op, recv, args) => `[${recv}.moves(), ${recv}.length, ${recv}.movedFraction, ${recv}.flows(), ${recv}.moved(${args})]`,
    model(t, [key]) {
      if (!isKey(key)) return refused([E.type]);
      const m = t.m;
      return ok([m.moves(), m.length, m.movedFraction, m.flows(), m.moved(murmur3(keyBytes(key), m.seed))]);
    },
    pkg(t, [key]) { const h = t.h; return [h.moves(), h.length, h.movedFraction, h.flows(), h.moved(key)]; },
  },
  freePlan: {
    kind: 'plan', onFreed: true, name: 'free',
    model() { return ok(undefined); }, // SPEC §15: calling free() again is not an error
    pkg(t) { return t.h.free(); },
    after(t) { t.freed = true; },
  },
  // -- Transition --
  newTransition: {
    kind: 'trans', creates: true,
    show: (op, recv, args) => `${recv} = new ${op.mod}.Transition(${args})`,
    model(_t, [prev, next, epoch], op) {
      const faults = [];
      const a = ringArg(this, prev, op.mod, faults);
      const b = ringArg(this, next, op.mod, faults);
      let e = epoch;
      if (epoch === undefined) e = 0;
      else if (typeof epoch !== 'number') faults.push(E.type);
      else if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= SAFE)) faults.push(E.arg);
      if (faults.length) return refused(faults);
      if (a.seed !== b.seed) return refused([E.seed]);
      this.pendingTrans = new ModelTransition(a, b, e);
      return ok(undefined);
    },
    pkg(_t, [prev, next, epoch], op) { return new (this.mod(op.mod).Transition)(prev, next, epoch); },
    view: () => undefined,
    after(_t, _a, op, result) {
      if (!result) return;
      this.put('trans', op.k, { mod: op.mod, m: this.pendingTrans, h: result });
    },
  },
  setStep: {
    kind: 'trans',
    model(t, [step, steps]) {
      // SPEC §15: step and steps out of range are INVALID_PROGRESS.
      const f = [...countFaults(step), ...countFaults(steps)].map((e) => (e === E.arg ? E.progress : e));
      if (f.length) return refused(f);
      if (steps === 0 || step > steps) return refused([E.progress]);
      const th = t.m.stepThreshold(step, steps);
      if (th < t.m.threshold) return refused([E.progress]);
      const probe = Object.assign(Object.create(Object.getPrototypeOf(t.m)), t.m);
      const newly = probe.advance(th);
      return ok(newly, () => t.m.advance(th));
    },
    pkg(t, [step, steps]) { return t.h.setStep(step, steps); },
  },
  setProgress: {
    kind: 'trans',
    model(t, [p]) {
      if (typeof p !== 'number') return refused([E.type]);
      if (!(p >= 0 && p <= 1)) return refused([E.progress]);
      const th = t.m.progressThreshold(p);
      if (th < t.m.threshold) return refused([E.progress]);
      const probe = Object.assign(Object.create(Object.getPrototypeOf(t.m)), t.m);
      const newly = probe.advance(th);
      return ok(newly, () => t.m.advance(th));
    },
    pkg(t, [p]) { return t.h.setProgress(p); },
  },
  route: {
    kind: 'trans',
    model(t, [key]) { return keyAnswer(key, () => t.m.route(key)); },
    pkg(t, [key]) { return t.h.route(key); },
  },
  transInspect: {
    kind: 'trans',
    show: (op, recv) => `[${recv}.progress, ${recv}.epoch, ${recv}.cutOver(), ${recv}.pending()]`,
    model(t) { return ok([t.m.progress, t.m.epoch, t.m.cutOver(), t.m.pending()]); },
    pkg(t) { return [t.h.progress, t.h.epoch, t.h.cutOver(), t.h.pending()]; },
  },
  complete: {
    kind: 'trans',
    show: (op, recv) => `ring${op.into} = ${recv}.complete()`,
    model(t) { return ok(undefined); },
    pkg(t) { return t.h.complete(); },
    view: () => undefined,
    after(t, _a, op, result) {
      if (!result) return;
      this.put('ring', op.into, { mod: t.mod, m: t.m.new.clone(), h: result });
      this.check('ring', this.slots.ring[op.into], 'complete()');
    },
  },
  freeTrans: {
    kind: 'trans', onFreed: true, name: 'free',
    model() { return ok(undefined); }, // SPEC §15: calling free() again is not an error
    pkg(t) { return t.h.free(); },
    after(t) { t.freed = true; },
  },
  // -- BoundedLoads (ringroute/full) --
  newBounded: {
    kind: 'bounded', creates: true,
    show: (op, recv, args) => `${recv} = new full.BoundedLoads(${args})`,
    model(_t, [c]) {
      if (typeof c !== 'number') return refused([E.type]);
      if (!(Number.isFinite(c) && c >= 1)) return refused([E.factor]);
      return ok(undefined);
    },
    pkg(_t, [c]) { return new (this.mod('full').BoundedLoads)(c); },
    view: () => undefined,
    after(_t, [c], op, result) {
      if (!result) return;
      this.put('bounded', op.k, { mod: 'full', m: new ModelBounded(c), h: result });
    },
  },
  assign: {
    kind: 'bounded',
    model(t, [ring, key]) {
      const faults = [];
      const r = ringArg(this, ring, 'full', faults);
      faults.push(...keyFaults(key));
      if (faults.length) return refused(faults);
      const b = t.m.clone();
      const owner = b.assign(r, key);
      return ok(owner, () => { t.m = b; });
    },
    pkg(t, [ring, key]) { return t.h.assign(ring, key); },
  },
  release: {
    kind: 'bounded',
    model(t, [ring, key]) {
      const faults = [];
      const r = ringArg(this, ring, 'full', faults);
      faults.push(...keyFaults(key));
      if (faults.length) return refused(faults);
      const b = t.m.clone();
      const found = b.release(r, key);
      return ok(found, () => { t.m = b; });
    },
    pkg(t, [ring, key]) { return t.h.release(ring, key); },
  },
  rebalance: {
    kind: 'bounded',
    model(t, [ring]) {
      const faults = [];
      const r = ringArg(this, ring, 'full', faults);
      if (faults.length) return refused(faults);
      const b = t.m.clone();
      const moved = b.rebalance(r);
      return ok(moved, () => { t.m = b; });
    },
    pkg(t, [ring]) { return t.h.rebalance(ring); },
  },
  boundedQuery: {
    kind: 'bounded',
    show: (op, recv, args) => `${recv}.${op.what}(${args})`,
    model(t, args, op) {
      if (op.what === 'owner') {
        const [key] = args;
        return isKey(key) ? ok(t.m.ownerOf(key)) : refused([E.type]);
      }
      if (op.what === 'load') {
        const [id] = args;
        const f = idFaults(id);
        if (f[0] === E.invalidId) return refusedOr(f, 0);
        if (f.length) return refused(f);
        return ok(t.m.load(id));
      }
      // cap(ring, id, items)
      const [ring, id, items] = args;
      const faults = [];
      const r = ringArg(this, ring, 'full', faults);
      const idf = idFaults(id);
      faults.push(...idf);
      if (idf[0] === E.invalidId) faults.push(E.unknown);
      let n = items;
      if (items === undefined) n = t.m.size;
      else faults.push(...countFaults(items));
      if (faults.length) return refused(faults);
      const cap = t.m.cap(r, id, n);
      if (cap === null) return refused([E.unknown]); // decided: unknown ids are refused
      return ok(cap);
    },
    pkg(t, args, op) { return t.h[op.what](...args); },
  },
  boundedInspect: {
    kind: 'bounded',
    show: (op, recv) => `[${recv}.size, ${recv}.factor, loads of every node]`,
    model(t) {
      const loads = [...t.m.loads()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      return ok([t.m.size, t.m.c, loads]);
    },
    pkg(t) {
      const ids = [...t.m.loads().keys()].sort();
      return [t.h.size, t.h.factor, ids.map((id) => [id, t.h.load(id)])];
    },
  },
  freeBounded: {
    kind: 'bounded', onFreed: true, name: 'free',
    model() { return ok(undefined); }, // SPEC §15: calling free() again is not an error
    pkg(t) { return t.h.free(); },
    after(t) { t.freed = true; },
  },
  // -- Ketama (ringroute/full) --
  newKetama: {
    kind: 'ketama', creates: true,
    show: (op, recv) => `${recv} = new full.Ketama()`,
    model() { return ok(undefined); },
    pkg() { return new (this.mod('full').Ketama)(); },
    view: () => undefined,
    after(_t, _a, op, result) {
      if (!result) return;
      this.put('ketama', op.k, { mod: 'full', m: new ModelKetama(), h: result });
    },
  },
  kadd: {
    kind: 'ketama', name: 'add',
    model(t, [host, port, opts]) {
      const faults = [];
      if (typeof host !== 'string') faults.push(E.type);
      faults.push(...countFaults(port));
      if (typeof port === 'number' && Number.isInteger(port) && port > 65535) faults.push(E.arg);
      const f = readOptions(opts, ['weight'], faults);
      let w = f.weight;
      if (w === undefined) w = 1;
      else if (typeof w !== 'number') faults.push(E.type);
      else if (!(Number.isInteger(w) && w >= 1 && w <= U32_MAX)) faults.push(E.weight);
      if (typeof host === 'string') {
        if (host === '') faults.push(E.empty);
        else if (utf8(host).length > 1025) faults.push(E.tooLong);
      }
      if (faults.length) return refused(faults);
      if (t.m.indexOf(host, port) >= 0) return refused([E.dup]);
      if (t.m.servers.length >= MAX_NODES) return refused([E.tooManyNodes]);
      return ok(undefined, () => { t.m.servers.push({ host, port, weight: w }); t.m.build(); });
    },
    pkg(t, [host, port, opts]) { return t.h.add(host, port, opts); },
  },
  kaddAll: {
    kind: 'ketama', name: 'addAll',
    // SPEC.md §15: every entry's argument checks first (type, port range), then ring-core's
    // checks as the adds in order would make them; all or none.
    model(t, [servers]) {
      if (!Array.isArray(servers)) return refused([E.type]);
      const faults = [];
      const entries = [];
      const readable = Math.min(servers.length, MAX_NODES - t.m.servers.length + 1);
      for (let i = 0; i < readable && !faults.length; i++) {
        const s = readIndex(servers, i, faults);
        if (s === null || typeof s !== 'object') { faults.push(E.type); break; }
        const host = readField(s, 'host', faults);
        const port = readField(s, 'port', faults);
        if (typeof host !== 'string') faults.push(E.type);
        faults.push(...countFaults(port));
        if (typeof port === 'number' && Number.isInteger(port) && port > 65535) faults.push(E.arg);
        let weight = readField(s, 'weight', faults);
        if (weight === undefined) weight = 1;
        else if (typeof weight !== 'number') faults.push(E.type);
        entries.push({ host, port, weight });
      }
      if (faults.length) return refused(faults);
      const m = t.m.clone();
      for (const { host, port, weight } of entries) {
        if (host === '') return refused([E.empty]);
        if (utf8(host).length > 1025) return refused([E.tooLong]);
        if (!(Number.isInteger(weight) && weight >= 1 && weight <= U32_MAX)) return refused([E.weight]);
        if (m.indexOf(host, port) >= 0) return refused([E.dup]);
        if (m.servers.length >= MAX_NODES) return refused([E.tooManyNodes]);
        m.servers.push({ host, port, weight });
      }
      return ok(undefined, () => { t.m.servers = m.servers; t.m.build(); });
    },
    pkg(t, [servers]) { return t.h.addAll(servers); },
  },
  kremove: {
    kind: 'ketama', name: 'remove',
    model(t, [host, port]) {
      const faults = typeof host === 'string' ? [] : [E.type];
      faults.push(...countFaults(port));
      if (typeof port === 'number' && Number.isInteger(port) && port > 65535) faults.push(E.arg);
      if (faults.length) return refused(faults);
      const i = t.m.indexOf(host, port);
      return ok(i >= 0, () => { if (i >= 0) { t.m.servers.splice(i, 1); t.m.build(); } });
    },
    pkg(t, [host, port]) { return t.h.remove(host, port); },
  },
  kget: {
    kind: 'ketama', name: 'get',
    model(t, [key]) { return keyAnswer(key, () => t.m.get(key)); },
    pkg(t, [key]) { return t.h.get(key); },
  },
  kgetN: {
    kind: 'ketama', name: 'getN',
    model(t, [key, n]) {
      const f = [...keyFaults(key), ...countFaults(n)];
      return f.length ? refused(f) : ok(t.m.getN(key, n));
    },
    pkg(t, [key, n]) { return t.h.getN(key, n); },
  },
  freeKetama: {
    kind: 'ketama', onFreed: true, name: 'free',
    model() { return ok(undefined); }, // SPEC §15: calling free() again is not an error
    pkg(t) { return t.h.free(); },
    after(t) { t.freed = true; },
  },
  // -- internals left public on the class: whatever they do, nothing may trap --
  internal: {
    kind: 'ring', anyOutcome: true,
    show: (op, recv, args) => `${recv}.${op.what}(${args})${op.lens ? ` after writing lengths ${src(op.lens)}` : ''}`,
    model() { return { errs: [{ cls: 'Error+', code: '*' }, { cls: 'TypeError', code: '*' }, { cls: 'RangeError', code: '*' }], alt: 'any' }; },
    pkg(t, args, op) {
      const fn = t.h[op.what];
      if (typeof fn !== 'function') return 'any';
      const Ring = t.h.constructor;
      if (op.lens && typeof Ring.__scratchLens === 'function' && typeof Ring.__memory === 'function') {
        const at = Ring.__scratchLens(op.lens.length);
        new Uint32Array(Ring.__memory().buffer, at, op.lens.length).set(op.lens);
      }
      fn.apply(t.h, args);
      return 'any';
    },
  },
};

export { norm, normDoc };

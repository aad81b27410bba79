// Seeded randomness, argument generators (valid, invalid and hostile) and a printer
// that turns an operation list back into JavaScript source for reproducers.

/**
 * Input families to leave out (FUZZ_SKIP=hostile,bigdoc,...): to explore past a known
 * failure while it is being fixed. CI never sets it.
 */
const SKIP = new Set((process.env.FUZZ_SKIP ?? '').split(',').filter(Boolean));
export const w = (family, weight) => (SKIP.has(family) ? 0 : weight);
/** Drops BigInt specs from a list when FUZZ_SKIP has `bigint`. */
const noBig = (list) => (SKIP.has('bigint') ? list.filter((x) => x?.$ !== 'big') : list);

/** sfc32: small, fast, seedable; the same seed gives the same run on every machine. */
export function prng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const rnd = {
    next,
    int: (n) => Math.floor(next() * n), // 0 .. n-1
    range: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    /** Picks from [[weight, value-or-thunk], ...]. */
    weighted(table) {
      let total = 0;
      for (const [w] of table) total += w;
      let x = next() * total;
      for (const [w, v] of table) {
        if ((x -= w) < 0) return typeof v === 'function' ? v() : v;
      }
      const v = table[table.length - 1][1];
      return typeof v === 'function' ? v() : v;
    },
  };
  return rnd;
}

// Ids: a small pool so adds collide, removes hit, and unicode ordering matters.
export const ID_POOL = ['a', 'b', 'c', 'ws-0', 'ws-1', 'ws-10', 'ws-2', 'é', 'e\u0301', 'ключ',
  '🦀', '\u0000', 'a\u0000b', '\uffff', '\u{10ffff}', ' ', 'Z', 'node/with/slashes'];
const KEY_POOL = ['', 'user:1', 'user:42', 'k', 'ключ', '🚀', 'e\u0301', '\u0000', 'a\u0000',
  'naïve café', '\ud800', 'x\udfff', '\udc00\ud800', 'ab\ud83d', 'mixed 🦀 ü \ud800 end'];

export function genId(rnd) {
  return rnd.weighted([
    [80, () => rnd.pick(ID_POOL)],
    [6, () => `n${rnd.int(40)}`],
    [3, () => ({ $: 'rep', s: 'i', n: rnd.pick([4095, 4096, 4097, 2048, 1366]) })], // at and past 4,096 bytes
    [1, () => ({ $: 'rep', s: 'é', n: rnd.pick([2048, 2049]) })],
    [w('loneid', 4), () => rnd.pick(['x\ud800', 'x\udfff', '\udc00', 'a\ud83db'])], // lone surrogates: refused (INVALID_ID)
    [3, ''],
    [6, () => genWrongType(rnd)],
  ]);
}

export function genWrongType(rnd) {
  return rnd.pick(noBig([
    undefined, null, 42, -0, NaN, true, {}, [], ['a'], { $: 'u8', bytes: [97] },
    { $: 'big', v: '7' }, { $: 'sym' }, { $: 'numobj', v: 1 }, { $: 'strobj', v: 'a' }, { $: 'fn' },
  ]));
}

function randomString(rnd, n) {
  let s = '';
  for (let i = 0; i < n; i++) {
    s += rnd.weighted([
      [60, () => String.fromCharCode(rnd.range(32, 126))],
      [10, () => String.fromCharCode(rnd.range(0x80, 0x7ff))],
      [10, () => String.fromCharCode(rnd.range(0x800, 0xd7ff))],
      [8, () => String.fromCodePoint(rnd.range(0x10000, 0x10ffff))],
      [4, () => String.fromCharCode(rnd.range(0xd800, 0xdfff))], // often lone
      [4, '\u0000'],
    ]);
  }
  return s;
}

export function genKey(rnd) {
  return rnd.weighted([
    [40, () => `user:${rnd.int(1000)}`],
    [20, () => rnd.pick(KEY_POOL)],
    [15, () => randomString(rnd, rnd.int(12))],
    [8, () => ({ $: 'u8', bytes: Array.from({ length: rnd.int(9) }, () => rnd.int(256)) })],
    [2, () => ({ $: 'u8view', bytes: Array.from({ length: rnd.int(9) + 3 }, () => rnd.int(256)), offset: 1 + rnd.int(2) })],
    [w('detached', 1), () => ({ $: 'detached' })],
    [1, () => ({ $: 'buffer', bytes: [1, 2, 3] })],
    [3, () => ({ $: 'rep', s: rnd.pick(['x', 'é', '🦀', 'ab\ud800']), n: rnd.pick([1000, 70000, 300000]) })],
    [6, () => rnd.pick(noBig([undefined, null, 1, NaN, {}, [], true, { $: 'sym' }, { $: 'big', v: '1' },
      { $: 'strobj', v: 'k' }, { $: 'u16' }, { $: 'arraybuffer' }, { $: 'dataview' }]))],
  ]);
}

/** Numbers at and around every boundary the API has. */
export function genNumber(rnd) {
  return rnd.weighted([
    [30, () => rnd.int(5)],
    [10, () => rnd.pick([0, -0, 1, 2, 3, 0.5, 1.5, 2.5, 0.25, 1e-9, 1e-300, 5e-324])],
    [10, () => rnd.pick([NaN, Infinity, -Infinity, -1, -1.5, -0.5])],
    [10, () => rnd.pick([2 ** 16, 2 ** 16 + 1, 65535, 65536, 65537, 2 ** 20, 2 ** 20 + 1, 2 ** 24, 2 ** 31, 2 ** 32 - 1,
      2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300, Number.MAX_VALUE])],
    [5, () => rnd.pick(noBig(['1', '', null, undefined, true, { $: 'numobj', v: 2 }, { $: 'big', v: '3' }, [1], {}]))],
  ]);
}

export function genWeight(rnd) {
  return rnd.weighted([
    [50, () => rnd.pick([1, 1, 1, 2, 0.5, 3, 0.25, 1.5, 0.1, 4])],
    [10, () => rnd.next() * 4],
    [15, () => genNumber(rnd)],
  ]);
}

/** Marks a Uint8Array whose buffer was transferred away (it reads as zero bytes). */
export const DETACHED = Symbol('detached');

/** Materialises an argument spec into a JS value (`ctx` resolves instance references). */
export function make(spec, ctx) {
  if (spec === null || typeof spec !== 'object') return spec;
  if (Array.isArray(spec)) return spec.map((s) => make(s, ctx));
  switch (spec.$) {
    case undefined: {
      const o = {};
      for (const [k, v] of Object.entries(spec)) o[k] = make(v, ctx);
      return o;
    }
    case 'rep': return spec.s.repeat(spec.n) + (spec.tail ?? '');
    case 'u8': return new Uint8Array(spec.bytes);
    case 'u8view': return new Uint8Array(spec.bytes).subarray(spec.offset);
    case 'buffer': return Buffer.from(spec.bytes);
    case 'detached': { const u = new Uint8Array(8); structuredClone(u.buffer, { transfer: [u.buffer] }); u[DETACHED] = true; return u; }
    case 'u16': return new Uint16Array([1, 2]);
    case 'arraybuffer': return new ArrayBuffer(4);
    case 'dataview': return new DataView(new ArrayBuffer(4));
    case 'big': return BigInt(spec.v);
    case 'sym': return Symbol('s');
    case 'numobj': return new Number(spec.v); // eslint-disable-line no-new-wrappers
    case 'strobj': return new String(spec.v); // eslint-disable-line no-new-wrappers
    case 'fn': return () => 1;
    case 'json': {
      try { return JSON.stringify(make(spec.doc, ctx)); } catch { return '{"servers": 5n}'; } // BigInt: not JSON
    }
    case 'text': return spec.text;
    case 'servers': return Array.from({ length: spec.n }, (_, i) => ({ id: `s${i}`, weight: spec.weight }));
    default: return ctx.special(spec);
  }
}

const nestedSrc = (op) => `ring${op.k}.${op.t}(${(op.a ?? []).map(src).join(', ')})`;

const ident = /^[A-Za-z_$][\w$]*$/;

/** JavaScript source for a spec: NaN, -0, lone surrogates and long strings print exactly. */
export function src(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return String(v);
  }
  if (typeof v === 'string') return v.length > 200 ? `${JSON.stringify(v.slice(0, 20))} /* … ${v.length} chars */` : JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length <= 8) return `[${v.map(src).join(', ')}]`;
    // Long lists: the first few, and every item that is not a plain string.
    const odd = v.map((x, i) => [x, i]).filter(([x, i]) => i >= 4 && typeof x !== 'string').slice(0, 4);
    const shown = odd.map(([x, i]) => `/* [${i}] */ ${src(x)}`);
    return `[${v.slice(0, 4).map(src).join(', ')}, ${shown.length ? `${shown.join(', ')}, ` : ''}/* ${v.length} items in all */]`;
  }
  if (v.$ === 'rep') return `${JSON.stringify(v.s)}.repeat(${v.n})${v.tail ? ` + ${JSON.stringify(v.tail)}` : ''}`;
  if (v.$ === 'u8') return `new Uint8Array(${JSON.stringify(v.bytes)})`;
  if (v.$ === 'servers') return `Array.from({ length: ${v.n} }, (_, i) => ({ id: \`s\${i}\`, weight: ${src(v.weight)} }))`;
  if (v.$ === 'json') return `JSON.stringify(${src(v.doc)})`;
  if (v.$ === 'text') return JSON.stringify(v.text);
  if (v.$ === 'ref') return `${v.kind}${v.i}`;
  if (v.$ === 'fake') return `Object.create(${v.mod}.${v.cls}.prototype)`;
  if (v.$ === 'u8view') return `new Uint8Array(${JSON.stringify(v.bytes)}).subarray(${v.offset})`;
  if (v.$ === 'hostile' || v.$ === 'hostileArray') {
    const g = Object.values(v.getters ?? { [v.at]: v.getter })[0];
    const name = v.$ === 'hostile' ? Object.keys(v.getters)[0] : `[${v.at}]`;
    const body = g.throws ? 'throw new Error()' : `${g.nested ? `${nestedSrc(g.nested)}; ` : ''}return ${src(g.value)}`;
    const base = v.$ === 'hostile' ? src(v.plain ?? {}) : `${src(v.items)} (${v.items.length} items)`;
    return `${base} with getter ${name}() { ${body} }`;
  }
  if (v.$ !== undefined) {
    const rest = Object.entries(v).filter(([k]) => k !== '$').map(([k, x]) => `${k}: ${src(x)}`);
    return `$${v.$}(${rest.length ? `{ ${rest.join(', ')} }` : ''})`;
  }
  return `{ ${Object.entries(v).map(([k, x]) => `${ident.test(k) ? k : JSON.stringify(k)}: ${src(x)}`).join(', ')} }`;
}

/** Exact JavaScript source for a spec or op list (for reproducer files). */
export function ser(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return '-0';
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(ser).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${ser(x)}`).join(', ')} }`;
}

// SPEC.md §12: the libmemcached-compatible ketama continuum, with node:crypto's MD5.
import { createHash } from 'node:crypto';
import { keyBytes } from './hash.mjs';

const f32 = Math.fround;
const md5 = (bytes) => createHash('md5').update(bytes).digest();
const word = (d, i) => d.readUInt32LE(4 * i);

/** Digests for a server of weight w among n servers of total weight W; each op in f32. */
export function digests(w, W, n) {
  const pct = f32(f32(w) / f32(W));
  return Math.floor(f32(f32(f32(pct * 160) / 4) * f32(n)));
}

export class ModelKetama {
  constructor() { this.servers = []; this.build(); }

  clone() { const k = new ModelKetama(); k.servers = this.servers.map((s) => ({ ...s })); k.build(); return k; }

  indexOf(host, port) { return this.servers.findIndex((s) => s.host === host && s.port === port); }

  build() {
    const n = this.servers.length;
    const W = this.servers.reduce((s, x) => s + x.weight, 0);
    const keys = [];
    this.servers.forEach((s, index) => {
      const prefix = s.port === 11211 ? `${s.host}-` : `${s.host}:${s.port}-`;
      const count = digests(s.weight, W, n);
      for (let i = 0; i < count; i++) {
        const d = md5(Buffer.from(`${prefix}${i}`, 'utf8'));
        for (let j = 0; j < 4; j++) keys.push(word(d, j) * 65536 + index);
      }
    });
    keys.sort((a, b) => a - b);
    this.positions = keys.map((k) => Math.floor(k / 65536));
    this.owners = keys.map((k) => k % 65536);
  }

  get pointCount() { return this.positions.length; }
  name(i) { return `${this.servers[i].host}:${this.servers[i].port}`; }

  start(key) {
    if (!this.positions.length) return -1;
    const p = md5(keyBytes(key)).readUInt32LE(0);
    let lo = 0, hi = this.positions.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (this.positions[m] < p) lo = m + 1; else hi = m; }
    return lo === this.positions.length ? 0 : lo;
  }

  get(key) { const i = this.start(key); return i < 0 ? undefined : this.name(this.owners[i]); }

  getN(key, n) {
    const out = [];
    const i = this.start(key);
    if (i < 0) return out;
    const seen = new Set();
    for (let s = 0; s < this.positions.length && out.length < n; s++) {
      const o = this.owners[(i + s) % this.positions.length];
      if (!seen.has(o)) { seen.add(o); out.push(this.name(o)); }
    }
    return out;
  }

  list() { return this.servers.map(({ host, port, weight }) => ({ host, port, weight })); }
}

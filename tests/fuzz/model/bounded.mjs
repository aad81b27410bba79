// SPEC.md §13: consistent hashing with bounded loads. Where the spec leaves a rule open
// (the issue lists them), the model takes the reading documented in ring-core's
// BoundedLoads docs: total weight summed in id order, `m` = items after the operation
// (counting one being assigned), rebalance placing with the item count before it.
import { keyBytes, compareBytes, utf8 } from './hash.mjs';

// Caps are u64 in ring-core: at or above 2^64 they saturate (SPEC.md §13).
const ceil = (x) => Math.min(Math.ceil(x), 2 ** 64 - 1);
const keyId = (bytes) => Buffer.from(bytes).toString('latin1'); // a Map key per byte string

export class ModelBounded {
  constructor(c) {
    this.c = c;
    this.owner = new Map(); // keyId -> { bytes, position, node }
  }

  clone() {
    const b = new ModelBounded(this.c);
    for (const [k, v] of this.owner) b.owner.set(k, { ...v });
    return b;
  }

  get size() { return this.owner.size; }

  load(id) { let n = 0; for (const v of this.owner.values()) if (v.node === id) n++; return n; }

  loads() { const m = new Map(); for (const v of this.owner.values()) m.set(v.node, (m.get(v.node) ?? 0) + 1); return m; }

  static total(ring) {
    let t = 0;
    for (const n of ring.built.nodes) t += n.weight; // id order
    return t;
  }

  capOf(ring, weight, items) { return ceil(this.c * items * weight / ModelBounded.total(ring)); }

  cap(ring, id, items) {
    const m = ring.members.get(id);
    return m ? this.capOf(ring, m.weight, items) : null;
  }

  ownerOf(key) { return this.owner.get(keyId(keyBytes(key)))?.node; }

  /** First node clockwise with room for `items`, else the first least loaded one. */
  place(ring, position, items, loads) {
    let least = null;
    for (const id of ring.successorsAt(position, Infinity)) {
      const load = loads.get(id) ?? 0;
      if (load < this.capOf(ring, ring.members.get(id).weight, items)) return id;
      if (least === null || load < least[0]) least = [load, id];
    }
    return least ? least[1] : undefined;
  }

  assign(ring, key) {
    const bytes = keyBytes(key);
    const k = keyId(bytes);
    const cur = this.owner.get(k);
    if (cur) {
      if (ring.members.has(cur.node)) return cur.node;
      this.owner.delete(k);
    }
    const position = ring.position(bytes);
    const node = this.place(ring, position, this.size + 1, this.loads());
    if (node === undefined) return undefined;
    this.owner.set(k, { bytes, position, node });
    return node;
  }

  release(ring, key) {
    const k = keyId(keyBytes(key));
    if (!this.owner.has(k)) return false;
    this.owner.delete(k);
    this.rebalance(ring);
    return true;
  }

  sorted(entries) {
    return entries.sort((a, b) => a.position - b.position || compareBytes(a.bytes, b.bytes));
  }

  rebalance(ring) {
    const before = new Map([...this.owner].map(([k, v]) => [k, v.node]));
    const m = this.size;
    const byNode = new Map();
    for (const [k, v] of this.owner) {
      if (!byNode.has(v.node)) byNode.set(v.node, []);
      byNode.get(v.node).push({ k, ...v });
    }
    const pending = [];
    const ids = [...byNode.keys()].sort((a, b) => compareBytes(utf8(a), utf8(b)));
    for (const id of ids) {
      const member = ring.members.get(id);
      const cap = member ? this.capOf(ring, member.weight, m) : 0;
      const items = this.sorted(byNode.get(id));
      while (items.length > cap) {
        const it = items.pop();
        this.owner.delete(it.k);
        pending.push(it);
      }
    }
    this.sorted(pending);
    const loads = this.loads();
    for (const it of pending) {
      const node = this.place(ring, it.position, m, loads);
      if (node === undefined) break;
      this.owner.set(it.k, { bytes: it.bytes, position: it.position, node });
      loads.set(node, (loads.get(node) ?? 0) + 1);
    }
    while (this.pullBackPass(ring) > 0);
    let moved = 0;
    for (const [k, node] of before) if (this.owner.get(k)?.node !== node) moved++;
    return moved;
  }

  pullBackPass(ring) {
    const m = this.size;
    const all = this.sorted([...this.owner].map(([k, v]) => ({ k, ...v })));
    const loads = this.loads();
    let moved = 0;
    for (const it of all) {
      for (const id of ring.successorsAt(it.position, Infinity)) {
        if (id === it.node) break;
        const load = loads.get(id) ?? 0;
        if (load < this.capOf(ring, ring.members.get(id).weight, m)) {
          loads.set(it.node, loads.get(it.node) - 1);
          loads.set(id, load + 1);
          this.owner.set(it.k, { bytes: it.bytes, position: it.position, node: id });
          moved++;
          break;
        }
      }
    }
    return moved;
  }
}

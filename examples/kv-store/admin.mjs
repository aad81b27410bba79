// The store's controller: keeps the membership equal to the nodes that should serve
// (joined by an operator, registered in etcd, alive) and moves data when it changes.
//
// One change at a time, and each the same four steps (README, "Migration"):
//   1. publish a transition: the new ring, with the last stable ring as `previous` and
//      the previous holders that still have their data (alive, same incarnation);
//   2. wait until every live node adopted it: from then on no node accepts a request
//      routed by an older membership, so every write reaches old and new holders;
//   3. copy each key from a previous holder to its new holders (merge: newer wins, so a
//      copy never overwrites a write made after its snapshot);
//   4. publish the new ring as stable; nodes then drop what it does not place on them.
// Anything failing (a node dies mid-copy, etcd away, no agreement) abandons the attempt
// and the loop plans again from the last stable ring, which is still complete. It never
// gives up: the loop runs as long as the process does.
import { coordinate } from '../shared/membership.mjs';
import { BATCH_ENTRIES, GRACE_MS, PREFIX, REPLICAS, SECRET_HEADER, VNODES } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Controller {
  coord;
  #secret;
  #log;
  /** Ids an operator joined (and did not remove): these serve whenever they are alive. */
  wanted = new Set();
  /** The last completed change: { what, epoch, copies, ms }. */
  last = null;
  changes = 0;
  #busy = false;
  #closed = false;
  #timer = null;
  #waiters = [];
  #missingLogged = 0;

  constructor(coord, secret, log) {
    this.coord = coord;
    this.#secret = secret;
    this.#log = log;
  }

  static async start({ endpoint, auth, secret, graceMs = GRACE_MS, log = (l) => console.error(l) }) {
    const coord = await coordinate({ endpoint, auth, prefix: PREFIX, graceMs, log });
    const c = new Controller(coord, secret, log);
    // Whoever the document names (the target during a transition) keeps serving.
    for (const s of coord.current?.servers ?? []) c.wanted.add(s.id);
    const kick = () => c.#loop();
    coord.on('dead', kick);
    coord.on('restarted', kick);
    coord.on('member', kick);
    const tick = () => { if (!c.#closed) { kick(); c.#timer = setTimeout(tick, 250); } };
    tick();
    return c;
  }

  /** The membership the loop steers to: wanted, alive nodes with their registrations. */
  #target() {
    const regs = this.coord.members;
    return [...this.wanted].filter((id) => regs.has(id)).sort().map((id) => regs.get(id));
  }

  /** Resolves once the stable membership is what `check(m)` wants; for the admin API. */
  settled(check, timeoutMs = 60_000) {
    return new Promise((resolve, reject) => {
      const w = { check, resolve, timer: setTimeout(() => { this.#waiters = this.#waiters.filter((x) => x !== w); reject(new Error('the change did not complete in time')); }, timeoutMs) };
      this.#waiters.push(w);
      this.#loop();
    });
  }

  #notify() {
    const m = this.coord.current;
    if (!m || m.inTransition) return;
    this.#waiters = this.#waiters.filter((w) => (w.check(m) ? (clearTimeout(w.timer), w.resolve(m), false) : true));
  }

  async #loop() {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      await this.#step();
    } catch (e) {
      this.#log(`controller: ${e.message}; planning again`);
      await sleep(250);
    } finally {
      this.#busy = false;
      this.#notify();
    }
  }

  async #step() {
    const coord = this.coord;
    const m = coord.current;
    if (!coord.reachable) return;
    const target = this.#target();
    if (!m) {
      if (target.length) await coord.publish(coord.draft(target, { vnodes: VNODES }));
      return;
    }
    // The last stable ring and which of its servers still hold their data.
    const stableDoc = m.inTransition ? m.doc.previous : m.doc.membership;
    const stableIncs = m.inTransition ? m.previousIncarnations : m.incarnations;
    const alive = new Map();
    for (const s of stableDoc.servers) {
      const reg = coord.members.get(s.id);
      if (reg && reg.incarnation === stableIncs.get(s.id)) alive.set(s.id, reg.incarnation);
      else if (!reg && !coord.dead.has(s.id) && stableIncs.has(s.id)) return; // in its grace period: wait
    }
    if (target.length === 0 || alive.size === 0) return; // never drop the last member
    // With two copies, only one holder may be written off at a time: if more are missing
    // they are more likely away (say, slow back after an etcd outage) than dead.
    if (stableDoc.servers.length - alive.size > REPLICAS - 1) {
      const missing = stableDoc.servers.length - alive.size;
      if (this.#missingLogged !== missing) this.#log(`controller: ${missing} nodes missing; waiting for them`);
      this.#missingLogged = missing;
      return;
    }
    const same = !m.inTransition && target.length === m.servers.length &&
      target.every((r) => m.incarnations.get(r.id) === r.incarnation && m.address(r.id) === r.address);
    if (same) return;

    const started = Date.now();
    const what = describe(stableDoc.servers.map((s) => s.id), target.map((r) => r.id), alive, stableIncs);
    this.#log(`controller: ${what}`);
    const transition = await coord.publish(coord.draft(target, {
      previous: stableDoc, previousIncarnations: Object.fromEntries(alive),
    }));
    await coord.agreement(transition, { timeoutMs: 10_000 });
    const copies = await this.#copy(transition);
    const stable = await coord.publish(coord.draft(target));
    await coord.agreement(stable, { timeoutMs: 10_000 });
    this.changes += 1;
    this.last = { what, epoch: stable.epoch, copies, ms: Date.now() - started };
    this.#log(`controller: epoch ${stable.epoch} stable after ${this.last.ms} ms, ${copies} copies`);
  }

  /** Copies every key from its first live previous holder to its new holders. */
  async #copy(m) {
    let copies = 0;
    for (const [source, incarnation] of m.previousIncarnations) {
      for (let from = 0; from !== null;) {
        const page = await this.#internal(m, source, incarnation, 'GET', `/dump?from=${from}`);
        const batches = new Map(); // target id -> entries
        for (const [key, entry] of page.entries) {
          const old = m.previous.getN(key, REPLICAS).filter((id) => m.previousIncarnations.has(id));
          if (old[0] !== source) continue; // another previous holder copies it (or it is not placed here)
          for (const id of m.ring.getN(key, REPLICAS)) {
            if (old.includes(id)) continue;
            if (!batches.has(id)) batches.set(id, []);
            batches.get(id).push([key, entry]);
          }
        }
        await Promise.all([...batches].map(async ([id, entries]) => {
          await this.#internal(m, id, m.incarnations.get(id), 'POST', '/merge', { entries });
          copies += entries.length;
        }));
        from = page.next;
      }
    }
    return copies;
  }

  async #internal(m, id, incarnation, method, path, body) {
    const res = await fetch(`${m.address(id)}${path}`, {
      method,
      body: body && JSON.stringify(body),
      headers: { [SECRET_HEADER]: this.#secret, 'x-epoch': String(m.epoch), 'x-incarnation': incarnation, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${method} ${path.slice(0, 40)} on ${id}: HTTP ${res.status} ${answer.error ?? ''}`);
    return answer;
  }

  async close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (let i = 0; i < 100 && this.#busy; i += 1) await sleep(100);
    await this.coord.close();
  }
}

function describe(before, after, alive, incs) {
  const joined = after.filter((id) => !before.includes(id));
  const left = before.filter((id) => !after.includes(id));
  const refilled = after.filter((id) => before.includes(id) && !alive.has(id) && incs.has(id));
  return [
    joined.length && `join ${joined.join(', ')}`, left.length && `leave ${left.join(', ')}`,
    refilled.length && `refill ${refilled.join(', ')}`,
  ].filter(Boolean).join('; ') || 'resume';
}

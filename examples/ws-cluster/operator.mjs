// The operator publishes membership to etcd: the first membership, scaling events (a new
// membership with an epoch, then its cut-over step by step, each step only once every
// router reports the same fingerprint), a member's new address after a restart (a new
// incarnation), and the removal of members whose alive key stays gone past a grace period.
import { HashRing } from 'ringroute';
import { leased } from '../shared/etcd.mjs';
import { AGREE, ALIVE, CLUSTER, LEASE_SECONDS, VNODES, routingFingerprint } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** An alive key gone this long means a dead member, not an etcd hiccup or a restart. */
const GRACE_MS = 1_500;

export class Operator {
  #etcd;
  #watcher = null;
  #queue = Promise.resolve();
  #closed = false;
  /** Events as they happened: { what, epoch, ms }. */
  log = [];

  constructor(etcd) {
    this.#etcd = etcd;
  }

  async current() {
    return this.#etcd.get(CLUSTER).json();
  }

  /** Alive members: id -> { client, internal, incarnation }. */
  async #alive() {
    const out = new Map();
    for (const [id, value] of await leased(this.#etcd, ALIVE)) {
      try {
        out.set(id, JSON.parse(value));
      } catch { /* not a member's value: ignored */ }
    }
    return out;
  }

  /** A snapshot of `ids` and their members entries, from their alive keys. */
  async #membership(ids, epoch) {
    const alive = await this.#alive();
    const members = {};
    const servers = ids.map((id) => {
      if (!alive.has(id)) throw new Error(`server ${JSON.stringify(id)} is not alive in etcd`);
      members[id] = alive.get(id);
      return { id, address: alive.get(id).client, weight: 1 };
    });
    return { membership: { version: 1, epoch, vnodes: VNODES, seed: 0, servers }, members };
  }

  async #publish(doc) {
    await this.#etcd.put(CLUSTER).value(JSON.stringify(doc));
  }

  /** Resolves once every live router in `doc` (both sides during an event) reports `doc`. */
  async #agreement(doc, timeoutMs = 15_000) {
    const ring = HashRing.fromJSON(doc.membership);
    const expected = routingFingerprint(ring.fingerprint, doc);
    ring.free();
    const ids = new Set([...(doc.previous?.servers ?? []), ...doc.membership.servers].map((s) => s.id));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const alive = await this.#alive();
      const reports = await this.#etcd.getAll().prefix(AGREE).json();
      const lagging = [...ids].filter((id) => alive.has(id) && reports[`${AGREE}${id}`]?.fingerprint !== expected);
      if (lagging.length === 0) return;
      if (Date.now() > deadline) throw new Error(`routers ${lagging.join(', ')} do not agree on ${expected}`);
      await sleep(20);
    }
  }

  #serially(fn) {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The first membership. */
  bootstrap(ids) {
    return this.#serially(async () => {
      const { membership, members } = await this.#membership(ids, 1);
      const doc = { epoch: 1, membership, members, previous: null, step: 0, steps: 0 };
      await this.#publish(doc);
      await this.#agreement(doc);
      this.log.push({ what: `bootstrap ${ids.join(', ')}`, epoch: 1 });
    });
  }

  /**
   * A scaling event to membership `ids`: dual delivery while the arcs cut over in
   * `steps` batches, `stepMs` apart, then completion. Resolves to the event's plan.
   */
  scale(ids, { steps = 5, stepMs = 300 } = {}) {
    return this.#serially(async () => {
      const started = Date.now();
      const now = await this.current();
      const epoch = now.epoch + 1;
      const { membership, members } = await this.#membership(ids, epoch);
      const doc = { epoch, membership, members: { ...now.members, ...members }, previous: now.membership, step: 0, steps };
      await this.#publish(doc);
      await this.#agreement(doc);
      for (let step = 1; step <= steps; step += 1) {
        await sleep(stepMs);
        doc.step = step;
        await this.#publish(doc);
        await this.#agreement(doc);
      }
      await sleep(stepMs); // the last batch reconnects while dual delivery still runs
      const done = { epoch, membership, members, previous: null, step: steps, steps };
      await this.#publish(done);
      await this.#agreement(done);
      const [from, to] = [HashRing.fromJSON(now.membership), HashRing.fromJSON(membership)];
      const plan = from.diff(to);
      const event = { what: `scale to ${ids.join(', ')}`, epoch, ms: Date.now() - started, movedFraction: plan.movedFraction };
      for (const r of [from, to, plan]) r.free();
      this.log.push(event);
      return event;
    });
  }

  /** Publishes a member's new addresses when it restarted (same id, new incarnation). */
  #restarted(id, value) {
    return this.#serially(async () => {
      const now = await this.current();
      const known = now?.members?.[id];
      if (!known || known.incarnation === value.incarnation) return;
      const epoch = now.epoch + 1;
      const servers = now.membership.servers.map((s) => (s.id === id ? { ...s, address: value.client } : s));
      const membership = { ...now.membership, epoch, servers };
      const previous = now.previous && { ...now.previous, servers: now.previous.servers.map((s) => (s.id === id ? { ...s, address: value.client } : s)) };
      const doc = { ...now, epoch, membership, previous, members: { ...now.members, [id]: value } };
      if (now.previous) doc.step = 0; // a new epoch restarts the event's cut-over
      await this.#publish(doc);
      await this.#agreement(doc);
      this.log.push({ what: `${id} restarted`, epoch });
    });
  }

  /** Drops a member whose alive key stayed gone for GRACE_MS; never the last one. */
  #died(id) {
    return this.#serially(async () => {
      await sleep(GRACE_MS);
      if ((await this.#alive()).has(id)) return; // back (etcd was away, or it restarted)
      const now = await this.current();
      if (!now?.membership.servers.some((s) => s.id === id)) return; // left gracefully
      const servers = now.membership.servers.filter((s) => s.id !== id);
      if (servers.length === 0) return; // never drop the last member
      const epoch = now.epoch + 1;
      const members = Object.fromEntries(servers.map((s) => [s.id, now.members[s.id]]));
      const doc = { epoch, membership: { ...now.membership, epoch, servers }, members, previous: null, step: 0, steps: 0 };
      await this.#publish(doc);
      await this.#agreement(doc);
      this.log.push({ what: `${id} died`, epoch });
    });
  }

  /** Follows alive keys: restarts and deaths. Retries through etcd outages. */
  async watchMembers() {
    this.#watcher = await this.#etcd.watch().prefix(ALIVE).create();
    const retrying = (fn, what) => fn().catch(async (e) => {
      this.log.push({ what: `${what} failed: ${e.message}; retrying` });
      await sleep(LEASE_SECONDS * 250);
      if (!this.#closed) retrying(fn, what);
    });
    this.#watcher.on('put', (kv) => {
      const id = kv.key.toString().slice(ALIVE.length);
      let value;
      try {
        value = JSON.parse(kv.value.toString());
      } catch {
        return;
      }
      retrying(() => this.#restarted(id, value), `updating ${id}`);
    });
    this.#watcher.on('delete', (kv) => {
      const id = kv.key.toString().slice(ALIVE.length);
      retrying(() => this.#died(id), `dropping ${id}`);
    });
  }

  async close() {
    this.#closed = true;
    await this.#queue;
    await this.#watcher?.cancel();
  }
}

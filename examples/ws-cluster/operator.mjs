// The operator publishes membership to etcd: the first membership, scaling events (a
// new membership with an epoch, then its cut-over step by step, each step only once
// every router reports the same fingerprint), and the removal of servers whose
// liveness lease expired.
import { HashRing } from 'ringroute';
import { leased } from '../shared/etcd.mjs';
import { AGREE, ALIVE, CLUSTER, VNODES, routingFingerprint } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Operator {
  #etcd;
  #watcher = null;
  #queue = Promise.resolve();
  /** Events as they happened: { what, epoch, ms }. */
  log = [];

  constructor(etcd) {
    this.#etcd = etcd;
  }

  async current() {
    return this.#etcd.get(CLUSTER).json();
  }

  #alive() {
    return leased(this.#etcd, ALIVE);
  }

  /** A snapshot of `ids` with their addresses from their alive keys. */
  async #membership(ids, epoch) {
    const alive = await this.#alive();
    const servers = ids.map((id) => {
      if (!alive.has(id)) throw new Error(`server ${JSON.stringify(id)} is not alive in etcd`);
      return { id, address: alive.get(id), weight: 1 };
    });
    return { version: 1, epoch, vnodes: VNODES, seed: 0, servers };
  }

  async #publish(doc) {
    await this.#etcd.put(CLUSTER).value(JSON.stringify(doc));
  }

  /** Resolves once every router in `doc` (both sides during an event) reports `doc`. */
  async #agreement(doc, timeoutMs = 10_000) {
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
      const membership = await this.#membership(ids, 1);
      const doc = { epoch: 1, membership, previous: null, step: 0, steps: 0 };
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
      const membership = await this.#membership(ids, epoch);
      const doc = { epoch, membership, previous: now.membership, step: 0, steps };
      await this.#publish(doc);
      await this.#agreement(doc);
      for (let step = 1; step <= steps; step += 1) {
        await sleep(stepMs);
        doc.step = step;
        await this.#publish(doc);
        await this.#agreement(doc);
      }
      await sleep(stepMs); // the last batch reconnects while dual delivery still runs
      const done = { epoch, membership, previous: null, step: steps, steps };
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

  /** Drops members whose alive key expires (a crash), at once: they cannot serve. */
  async watchDeaths() {
    this.#watcher = await this.#etcd.watch().prefix(ALIVE).create();
    this.#watcher.on('delete', (kv) => {
      const id = kv.key.toString().slice(ALIVE.length);
      this.#serially(async () => {
        const now = await this.current();
        if (!now?.membership.servers.some((s) => s.id === id)) return; // left gracefully
        const epoch = now.epoch + 1;
        const servers = now.membership.servers.filter((s) => s.id !== id);
        const doc = { epoch, membership: { ...now.membership, epoch, servers }, previous: null, step: 0, steps: 0 };
        await this.#publish(doc);
        await this.#agreement(doc);
        this.log.push({ what: `${id} died`, epoch });
      }).catch((e) => this.log.push({ what: `dropping ${id} failed: ${e.message}` }));
    });
  }

  async close() {
    await this.#queue;
    await this.#watcher?.cancel();
  }
}

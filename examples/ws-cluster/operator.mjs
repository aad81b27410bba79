// The operator publishes the cluster's membership through the shared membership module
// (examples/shared/membership.mjs): the first membership, scaling events (a new ring with
// the old one as `previous`, cut over step by step, each step only once every router
// reports the same fingerprint), a member's new address after a quick restart (a new
// incarnation: it is empty, its copies flow back to it), and the removal of members the
// module declares dead (registration gone past its grace period, etcd outages excluded).
import { coordinate } from '../shared/membership.mjs';
import { GRACE_MS, PREFIX, VNODES } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Operator {
  #coordinator;
  #queue = Promise.resolve();
  #closed = false;
  /** Events as they happened: { what, epoch, ms }. */
  log = [];

  constructor(coordinator) {
    this.#coordinator = coordinator;
    coordinator.on('restarted', ({ id }) => this.#retrying(() => this.#restarted(id), `updating ${id}`));
    coordinator.on('dead', ({ id }) => this.#retrying(() => this.#died(id), `dropping ${id}`));
  }

  /** An operator on etcd at `endpoint` (credentials from `auth` or the environment). */
  static async start({ endpoint, auth, graceMs = GRACE_MS }) {
    return new Operator(await coordinate({ endpoint, auth, prefix: PREFIX, graceMs, log: () => {} }));
  }

  /** The Membership published last. */
  get current() { return this.#coordinator.current; }

  /** Ids with a live registration in etcd, read now; empty while etcd is away. */
  async registered() {
    await this.#coordinator.refresh();
    return this.#coordinator.reachable ? [...this.#coordinator.members.keys()] : [];
  }

  #serially(fn) {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Runs `fn` serially, again after a pause while it fails (etcd away, a conflict). */
  #retrying(fn, what) {
    return this.#serially(fn).catch(async (e) => {
      this.log.push({ what: `${what} failed: ${e.message}; retrying` });
      await sleep(500);
      if (!this.#closed) this.#retrying(fn, what);
    });
  }

  /** The registered members `ids` as draft servers; throws if one is not registered. */
  #servers(ids) {
    return ids.map((id) => {
      const reg = this.#coordinator.members.get(id);
      if (!reg) throw new Error(`server ${JSON.stringify(id)} is not registered in etcd`);
      return { id, address: reg.address, incarnation: reg.incarnation };
    });
  }

  async #publish(draft) {
    const m = await this.#coordinator.publish(draft);
    await this.#coordinator.agreement(m, { timeoutMs: 15_000 });
    return m;
  }

  /** Waits (bounded) until the module has read the registrations of `ids`. */
  async #registered(ids, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !this.#coordinator.members.has(id)) && Date.now() < deadline) {
      await this.#coordinator.refresh();
      if (ids.some((id) => !this.#coordinator.members.has(id))) await sleep(100);
    }
  }

  /** The first membership. */
  bootstrap(ids) {
    return this.#serially(async () => {
      await this.#registered(ids);
      const m = await this.#publish(this.#coordinator.draft(this.#servers(ids), { vnodes: VNODES, seed: 0 }));
      this.log.push({ what: `bootstrap ${ids.join(', ')}`, epoch: m.epoch });
    });
  }

  /**
   * A scaling event to membership `ids`: dual delivery while the arcs cut over in
   * `steps` batches, `stepMs` apart, then completion. Resolves to the event's plan.
   */
  scale(ids, { steps = 5, stepMs = 300 } = {}) {
    return this.#serially(async () => {
      const started = Date.now();
      await this.#registered(ids);
      const from = this.current;
      const servers = this.#servers(ids);
      const event = { previous: from.doc.membership, previousIncarnations: Object.fromEntries(from.incarnations), steps };
      for (let step = 0; step <= steps; step += 1) {
        if (step > 0) await sleep(stepMs);
        await this.#publish(this.#coordinator.draft(servers, { ...event, step }));
      }
      await sleep(stepMs); // the last batch reconnects while dual delivery still runs
      const done = await this.#publish(this.#coordinator.draft(servers));
      const plan = from.ring.diff(done.ring);
      const result = { what: `scale to ${ids.join(', ')}`, epoch: done.epoch, ms: Date.now() - started, movedFraction: plan.movedFraction };
      plan.free();
      this.log.push(result);
      return result;
    });
  }

  /** A member restarted (same id, new incarnation): publish its new address and incarnation. */
  async #restarted(id) {
    const now = this.current;
    const reg = this.#coordinator.members.get(id);
    if (!now || !reg) return;
    const stale = (now.has(id) && now.incarnations.get(id) !== reg.incarnation) ||
      (now.previousIncarnations?.has(id) && now.previousIncarnations.get(id) !== reg.incarnation);
    if (!stale) return;
    const servers = now.servers.map((s) => (s.id === id ? { ...s, address: reg.address, incarnation: reg.incarnation } : { ...s, incarnation: now.incarnations.get(s.id) }));
    // During an event the restarted server no longer holds the old side's data.
    const previousIncarnations = now.previousIncarnations && Object.fromEntries([...now.previousIncarnations].filter(([k]) => k !== id));
    const previous = now.previous && { ...now.doc.previous, servers: now.doc.previous.servers.map((s) => (s.id === id ? { ...s, address: reg.address } : s)) };
    const m = await this.#publish(this.#coordinator.draft(servers, { previous, previousIncarnations, step: now.step, steps: now.steps }));
    this.log.push({ what: `${id} restarted`, epoch: m.epoch });
  }

  /** A member died (the module's grace period passed): drop it; never the last one. */
  async #died(id) {
    const now = this.current;
    if (!now?.has(id) || !this.#coordinator.dead.has(id)) return; // left gracefully, or back
    const servers = now.servers.filter((s) => s.id !== id).map((s) => ({ ...s, incarnation: now.incarnations.get(s.id) }));
    if (servers.length === 0) return;
    const m = await this.#publish(this.#coordinator.draft(servers));
    this.log.push({ what: `${id} died`, epoch: m.epoch });
  }

  async close() {
    this.#closed = true;
    await this.#queue;
    await this.#coordinator.close();
  }
}

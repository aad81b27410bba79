// The store's router, as a library: routes each key itself from the membership in etcd,
// with no proxy hop (the seed's "logical proxy"). The proxy embeds it; so can a trusted
// backend that holds the shared secret.
//
// The rules that make the guarantee (README, "Why no acknowledged write is lost"):
// - A write goes to every holder: the key's REPLICAS nodes, and during a transition also
//   the previous ring's holders that still have their data. It is acknowledged only when
//   every one of them stored it (or holds something newer, see versions below).
// - A read asks the same nodes and returns the newest version. During a transition it
//   needs an answer from at least one previous holder (complete: every earlier write
//   reached it) and one new holder (complete for every write since the new membership).
// - Every request carries the membership epoch and the node's incarnation; a node that
//   knows a newer epoch answers STALE_EPOCH and the router re-reads the membership and
//   retries. So nobody writes or reads by a membership that the nodes have moved past.
// - Versions: milliseconds * 1024 plus a counter, raised past any version a holder
//   reports, so a write acknowledged later is ordered after any acknowledged before it.
import { randomUUID } from 'node:crypto';
import { follow } from '../shared/membership.mjs';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, PREFIX, REPLICAS, SECRET_HEADER, compareVersions, validEntry } from './protocol.mjs';

/** A key or value the store refuses (code BAD_KEY, BAD_VALUE, VALUE_TOO_LARGE). */
export class KvInputError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
/** No answer within the deadline: the operation may or may not have happened. */
export class KvUnavailableError extends Error {
  code = 'UNAVAILABLE';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class KvClient {
  #follower;
  #secret;
  #writer = randomUUID().slice(0, 18);
  #last = 0;
  deadlineMs;

  constructor(follower, secret, deadlineMs) {
    this.#follower = follower;
    this.#secret = secret;
    this.deadlineMs = deadlineMs;
  }

  /** Follows the membership at `endpoint` (etcd); `secret` is the nodes' shared secret. */
  static async connect({ endpoint, auth, secret, deadlineMs = 10_000, log }) {
    if (typeof secret !== 'string' || !secret) throw new TypeError('the nodes\' shared secret is required');
    return new KvClient(await follow({ endpoint, auth, prefix: PREFIX, log }), secret, deadlineMs);
  }

  get membership() { return this.#follower.current; }
  get epoch() { return this.#follower.current?.epoch ?? 0; }

  /** The key's holders by the current membership (owner first); stable ring only. */
  nodesFor(key) {
    checkKey(key);
    const m = this.#follower.current;
    return m ? m.ring.getN(key, REPLICAS) : [];
  }

  /** `{ value, version }`, or undefined when absent or deleted. */
  async get(key) {
    checkKey(key);
    const found = await this.#withRetries(key, async (m, groups) => {
      const nodes = unique(groups.flat());
      const answers = await Promise.all(nodes.map((n) => this.#call(m, n, 'GET', key)));
      const stale = answers.find((a) => a.stale);
      if (stale) return { stale };
      const answered = new Set(nodes.filter((_, i) => answers[i].ok).map((n) => n.id));
      if (!groups.every((g) => g.some((n) => answered.has(n.id)))) return { retry: 'no holder answered' };
      let best = null;
      for (const a of answers) if (a.ok && a.entry && (!best || compareVersions(a.entry, best) > 0)) best = a.entry;
      return { done: best };
    });
    return found && found.value !== null ? { value: found.value, version: { n: found.n, w: found.w } } : undefined;
  }

  /** Stores `value`; resolves once every holder has it. */
  async set(key, value) {
    checkKey(key);
    if (typeof value !== 'string') throw new KvInputError('BAD_VALUE', 'values are strings');
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new KvInputError('VALUE_TOO_LARGE', `value over the limit of ${MAX_VALUE_BYTES} bytes`);
    }
    return this.#write(key, value);
  }

  /** Deletes `key` (a tombstone that outranks every earlier write); resolves once every holder has it. */
  async del(key) {
    checkKey(key);
    return this.#write(key, null);
  }

  async #write(key, value) {
    let entry = { n: this.#nextVersion(0), w: this.#writer, value };
    return this.#withRetries(key, async (m, groups) => {
      const nodes = unique(groups.flat());
      const answers = await Promise.all(nodes.map((n) => this.#call(m, n, 'PUT', key, entry)));
      const stale = answers.find((a) => a.stale);
      if (stale) return { stale };
      // A holder with a newer version: write again above it, so this write is the newest.
      const newer = answers.filter((a) => a.ok && compareVersions(a.entry, entry) > 0);
      if (newer.length) {
        entry = { n: this.#nextVersion(Math.max(...newer.map((a) => a.entry.n))), w: this.#writer, value };
        return { retry: 'a newer version exists', now: true };
      }
      if (!answers.every((a) => a.ok)) return { retry: 'not every holder took it' };
      return { done: { version: { n: entry.n, w: entry.w }, nodes: nodes.map((n) => n.id) } };
    });
  }

  #nextVersion(atLeast) {
    this.#last = Math.max(this.#last + 1, Date.now() * 1024, atLeast + 1);
    return this.#last;
  }

  /** Runs `attempt` with the current membership until it is done or the deadline passes. */
  async #withRetries(key, attempt) {
    const deadline = Date.now() + this.deadlineMs;
    let why = 'no membership yet';
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 250)) {
      const m = this.#follower.current;
      if (m) {
        const r = await attempt(m, holders(m, key));
        if ('done' in r) return r.done;
        if (r.stale) {
          // A node has moved on: read the membership now rather than at the next poll.
          await this.#follower.refresh();
          if (this.#follower.current.epoch < r.stale.epoch) await sleep(Math.min(delay, 50));
          continue;
        }
        why = r.retry;
        if (r.now) continue;
      }
      await sleep(delay);
    }
    throw new KvUnavailableError(`${JSON.stringify(key).slice(0, 100)}: ${why} within ${this.deadlineMs} ms`);
  }

  /** One request to a node: { ok, entry } | { stale: { epoch } } | { ok: false }. */
  async #call(m, node, method, key, entry) {
    try {
      const res = await fetch(`${node.address}/kv/${encodeURIComponent(key)}`, {
        method,
        body: entry ? JSON.stringify(entry) : undefined,
        headers: {
          [SECRET_HEADER]: this.#secret, 'x-epoch': String(m.epoch), 'x-incarnation': node.incarnation,
          ...(entry ? { 'content-type': 'application/json' } : {}),
        },
        signal: AbortSignal.timeout(2_000),
      });
      const body = await res.json();
      if (res.status === 409 && body.code === 'STALE_EPOCH') return { stale: { epoch: body.epoch } };
      if (res.status !== 200 || (body.entry !== null && !validEntry(body.entry))) return { ok: false };
      return { ok: true, entry: body.entry };
    } catch {
      return { ok: false }; // down, restarted (wrong incarnation) or slow: not an answer
    }
  }

  async close() {
    await this.#follower.close();
  }
}

/**
 * The nodes to ask for `key`: one group per ring. Stable: the ring's holders. During a
 * transition also the previous ring's holders that kept their data.
 */
export function holders(m, key) {
  const node = (id, incarnation) => ({ id, address: m.address(id), incarnation });
  const next = m.ring.getN(key, REPLICAS).map((id) => node(id, m.incarnations.get(id)));
  if (!m.previous) return [next];
  const old = m.previous.getN(key, REPLICAS)
    .filter((id) => m.previousIncarnations.has(id))
    .map((id) => node(id, m.previousIncarnations.get(id)));
  return old.length ? [old, next] : [next];
}

function unique(nodes) {
  const seen = new Map();
  for (const n of nodes) if (!seen.has(`${n.id} ${n.incarnation}`)) seen.set(`${n.id} ${n.incarnation}`, n);
  return [...seen.values()];
}

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new KvInputError('BAD_KEY', `keys are strings of 1 to ${MAX_KEY_BYTES} bytes`);
  }
}

// The store's client library: routes each key itself from the membership in etcd, with
// no proxy hop (the seed's "logical proxy"). The proxy uses this same class.
import { Etcd3 } from 'etcd3';
import { HashRing } from 'ringroute';
import { MAX_VALUE_BYTES, MEMBERSHIP, REPLICAS } from './protocol.mjs';

/** Raised for a value over the limit or a key that is not a non-empty string. */
export class KvInputError extends Error {}

export class KvClient {
  #etcd;
  #ownsEtcd;
  #watcher = null;
  #ring = new HashRing();
  #doc = null;
  #waiters = [];

  constructor(etcd, ownsEtcd) {
    this.#etcd = etcd;
    this.#ownsEtcd = ownsEtcd;
  }

  /** Connects to etcd (an endpoint URL or an Etcd3 client) and follows the membership. */
  static async connect(etcd) {
    const owns = typeof etcd === 'string';
    const client = new KvClient(owns ? new Etcd3({ hosts: etcd }) : etcd, owns);
    client.#watcher = await client.#etcd.watch().key(MEMBERSHIP).create();
    client.#watcher.on('put', (kv) => client.apply(JSON.parse(kv.value.toString())));
    await client.refresh();
    return client;
  }

  /** Re-reads the membership from etcd; true if it moved to a newer epoch. */
  async refresh() {
    const doc = await this.#etcd.get(MEMBERSHIP).json();
    return doc ? this.apply(doc) : false;
  }

  /** Adopts a membership document if it is newer than the one held. */
  apply(doc) {
    if (this.#doc && doc.epoch <= this.#doc.epoch) return false;
    const ring = HashRing.fromJSON(doc);
    this.#ring.free();
    this.#ring = ring;
    this.#doc = doc;
    this.#waiters = this.#waiters.filter(({ epoch, resolve }) => (epoch <= doc.epoch ? resolve() : true));
    return true;
  }

  /** Resolves once the client holds membership `epoch` or later. */
  waitForEpoch(epoch) {
    if (this.epoch >= epoch) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ epoch, resolve }));
  }

  get epoch() { return this.#doc?.epoch ?? 0; }
  get membership() { return this.#doc ?? { epoch: 0, vnodes: 160, seed: 0, servers: [] }; }
  get fingerprint() { return this.#ring.fingerprint; }

  /** The nodes holding `key`, owner first: `[{ id, address }]`. */
  nodesFor(key) {
    checkKey(key);
    return this.#ring.getN(key, REPLICAS).map((id) => ({ id, address: this.#ring.data(id) }));
  }

  /** `{ value, node }`, or undefined if no replica has the key. Falls back replica by replica. */
  async get(key) {
    for (let attempt = 0; ; attempt += 1) {
      let reached = 0;
      for (const node of this.nodesFor(key)) {
        const res = await call(node, 'GET', key);
        if (!res) continue; // down: try the next replica
        reached += 1;
        if (res.status === 200) return { value: (await res.json()).value, node: node.id };
        await res.body?.cancel();
      }
      // Nobody had it. If the membership moved on meanwhile, ask the new holders once.
      if (attempt === 0 && (await this.refresh())) continue;
      if (reached === 0) throw new Error(`no replica of ${JSON.stringify(key)} is reachable`);
      return undefined;
    }
  }

  /** Writes to every replica; resolves to the ids written. Throws if none took it. */
  async set(key, value) {
    if (typeof value !== 'string') throw new KvInputError('values are strings');
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      throw new KvInputError(`value over the limit of ${MAX_VALUE_BYTES} bytes`);
    }
    const nodes = this.nodesFor(key);
    const body = JSON.stringify({ value });
    const results = await Promise.all(nodes.map((n) => call(n, 'PUT', key, body)));
    const written = nodes.filter((_, i) => results[i]?.ok).map((n) => n.id);
    await Promise.all(results.map((r) => r?.body?.cancel()));
    if (written.length === 0) throw new Error(`no replica of ${JSON.stringify(key)} took the write`);
    return written;
  }

  /** Deletes from every replica; true if any had it. */
  async del(key) {
    const results = await Promise.all(this.nodesFor(key).map((n) => call(n, 'DELETE', key)));
    let deleted = false;
    for (const r of results) if (r?.ok) deleted = (await r.json()).deleted || deleted;
    return deleted;
  }

  async close() {
    await this.#watcher?.cancel();
    if (this.#ownsEtcd) this.#etcd.close();
    this.#ring.free();
  }
}

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0) throw new KvInputError('keys are non-empty strings');
}

/** One request to a node; undefined if the node cannot be reached. */
async function call(node, method, key, body) {
  try {
    return await fetch(`${node.address}/kv/${encodeURIComponent(key)}`, {
      method,
      body,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      signal: AbortSignal.timeout(2_000),
    });
  } catch {
    return undefined;
  }
}

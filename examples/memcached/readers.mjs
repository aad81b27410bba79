// The Node service, two ways, both with npm `memcached` (2.2.2) as the connection layer:
//
// - RingrouteReader routes each key with ringroute's Ketama (libmemcached's continuum)
//   and asks only that server, through a single-server `memcached` client per server.
// - HashringReader is npm `memcached` as it is usually used: one client for the whole
//   pool, routing through the `hashring` package.
//
// Both read batches with `get k1 k2 ...` (getMulti) and report, for each key, the value
// the first (and only) server asked returned, or undefined.
import Memcached from 'memcached';
import { Ketama } from 'ringroute/full';
import { address } from './pool.mjs';

const BATCH = 100; // keys per `get` line
export const OPTIONS = { retries: 1, timeout: 5000, poolSize: 4 };

/** `get k1 k2 ...` on a memcached client: an object of the keys found. */
export function getMulti(client, keys) {
  return new Promise((resolve, reject) => {
    client.getMulti(keys, (err, data) => (err ? reject(new Error(`memcached getMulti: ${[err].flat().join('; ')}`)) : resolve(data ?? {})));
  });
}

const chunks = (list, size) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** A Ketama ring over the pool, built in the pool's order (ties between points go to the earlier server). */
export function ketamaFor(servers) {
  const ring = new Ketama();
  for (const s of servers) ring.add(s.host, s.port, { weight: s.weight });
  return ring;
}

export class RingrouteReader {
  #ring;
  #clients = new Map(); // "host:port" -> single-server memcached client

  /** `servers`: [{host, port, weight}], in the order the Python side was given them. */
  constructor(servers) {
    this.setPool(servers);
  }

  /** Rebuilds the ring for a changed pool (added, removed or reweighted servers). */
  setPool(servers) {
    const next = ketamaFor(servers);
    this.#ring?.free();
    this.#ring = next;
    const wanted = new Set(servers.map(address));
    for (const [addr, client] of this.#clients) {
      if (!wanted.has(addr)) { client.end(); this.#clients.delete(addr); }
    }
    for (const addr of wanted) {
      if (!this.#clients.has(addr)) this.#clients.set(addr, new Memcached(addr, OPTIONS));
    }
  }

  /** The server ("host:port") ringroute routes `key` to. */
  route(key) {
    return this.#ring.get(key);
  }

  /** Reads every key from the one server ringroute picks: Map key -> value or undefined. */
  async read(keys) {
    const byServer = new Map();
    for (const key of keys) {
      const addr = this.#ring.get(key);
      if (!byServer.has(addr)) byServer.set(addr, []);
      byServer.get(addr).push(key);
    }
    const found = new Map();
    await Promise.all([...byServer].flatMap(([addr, serverKeys]) => chunks(serverKeys, BATCH).map(async (batch) => {
      const data = await getMulti(this.#clients.get(addr), batch);
      for (const key of batch) found.set(key, data[key]);
    })));
    return found;
  }

  close() {
    for (const client of this.#clients.values()) client.end();
    this.#clients.clear();
    this.#ring.free();
  }
}

export class HashringReader {
  #client;

  constructor(servers) {
    this.setPool(servers);
  }

  /** npm memcached has no way to change its pool in place: a new client, as a service would on restart. */
  setPool(servers) {
    this.#client?.end();
    // {address: weight}: npm memcached passes the weights to hashring.
    this.#client = new Memcached(Object.fromEntries(servers.map((s) => [address(s), s.weight])), OPTIONS);
  }

  /** The server npm memcached (hashring) routes `key` to. */
  route(key) {
    return this.#client.HashRing.get(key);
  }

  async read(keys) {
    const found = new Map();
    await Promise.all(chunks(keys, BATCH).map(async (batch) => {
      const data = await getMulti(this.#client, batch);
      for (const key of batch) found.set(key, data[key]);
    }));
    return found;
  }

  close() {
    this.#client.end();
  }
}

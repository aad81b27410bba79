// One round of the example: Python writes every key through pylibmc, then each Node
// reader reads every key from the one server it routes to. A miss is a key whose value
// is not this round's (absent, or a stale copy left on a server from an earlier pool).
import Memcached from 'memcached';
import { expectedValue } from './python.mjs';
import { address } from './pool.mjs';
import { getMulti, OPTIONS } from './readers.mjs';

export const keysFor = (count, prefix = 'key') => Array.from({ length: count }, (_, i) => `${prefix}:${i}`);

/** Writes `keys` with `round` from Python, reads them with each reader: misses per reader name. */
export async function writeThenRead(writer, readers, keys, round) {
  const written = await writer.write(keys, round);
  const misses = {};
  for (const [name, reader] of Object.entries(readers)) {
    const found = await reader.read(keys);
    misses[name] = keys.filter((k) => found.get(k) !== expectedValue(k, round)).length;
  }
  return { written, misses };
}

/**
 * Asks every server in the pool for every key: Map key -> the addresses holding this
 * round's value. Independent of any routing: it shows where pylibmc really wrote.
 */
export async function locate(pool, keys, round) {
  const holders = new Map(keys.map((k) => [k, []]));
  await Promise.all(pool.map(async (server) => {
    const client = new Memcached(address(server), OPTIONS);
    try {
      for (let i = 0; i < keys.length; i += 100) {
        const batch = keys.slice(i, i + 100);
        const data = await getMulti(client, batch);
        for (const k of batch) if (data[k] === expectedValue(k, round)) holders.get(k).push(address(server));
      }
    } finally {
      client.end();
    }
  }));
  return holders;
}

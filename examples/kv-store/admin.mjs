// Membership changes with data movement: copy every key to the nodes that will newly
// hold it, cut over (publish the new membership), then drop the copies no longer placed.
// Reads never miss: until the cut-over the old holders serve, after it the new ones do,
// and old copies outlive the cut-over.
import { HashRing } from 'ringroute';
import { MEMBERSHIP, REPLICAS } from './protocol.mjs';

async function listKeys(address) {
  const res = await fetch(`${address}/keys`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`listing keys on ${address}: HTTP ${res.status}`);
  return (await res.json()).keys;
}

async function request(address, method, key, body) {
  const res = await fetch(`${address}/kv/${encodeURIComponent(key)}`, {
    method, body, headers: body ? { 'content-type': 'application/json' } : undefined,
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
    throw new Error(`${method} ${key} on ${address}: HTTP ${res.status}`);
  }
  return res.json();
}

/** Runs `tasks` (functions returning promises) at most `width` at a time. */
async function pool(tasks, width = 32) {
  let next = 0;
  const worker = async () => { while (next < tasks.length) await tasks[next++](); };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}

/**
 * Moves the store from membership `from` to `to` (ringroute snapshots) and publishes
 * `to` through `publish(doc)`. Nodes in `dead` are not asked for anything. Returns
 * what moved: keys whose owner changed, checked against the migration plan.
 */
export async function rebalance(from, to, publish, { dead = new Set() } = {}) {
  const oldRing = HashRing.fromJSON(from);
  const newRing = HashRing.fromJSON(to);
  const plan = oldRing.diff(newRing);
  const address = new Map([...from.servers, ...to.servers].map((s) => [s.id, s.address]));
  const live = from.servers.filter((s) => !dead.has(s.id));

  const holders = new Map(); // key -> ids of live nodes holding it
  for (const s of live) {
    for (const key of await listKeys(s.address)) {
      if (!holders.has(key)) holders.set(key, []);
      holders.get(key).push(s.id);
    }
  }

  const stats = {
    keys: holders.size, ownerMoved: 0, inPlanArcs: 0, copies: 0, dropped: 0,
    planArcs: plan.length, planFraction: plan.movedFraction, flows: plan.flows(),
  };
  const copies = [];
  const drops = [];
  for (const [key, have] of holders) {
    const want = newRing.getN(key, REPLICAS);
    if (oldRing.size && oldRing.get(key) !== newRing.get(key)) stats.ownerMoved += 1;
    if (plan.moved(key)) stats.inPlanArcs += 1;
    for (const id of want) {
      if (!have.includes(id)) copies.push(async () => {
        const { value } = await request(address.get(have[0]), 'GET', key);
        await request(address.get(id), 'PUT', key, JSON.stringify({ value }));
        stats.copies += 1;
      });
    }
    for (const id of have) {
      if (!want.includes(id)) drops.push(async () => {
        await request(address.get(id), 'DELETE', key);
        stats.dropped += 1;
      });
    }
  }
  plan.free();
  oldRing.free();
  newRing.free();

  await pool(copies); // 1. every new holder has its copy
  await publish(to); // 2. cut over
  await pool(drops); // 3. old copies go
  return stats;
}

/** Publishes a membership document to etcd. */
export function publisher(etcd) {
  return (doc) => etcd.put(MEMBERSHIP).value(JSON.stringify(doc));
}

// The sharding proxy: routes each request by its key (through the same KvClient that
// applications can embed), runs membership changes one at a time, and re-replicates
// when a node's liveness lease expires.
// Usage: node proxy.mjs --port 0 --etcd http://127.0.0.1:2379
import { createServer } from 'node:http';
import { Etcd3 } from 'etcd3';
import { leased } from '../shared/etcd.mjs';
import { HttpError, flags, handle, readJson, sendJson } from '../shared/http.mjs';
import { rebalance, publisher } from './admin.mjs';
import { KvClient, KvInputError } from './client.mjs';
import { ALIVE, MAX_VALUE_BYTES, VNODES } from './protocol.mjs';

const { port = '0', etcd: endpoint } = flags(process.argv.slice(2));
if (!endpoint) {
  console.error('usage: node proxy.mjs --port PORT --etcd URL');
  process.exit(2);
}

const etcd = new Etcd3({ hosts: endpoint });
const client = await KvClient.connect(etcd);
const publish = publisher(etcd);
let changes = Promise.resolve();
let last = null; // the last membership change's stats
let pending = 0;

/** Runs membership changes one after another; each sees the membership left by the last. */
function change(what, next, options) {
  pending += 1;
  const run = changes.then(async () => {
    const from = client.membership;
    const to = next(from);
    if (!to) return null;
    const stats = await rebalance(from, to, async (doc) => { await publish(doc); client.apply(doc); }, options);
    last = { what, epoch: to.epoch, at: new Date().toISOString(), ...stats };
    return last;
  }).finally(() => { pending -= 1; });
  changes = run.catch(() => {});
  return run;
}

const bump = (doc, servers) => ({ version: 1, epoch: doc.epoch + 1, vnodes: doc.vnodes ?? VNODES, seed: doc.seed ?? 0, servers });

const alive = () => leased(etcd, ALIVE);

// A member whose lease expired is gone: drop it and re-replicate from the survivors.
const watcher = await etcd.watch().prefix(ALIVE).create();
watcher.on('delete', (kv) => {
  const id = kv.key.toString().slice(ALIVE.length);
  change(`${id} died`, (from) => {
    if (!from.servers.some((s) => s.id === id)) return null; // left gracefully before
    return bump(from, from.servers.filter((s) => s.id !== id));
  }, { dead: new Set([id]) }).catch((e) => console.error(`re-replication after ${id}: ${e.message}`));
});

function keyOf(url) {
  const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
  if (!key) throw new HttpError(400, 'empty key');
  return key;
}

const server = createServer(handle(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const route = url.pathname.split('/')[1];
  try {
    if (route === 'kv') {
      const key = keyOf(url);
      if (req.method === 'GET') {
        const found = await client.get(key);
        if (!found) throw new HttpError(404, `no key ${JSON.stringify(key)}`);
        return sendJson(res, 200, { key, ...found });
      }
      if (req.method === 'PUT') {
        const body = await readJson(req, MAX_VALUE_BYTES + 1024);
        if (typeof body?.value !== 'string') throw new HttpError(400, 'body must be {"value": string}');
        return sendJson(res, 200, { key, nodes: await client.set(key, body.value) });
      }
      if (req.method === 'DELETE') return sendJson(res, 200, { key, deleted: await client.del(key) });
    }
    if (route === 'locate' && req.method === 'GET') {
      const nodes = client.nodesFor(keyOf(url)).map((n) => n.id);
      return sendJson(res, 200, { owner: nodes[0], replicas: nodes, epoch: client.epoch });
    }
    if (route === 'nodes' && req.method === 'GET' && url.pathname === '/nodes') {
      const m = client.membership;
      return sendJson(res, 200, {
        epoch: m.epoch, fingerprint: client.fingerprint, nodes: m.servers, membership: m,
        alive: [...(await alive()).keys()], changing: pending > 0, last,
      });
    }
    if (route === 'nodes' && req.method === 'POST' && url.pathname === '/nodes') {
      const body = await readJson(req, 4096);
      if (typeof body?.id !== 'string' || !body.id) throw new HttpError(400, 'body must be {"id": string}');
      const address = (await alive()).get(body.id);
      if (!address) throw new HttpError(400, `node ${JSON.stringify(body.id)} is not alive in etcd: start it first`);
      const stats = await change(`${body.id} joined`, (from) => {
        if (from.servers.some((s) => s.id === body.id)) throw new HttpError(409, `node ${JSON.stringify(body.id)} is already a member`);
        return bump(from, [...from.servers, { id: body.id, address, weight: 1 }]);
      });
      return sendJson(res, 200, stats);
    }
    if (route === 'nodes' && req.method === 'DELETE') {
      const id = keyOf(url);
      const stats = await change(`${id} left`, (from) => {
        if (!from.servers.some((s) => s.id === id)) throw new HttpError(404, `unknown node ${JSON.stringify(id)}`);
        if (from.servers.length === 1) throw new HttpError(409, 'the last node cannot leave: its keys would have nowhere to go');
        return bump(from, from.servers.filter((s) => s.id !== id));
      });
      return sendJson(res, 200, stats);
    }
    throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  } catch (e) {
    if (e instanceof KvInputError) throw new HttpError(e.message.includes('limit') ? 413 : 400, e.message);
    throw e;
  }
}));

server.listen(Number(port), '127.0.0.1', () => {
  console.log(JSON.stringify({ proxy: `http://127.0.0.1:${server.address().port}` }));
});
const stop = async () => {
  server.close();
  server.closeAllConnections();
  await watcher.cancel().catch(() => {});
  await client.close();
  etcd.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

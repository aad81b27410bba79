// The sharding proxy (seed 002): clients on one port, the admin API on another.
//   client port:   GET/PUT/DELETE /kv/<key>, GET /locate/<key>        (anyone on the network)
//   admin port:    GET /nodes, POST /nodes {id}, DELETE /nodes/<id>    (shared secret)
// It routes through the same KvClient applications can embed, and runs the controller
// (admin.mjs) that changes the membership and moves data.
// Usage: KV_SECRET=... node proxy.mjs --port 0 --admin-port 0 --etcd http://127.0.0.1:2379
import { createServer } from 'node:http';
import { Controller } from './admin.mjs';
import { KvClient, KvInputError, KvUnavailableError } from './client.mjs';
import { HttpError, decodeSegment, flags, handle, readJson, sendJson } from '../shared/http.mjs';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, SECRET_HEADER, secretFromEnv, secretMatches } from './protocol.mjs';

const { port = '0', 'admin-port': adminPort = '0', etcd: endpoint } = flags(process.argv.slice(2));
if (!endpoint) {
  console.error('usage: KV_SECRET=... node proxy.mjs --port PORT --admin-port PORT --etcd URL');
  process.exit(2);
}
const secret = secretFromEnv();
const log = (line) => console.error(`proxy: ${line}`);
const client = await KvClient.connect({ endpoint, secret, log });
const controller = await Controller.start({ endpoint, secret, log });

function keyOf(url, prefix) {
  const key = decodeSegment(url.pathname.slice(prefix.length));
  if (!key || Buffer.byteLength(key) > MAX_KEY_BYTES) throw new HttpError(400, `keys are 1 to ${MAX_KEY_BYTES} bytes`);
  return key;
}

/** Client errors from the library become 400/413; an unavailable store 503. */
async function store(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KvInputError) throw new HttpError(e.code === 'VALUE_TOO_LARGE' ? 413 : 400, e.message, { code: e.code });
    if (e instanceof KvUnavailableError) throw new HttpError(503, e.message, { code: e.code });
    throw e;
  }
}

const publicServer = createServer(handle(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/kv/')) {
    const key = keyOf(url, '/kv/');
    if (req.method === 'GET') {
      const found = await store(() => client.get(key));
      if (!found) throw new HttpError(404, `no key ${JSON.stringify(key).slice(0, 200)}`, { code: 'NOT_FOUND' });
      return sendJson(res, 200, { key, value: found.value, version: found.version });
    }
    if (req.method === 'PUT') {
      const body = await readJson(req, MAX_VALUE_BYTES * 6 + 1024, 2);
      if (typeof body?.value !== 'string') throw new HttpError(400, 'body must be {"value": string}');
      return sendJson(res, 200, { key, ...(await store(() => client.set(key, body.value))) });
    }
    if (req.method === 'DELETE') return sendJson(res, 200, { key, ...(await store(() => client.del(key))) });
  }
  if (req.method === 'GET' && url.pathname.startsWith('/locate/')) {
    const replicas = client.nodesFor(keyOf(url, '/locate/'));
    return sendJson(res, 200, { owner: replicas[0], replicas, epoch: client.epoch });
  }
  throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
}));

const adminServer = createServer(handle(async (req, res) => {
  if (!secretMatches(req.headers[SECRET_HEADER], secret)) throw new HttpError(401, 'admin API: shared secret required');
  const url = new URL(req.url, 'http://x');
  const coord = controller.coord;
  if (req.method === 'GET' && url.pathname === '/nodes') {
    const m = coord.current;
    return sendJson(res, 200, {
      epoch: m?.epoch ?? 0, fingerprint: m?.ring.fingerprint, inTransition: m?.inTransition ?? false,
      nodes: m?.servers ?? [], membership: m?.doc ?? null, wanted: [...controller.wanted],
      alive: [...coord.members.keys()], dead: [...coord.dead], last: controller.last, changes: controller.changes,
    });
  }
  if (req.method === 'POST' && url.pathname === '/nodes') {
    const body = await readJson(req, 4096, 2);
    if (typeof body?.id !== 'string' || !body.id || body.id.length > 256) throw new HttpError(400, 'body must be {"id": string}');
    const { id } = body;
    await coord.refresh(); // a node that registered a moment ago
    if (!coord.members.has(id)) throw new HttpError(400, `node ${JSON.stringify(id)} is not alive in etcd: start it first`);
    if (controller.wanted.has(id)) throw new HttpError(409, `node ${JSON.stringify(id)} is already a member`);
    controller.wanted.add(id);
    const m = await controller.settled((doc) => doc.has(id));
    return sendJson(res, 200, { what: `${id} joined`, epoch: m.epoch, last: controller.last });
  }
  if (req.method === 'DELETE' && url.pathname.startsWith('/nodes/')) {
    const id = keyOf(url, '/nodes/');
    if (!controller.wanted.has(id)) throw new HttpError(404, `unknown node ${JSON.stringify(id)}`);
    if (controller.wanted.size === 1) throw new HttpError(409, 'the last node cannot leave: its keys would have nowhere to go');
    controller.wanted.delete(id);
    const m = await controller.settled((doc) => !doc.has(id));
    return sendJson(res, 200, { what: `${id} left`, epoch: m.epoch, last: controller.last });
  }
  throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
}));

for (const s of [publicServer, adminServer]) {
  s.headersTimeout = 10_000;
  s.requestTimeout = 60_000;
}
await new Promise((r) => publicServer.listen(Number(port), '127.0.0.1', r));
await new Promise((r) => adminServer.listen(Number(adminPort), '127.0.0.1', r));
console.log(JSON.stringify({
  proxy: `http://127.0.0.1:${publicServer.address().port}`,
  admin: `http://127.0.0.1:${adminServer.address().port}`,
}));

const stop = async () => {
  for (const s of [publicServer, adminServer]) {
    s.close();
    s.closeAllConnections();
  }
  await controller.close();
  await client.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

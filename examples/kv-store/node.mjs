// A storage node: an in-memory map behind a small HTTP API, alive in etcd for as long
// as its lease is kept. Usage: node node.mjs --id kv-0 --port 0 --etcd http://127.0.0.1:2379
import { createServer } from 'node:http';
import { Etcd3 } from 'etcd3';
import { HttpError, flags, handle, readJson, sendJson } from '../shared/http.mjs';
import { ALIVE, LEASE_SECONDS, MAX_VALUE_BYTES } from './protocol.mjs';

const { id, port = '0', etcd } = flags(process.argv.slice(2));
if (!id || !etcd) {
  console.error('usage: node node.mjs --id ID --port PORT --etcd URL');
  process.exit(2);
}

const store = new Map();

function keyOf(url) {
  const key = decodeURIComponent(url.pathname.slice('/kv/'.length));
  if (!key) throw new HttpError(400, 'empty key');
  return key;
}

const server = createServer(handle(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/kv/')) {
    const key = keyOf(url);
    if (req.method === 'GET') {
      if (!store.has(key)) throw new HttpError(404, `no key ${JSON.stringify(key)} on ${id}`);
      return sendJson(res, 200, { key, value: store.get(key), node: id });
    }
    if (req.method === 'PUT') {
      const body = await readJson(req, MAX_VALUE_BYTES + 1024);
      if (typeof body?.value !== 'string') throw new HttpError(400, 'body must be {"value": string}');
      if (Buffer.byteLength(body.value) > MAX_VALUE_BYTES) {
        throw new HttpError(413, `value over the limit of ${MAX_VALUE_BYTES} bytes`);
      }
      store.set(key, body.value);
      return sendJson(res, 200, { key, node: id });
    }
    if (req.method === 'DELETE') return sendJson(res, 200, { deleted: store.delete(key), node: id });
  }
  if (req.method === 'GET' && url.pathname === '/keys') return sendJson(res, 200, { node: id, keys: [...store.keys()] });
  if (req.method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { node: id, keys: store.size });
  throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
}));

server.listen(Number(port), '127.0.0.1', async () => {
  const address = `http://127.0.0.1:${server.address().port}`;
  // Alive while the lease is kept: SIGKILL stops the keep-alives and etcd expires the key.
  const client = new Etcd3({ hosts: etcd });
  const lease = client.lease(LEASE_SECONDS);
  await lease.put(`${ALIVE}${id}`).value(address);
  console.log(JSON.stringify({ id, address }));
  const stop = async () => {
    await lease.revoke().catch(() => {});
    client.close();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});

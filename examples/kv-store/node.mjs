// A storage node: versioned entries in memory behind an internal HTTP API, a member of
// the store's membership in etcd. It serves only internal callers (the shared secret),
// and only those routing with its current membership epoch or a later one, and only
// those that address this incarnation of it (a restarted node is a new, empty one).
// Usage: KV_SECRET=... node node.mjs --id kv-0 --port 0 --etcd http://127.0.0.1:2379
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from '../shared/membership.mjs';
import { HttpError, decodeSegment, flags, handle, readJson, sendJson } from '../shared/http.mjs';
import {
  BATCH_ENTRIES, LEASE_SECONDS, MAX_BATCH_BYTES, MAX_BODY_DEPTH, MAX_KEY_BYTES, MAX_VALUE_BYTES, PREFIX, REPLICAS,
  SECRET_HEADER, compareVersions, secretFromEnv, secretMatches, validEntry,
} from './protocol.mjs';

const { id, port = '0', etcd: endpoint } = flags(process.argv.slice(2));
if (!id || !endpoint) {
  console.error('usage: KV_SECRET=... node node.mjs --id ID --port PORT --etcd URL');
  process.exit(2);
}
const secret = secretFromEnv();

/** key -> { n, w, value }: the newest version seen; value null is a tombstone. */
const store = new Map();
/** This process's incarnation: a restart is a new node with an empty store. */
const incarnation = randomUUID();
let member = null;

/** Keeps the newer of the held entry and `entry`; returns the one held afterwards. */
function merge(key, entry) {
  const held = store.get(key);
  if (!held || compareVersions(entry, held) > 0) {
    store.set(key, entry);
    return entry;
  }
  return held;
}

/** On a stable membership, drop what it does not place here; dropped from it, drop all. */
function onMembership(next) {
  const mine = next.incarnations.get(id) === incarnation;
  const stillOld = next.previousIncarnations?.get(id) === incarnation;
  if (!mine && !stillOld) {
    if (store.size) console.error(`${id}: not in membership epoch ${next.epoch}; dropping ${store.size} entries`);
    store.clear();
    return;
  }
  if (next.inTransition) return; // copies are still being made: keep everything
  for (const key of store.keys()) if (!next.ring.getN(key, REPLICAS).includes(id)) store.delete(key);
}

/** Only internal callers that route with this membership (or newer) and this incarnation. */
function admit(req) {
  if (!secretMatches(req.headers[SECRET_HEADER], secret)) throw new HttpError(401, 'internal API: shared secret required');
  if (!member) throw new HttpError(503, 'starting', { code: 'STARTING' });
  if (req.headers['x-incarnation'] !== incarnation) {
    throw new HttpError(409, `${id} is incarnation ${incarnation}`, { code: 'WRONG_INCARNATION' });
  }
  const epoch = Number(req.headers['x-epoch']);
  const current = member.current?.epoch ?? 0;
  if (!(Number.isSafeInteger(epoch) && epoch >= current)) {
    throw new HttpError(409, `membership epoch ${current} is current`, { code: 'STALE_EPOCH', epoch: current });
  }
}

function keyOf(url) {
  const key = decodeSegment(url.pathname.slice('/kv/'.length));
  if (!key || Buffer.byteLength(key) > MAX_KEY_BYTES) throw new HttpError(400, `keys are 1 to ${MAX_KEY_BYTES} bytes`);
  return key;
}

const server = createServer(handle(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === '/health') {
    return sendJson(res, 200, { node: id, incarnation, epoch: member?.current?.epoch ?? 0, keys: store.size });
  }
  admit(req);
  if (url.pathname.startsWith('/kv/')) {
    const key = keyOf(url);
    if (req.method === 'GET') return sendJson(res, 200, { entry: store.get(key) ?? null });
    if (req.method === 'PUT') {
      const entry = await readJson(req, MAX_VALUE_BYTES * 6 + 1024, MAX_BODY_DEPTH);
      if (!validEntry(entry)) throw new HttpError(400, 'body must be {"n": version, "w": writer, "value": string or null}');
      return sendJson(res, 200, { entry: merge(key, entry) });
    }
  }
  if (req.method === 'POST' && url.pathname === '/merge') {
    const body = await readJson(req, MAX_BATCH_BYTES, MAX_BODY_DEPTH);
    const entries = body?.entries;
    if (!Array.isArray(entries) || entries.length > BATCH_ENTRIES ||
        !entries.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && e[0] &&
          Buffer.byteLength(e[0]) <= MAX_KEY_BYTES && validEntry(e[1]))) {
      throw new HttpError(400, `body must be {"entries": [[key, entry]]} with at most ${BATCH_ENTRIES} entries`);
    }
    for (const [key, entry] of entries) merge(key, entry);
    return sendJson(res, 200, { merged: entries.length });
  }
  if (req.method === 'GET' && url.pathname === '/dump') {
    // Pages by position: keys are only added while a copy runs (drops wait for a stable membership).
    const from = Number(url.searchParams.get('from') ?? 0);
    if (!Number.isSafeInteger(from) || from < 0) throw new HttpError(400, 'from must be a whole number');
    const keys = [...store.keys()].slice(from, from + BATCH_ENTRIES);
    return sendJson(res, 200, { entries: keys.map((k) => [k, store.get(k)]), next: keys.length ? from + keys.length : null });
  }
  throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
}));
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;

server.listen(Number(port), '127.0.0.1', async () => {
  const address = `http://127.0.0.1:${server.address().port}`;
  member = await join({
    endpoint, prefix: PREFIX, id, address, incarnation, leaseSeconds: LEASE_SECONDS,
    apply: async (next) => onMembership(next),
    log: (line) => console.error(`${id}: ${line}`),
  });
  console.log(JSON.stringify({ id, address, incarnation }));
  const stop = async () => {
    await member.close();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});

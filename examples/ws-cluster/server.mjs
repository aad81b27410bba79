// A WebSocket server of the cluster. Clients connect to /client with a token; the server
// keeps the users it owns (userId -> socket) and redirects the others to their owner.
// Every message is stored on two servers before its sender sees the ack, copied to the
// servers that must hold it as membership changes, and kept by every server that has a
// copy until the recipient acknowledges it (or its mailbox time runs out). Servers talk
// over a separate internal listener that needs the cluster secret.
//
//   WS_CLUSTER_SECRET=... WS_TOKEN_SECRET=... RINGROUTE_ETCD_USER=... RINGROUTE_ETCD_PASSWORD=... \
//     node server.mjs --id ws-0 --etcd http://127.0.0.1:2379
//     [--port 0] [--internal-port 0] [--origins https://app.example,https://other.example]
//     [--authenticator ./my-auth.mjs]
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { flags } from '../shared/http.mjs';
import { AuthError, checkOrigin, hmacAuthenticator } from './auth.mjs';
import { callPeer, internalServer } from './internal.mjs';
import { Mailbox } from './mailbox.mjs';
import { Member } from '../shared/membership.mjs';
import {
  CLOSE, DELIVERY_WINDOW, HEARTBEAT_MS, LEASE_SECONDS, PREFIX, MAILBOX_MS, MAX_BUFFERED_BYTES, MAX_CONNECTIONS, MAX_FRAME_BYTES,
  MAX_PENDING_ACKS, RATE_BURST, RATE_PER_SECOND, messageKey, validId, validUser,
} from './protocol.mjs';
import { COPIES, Routing } from './routing.mjs';
import { parseJson } from './safe-json.mjs';

const args = flags(process.argv.slice(2));
const me = args.id;
const clusterSecret = process.env.WS_CLUSTER_SECRET;
const tokenSecret = process.env.WS_TOKEN_SECRET;
if (!me || !args.etcd || !clusterSecret || clusterSecret.length < 16 || (!tokenSecret && !args.authenticator)) {
  console.error('usage: WS_CLUSTER_SECRET=(16+ chars) WS_TOKEN_SECRET=(16+ chars) node server.mjs --id ID --etcd URL ' +
    '[--port P] [--internal-port P] [--origins A,B] [--authenticator FILE]');
  process.exit(2);
}
const incarnation = randomUUID(); // a restarted server is a new, empty incarnation
const origins = (args.origins ?? '').split(',').filter(Boolean);
const authenticate = args.authenticator
  ? (await import(pathToFileURL(resolvePath(args.authenticator)).href)).default
  : hmacAuthenticator(tokenSecret);

const counters = {
  delivered: 0, stored: 0, acked: 0, expired: 0, pushFailures: 0, rejectedUpgrades: 0,
  badFrames: 0, badInternal: 0, rateLimited: 0, mailboxFull: 0, slowReaders: 0, deadSockets: 0, passes: 0,
};

// ---- routing ---------------------------------------------------------------------------------

let routing = null; // the Routing of the membership applied last

// ---- users and their connections ---------------------------------------------------------------

const users = new Map(); // userId -> connection
const mailbox = new Mailbox();

/** Writes a frame, dropping a socket whose peer stopped reading (backpressure). */
function write(socket, obj) {
  if (socket.readyState !== WebSocket.OPEN) return false;
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    counters.slowReaders += 1;
    socket.terminate();
    return false;
  }
  socket.send(JSON.stringify(obj));
  return true;
}

/** Writes waiting messages to their recipient if it is connected here, within its window. */
function deliver(entry) {
  const conn = users.get(entry.msg.to);
  if (!conn || entry.writtenTo === conn.socket || conn.inFlight.size >= DELIVERY_WINDOW) return;
  const { from, id, body } = entry.msg;
  if (write(conn.socket, { type: 'message', from, id, body })) {
    entry.writtenTo = conn.socket;
    conn.inFlight.add(entry.key);
    counters.delivered += 1;
  }
}

function deliverWaiting(conn) {
  for (const entry of [...mailbox.forUser(conn.user)]) {
    if (conn.inFlight.size >= DELIVERY_WINDOW) return;
    deliver(entry);
  }
}

// ---- copies: store on two servers before the ack, move them as membership changes -----------------

/**
 * A peer's internal URL, from its registration, if that registration is of the incarnation
 * the membership names (a restarted peer listens elsewhere). Registrations are read again
 * every second, so a missing or stale one is only a delay.
 */
function internalUrl(peer) {
  const m = routing?.members.get(peer);
  const reg = registrations.get(peer);
  if (!m || !reg || reg.incarnation !== m.incarnation || typeof reg.data?.internal !== 'string') return undefined;
  return reg.data.internal;
}

/** Copies of `entry` known to exist under the current membership, this one included. */
function copies(entry) {
  let n = 1;
  for (const [id, inc] of entry.holders) if (id !== me && routing?.members.get(id)?.incarnation === inc) n += 1;
  return n;
}

/** Acks the entry's waiting senders once it is durable (or already delivered). */
function settle(entry, delivered = false) {
  if (!entry.waiters?.size) return;
  if (!delivered && copies(entry) < Math.min(COPIES, routing?.members.size ?? 1)) return;
  for (const conn of entry.waiters) {
    conn.pending.delete(entry.key);
    if (write(conn.socket, { type: 'ack', id: entry.msg.id })) counters.acked += 1;
  }
  entry.waiters.clear();
}

/** The recipient acknowledged `key` (here or on a peer): forget it everywhere. */
function onDelivered(key, tell) {
  const entry = mailbox.get(key);
  // A peer's word is trusted even before its copy arrives here (a tombstone then answers
  // that copy); a client's only for a message this server holds.
  if (!entry && tell) return;
  mailbox.delivered(key, Date.now() + MAILBOX_MS);
  if (!entry) return;
  settle(entry, true);
  users.get(entry.msg.to)?.inFlight.delete(key);
  if (!tell || !routing) return;
  const peers = new Set([...routing.holders(entry.msg.to), ...entry.holders.keys()]);
  for (const peer of peers) if (peer !== me) queueDrop(peer, key);
}

const drops = new Map(); // peer -> keys to tell it about
function queueDrop(peer, key) {
  if (!drops.has(peer)) {
    drops.set(peer, []);
    setImmediate(() => {
      const keys = drops.get(peer);
      drops.delete(peer);
      const url = internalUrl(peer);
      if (url) callPeer(url, '/drop', { keys }, clusterSecret).catch(() => { counters.pushFailures += 1; });
    });
  }
  drops.get(peer).push(key);
}

/** The most message bytes in one request to a peer. */
const MAX_PUSH_BYTES = 1024 * 1024;
const dirty = new Set(); // keys whose holders may lack a copy
const busy = new Map(); // peer -> keys that waited for its request in flight
let passQueued = false;
function touch(entry) {
  dirty.add(entry.key);
  if (!passQueued) {
    passQueued = true;
    setImmediate(() => {
      passQueued = false;
      const keys = [...dirty];
      dirty.clear();
      pass(keys);
    });
  }
}

/** Sends each copy to the holders that lack it, and delivers it if its recipient is here. */
function pass(keys) {
  if (!routing) return;
  const batches = new Map(); // peer -> { entries, bytes }
  const now = Date.now();
  for (const key of keys) {
    const entry = mailbox.get(key);
    if (!entry) continue;
    const holders = routing.holders(entry.msg.to);
    for (const peer of holders) {
      const m = routing.members.get(peer);
      if (peer === me || entry.holders.get(peer) === m?.incarnation) continue;
      if (!internalUrl(peer) || entry.pushAfter > now) continue; // unknown yet, or it refused lately: later
      if (busy.has(peer)) {
        busy.get(peer).add(key);
        continue;
      }
      const batch = batches.get(peer) ?? { entries: [], bytes: 0, later: new Set() };
      batches.set(peer, batch);
      if (batch.bytes + entry.bytes > MAX_PUSH_BYTES && batch.entries.length > 0) batch.later.add(key);
      else {
        batch.entries.push(entry);
        batch.bytes += entry.bytes;
      }
    }
    // No copy is dropped before delivery or expiry, also where this server is no longer a
    // holder: its peers recorded it as holding one (from their push, or from its own), and
    // count it once a membership change makes it a holder again.
    deliver(entry);
  }
  for (const [peer, batch] of batches) push(peer, batch.entries, batch.later);
}

/** Stores `entries` on `peer`; `later` are keys for it that wait for this request to end. */
async function push(peer, entries, later) {
  busy.set(peer, later);
  try {
    const answer = await callPeer(internalUrl(peer), '/store', {
      from: me, incarnation, entries: entries.map((e) => ({ ...e.msg, expires: e.expires })),
    }, clusterSecret);
    if (answer.id !== peer || !Array.isArray(answer.results)) throw new Error(`${peer} answered as ${answer.id}`);
    entries.forEach((entry, i) => {
      const status = answer.results[i];
      if (mailbox.get(entry.key) !== entry) return;
      if (status === 'stored' || status === 'exists') {
        entry.holders.set(peer, answer.incarnation);
        settle(entry);
      } else if (status === 'delivered') {
        onDelivered(entry.key, true);
      } else {
        // Refused ('full'): try again later. A sender still waiting learns it once no
        // other holder can take the copy. (Copies already made may still arrive: an
        // unacknowledged message is delivered at most once.)
        entry.pushAfter = Date.now() + 2_000;
        (entry.refusedBy ??= new Set()).add(peer);
        if (routing.holders(entry.msg.to).some((h) => h !== me && !entry.refusedBy.has(h))) return;
        for (const conn of entry.waiters ?? []) {
          conn.pending.delete(entry.key);
          counters.mailboxFull += 1;
          write(conn.socket, { type: 'error', code: 'mailbox-full', id: entry.msg.id, error: `the mailbox of ${entry.msg.to} is full` });
        }
        entry.waiters?.clear();
      }
    });
  } catch {
    counters.pushFailures += 1; // retried by the periodic pass
    for (const entry of entries) entry.pushAfter = Date.now() + 250;
  } finally {
    const waited = busy.get(peer);
    busy.delete(peer);
    for (const key of waited) dirty.add(key);
    if (waited.size) touch({ key: [...waited][0] });
  }
}

setInterval(() => {
  pass([...mailbox.values()].map((e) => e.key));
  counters.passes += 1;
}, 500).unref();

/**
 * Copies here, stored before `storedBefore`, that some holder under the current membership
 * has not confirmed. Zero on every server for the copies stored before a crash, with a
 * membership that no longer names the dead process, means every message has its two
 * copies again: the cluster may take its next crash (/stats, `storedBefore`).
 */
function unreplicated(storedBefore = Infinity) {
  let n = 0;
  for (const entry of mailbox.values()) {
    if (entry.storedAt < storedBefore &&
        routing?.holders(entry.msg.to).some((h) => h !== me && entry.holders.get(h) !== routing.members.get(h)?.incarnation)) n += 1;
  }
  return n;
}
setInterval(() => {
  const now = Date.now();
  for (const entry of mailbox.values()) {
    if (entry.expires > now) continue;
    for (const conn of entry.waiters ?? []) {
      conn.pending.delete(entry.key);
      write(conn.socket, { type: 'error', code: 'expired', id: entry.msg.id, error: 'not stored on two servers within the mailbox time' });
    }
    users.get(entry.msg.to)?.inFlight.delete(entry.key);
  }
  counters.expired += mailbox.expire(now);
}, 1_000).unref();

// ---- the client endpoint -----------------------------------------------------------------------------

function reject(conn, code, error, id) {
  counters.badFrames += 1;
  write(conn.socket, id === undefined ? { type: 'error', code, error } : { type: 'error', code, error, id });
}

/** A token bucket per connection: RATE_BURST frames, refilled at RATE_PER_SECOND. */
function allowed(conn) {
  const now = Date.now();
  conn.tokens = Math.min(RATE_BURST, conn.tokens + ((now - conn.refilled) / 1000) * RATE_PER_SECOND);
  conn.refilled = now;
  if (conn.tokens < 1) return false;
  conn.tokens -= 1;
  return true;
}

function onSend(conn, frame) {
  const { id, to, body } = frame;
  if (!validId(id) || !validUser(to)) return reject(conn, 'bad-send', 'a send needs an "id" of 1 to 64 bytes and a valid user id "to"', validId(id) ? id : undefined);
  if (conn.pending.size >= MAX_PENDING_ACKS) return reject(conn, 'too-many-pending', `over ${MAX_PENDING_ACKS} sends wait for their ack`, id);
  const result = mailbox.put({ to, from: conn.user, id, body }, Date.now() + MAILBOX_MS);
  if (result.status === 'delivered') return write(conn.socket, { type: 'ack', id });
  if (result.status !== 'stored' && result.status !== 'exists') {
    counters.mailboxFull += 1;
    return reject(conn, 'mailbox-full', `the mailbox of ${to} is full`, id);
  }
  const { entry } = result;
  if (result.status === 'stored') counters.stored += 1;
  entry.waiters ??= new Set();
  entry.waiters.add(conn);
  conn.pending.add(entry.key);
  settle(entry); // a cluster of one: durable as it can be
  touch(entry);
}

function onGot(conn, frame) {
  const { from, id } = frame;
  if (!validUser(from) || !validId(id)) return reject(conn, 'bad-got', 'a got needs "from" and "id"');
  const key = messageKey(conn.user, from, id);
  conn.inFlight.delete(key);
  onDelivered(key, true);
  deliverWaiting(conn);
}

function onFrame(conn, data, isBinary) {
  if (isBinary) return reject(conn, 'bad-frame', 'frames are JSON text');
  let frame;
  try {
    frame = parseJson(data, { maxBytes: MAX_FRAME_BYTES });
  } catch (e) {
    return reject(conn, 'bad-frame', e.message);
  }
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return reject(conn, 'bad-frame', 'a frame is a JSON object');
  // Acknowledging a message written to this connection is always allowed (it frees the
  // delivery window); everything else spends the connection's rate budget.
  const inFlight = frame.type === 'got' && validUser(frame.from) && validId(frame.id) && conn.inFlight.has(messageKey(conn.user, frame.from, frame.id));
  if (!inFlight && !allowed(conn)) {
    counters.rateLimited += 1;
    return reject(conn, 'rate-limited', `over ${RATE_PER_SECOND} frames a second`, validId(frame.id) ? frame.id : undefined);
  }
  if (frame.type === 'send') return onSend(conn, frame);
  if (frame.type === 'got') return onGot(conn, frame);
  return reject(conn, 'bad-frame', `unknown frame type ${JSON.stringify(String(frame.type).slice(0, 32))}; expected "send" or "got"`);
}

function onClient(socket, user) {
  const r = routing?.route(user);
  if (!r) return socket.close(CLOSE.BAD_REQUEST, 'the cluster has no servers yet');
  if (r.owner !== me) {
    write(socket, { type: 'redirect', to: routing.members.get(r.owner)?.client, owner: r.owner });
    return socket.close(CLOSE.REDIRECT, r.owner);
  }
  const conn = { socket, user, tokens: RATE_BURST, refilled: Date.now(), pending: new Set(), inFlight: new Set() };
  const old = users.get(user);
  if (old) {
    users.delete(user);
    old.socket.close(CLOSE.REPLACED, 'the same user connected again');
  }
  users.set(user, conn);
  write(socket, { type: 'welcome', server: me, epoch: routing.m.epoch, members: routing.clientAddresses() });
  deliverWaiting(conn);
  socket.on('message', (data, isBinary) => {
    try {
      onFrame(conn, data, isBinary);
    } catch (e) {
      reject(conn, 'internal', `could not handle the frame: ${e.message}`);
    }
  });
  socket.on('close', () => {
    if (users.get(user) === conn) users.delete(user);
    for (const key of conn.pending) mailbox.get(key)?.waiters?.delete(conn);
    for (const key of conn.inFlight) {
      const entry = mailbox.get(key);
      if (entry?.writtenTo === socket) entry.writtenTo = null;
    }
  });
}

const http = createServer((req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('connect with a WebSocket to /client\n');
});
http.headersTimeout = 5_000;
http.requestTimeout = 10_000;
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
let upgrading = 0;

function refuse(socket, status, message) {
  counters.rejectedUpgrades += 1;
  if (!socket.destroyed) {
    socket.end(`HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Unauthorized'}\r\n` +
      `content-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
  }
}

http.on('upgrade', async (req, socket, head) => {
  socket.on('error', () => {});
  if (wss.clients.size + upgrading >= MAX_CONNECTIONS) return refuse(socket, 503, 'too many connections');
  upgrading += 1;
  let user;
  try {
    if (new URL(req.url, 'http://x').pathname !== '/client') throw new AuthError(404, 'connect to /client');
    checkOrigin(req, origins);
    user = await authenticate(req);
    if (!validUser(user)) throw new AuthError(401, 'the authenticator returned no valid user id');
  } catch (e) {
    return refuse(socket, e.status ?? 401, e instanceof AuthError ? e.message : 'authentication failed');
  } finally {
    upgrading -= 1;
  }
  if (socket.destroyed) return undefined;
  return wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
    ws.alive = true;
    ws.on('pong', () => { ws.alive = true; });
    onClient(ws, user);
  });
});

// Heartbeats: a socket that did not answer the last ping is gone (or hopelessly slow).
setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.alive) {
      counters.deadSockets += 1;
      ws.terminate();
      continue;
    }
    ws.alive = false;
    ws.ping();
  }
}, HEARTBEAT_MS).unref();

// ---- the internal endpoint ----------------------------------------------------------------------------

function validEntry(e) {
  return e && typeof e === 'object' && validUser(e.to) && validUser(e.from) && validId(e.id) && Number.isFinite(e.expires);
}

const internal = await internalServer({
  secret: clusterSecret,
  port: args['internal-port'] ?? '0',
  onBadRequest: () => { counters.badInternal += 1; },
  routes: {
    '/store': async ({ from, incarnation: theirs, entries }) => {
      if (!validUser(from) || typeof theirs !== 'string' || !Array.isArray(entries) || entries.length > 1000) throw new Error('bad store request');
      const now = Date.now();
      const results = entries.map((e) => {
        if (!validEntry(e)) return 'invalid';
        const r = mailbox.put({ to: e.to, from: e.from, id: e.id, body: e.body }, Math.min(e.expires, now + MAILBOX_MS), now);
        if (r.entry) {
          r.entry.holders.set(from, theirs); // the sender holds it too, until delivery or expiry
          if (r.status === 'stored') counters.stored += 1;
          touch(r.entry); // other holders may lack it; the recipient may be here
        }
        return r.status;
      });
      return { id: me, incarnation, results };
    },
    '/drop': async ({ keys }) => {
      if (!Array.isArray(keys) || keys.length > 10_000) throw new Error('bad drop request');
      for (const key of keys) if (typeof key === 'string' && key.length <= 1024) onDelivered(key, false);
      return { ok: true };
    },
    '/stats': async ({ storedBefore } = {}) => ({
      heapAfterGc: globalThis.gc ? (globalThis.gc(), process.memoryUsage().heapUsed) : undefined, // with --expose-gc (tests)
      id: me, incarnation, users: users.size, mailbox: mailbox.size, unreplicated: unreplicated(Number.isFinite(storedBefore) ? storedBefore : Infinity), mailboxBytes: mailbox.bytes, largestMailbox: mailbox.largest, tombstones: mailbox.tombstones,
      connections: wss.clients.size, epoch: routing?.m.epoch, rss: process.memoryUsage().rss, ...counters,
    }),
  },
});

// ---- membership ---------------------------------------------------------------------------------------

let member = null; // our registration and the document we follow (examples/shared/membership.mjs)
let registrations = new Map(); // id -> { incarnation, data: { internal } }, last read from etcd
let reading = null;

/** Peers' registrations: the document names their client addresses, these their internal URLs. */
function readRegistrations() {
  reading ??= readRegistrationsNow().finally(() => { reading = null; });
  return reading;
}
async function readRegistrationsNow() {
  try {
    const all = await Promise.race([
      member.etcd.getAll().prefix(member.keys.members).strings(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('etcd did not answer')), 2_000).unref()),
    ]);
    // Merged, not replaced: a peer whose lease lapsed (etcd was away) still listens where
    // it did until it registers again; a restarted one registers its new address.
    for (const [key, text] of Object.entries(all)) {
      try {
        registrations.set(key.slice(member.keys.members.length), parseJson(text, { maxBytes: 16 * 1024 }));
      } catch { /* a bad registration: that peer keeps its last one */ }
    }
  } catch { /* etcd away: the last ones read */ }
  return registrations;
}

/** Applies a membership the module validated, then moves users on and copies to new holders. */
async function applyMembership(m) {
  let next;
  try {
    next = new Routing(m, await readRegistrations());
  } catch (e) {
    console.error(`${me}: cannot route with epoch ${m.epoch}, keeping the last one: ${e.message}`);
    return;
  }
  const old = routing;
  routing = next;
  old?.free();
  for (const [user, conn] of users) {
    const r = routing.route(user);
    if (r && r.owner !== me) {
      users.delete(user);
      write(conn.socket, { type: 'reconnect', to: routing.members.get(r.owner)?.client, owner: r.owner });
      conn.socket.close(CLOSE.RECONNECT, r.owner);
    }
  }
  pass([...mailbox.values()].map((e) => e.key)); // holders may have changed
}

await new Promise((resolve) => http.listen(Number(args.port ?? 0), '127.0.0.1', resolve));
const self = {
  client: `ws://127.0.0.1:${http.address().port}`,
  internal: `http://127.0.0.1:${internal.address().port}`,
  incarnation,
};
member = new Member({
  endpoint: args.etcd, prefix: PREFIX, id: me, address: self.client, data: { internal: self.internal },
  incarnation, leaseSeconds: LEASE_SECONDS, apply: applyMembership, log: (line) => console.error(`${me}: ${line}`),
});
await member.start();
setInterval(readRegistrations, 1_000).unref();
console.log(JSON.stringify({ id: me, address: self.client, ...self }));

/** A graceful stop hands every copy to its holders first (bounded), then leaves. */
async function stop() {
  http.close();
  for (const ws of wss.clients) ws.close(CLOSE.RECONNECT, 'server stopping');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && unreplicated() > 0) {
    pass([...mailbox.values()].map((e) => e.key));
    await new Promise((r) => setTimeout(r, 100));
  }
  await member.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// A WebSocket server of the cluster. Clients connect to /client?user=ID; the server
// keeps the users it owns (userId -> socket) and redirects the others to their owner.
// Messages for users on other servers travel over internal connections (/internal).
// Usage: node server.mjs --id ws-0 --port 0 --etcd http://127.0.0.1:2379
import { createServer } from 'node:http';
import { Etcd3 } from 'etcd3';
import { WebSocket, WebSocketServer } from 'ws';
import { HashRing, Transition } from 'ringroute';
import { flags } from '../shared/http.mjs';
import {
  AGREE, ALIVE, CLOSE, CLUSTER, LEASE_SECONDS, MAILBOX_MS, MAX_FRAME_BYTES, MAX_USER_BYTES,
  routingFingerprint,
} from './protocol.mjs';

const { id: me, port = '0', etcd: endpoint } = flags(process.argv.slice(2));
if (!me || !endpoint) {
  console.error('usage: node server.mjs --id ID --port PORT --etcd URL');
  process.exit(2);
}

// ---- routing: a ring, or a transition while a scaling event runs -------------------

let doc = null; // the cluster document applied last
let target = null; // the ring of doc.membership
let transition = null; // Transition(previous, membership) while an event runs
let addresses = new Map(); // server id -> ws://address

function apply(next) {
  const sameEvent = transition && next.previous && next.epoch === doc.epoch;
  if (!sameEvent) {
    target?.free();
    transition?.free();
    transition = null;
    target = HashRing.fromJSON(next.membership);
    if (next.previous) {
      const previous = HashRing.fromJSON(next.previous);
      transition = new Transition(previous, target, next.epoch); // copies both rings
      previous.free();
    }
    addresses = new Map([...(next.previous?.servers ?? []), ...next.membership.servers].map((s) => [s.id, s.address]));
  }
  if (transition && next.step > 0) transition.setStep(next.step, next.steps);
  doc = next;
}

/** `{ owner, previous? }` for a user, by the current routing. */
function route(user) {
  if (transition) return transition.route(user);
  const owner = target?.get(user);
  return owner === undefined ? undefined : { owner };
}

/** What this router routes with: the target ring, and the event's step if one runs. */
function fingerprint() {
  return routingFingerprint(target?.fingerprint ?? 'empty', doc);
}

// ---- users, mailboxes and delivery ----------------------------------------------------

const users = new Map(); // userId -> socket
const mailboxes = new Map(); // userId -> [{ msg, until }]
const counters = { delivered: 0, mailboxed: 0, forwarded: 0, rerouted: 0, badFrames: 0 };

function send(socket, obj) {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(obj));
}

/** Delivers to a connected user, else keeps it for when the user arrives. */
function deliverLocal(msg, hops) {
  const socket = users.get(msg.to);
  if (socket?.readyState === WebSocket.OPEN) {
    send(socket, { type: 'message', id: msg.id, from: msg.from, body: msg.body });
    counters.delivered += 1;
    return;
  }
  const box = mailboxes.get(msg.to) ?? [];
  box.push({ msg, until: Date.now() + MAILBOX_MS });
  mailboxes.set(msg.to, box);
  counters.mailboxed += 1;
  // Told to move on? Then its owner may already hold it: pass the message along once.
  const r = route(msg.to);
  if (r && r.owner !== me && hops < 1) forward(r.owner, msg, hops + 1);
}

/** Routes a message to its recipient's owner, and to the old owner during an event. */
function dispatch(msg) {
  const r = route(msg.to);
  if (!r) return;
  for (const target of r.previous ? [r.owner, r.previous] : [r.owner]) {
    if (target === me) deliverLocal(msg, 0);
    else forward(target, msg, 0);
  }
}

setInterval(() => {
  const now = Date.now();
  for (const [user, box] of mailboxes) {
    const kept = box.filter((m) => m.until > now);
    if (kept.length) mailboxes.set(user, kept);
    else mailboxes.delete(user);
  }
}, 1_000).unref();

// ---- internal links to the other servers ------------------------------------------------

const links = new Map(); // server id -> { socket, queue: [{ msg, hops }], dialed }

function dial(target, link) {
  const socket = new WebSocket(`${addresses.get(target)}/internal?from=${encodeURIComponent(me)}`);
  link.socket = socket;
  link.dialed = Date.now();
  socket.on('open', () => {
    for (const { msg, hops } of link.queue.splice(0)) socket.send(JSON.stringify({ type: 'deliver', msg, hops }));
  });
  socket.on('error', () => {}); // 'close' follows
}

function forward(target, msg, hops) {
  if (!addresses.has(target)) return;
  let link = links.get(target);
  if (!link) {
    link = { socket: null, queue: [], dialed: 0 };
    links.set(target, link);
  }
  counters.forwarded += 1;
  if (link.socket?.readyState === WebSocket.OPEN) {
    link.socket.send(JSON.stringify({ type: 'deliver', msg, hops }));
    return;
  }
  // Queued until the link opens. A peer that is down keeps refusing; its queue waits
  // for the membership to drop it, and is then routed again (see onCluster).
  link.queue.push({ msg, hops });
  if (link.socket?.readyState !== WebSocket.CONNECTING && Date.now() - link.dialed > 200) dial(target, link);
}

/** Messages queued for servers that left the membership go to the new owners. */
function rerouteOrphans() {
  for (const [target, link] of links) {
    if (addresses.has(target)) {
      if (link.queue.length && link.socket?.readyState !== WebSocket.OPEN && link.socket?.readyState !== WebSocket.CONNECTING) dial(target, link);
      continue;
    }
    links.delete(target);
    link.socket?.terminate();
    for (const { msg } of link.queue) {
      counters.rerouted += 1;
      dispatch(msg);
    }
  }
}

// ---- the WebSocket endpoints ---------------------------------------------------------------

function reject(socket, error) {
  counters.badFrames += 1;
  send(socket, { type: 'error', error });
}

function onClient(socket, user) {
  const r = route(user);
  if (!r) return socket.close(CLOSE.BAD_REQUEST, 'the cluster has no servers yet');
  if (r.owner !== me) {
    send(socket, { type: 'redirect', to: addresses.get(r.owner), owner: r.owner });
    return socket.close(CLOSE.REDIRECT, r.owner);
  }
  users.get(user)?.close(CLOSE.REPLACED, 'connected again elsewhere');
  users.set(user, socket);
  send(socket, { type: 'welcome', server: me, epoch: doc.epoch });
  for (const { msg } of mailboxes.get(user) ?? []) deliverLocal(msg, 1);
  mailboxes.delete(user);

  socket.on('message', (data, isBinary) => {
    if (isBinary) return reject(socket, 'frames are JSON text');
    if (data.length > MAX_FRAME_BYTES) return reject(socket, `frame over the limit of ${MAX_FRAME_BYTES} bytes`);
    let frame;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch (e) {
      return reject(socket, `malformed JSON: ${e.message}`);
    }
    if (frame?.type !== 'send') return reject(socket, `unknown frame type ${JSON.stringify(frame?.type)}; expected "send"`);
    const { id, to, body } = frame;
    if (typeof id !== 'string' || !id || typeof to !== 'string' || !validUser(to)) {
      return reject(socket, 'a send needs a string "id" and a valid user id "to"');
    }
    dispatch({ id, from: user, to, body });
    send(socket, { type: 'ack', id });
  });
  socket.on('close', () => {
    if (users.get(user) === socket) users.delete(user);
  });
}

function onInternal(socket) {
  socket.on('message', (data) => {
    try {
      const { msg, hops } = JSON.parse(data.toString('utf8'));
      deliverLocal(msg, hops);
    } catch {
      counters.badFrames += 1;
    }
  });
}

const validUser = (u) => typeof u === 'string' && u.length > 0 && Buffer.byteLength(u) <= MAX_USER_BYTES;

const http = createServer((req, res) => {
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: me, users: users.size, mailboxes: mailboxes.size, epoch: doc?.epoch, step: doc?.step, ...counters }));
  } else {
    res.writeHead(404).end();
  }
});
// Frames above the limit get an error frame, not a dropped connection: allow some slack.
const wss = new WebSocketServer({ server: http, maxPayload: 4 * MAX_FRAME_BYTES });
wss.on('connection', (socket, req) => {
  socket.on('error', () => {});
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/internal') return onInternal(socket);
  if (url.pathname !== '/client') return socket.close(CLOSE.BAD_REQUEST, 'connect to /client?user=ID');
  const user = url.searchParams.get('user');
  if (!validUser(user)) return socket.close(CLOSE.BAD_REQUEST, `user ids are 1 to ${MAX_USER_BYTES} bytes`);
  return onClient(socket, user);
});

// ---- etcd: membership, liveness, agreement -------------------------------------------------

const etcd = new Etcd3({ hosts: endpoint });

/** Applies a cluster document, reports what this router holds, and moves users on. */
async function onCluster(next) {
  apply(next);
  rerouteOrphans();
  await etcd.put(`${AGREE}${me}`).value(JSON.stringify({ epoch: doc.epoch, step: doc.step, fingerprint: fingerprint() }));
  // Users whose arc was cut over (or who belong elsewhere now) reconnect to their owner.
  for (const [user, socket] of users) {
    const r = route(user);
    if (r && r.owner !== me) {
      users.delete(user);
      send(socket, { type: 'reconnect', to: addresses.get(r.owner), owner: r.owner });
      socket.close(CLOSE.RECONNECT, r.owner);
    }
  }
}

let updates = Promise.resolve();
const watcher = await etcd.watch().key(CLUSTER).create();
watcher.on('put', (kv) => {
  const next = JSON.parse(kv.value.toString());
  updates = updates.then(() => onCluster(next)).catch((e) => console.error(`${me}: ${e.message}`));
});

http.listen(Number(port), '127.0.0.1', async () => {
  const address = `ws://127.0.0.1:${http.address().port}`;
  const current = await etcd.get(CLUSTER).json();
  if (current) await (updates = updates.then(() => onCluster(current)));
  const lease = etcd.lease(LEASE_SECONDS);
  await lease.put(`${ALIVE}${me}`).value(address);
  console.log(JSON.stringify({ id: me, address }));
  const stop = async () => {
    await lease.revoke().catch(() => {});
    await watcher.cancel().catch(() => {});
    etcd.close();
    for (const socket of wss.clients) socket.terminate();
    http.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
});

// One regression test per failure issue 12 found in ws-cluster, against real processes on
// loopback: a deep frame, forged internal traffic, a claimed user id, poisoned dedupe,
// unbounded memory (a flood, a reader that never reads), dead sockets, the connection
// cap, and a quick restart. (SIGKILL loss: cluster.test.mjs and chaos.test.mjs.)
// Every wait is bounded; polling loops stop at a deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { issueToken } from './auth.mjs';
import { Cluster } from './harness.mjs';
import { CLOSE, MAX_FRAME_BYTES, MAX_MAILBOX_PER_USER, RATE_BURST, RATE_PER_SECOND } from './protocol.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const HEARTBEAT_MS = 2_000;
const CAP = 40;
const ORIGIN = 'http://app.example';
let cluster;
const clients = [];

before(async () => {
  cluster = await Cluster.start(['ws-0', 'ws-1', 'ws-2'], {
    env: { WS_HEARTBEAT_MS: String(HEARTBEAT_MS), WS_MAX_CONNECTIONS: String(CAP), NODE_OPTIONS: '--expose-gc' },
    args: ['--origins', ORIGIN],
  });
});

after(async () => {
  for (const c of clients) c.close();
  await cluster?.close();
});

/** Polls `check` every 50 ms until it returns a truthy value or `ms` pass. */
async function until(check, ms = 10_000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(50);
  }
}

async function user(name) {
  const u = cluster.user(name);
  clients.push(u);
  await u.connect();
  return u;
}

/** A raw WebSocket to a server's client port: frames and close recorded, or the refusal. */
function raw(serverId, query, headers = {}) {
  const ws = new WebSocket(`${cluster.servers.get(serverId).info.client}/client${query}`, { headers });
  const out = { ws, frames: [], closed: null, refused: null };
  ws.on('message', (d) => out.frames.push(JSON.parse(d.toString())));
  ws.on('unexpected-response', (req, res) => { out.refused = res.statusCode; ws.terminate(); });
  ws.on('error', () => {});
  out.done = new Promise((r) => ws.once('close', (code, reason) => { out.closed = { code, reason: reason.toString() }; r(out); }));
  out.opened = new Promise((r) => { ws.once('open', () => r(true)); ws.once('close', () => r(false)); });
  return out;
}

const alive = async () => Promise.all([...cluster.servers.keys()].map((id) => cluster.stats(id)));

function deep(n) {
  return `${'['.repeat(n)}${']'.repeat(n)}`;
}

test('a deeply nested frame gets an error; no server dies (local, remote and offline recipients)', { timeout: 60_000 }, async () => {
  const owners = await Promise.all(['ws-0', 'ws-1', 'ws-2'].map((id) => cluster.ownedBy(id, 2, 'deep')));
  const recipients = [owners[0][1], owners[1][1], 'nobody-online'];
  for (const [i, id] of ['ws-0', 'ws-1', 'ws-2'].entries()) {
    const r = raw(id, `?token=${cluster.token(owners[i][0])}`);
    assert.equal(await r.opened, true);
    await until(() => r.frames.some((f) => f.type === 'welcome'), 5_000, 'welcome');
    for (const to of recipients) r.ws.send(`{"type":"send","id":"d-${to}","to":${JSON.stringify(to)},"body":${deep(5_000)}}`);
    r.ws.send(deep(8_000)); // the frame itself nested 8,000 deep, 16 KB
    r.ws.send('{not json');
    r.ws.send(JSON.stringify({ type: 'shout' }));
    r.ws.send(JSON.stringify({ type: 'send', id: 'x', to: '' }));
    r.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    r.ws.send(JSON.stringify({ type: 'send', id: 'ok-1', to: recipients[0], body: 'still here' }));
    await until(() => r.frames.some((f) => f.type === 'ack' && f.id === 'ok-1'), 5_000, 'the ack after the bad frames');
    const errors = r.frames.filter((f) => f.type === 'error');
    assert.equal(errors.length, 8, JSON.stringify(errors));
    assert.equal(errors.filter((e) => /nested deeper than/.test(e.error)).length, 4);
    assert.ok(errors.some((e) => /malformed JSON/.test(e.error)));
    assert.ok(errors.some((e) => /unknown frame type "shout"/.test(e.error)));
    assert.ok(errors.some((e) => /valid user id/.test(e.error)));
    assert.ok(errors.some((e) => /JSON text/.test(e.error)));
    // Over the frame limit: the socket is closed (1009), the server lives on.
    r.ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    const { closed } = await r.done;
    assert.equal(closed.code, CLOSE.TOO_BIG);
  }
  // Deep JSON on the internal port, with the secret, is refused the same way.
  const res = await fetch(`${cluster.servers.get('ws-0').info.internal}/store`, {
    method: 'POST', headers: { authorization: `Bearer ${cluster.clusterSecret}` }, body: `{"entries":${deep(20_000)}}`,
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /nested deeper/);
  const stats = await alive();
  assert.equal(stats.length, 3, 'every server still answers');
});

test('internal traffic needs the cluster secret and is not on the client port', { timeout: 60_000 }, async () => {
  const victim = await user('victim');
  const forged = [];
  victim.on('message', (m) => forged.push(m));
  const target = cluster.servers.get('ws-0');
  const entry = { to: 'victim', from: 'admin', id: 'forged-1', body: 'reset your password here', expires: Date.now() + 10_000 };
  // The client port has no /internal, and an upgrade there without a token is refused.
  for (const id of cluster.servers.keys()) {
    const r = raw(id, '/../internal?from=admin');
    await r.done;
    assert.ok(r.refused === 401 || r.refused === 404, `client port answered ${r.refused}`);
    const res = await fetch(cluster.servers.get(id).info.client.replace('ws:', 'http:') + '/internal/store', { method: 'POST', body: JSON.stringify({ from: 'ws-x', incarnation: 'x', entries: [entry] }) });
    assert.equal(res.status, 426);
  }
  // The internal port: no secret, a wrong secret, a WebSocket: all refused.
  for (const authorization of [undefined, 'Bearer wrong-secret-wrong-secret', `Basic ${cluster.clusterSecret}`]) {
    const res = await fetch(`${target.info.internal}/store`, {
      method: 'POST', headers: authorization ? { authorization } : {}, body: JSON.stringify({ from: 'ws-x', incarnation: 'x', entries: [entry] }),
    });
    assert.equal(res.status, 401);
  }
  const ws = new WebSocket(`${target.info.internal.replace('http:', 'ws:')}/internal`);
  const outcome = await new Promise((r) => { ws.on('open', () => r('open')); ws.on('error', () => r('refused')); ws.on('unexpected-response', () => r('refused')); });
  assert.equal(outcome, 'refused');
  await sleep(500); // a forged message, had any got through, would have arrived by now
  assert.deepEqual(forged, []);
  // The same store with the secret is accepted: the secret is what stopped the others.
  const withSecret = await fetch(`${target.info.internal}/store`, {
    method: 'POST', headers: { authorization: `Bearer ${cluster.clusterSecret}` }, body: JSON.stringify({ from: 'ws-x', incarnation: 'x', entries: [{ ...entry, id: 'control-1', from: 'a-peer' }] }),
  });
  assert.equal(withSecret.status, 200);
});

test('a client cannot claim another user id: tokens decide, Origin is checked', { timeout: 60_000 }, async () => {
  const [bobName, malloryName] = await cluster.ownedBy('ws-1', 2, 'claim');
  const bob = await user(bobName);
  let bobLost = 0;
  bob.on('disconnect', () => { bobLost += 1; });
  const refusals = [
    raw('ws-1', `?user=${bobName}`), // the old way: no token
    raw('ws-1', `?token=${issueToken('not-the-secret-not-the-secret', bobName)}`),
    raw('ws-1', `?token=${issueToken(cluster.tokenSecret, bobName, -10)}`), // expired
    raw('ws-1', `?token=${cluster.token(bobName).slice(0, -2)}xx`), // tampered signature
    raw('ws-1', `?token=${cluster.token(bobName)}`, { origin: 'http://evil.example' }),
  ];
  const opened = await Promise.all(refusals.map((r) => r.opened));
  assert.deepEqual(opened, [false, false, false, false, false], 'no claim is accepted');
  assert.deepEqual(refusals.map((r) => r.refused), [401, 401, 401, 401, 403]);
  // The allowed Origin with bob's real token works (it is bob, on a second tab).
  // Mallory, with her own token, an allowed Origin and ?user=bob: she is mallory.
  const mallory = raw('ws-1', `?token=${cluster.token(malloryName)}&user=${bobName}`, { origin: ORIGIN });
  assert.equal(await mallory.opened, true);
  await until(() => mallory.frames.some((f) => f.type === 'welcome'), 5_000, 'mallory welcomed');
  const seen = [];
  const alice = await user('alice-claim');
  alice.on('message', (m) => seen.push(m));
  mallory.ws.send(JSON.stringify({ type: 'send', id: 'm1', to: 'alice-claim', body: 'hi' }));
  await until(() => seen.some((m) => m.id === 'm1'), 5_000, 'mallory\'s message');
  assert.equal(seen.find((m) => m.id === 'm1').from, malloryName);
  // A message to bob reaches bob, not mallory.
  const toBob = [];
  bob.on('message', (m) => toBob.push(m));
  alice.send(bobName, 'for bob only', 'for-bob');
  await until(() => toBob.some((m) => m.id === 'for-bob'), 5_000, 'bob\'s message');
  assert.ok(!mallory.frames.some((f) => f.type === 'message'), 'mallory received nothing');
  assert.equal(bobLost, 0, 'the real bob was never disconnected');
  mallory.ws.close();
});

test('dedupe cannot be poisoned: decoys with another sender\'s ids do not drop its messages', { timeout: 60_000 }, async () => {
  const alice = await user('alice-dd');
  const bob = await user('bob-dd');
  const mallory = await user('mallory-dd');
  const got = [];
  alice.on('message', (m) => got.push(`${m.from}:${m.id}`));
  // Mallory knows (or guesses) bob's next ids and sends decoys with them first.
  const ids = ['bob-dd#1', 'bob-dd#2', 'bob-dd#3', 'bob-dd#4', 'bob-dd#5'];
  const acks = (u) => { const s = new Set(); u.on('ack', (id) => s.add(id)); return s; };
  const [mAcks, bAcks] = [acks(mallory), acks(bob)];
  for (const id of ids) mallory.send('alice-dd', 'decoy', id);
  await until(() => mAcks.size === ids.length, 5_000, 'the decoys acknowledged');
  for (const id of ids) bob.send('alice-dd', 'real', id);
  await until(() => bAcks.size === ids.length, 5_000, 'bob\'s messages acknowledged');
  await until(() => got.length === 10, 5_000, 'all ten messages');
  assert.deepEqual(got.filter((g) => g.startsWith('bob-dd:')).sort(), ids.map((id) => `bob-dd:${id}`).sort());
  assert.equal(got.filter((g) => g.startsWith('mallory-dd:')).length, 5);
});

/** Each server's heap after a full collection (what it retains), in MiB. */
async function heapMiB() {
  const s = await alive();
  return Object.fromEntries(s.map((x) => [x.id, x.heapAfterGc / 2 ** 20]));
}

test('memory is bounded: one connection flooding 6,000 frames of 15 KB', { timeout: 60_000 }, async () => {
  const before = await heapMiB();
  const [flooderName] = await cluster.ownedBy('ws-0', 1, 'flood');
  const r = raw('ws-0', `?token=${cluster.token(flooderName)}`);
  await r.opened;
  const body = 'x'.repeat(15_000);
  const started = Date.now();
  for (let i = 0; i < 6_000 && !r.closed; i += 1) {
    // As fast as the socket takes it, but no faster, so that its pongs are not queued
    // behind the flood: the rate limit, not the heartbeat, is what this test checks.
    if (r.ws.bufferedAmount > 1024 * 1024) await until(() => r.ws.bufferedAmount < 256 * 1024 || r.closed, 20_000, 'the flood to drain');
    r.ws.send(`{"type":"send","id":"f${i}","to":"offline-${i % 50}","body":"${body}"}`);
  }
  await until(() => r.frames.filter((f) => f.type === 'ack' || f.type === 'error').length >= 6_000 || r.closed, 30_000, 'answers to the flood');
  const seconds = (Date.now() - started) / 1000;
  const limited = r.frames.filter((f) => f.code === 'rate-limited').length;
  const acked = r.frames.filter((f) => f.type === 'ack').length;
  const stats = await alive();
  const after = await heapMiB();
  const growth = Math.max(...Object.keys(before).map((id) => after[id] - before[id]));
  const ws0 = stats.find((s) => s.id === 'ws-0');
  console.log(`flood: 6000 frames of 15 KB from one connection in ${seconds.toFixed(1)} s: ${acked} acknowledged, ${limited} rate-limited, ` +
    `${r.closed ? `then dropped (close ${r.closed.code}; heartbeat misses ${ws0.deadSockets}, slow-reader drops ${ws0.slowReaders})` : 'connection kept'}; ` +
    `mailbox bytes ${stats.map((s) => `${s.id} ${(s.mailboxBytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}; largest retained heap growth ${growth.toFixed(1)} MiB`);
  // (On a loaded machine a heartbeat can still drop it: the bound holds either way.)
  assert.ok(acked <= RATE_BURST + RATE_PER_SECOND * seconds, `acked ${acked} in ${seconds} s`);
  assert.ok(limited > 0, `rate-limited ${limited}`);
  for (const s of stats) assert.ok(s.largestMailbox <= MAX_MAILBOX_PER_USER && s.mailboxBytes < 3 * 400 * 16 * 1024, `${s.id} holds ${s.mailboxBytes} bytes`);
  assert.ok(growth < 48, `the retained heap grew ${growth} MiB`);
  r.ws.close();
});

test('memory is bounded: a recipient that never reads', { timeout: 120_000 }, async () => {
  const [victimName] = await cluster.ownedBy('ws-2', 1, 'sleepy');
  const victim = raw('ws-2', `?token=${cluster.token(victimName)}`);
  await victim.opened;
  await until(() => victim.frames.some((f) => f.type === 'welcome'), 5_000, 'welcome');
  victim.ws._socket.pause(); // stops reading: the kernel buffers fill, then the server's
  const before = await heapMiB();
  const senders = await Promise.all(Array.from({ length: 10 }, (_, i) => user(`pusher-${i}`)));
  const acked = new Set();
  const refused = [];
  for (const s of senders) {
    s.on('ack', (id) => acked.add(id));
    s.on('failed', (id, code) => refused.push(code));
  }
  const body = 'y'.repeat(15_000);
  for (const s of senders) for (let i = 0; i < 100; i += 1) s.send(victimName, body);
  await until(() => acked.size + refused.length >= 1_000, 30_000, 'every send answered');
  const stats = await alive();
  const after = await heapMiB();
  const growth = Math.max(...Object.keys(before).map((id) => after[id] - before[id]));
  console.log(`a reader that never reads: 1000 messages of 15 KB sent to it, ${acked.size} acknowledged, ${refused.length} refused ` +
    `(${[...new Set(refused)].join(', ')}); largest retained heap growth ${growth.toFixed(1)} MiB`);
  // Each server keeps at most MAX_MAILBOX_PER_USER messages for one recipient; a message
  // is acknowledged once two servers hold it, so at most three servers' worth is acked.
  assert.ok(acked.size <= 3 * MAX_MAILBOX_PER_USER, `acked ${acked.size}`);
  // The rest is refused: by a full mailbox, or (under this load) not stored twice in time.
  assert.ok(refused.length > 0 && refused.every((c) => c === 'mailbox-full' || c === 'timeout'));
  for (const s of stats) assert.ok(s.largestMailbox <= MAX_MAILBOX_PER_USER, `${s.id} holds ${s.largestMailbox} for one user`);
  assert.ok(growth < 48, `the retained heap grew ${growth} MiB`);
  // Heartbeats drop it (it cannot read a ping either). It comes back as a reading
  // client within the mailbox time: every acknowledged message arrives, once.
  victim.ws.terminate();
  const back = cluster.user(victimName);
  clients.push(back);
  const got = new Map();
  back.on('message', (m) => got.set(m.id, (got.get(m.id) ?? 0) + 1)); // before connecting: messages follow the welcome at once
  const returned = Date.now();
  await back.connect();
  // Up to 500 messages of 15 KB drain through a window of 64 unacknowledged deliveries;
  // a clean-clone CI run on the loaded machine needed more than 15 s for 296 of them.
  await until(() => [...acked].every((id) => got.has(id)), 45_000,
    () => `every acknowledged message delivered (${[...acked].filter((id) => got.has(id)).length} of ${acked.size} so far)`);
  console.log(`  it came back: ${acked.size} acknowledged messages delivered in ${Date.now() - returned} ms`);
  assert.ok([...got.values()].every((n) => n === 1));
});

test('heartbeats drop a socket that stopped answering', { timeout: 60_000 }, async () => {
  const before = (await cluster.stats('ws-1')).deadSockets;
  const [name] = await cluster.ownedBy('ws-1', 1, 'silent');
  const { port } = new URL(cluster.servers.get('ws-1').info.client);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(`GET /client?token=${cluster.token(name)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  const head = await new Promise((r) => socket.once('data', (d) => r(d.toString())));
  assert.match(head, /^HTTP\/1.1 101/);
  socket.pause(); // never answers a ping
  const closed = new Promise((r) => socket.once('close', r));
  socket.on('error', () => {});
  await until(async () => (await cluster.stats('ws-1')).deadSockets > before, 10 * HEARTBEAT_MS, 'the dead socket dropped');
  socket.resume();
  await closed;
});

test('a connection cap: beyond it upgrades get 503, the server lives on', { timeout: 60_000 }, async () => {
  const names = await cluster.ownedBy('ws-0', CAP + 20, 'crowd');
  const { connections } = await cluster.stats('ws-0');
  const crowd = names.map((n) => raw('ws-0', `?token=${cluster.token(n)}`));
  const opened = await Promise.all(crowd.map((c) => c.opened));
  const refused = crowd.filter((c) => c.refused === 503).length;
  console.log(`connection cap ${CAP}: ${opened.filter(Boolean).length} of ${crowd.length} opened (${connections} already open), ${refused} got 503`);
  assert.equal(opened.filter(Boolean).length, CAP - connections);
  assert.equal(refused, crowd.length - (CAP - connections));
  for (const c of crowd) c.ws.close();
  await Promise.all(crowd.map((c) => c.done));
  await until(async () => (await cluster.stats('ws-0')).connections <= connections, 5_000, 'the crowd gone');
  const later = raw('ws-0', `?token=${cluster.token(names[0])}`);
  assert.equal(await later.opened, true, 'room again once they left');
  later.ws.close();
});

test('a quick restart on a new port: its users come back to it, acknowledged messages arrive once', { timeout: 60_000 }, async () => {
  const names = await cluster.ownedBy('ws-1', 5, 'quick');
  const owned = await Promise.all(names.map((n) => user(n)));
  const [senderName] = await cluster.ownedBy('ws-0', 1, 'quick-sender');
  const sender = await user(senderName);
  const acked = new Set();
  sender.on('ack', (id) => acked.add(id));
  const got = new Map();
  for (const u of owned) u.on('message', (m) => got.set(m.id, (got.get(m.id) ?? 0) + 1));
  const oldAddress = cluster.servers.get('ws-1').info.client;
  await cluster.stopServer('ws-1', 'SIGKILL');
  const restarted = await cluster.startServer('ws-1'); // at once, --port 0: a new port
  assert.notEqual(restarted.info.client, oldAddress);
  for (let i = 0; i < 25; i += 1) sender.send(names[i % names.length], `while restarting ${i}`);
  await until(() => owned.every((u) => u.server === 'ws-1'), 15_000, 'the users back on ws-1');
  await until(() => acked.size === 25 && [...acked].every((id) => got.has(id)), 15_000, 'every message acknowledged and delivered');
  await sleep(300); // a late duplicate would show here
  assert.ok([...got.values()].every((n) => n === 1), 'each exactly once');
  const loops = Math.max(...owned.map((u) => u.reconnects.length));
  console.log(`quick restart: users back on ws-1 at ${restarted.info.client}; at most ${loops} reconnects per user`);
  assert.ok(loops < 60, `a user reconnected ${loops} times`);
  assert.ok(cluster.operator.log.some((e) => e.what === 'ws-1 restarted'));
});

// The WebSocket cluster on loopback: etcd and the servers as real processes, 300
// simulated users exchanging messages at a steady rate through scale-out, scale-in and
// a crash. Every loop is bounded in count and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { WebSocket } from 'ws';
import { HashRing } from 'ringroute';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';
import { ChatClient } from './client.mjs';
import { Operator } from './operator.mjs';
import { CLOSE, MAX_FRAME_BYTES, VNODES } from './protocol.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const USERS = 300;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let etcd;
let client;
let operator;
const servers = new Map(); // id -> process
let users = [];

async function startServer(id) {
  servers.set(id, await startProcess(here('./server.mjs'), ['--id', id, '--port', '0', '--etcd', etcd.endpoint]));
}
const seeds = () => [...servers.values()].map((s) => s.info.address);

/** Owners of every user under a membership of `ids`, computed with ringroute. */
function owners(ids) {
  const ring = new HashRing({ vnodes: VNODES, seed: 0 });
  for (const id of ids) ring.add(id);
  const out = new Map(users.map((u) => [u.user, ring.get(u.user)]));
  ring.free();
  return out;
}
function moduloOwners(ids) {
  const ring = new HashRing({ vnodes: VNODES, seed: 0 });
  const sorted = [...ids].sort();
  const out = new Map(users.map((u) => [u.user, sorted[ring.position(u.user) % sorted.length]]));
  ring.free();
  return out;
}
const changed = (a, b) => users.filter((u) => a.get(u.user) !== b.get(u.user)).map((u) => u.user);

/** Steady traffic: every 20 ms, 4 users each send one message (200 messages a second). */
function traffic() {
  const sent = new Map(); // id -> recipient
  const received = new Map(); // id -> times the application saw it
  let tick = 0;
  const handlers = users.map((u) => {
    const onMessage = (m) => received.set(m.id, (received.get(m.id) ?? 0) + 1);
    u.on('message', onMessage);
    return () => u.off('message', onMessage);
  });
  const timer = setInterval(() => {
    for (let k = 0; k < 4; k += 1) {
      tick += 1;
      const from = users[(tick * 7) % USERS];
      const to = users[(tick * 13 + 5) % USERS];
      if (from === to) continue;
      sent.set(from.send(to.user, `hello #${tick}`), to.user);
    }
  }, 20);
  return {
    /** Stops sending, waits for acks and deliveries to settle, and counts. */
    async stop(drainMs = 10_000) {
      clearInterval(timer);
      const deadline = Date.now() + drainMs;
      while (Date.now() < deadline) {
        const unacked = users.reduce((n, u) => n + u.unacked, 0);
        if (unacked === 0 && [...sent.keys()].every((id) => received.has(id))) break;
        await sleep(100);
      }
      await sleep(300); // late duplicates would show here
      handlers.forEach((off) => off());
      const lost = [...sent.keys()].filter((id) => !received.has(id));
      const twice = [...received.values()].filter((n) => n > 1).length;
      return { sent: sent.size, lost, twice, unacked: users.reduce((n, u) => n + u.unacked, 0) };
    },
  };
}

/** Runs a scaling event under traffic; returns who reconnected and the traffic's count. */
async function scaleUnderTraffic(ids) {
  const before = new Map(users.map((u) => [u.user, u.reconnects.length]));
  const load = traffic();
  await sleep(500);
  const event = await operator.scale(ids);
  await sleep(800);
  const counted = await load.stop();
  const reconnected = users.filter((u) => u.reconnects.length > before.get(u.user)).map((u) => u.user);
  return { event, counted, reconnected };
}

async function allWelcomedBy(expected, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (users.every((u) => u.server === expected.get(u.user))) return;
    await sleep(50);
  }
  const wrong = users.filter((u) => u.server !== expected.get(u.user));
  assert.fail(`${wrong.length} users not on their owner, e.g. ${wrong[0].user} on ${wrong[0].server}, owner ${expected.get(wrong[0].user)}`);
}

before(async () => {
  etcd = await startEtcd();
  for (const id of ['ws-0', 'ws-1', 'ws-2']) await startServer(id);
  client = new Etcd3({ hosts: etcd.endpoint });
  operator = new Operator(client);
  await operator.bootstrap(['ws-0', 'ws-1', 'ws-2']);
  await operator.watchDeaths();
  users = Array.from({ length: USERS }, (_, i) => new ChatClient(`user-${i}`, seeds()));
  await Promise.all(users.map((u) => u.connect()));
});

after(async () => {
  users.forEach((u) => u.close());
  await operator?.close();
  client?.close();
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await etcd?.stop();
});

test('300 users land on their owners and exchange messages, each delivered once', async () => {
  await allWelcomedBy(owners(['ws-0', 'ws-1', 'ws-2']));
  const load = traffic();
  await sleep(1_000);
  const { sent, lost, twice } = await load.stop();
  assert.ok(sent > 100, `sent ${sent}`);
  assert.deepEqual(lost, []);
  assert.equal(twice, 0);
});

test('scale 3 -> 4 under traffic: only moving users reconnect, none lost, none twice', async () => {
  await startServer('ws-3');
  const [from, to] = [['ws-0', 'ws-1', 'ws-2'], ['ws-0', 'ws-1', 'ws-2', 'ws-3']];
  const expected = changed(owners(from), owners(to));
  const { event, counted, reconnected } = await scaleUnderTraffic(to);
  assert.deepEqual([...reconnected].sort(), [...expected].sort(), 'exactly the users whose owner changed reconnect');
  const fraction = reconnected.length / USERS;
  const modulo = changed(moduloOwners(from), moduloOwners(to)).length / USERS;
  console.log(`3 -> 4: ${reconnected.length} of ${USERS} users reconnected (${(100 * fraction).toFixed(1)}%, ideal 25%); ` +
    `modulo would move ${(100 * modulo).toFixed(1)}%; ${counted.sent} messages, ${counted.lost.length} lost, ` +
    `${users.reduce((n, u) => n + u.duplicates, 0)} duplicate deliveries suppressed so far; event took ${event.ms} ms`);
  assert.ok(fraction > 0.15 && fraction < 0.35, `reconnected ${fraction}`);
  assert.ok(modulo > 0.6, `modulo ${modulo}`);
  assert.deepEqual(counted.lost, [], 'no message lost');
  assert.equal(counted.twice, 0, 'no message delivered twice to the application');
  await allWelcomedBy(owners(to));
});

test('scale 4 -> 3 under traffic: the leaver\'s users move, none lost, none twice', async () => {
  const [from, to] = [['ws-0', 'ws-1', 'ws-2', 'ws-3'], ['ws-0', 'ws-1', 'ws-2']];
  const expected = changed(owners(from), owners(to));
  const { counted, reconnected } = await scaleUnderTraffic(to);
  assert.deepEqual([...reconnected].sort(), [...expected].sort());
  console.log(`4 -> 3: ${reconnected.length} of ${USERS} users reconnected (${(100 * reconnected.length / USERS).toFixed(1)}%); ` +
    `${counted.sent} messages, ${counted.lost.length} lost`);
  assert.deepEqual(counted.lost, []);
  assert.equal(counted.twice, 0);
  await allWelcomedBy(owners(to));
  await servers.get('ws-3').stop();
  servers.delete('ws-3');
});

test('SIGKILL one server: its users reconnect to their new owners; losses are counted', async () => {
  const load = traffic();
  await sleep(500);
  const killedAt = Date.now();
  await servers.get('ws-1').stop('SIGKILL');
  servers.delete('ws-1');
  const survivors = ['ws-0', 'ws-2'];
  await allWelcomedBy(owners(survivors), 15_000);
  const recovered = Date.now() - killedAt;
  await sleep(1_000);
  const counted = await load.stop(8_000);
  console.log(`kill ws-1: every user back on its owner ${recovered} ms after SIGKILL (lease ${2} s); ` +
    `${counted.sent} messages sent, ${counted.lost.length} lost in flight (${(100 * counted.lost.length / counted.sent).toFixed(2)}%), ` +
    `${counted.unacked} never acknowledged`);
  assert.equal(counted.twice, 0);
  assert.ok(operator.log.some((e) => e.what === 'ws-1 died'));
  // After recovery, nothing is lost.
  const after = traffic();
  await sleep(1_000);
  const clean = await after.stop();
  assert.deepEqual(clean.lost, []);
});

test('bad frames get an error and the connection and server live on', async () => {
  const owner = owners(['ws-0', 'ws-2']).get('user-0');
  const address = servers.get(owner).info.address;
  const bad = new WebSocket(`${address}/client?user=${encodeURIComponent('user-0')}`);
  const frames = [];
  bad.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise((r) => bad.once('open', r));
  await sleep(100);
  bad.send('{not json');
  bad.send(JSON.stringify({ type: 'shout' }));
  bad.send(JSON.stringify({ type: 'send', id: 'x', to: '' }));
  bad.send('x'.repeat(MAX_FRAME_BYTES + 1));
  bad.send(JSON.stringify({ type: 'send', id: 'ok-1', to: 'user-1', body: 'still here' }));
  await sleep(300);
  const errors = frames.filter((f) => f.type === 'error').map((f) => f.error);
  assert.equal(errors.length, 4, JSON.stringify(frames));
  assert.match(errors[0], /malformed JSON/);
  assert.match(errors[1], /unknown frame type "shout"/);
  assert.match(errors[2], /valid user id/);
  assert.match(errors[3], new RegExp(`limit of ${MAX_FRAME_BYTES} bytes`));
  assert.ok(frames.some((f) => f.type === 'ack' && f.id === 'ok-1'));
  bad.close();
  const noUser = new WebSocket(`${address}/client`);
  const code = await new Promise((r) => noUser.once('close', (c, reason) => r([c, reason.toString()])));
  assert.equal(code[0], CLOSE.BAD_REQUEST);
  assert.match(code[1], /user ids are 1 to 256 bytes/);
  const stats = await (await fetch(address.replace('ws:', 'http:') + '/stats')).json();
  assert.ok(stats.badFrames >= 4);
});

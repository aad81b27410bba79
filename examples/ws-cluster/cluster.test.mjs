// The WebSocket cluster on loopback: etcd and the servers as real processes, 300
// simulated users exchanging messages at a steady rate through scale-out, scale-in and
// a crash. Every loop is bounded in count and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing } from 'ringroute';
import { Cluster } from './harness.mjs';
import { GRACE_MS, LEASE_SECONDS, VNODES } from './protocol.mjs';

const USERS = 300;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let cluster;
let operator;
let users = [];

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
  const acked = new Set();
  const received = new Map(); // id -> times the application saw it
  let tick = 0;
  const handlers = users.map((u) => {
    const onMessage = (m) => received.set(m.id, (received.get(m.id) ?? 0) + 1);
    const onAck = (id) => acked.add(id);
    u.on('message', onMessage);
    u.on('ack', onAck);
    return () => { u.off('message', onMessage); u.off('ack', onAck); };
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
    /** Resolves once `n` messages were sent (bounded: 30 s), whatever the machine's load. */
    get count() { return sent.size; },
    async sent(n) {
      const deadline = Date.now() + 30_000;
      while (sent.size < n && Date.now() < deadline) await sleep(50);
    },
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
      const lost = [...acked].filter((id) => !received.has(id));
      const twice = [...received.values()].filter((n) => n > 1).length;
      return { sent: sent.size, acked: acked.size, lost, twice, unacked: users.reduce((n, u) => n + u.unacked, 0) };
    },
  };
}

/** Runs a scaling event under traffic; returns who reconnected and the traffic's count. */
async function scaleUnderTraffic(ids) {
  const before = new Map(users.map((u) => [u.user, u.reconnects.length]));
  const load = traffic();
  await load.sent(100); // traffic before, during and after the event
  const event = await operator.scale(ids);
  await load.sent(load.count + 150);
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
  cluster = await Cluster.start(['ws-0', 'ws-1', 'ws-2']);
  operator = cluster.operator;
  users = Array.from({ length: USERS }, (_, i) => cluster.user(`user-${i}`));
  await Promise.all(users.map((u) => u.connect()));
});

after(async () => {
  users.forEach((u) => u.close());
  await cluster?.close();
});

test('300 users land on their owners and exchange messages, each delivered once', { timeout: 60_000 }, async () => {
  await allWelcomedBy(owners(['ws-0', 'ws-1', 'ws-2']));
  const load = traffic();
  await load.sent(200);
  const { sent, lost, twice } = await load.stop();
  assert.ok(sent >= 200, `sent ${sent}`);
  assert.deepEqual(lost, []);
  assert.equal(twice, 0);
});

test('scale 3 -> 4 under traffic: only moving users reconnect, none lost, none twice', { timeout: 60_000 }, async () => {
  await cluster.startServer('ws-3');
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

test('scale 4 -> 3 under traffic: the leaver\'s users move, none lost, none twice', { timeout: 60_000 }, async () => {
  const [from, to] = [['ws-0', 'ws-1', 'ws-2', 'ws-3'], ['ws-0', 'ws-1', 'ws-2']];
  const expected = changed(owners(from), owners(to));
  const { counted, reconnected } = await scaleUnderTraffic(to);
  assert.deepEqual([...reconnected].sort(), [...expected].sort());
  console.log(`4 -> 3: ${reconnected.length} of ${USERS} users reconnected (${(100 * reconnected.length / USERS).toFixed(1)}%); ` +
    `${counted.sent} messages, ${counted.lost.length} lost`);
  assert.deepEqual(counted.lost, []);
  assert.equal(counted.twice, 0);
  await allWelcomedBy(owners(to));
  await cluster.stopServer('ws-3');
});

test('SIGKILL one server under traffic: its users reconnect to their new owners; no acknowledged message lost', { timeout: 60_000 }, async () => {
  const load = traffic();
  await load.sent(100);
  const killedAt = Date.now();
  await cluster.stopServer('ws-1', 'SIGKILL');
  const survivors = ['ws-0', 'ws-2'];
  await allWelcomedBy(owners(survivors), 15_000);
  const recovered = Date.now() - killedAt;
  await load.sent(load.count + 200);
  const counted = await load.stop(8_000);
  console.log(`kill ws-1: every user back on its owner ${recovered} ms after SIGKILL (lease ${LEASE_SECONDS} s + grace ${GRACE_MS / 1000} s); ` +
    `${counted.sent} messages sent, ${counted.acked} acknowledged, ${counted.lost.length} acknowledged and lost, ` +
    `${counted.unacked} never acknowledged`);
  assert.deepEqual(counted.lost, [], 'every acknowledged message was delivered');
  assert.equal(counted.twice, 0);
  assert.ok(operator.log.some((e) => e.what === 'ws-1 died'));
  // After recovery, nothing is lost.
  const after = traffic();
  await after.sent(200);
  const clean = await after.stop();
  assert.deepEqual(clean.lost, []);
});

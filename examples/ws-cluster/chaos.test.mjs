// Chaos: for a bounded time (CHAOS_SECONDS, 75 by default) users exchange messages
// steadily while servers join and leave, are SIGKILLed (some restarted at once on a new
// port) and etcd goes away for 10-15 s (10-30 s in long runs), and users go offline for a
// few seconds at a time. Crashes come one at a time as the guarantee defines it: the next
// crash only once the cluster reports two copies restored; any fault may follow the one
// before at once (close faults: a join then a SIGKILL, a crash then a quick restart of
// another server, ...). Every send, acknowledgement, failure and delivery the clients see
// is logged to a file; checker.mjs then verifies that every acknowledged message was
// delivered exactly once.
//   CHAOS_SECONDS=600 CHAOS_SEED=7 node --test examples/ws-cluster/chaos.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, readLog } from './checker.mjs';
import { Cluster } from './harness.mjs';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 75);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const USERS = 60;
const POOL = ['ws-0', 'ws-1', 'ws-2', 'ws-3', 'ws-4', 'ws-5'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with CHAOS_SEED. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

test(`chaos for ${SECONDS} s: every acknowledged message delivered exactly once`, { timeout: (SECONDS + 180) * 1000 }, async () => {
  const random = rng(SEED);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const started = Date.now();
  const events = [];
  const log = (e) => events.push({ t: Date.now() - started, ...e });
  const members = ['ws-0', 'ws-1', 'ws-2', 'ws-3'];
  const cluster = await Cluster.start(members);
  // Users find the cluster through the servers running now, as through a load balancer.
  const users = Array.from({ length: USERS }, (_, i) => cluster.user(`user-${i}`));
  for (const u of users) {
    u.on('message', (m) => log({ ev: 'deliver', to: u.user, from: m.from, id: m.id }));
    u.on('ack', (id) => log({ ev: 'ack', from: u.user, id }));
    u.on('failed', (id, code) => log({ ev: 'fail', from: u.user, id, code }));
    u.on('welcome', (server) => log({ ev: 'welcome', user: u.user, server }));
    u.on('disconnect', (why) => log({ ev: 'disconnect', user: u.user, why }));
  }
  await Promise.all(users.map((u) => u.connect()));

  // Steady traffic: 3 messages every 50 ms (60 a second) between random users.
  let sending = true;
  const traffic = setInterval(() => {
    if (!sending) return;
    for (let k = 0; k < 3; k += 1) {
      const [from, to] = [pick(users), pick(users)];
      if (from === to) continue;
      const id = from.send(to.user, { n: events.length });
      log({ ev: 'send', from: from.user, to: to.user, id });
    }
  }, 50);

  // Users go offline for 1-6 s (within the mailbox time) and come back: their messages
  // wait in mailboxes meanwhile, where a crash of one holder must not lose them.
  let offline = 0;
  const churn = setInterval(() => {
    if (!sending) return;
    const u = pick(users);
    if (!u.server) return;
    offline += 1;
    u.disconnect();
    log({ ev: 'offline', user: u.user });
    setTimeout(() => { u.connect(); }, 1_000 + Math.floor(random() * 5_000));
  }, 500);

  const faults = { join: 0, leave: 0, kill: 0, 'kill+restart': 0, 'etcd outage': 0, errors: 0 };
  const fault = async (what, fn) => {
    const t = Date.now();
    log({ ev: 'fault', what });
    try {
      await fn();
      faults[what.split(' ')[0] === 'etcd' ? 'etcd outage' : what.split(' ')[0]] += 1;
    } catch (e) {
      faults.errors += 1;
      log({ ev: 'fault', what: `${what} failed: ${e.message}` });
      console.log(`fault ${what} failed: ${e.message}`);
    }
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what} (${Date.now() - t} ms)`);
  };

  // How long after the membership change every server reported the copies restored.
  const restoredMs = [];
  const killed = []; // ids SIGKILLed, once per kill: only these may be declared dead
  const restored = async (crashedAt) => {
    const t = Date.now();
    await cluster.restored({ since: crashedAt });
    restoredMs.push(Date.now() - t);
  };

  const kinds = {
    join: async () => {
      const id = pick(POOL.filter((x) => !cluster.servers.has(x)));
      if (id === undefined) return undefined; // every server of the pool runs
      await fault(`join ${id}`, async () => {
        await cluster.startServer(id);
        try {
          await cluster.operator.scale([...members, id]);
        } catch (e) {
          await cluster.stopServer(id); // not a member: it must not hold a pool id
          throw e;
        }
        members.push(id);
      });
      return id;
    },
    leave: async () => {
      const id = pick(members);
      await fault(`leave ${id}`, async () => {
        await cluster.operator.scale(members.filter((m) => m !== id));
        members.splice(members.indexOf(id), 1);
        await cluster.stopServer(id);
      });
    },
    // A crash is over once the membership no longer names the dead process (dropped, or
    // its restart published) and every server reports the copies stored before it
    // restored: the guarantee's "one at a time".
    kill: async (spare) => {
      const id = pick(members.filter((m) => m !== spare));
      const deaths = cluster.operator.log.length;
      await fault(`kill ${id}`, async () => {
        const at = Date.now();
        killed.push(id);
        await cluster.stopServer(id, 'SIGKILL');
        members.splice(members.indexOf(id), 1);
        // Lease + grace; REJOIN_MS more if etcd came back lately (examples/shared/membership.mjs).
        await until(() => cluster.operator.log.slice(deaths).some((e) => e.what === `${id} died`), 40_000, `${id} dropped`);
        await restored(at);
      });
    },
    'kill+restart': async () => {
      const id = pick(members);
      const before = cluster.operator.log.length;
      await fault(`kill+restart ${id}`, async () => {
        const at = Date.now();
        killed.push(id);
        await cluster.stopServer(id, 'SIGKILL');
        await cluster.startServer(id);
        const outcome = (e) => e.what === `${id} restarted` || e.what === `${id} died`;
        await until(() => cluster.operator.log.slice(before).some(outcome), 20_000, `${id}'s new address published`);
        if (cluster.operator.log.slice(before).find(outcome).what.endsWith('died')) {
          // Back only after lease + grace: it was dropped as dead, so it joins again.
          members.splice(members.indexOf(id), 1);
          await cluster.operator.scale([...members, id]);
          members.push(id);
          log({ ev: 'fault', what: `${id} restarted after its grace period: joined again` });
        }
        await restored(at);
      });
    },
    // etcd away: hung (SIGSTOP: calls time out) or down (killed, then started again on
    // the same ports and data: connections refused).
    etcd: async () => {
      const ms = 10_000 + Math.floor(random() * (SECONDS > 120 ? 20_000 : 5_000));
      const how = random() < 0.5 ? 'stopped' : 'killed';
      await fault(`etcd outage ${(ms / 1000).toFixed(1)} s (${how})`, async () => {
        if (how === 'stopped') cluster.etcd.pause();
        else await cluster.etcd.kill();
        try {
          await sleep(ms); // the fault itself
        } finally {
          if (how === 'stopped') cluster.etcd.resume();
          else await cluster.etcd.start();
        }
        await until(async () => { const ids = await cluster.operator.registered(); return members.every((m) => ids.includes(m)); }, 20_000, 'every member registered again');
      });
    },
  };

  // Every kind once (in a seeded order), then the close pairs the guarantee covers, then at
  // random; after each fault either 1-3 s of traffic on a settled cluster or, at random,
  // the next fault at once.
  const settle = () => members.splice(0, members.length, ...cluster.operator.current.servers.map((s) => s.id).filter((id) => cluster.servers.has(id)));
  const order = Object.keys(kinds).sort(() => random() - 0.5);
  const pairs = [
    { what: 'join, then at once a SIGKILL of another server', run: async () => { const joined = await kinds.join(); await kinds.kill(joined); } },
    { what: 'a SIGKILL, then at once a SIGKILL + quick restart of another server', run: async () => { await kinds.kill(); await kinds['kill+restart'](); } },
    { what: 'a SIGKILL + quick restart, then at once a leave', run: async () => { await kinds['kill+restart'](); await kinds.leave(); } },
  ];
  let i = 0;
  let close = 0;
  while (Date.now() - started < SECONDS * 1000) {
    settle(); // the ring as the operator published it (a member it dropped is no longer one)
    if (i >= order.length && i < order.length + pairs.length) {
      const pair = pairs[i - order.length];
      i += 1;
      // Four members, so that both faults of the pair have room.
      if (members.length < 4) await kinds.join();
      if (members.length > 4) await kinds.leave();
      settle();
      log({ ev: 'fault', what: `close pair: ${pair.what}` });
      await pair.run();
      close += 1;
    } else {
      const kind = i < order.length ? order[i] : pick(Object.keys(kinds));
      i += 1;
      // Between 3 and 5 members: make room for the fault first.
      if ((kind === 'leave' || kind === 'kill') && members.length <= 3) await kinds.join();
      if (kind === 'join' && members.length >= 5) await kinds.leave();
      await kinds[kind]();
    }
    if (random() < 0.35) close += 1; // the next fault at once
    else await sleep(1_000 + Math.floor(random() * 2_000)); // traffic on a settled cluster between faults
  }

  // Drain: stop sending, wait (bounded) for every acknowledged message to arrive.
  sending = false;
  clearInterval(traffic);
  clearInterval(churn);
  const acked = () => events.filter((e) => e.ev === 'ack').map((e) => JSON.stringify([e.from, e.id]));
  const delivered = () => new Set(events.filter((e) => e.ev === 'deliver').map((e) => JSON.stringify([e.from, e.id])));
  await until(() => users.every((u) => u.unacked === 0), 30_000, 'every send answered').catch((e) => console.log(e.message));
  await until(() => { const d = delivered(); return acked().every((k) => d.has(k)); }, 30_000, 'every acknowledged message delivered').catch((e) => console.log(e.message));
  await sleep(1_000); // late duplicates would show here
  const stuck = users.filter((u) => !u.server);
  if (stuck.length) console.log(`not connected at the end: ${stuck.map((u) => `${u.user} (${u.reconnects.slice(-5).join(',')}; ${u.reconnects.length} reconnects)`).join(', ')}`);
  for (const id of cluster.servers.keys()) {
    const s = await cluster.stats(id).catch((e) => ({ error: e.message }));
    console.log(`${id}: epoch ${s.epoch}, ${s.users} users, ${s.mailbox} copies, ${s.pushFailures} push failures, ${s.expired} expired`);
  }
  users.forEach((u) => u.close());
  await cluster.close();

  const dir = mkdtempSync(join(tmpdir(), 'ws-chaos-'));
  const path = join(dir, 'log.jsonl');
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n'));
  const result = check(readLog(path));
  const suppressed = users.reduce((n, u) => n + u.duplicates, 0);
  console.log(`chaos: seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s, ${USERS} users, ${offline} offline spells; faults ${JSON.stringify(faults)}, ${close} at once after the one before; ` +
    `operator: ${cluster.operator.log.map((e) => e.what).join('; ')}`);
  console.log(`copies restored ${restoredMs.length ? `${Math.min(...restoredMs)}-${Math.max(...restoredMs)}` : '-'} ms after each crash's membership change`);
  console.log(`checker: ${JSON.stringify(result.counts)}; duplicate copies dropped by clients ${suppressed}; log ${path}`);
  for (const v of result.violations) console.log(`VIOLATION ${v}`);
  // The membership module must never drop a live server (after an etcd outage, say): the
  // ring would shrink below what the guarantee needs. Each death needs a kill.
  const unkilled = [...killed];
  const liveDeclaredDead = cluster.operator.log.filter((e) => e.what.endsWith(' died')).map((e) => e.what.split(' ')[0])
    .filter((id) => (unkilled.includes(id) ? (unkilled.splice(unkilled.indexOf(id), 1), false) : true));
  assert.deepEqual(liveDeclaredDead, [], 'no live server was declared dead');
  assert.equal(faults.errors, 0, 'every fault ran to completion');
  assert.ok(result.counts.acks > 1000, `only ${result.counts.acks} acknowledged`);
  assert.ok(faults.kill + faults['kill+restart'] >= 1 && faults['etcd outage'] >= 1 && faults.join >= 1 && faults.leave >= 1, JSON.stringify(faults));
  assert.deepEqual(result.violations, []);
});

// One command runs the example: etcd, three WebSocket servers, the operator and 30 chat
// users on 127.0.0.1. Every 8 seconds the cluster scales 3 -> 4 or back, under traffic,
// and prints who reconnected and whether any message was lost. Ctrl-C stops it all.
//   node examples/ws-cluster/run.mjs
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';
import { ChatClient } from './client.mjs';
import { Operator } from './operator.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const etcd = await startEtcd();
const servers = new Map();
const start = async (id) => servers.set(id, await startProcess(here('./server.mjs'), ['--id', id, '--port', '0', '--etcd', etcd.endpoint]));
for (const id of ['ws-0', 'ws-1', 'ws-2']) await start(id);
await start('ws-3'); // joins the ring only when the operator scales out
const client = new Etcd3({ hosts: etcd.endpoint });
const operator = new Operator(client);
await operator.bootstrap(['ws-0', 'ws-1', 'ws-2']);
await operator.watchDeaths();
for (const [id, s] of servers) console.log(`${id}  ${s.info.address}/client?user=NAME`);

const seeds = [...servers.values()].map((s) => s.info.address);
const users = Array.from({ length: 30 }, (_, i) => new ChatClient(`user-${i}`, seeds));
await Promise.all(users.map((u) => u.connect()));
const sent = new Set();
const received = new Set();
for (const u of users) u.on('message', (m) => received.add(m.id));
let tick = 0;
const traffic = setInterval(() => {
  tick += 1;
  const [a, b] = [users[tick % 30], users[(tick * 7 + 3) % 30]];
  if (a !== b) sent.add(a.send(b.user, `hi #${tick}`));
}, 20);

let wide = false;
const cycle = setInterval(async () => {
  const before = users.map((u) => u.reconnects.length);
  wide = !wide;
  const event = await operator.scale(wide ? ['ws-0', 'ws-1', 'ws-2', 'ws-3'] : ['ws-0', 'ws-1', 'ws-2']);
  await new Promise((r) => setTimeout(r, 1_000));
  const moved = users.filter((u, i) => u.reconnects.length > before[i]).length;
  const missing = [...sent].filter((id) => !received.has(id)).length;
  console.log(`epoch ${event.epoch}: ${event.what} in ${event.ms} ms; ${moved}/30 users reconnected ` +
    `(plan: ${(100 * event.movedFraction).toFixed(1)}% of the ring); ${sent.size} sent, ${missing} not yet delivered`);
}, 8_000);

console.log('scaling every 8 s under traffic; Ctrl-C stops');
process.on('SIGINT', async () => {
  clearInterval(traffic);
  clearInterval(cycle);
  users.forEach((u) => u.close());
  await operator.close();
  client.close();
  await Promise.all([...servers.values()].map((s) => s.stop()));
  await etcd.stop();
  process.exit(0);
});

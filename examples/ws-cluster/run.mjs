// One command runs the example: etcd, three WebSocket servers, the operator and 30 chat
// users on 127.0.0.1. Every 8 seconds the cluster scales 3 -> 4 or back, under traffic,
// and prints who reconnected and whether any acknowledged message is missing. Ctrl-C stops it.
//   node examples/ws-cluster/run.mjs
import { Cluster } from './harness.mjs';

const cluster = await Cluster.start(['ws-0', 'ws-1', 'ws-2']);
await cluster.startServer('ws-3'); // joins the ring only when the operator scales out
for (const [id, s] of cluster.servers) console.log(`${id}  ${s.info.client}/client?token=TOKEN  (internal ${s.info.internal})`);
console.log(`a token for user "you": ${cluster.token('you')}`);

const users = Array.from({ length: 30 }, (_, i) => cluster.user(`user-${i}`));
const acked = new Set();
const received = new Set();
for (const u of users) {
  u.on('message', (m) => received.add(JSON.stringify([m.from, m.id])));
  u.on('ack', (id) => acked.add(JSON.stringify([u.user, id])));
}
await Promise.all(users.map((u) => u.connect()));
let tick = 0;
const traffic = setInterval(() => {
  tick += 1;
  const [a, b] = [users[tick % 30], users[(tick * 7 + 3) % 30]];
  if (a !== b) a.send(b.user, `hi #${tick}`);
}, 20);

let wide = false;
const cycle = setInterval(async () => {
  const before = users.map((u) => u.reconnects.length);
  wide = !wide;
  const event = await cluster.operator.scale(wide ? ['ws-0', 'ws-1', 'ws-2', 'ws-3'] : ['ws-0', 'ws-1', 'ws-2']);
  await new Promise((r) => setTimeout(r, 1_000));
  const moved = users.filter((u, i) => u.reconnects.length > before[i]).length;
  const missing = [...acked].filter((k) => !received.has(k)).length;
  console.log(`epoch ${event.epoch}: ${event.what} in ${event.ms} ms; ${moved}/30 users reconnected ` +
    `(plan: ${(100 * event.movedFraction).toFixed(1)}% of the ring); ${acked.size} acknowledged, ${missing} not yet delivered`);
}, 8_000);

console.log('scaling every 8 s under traffic; Ctrl-C stops');
process.on('SIGINT', async () => {
  clearInterval(traffic);
  clearInterval(cycle);
  users.forEach((u) => u.close());
  await cluster.close();
  process.exit(0);
});

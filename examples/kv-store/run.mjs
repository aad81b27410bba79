// One command runs the example: etcd (auth on), three storage nodes and the proxy on
// 127.0.0.1, with a fresh shared secret.
//   node examples/kv-store/run.mjs      then, in another shell, the CLI it prints.
import { fileURLToPath } from 'node:url';
import { startStore } from './harness.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const store = await startStore({ proxyPort: process.env.PORT ?? '7400', adminPort: process.env.ADMIN_PORT ?? '7401' });
const { proxy, admin } = store.proxy.info;
console.log(`etcd ${store.etcd.endpoint} (auth on); nodes ${[...store.nodes].map(([id, n]) => `${id} ${n.info.address}`).join(', ')}`);
console.log(`proxy ${proxy} (clients), admin ${admin} (shared secret). Try:`);
const cli = `KV_SECRET=${store.secret} node ${here('./kv.mjs')} --proxy ${proxy} --admin ${admin}`;
console.log(`  ${cli} set user:42 hello\n  ${cli} get user:42\n  ${cli} nodes\n  ${cli} remove-node kv-1`);
console.log('Ctrl-C stops everything.');
process.on('SIGINT', async () => {
  await store.stop();
  process.exit(0);
});

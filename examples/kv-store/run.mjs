// One command runs the example: etcd, three storage nodes and the proxy on 127.0.0.1.
//   node examples/kv-store/run.mjs      then, in another shell, the CLI it prints.
import { fileURLToPath } from 'node:url';
import { startEtcd } from '../shared/etcd.mjs';
import { startProcess } from '../shared/processes.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const etcd = await startEtcd();
const nodes = [];
for (const id of ['kv-0', 'kv-1', 'kv-2']) {
  nodes.push(await startProcess(here('./node.mjs'), ['--id', id, '--port', '0', '--etcd', etcd.endpoint]));
}
const proxy = await startProcess(here('./proxy.mjs'), ['--port', process.env.PORT ?? '7400', '--etcd', etcd.endpoint]);
const url = proxy.info.proxy;
for (const n of nodes) {
  const res = await fetch(`${url}/nodes`, { method: 'POST', body: JSON.stringify({ id: n.info.id }) });
  if (!res.ok) throw new Error(`joining ${n.info.id}: ${(await res.json()).error}`);
}
console.log(`etcd ${etcd.endpoint}; nodes ${nodes.map((n) => `${n.info.id} ${n.info.address}`).join(', ')}`);
console.log(`proxy ${url}. Try:`);
const cli = `node ${here('./kv.mjs')} --proxy ${url}`;
console.log(`  ${cli} set user:42 hello\n  ${cli} get user:42\n  ${cli} nodes\n  ${cli} remove-node kv-1`);
console.log('Ctrl-C stops everything.');
process.on('SIGINT', async () => {
  await proxy.stop();
  await Promise.all(nodes.map((n) => n.stop()));
  await etcd.stop();
  process.exit(0);
});

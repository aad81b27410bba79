#!/usr/bin/env node
// The store's command line: data through the proxy's client port, membership through its
// admin port (which needs the shared secret, from KV_SECRET).
//   node kv.mjs [--proxy URL] [--admin URL] set KEY VALUE | get KEY | del KEY
//                                           | nodes | add-node ID | remove-node ID
// (add-node joins a node that is already running and registered in etcd.)
const args = process.argv.slice(2);
let proxy = process.env.KV_PROXY ?? 'http://127.0.0.1:7400';
let admin = process.env.KV_ADMIN ?? 'http://127.0.0.1:7401';
for (;;) {
  if (args[0] === '--proxy') proxy = args.splice(0, 2)[1];
  else if (args[0] === '--admin') admin = args.splice(0, 2)[1];
  else break;
}
const [command, ...rest] = args;
const key = (k) => encodeURIComponent(k ?? '');

const commands = {
  set: ([k, v]) => [proxy, 'PUT', `/kv/${key(k)}`, { value: v ?? '' }],
  get: ([k]) => [proxy, 'GET', `/kv/${key(k)}`],
  del: ([k]) => [proxy, 'DELETE', `/kv/${key(k)}`],
  nodes: () => [admin, 'GET', '/nodes'],
  'add-node': ([id]) => [admin, 'POST', '/nodes', { id }],
  'remove-node': ([id]) => [admin, 'DELETE', `/nodes/${key(id)}`],
};

if (!commands[command]) {
  console.error('usage: kv.mjs [--proxy URL] [--admin URL] set KEY VALUE | get KEY | del KEY | nodes | add-node ID | remove-node ID');
  process.exit(2);
}
const [base, method, path, body] = commands[command](rest);
try {
  const res = await fetch(`${base}${path}`, {
    method,
    body: body && JSON.stringify(body),
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(base === admin ? { 'x-ringroute-secret': process.env.KV_SECRET ?? '' } : {}),
    },
  });
  const answer = await res.json();
  if (!res.ok) {
    console.error(`error: ${answer.error ?? res.status}`);
    process.exit(1);
  }
  if (command === 'get') console.log(answer.value);
  else if (command === 'nodes') {
    console.log(`epoch ${answer.epoch}, fingerprint ${answer.fingerprint}${answer.inTransition ? ' (moving data)' : ''}`);
    for (const n of answer.nodes) console.log(`${n.id}\t${n.address}\t${answer.alive.includes(n.id) ? 'alive' : 'DOWN'}`);
  } else console.log(JSON.stringify(answer));
} catch (e) {
  console.error(`error: cannot reach ${base}: ${e.cause?.message ?? e.message}`);
  process.exit(1);
}

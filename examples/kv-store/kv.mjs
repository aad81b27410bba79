#!/usr/bin/env node
// The store's command line, talking to the proxy.
//   node kv.mjs [--proxy URL] set KEY VALUE | get KEY | del KEY | nodes
//                             | add-node ID | remove-node ID
// (add-node joins a node that is already running and alive in etcd.)
const args = process.argv.slice(2);
let proxy = process.env.KV_PROXY ?? 'http://127.0.0.1:7400';
if (args[0] === '--proxy') { proxy = args[1]; args.splice(0, 2); }
const [command, ...rest] = args;
const key = (k) => encodeURIComponent(k ?? '');

const commands = {
  set: ([k, v]) => ['PUT', `/kv/${key(k)}`, { value: v ?? '' }],
  get: ([k]) => ['GET', `/kv/${key(k)}`],
  del: ([k]) => ['DELETE', `/kv/${key(k)}`],
  nodes: () => ['GET', '/nodes'],
  'add-node': ([id]) => ['POST', '/nodes', { id }],
  'remove-node': ([id]) => ['DELETE', `/nodes/${key(id)}`],
};

if (!commands[command]) {
  console.error('usage: kv.mjs [--proxy URL] set KEY VALUE | get KEY | del KEY | nodes | add-node ID | remove-node ID');
  process.exit(2);
}
const [method, path, body] = commands[command](rest);
try {
  const res = await fetch(`${proxy}${path}`, {
    method, body: body && JSON.stringify(body), headers: body ? { 'content-type': 'application/json' } : undefined,
  });
  const answer = await res.json();
  if (!res.ok) {
    console.error(`error: ${answer.error ?? res.status}`);
    process.exit(1);
  }
  if (command === 'get') console.log(answer.value);
  else if (command === 'nodes') {
    console.log(`epoch ${answer.epoch}, fingerprint ${answer.fingerprint}`);
    for (const n of answer.nodes) console.log(`${n.id}\t${n.address}\t${answer.alive.includes(n.id) ? 'alive' : 'DOWN'}`);
  } else console.log(JSON.stringify(answer));
} catch (e) {
  console.error(`error: cannot reach the proxy at ${proxy}: ${e.cause?.message ?? e.message}`);
  process.exit(1);
}

// One command runs the example: a pool of real memcached servers on 127.0.0.1 (one on
// the default port 11211 if it is free), a Python service writing 10,000 keys through
// pylibmc, and a Node service reading each key from the one server ringroute's Ketama
// picks. The pool then grows, shrinks and changes a weight; both sides rebuild and every
// key is read again. npm `memcached` (hashring) reads the same keys beside it.
//   node examples/memcached/run.mjs        (./run example memcached installs what it needs)
import { DEFAULT_PORT, address, membership, startServers, stopServers } from './pool.mjs';
import { startWriter } from './python.mjs';
import { HashringReader, RingrouteReader } from './readers.mjs';
import { keysFor, writeThenRead } from './rounds.mjs';

const KEYS = 10_000;
const servers = await startServers(29, { defaultPort: true });
const writer = await startWriter();
const onDefault = servers.find((s) => s.port === DEFAULT_PORT);
console.log(`${servers.length} memcached servers on loopback; ` +
  (onDefault ? `${address(onDefault)} on the default port ${DEFAULT_PORT} (its points are labelled host-i, the others host:port-i)`
    : `port ${DEFAULT_PORT} is taken on 127.0.0.1-3, so every server is on another port (the tests still cover ${DEFAULT_PORT} labels)`));
console.log(`Python: pylibmc ${writer.versions.pylibmc} (libmemcached ${writer.versions.libmemcached}), behaviors {"ketama_weighted": True}`);
console.log('Node:   ringroute Ketama + one npm memcached client per server, beside npm memcached 2.2.2 (hashring) for the whole pool\n');

const keys = keysFor(KEYS);
const weights = new Map();
let members = servers.slice(0, 7);
const steps = [
  ['7 servers', () => {}],
  ['add a server (8)', () => { members = servers.slice(0, 8); }],
  ['remove the fourth (7)', () => { members = members.filter((s) => s !== servers[3]); }],
  ['second server weight 3', () => { weights.set(servers[1], 3); }],
  ['14 servers', () => { weights.clear(); members = servers.slice(0, 14); }],
  ['28 servers', () => { members = servers.slice(0, 28); }],
  ['28 servers, weights 1-5', () => { members.forEach((s, i) => weights.set(s, (i % 5) + 1)); }],
];

const ringroute = new RingrouteReader(membership(members));
const hashring = new HashringReader(membership(members));
let failed = false;
let example = null;
try {
  console.log(`${'pool'.padEnd(26)}${'keys moved'.padStart(11)}${'ringroute misses'.padStart(18)}${'hashring misses'.padStart(17)}`);
  let before = null;
  for (const [round, [name, change]] of steps.entries()) {
    change();
    const pool = membership(members, weights);
    await writer.setPool(pool); // both sides rebuild from the same list
    ringroute.setPool(pool);
    hashring.setPool(pool);
    const routes = keys.map((k) => ringroute.route(k));
    const moved = before ? routes.filter((r, i) => r !== before[i]).length : 0;
    before = routes;
    const { misses } = await writeThenRead(writer, { ringroute, hashring }, keys, round);
    failed ||= misses.ringroute !== 0;
    if (!example && misses.hashring) {
      const key = keys.find((k) => hashring.route(k) !== ringroute.route(k));
      const [theirs] = await writer.route([key]);
      example = `${key} at "${name}": pylibmc wrote it to ${address(pool[theirs])}; ringroute asks ${ringroute.route(key)} (hit); ` +
        `npm memcached asks ${hashring.route(key)} (miss)`;
    }
    console.log(`${name.padEnd(26)}${String(moved).padStart(11)}${`${misses.ringroute} of ${KEYS}`.padStart(18)}${`${misses.hashring} of ${KEYS}`.padStart(17)}`);
  }
  if (example) console.log(`\n${example}`);
} finally {
  ringroute.close();
  hashring.close();
  await writer.stop();
  await stopServers(servers);
}
console.log(failed ? '\nringroute missed keys: see above' : '\nEvery key Python wrote was found by Node on the first server it asked.');
process.exit(failed ? 1 : 0);

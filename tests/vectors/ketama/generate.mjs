// Writes ketama.json: which server owns each of 10,100 keys for 1 to 50 servers, with
// equal and mixed weights, according to the `hashring` npm package and to libmemcached
// (Debian's libmemcached through oracle.c). ring-core's Ketama must match libmemcached
// everywhere and hashring wherever the two agree.
//
//   node tests/vectors/ketama/generate.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import HashRing from 'hashring';
import { checksum, keys } from './answers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(here, 'ketama.json');

const oracle = join(here, 'oracle');
execFileSync('gcc', ['-O2', '-o', oracle, join(here, 'oracle.c'), '-lmemcached']);

const SAMPLE = 64;

function servers(n, mode) {
  return Array.from({ length: n }, (_, i) => ({
    host: `10.0.${i >> 8}.${i & 255}`,
    port: i % 3 === 2 ? 11212 : 11211,
    weight: mode === 'equal' ? 1 : (i % 5) + 1,
  }));
}

function viaHashring(list) {
  const names = list.map((s) => `${s.host}:${s.port}`);
  const ring = new HashRing(
    Object.fromEntries(list.map((s, i) => [names[i], s.weight])),
    'md5',
    { 'default port': 11211 },
  );
  const digests = names.map((name) => ring.ring.filter((node) => node.server === name).length / 4);
  const owners = keys.map((k) => names.indexOf(ring.get(k)));
  return { digests, owners };
}

function viaLibmemcached(list) {
  const input = list.map((s) => `${s.host} ${s.port} ${s.weight}`).join('\n') + '\n\n' + keys.join('\n') + '\n';
  return execFileSync(oracle, { input }).toString().trim().split('\n').map(Number);
}

const configs = [];
for (const mode of ['equal', 'mixed']) {
  for (let n = 1; n <= 50; n++) {
    const list = servers(n, mode);
    const hr = viaHashring(list);
    const lm = viaLibmemcached(list);
    configs.push({
      name: `${n}-${mode}`,
      servers: list,
      hashring: { digests: hr.digests, checksum: checksum(hr.owners), sample: hr.owners.slice(0, SAMPLE) },
      libmemcached: { checksum: checksum(lm), sample: lm.slice(0, SAMPLE) },
      agree: checksum(hr.owners) === checksum(lm),
    });
  }
}

const doc = {
  description:
    'Ketama answers of the hashring npm package (3.2.0, default port 11211) and of libmemcached (weighted ketama) ' +
    'for 10,000 keys "key:0".."key:9999" then 100 keys "ключ:0".."ключ:99", as server indices. ' +
    'checksum: FNV-1a 64 over the indices as little-endian u16; sample: the first 64 indices.',
  generated_by: 'tests/vectors/ketama/generate.mjs',
  keys: { ascii: 'key:{i} for i < 10000', unicode: 'ключ:{i} for i < 100' },
  configs,
};
writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
const disagree = configs.filter((c) => !c.agree).map((c) => c.name);
console.log(`wrote ${configs.length} configs; hashring and libmemcached disagree on: ${disagree.join(', ') || 'none'}`);

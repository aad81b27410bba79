// Replays a reproducer file against the package: node tests/fuzz/replay.mjs FILE.mjs
// (FUZZ_PKG=dir to point at another copy). Prints each operation and the failure, if any.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine, opSource } from './engine.mjs';
import { loadPackage } from './load.mjs';

const json = process.argv.includes('--json');
const file = process.argv.filter((a) => !a.startsWith('--')).at(-1);
const { ops } = await import(pathToFileURL(resolve(file)));
const pkg = loadPackage();
const engine = new Engine(pkg, { lenient: json });
const failure = engine.run(ops);
if (json) {
  // For the shrinker: every failure, wrong-class refusals first (see fuzz.mjs replay()).
  const soft = engine.soft.map((f) => ({ ...f, op: undefined, index: ops.indexOf(f.op) }));
  console.log(JSON.stringify([...soft, ...(failure ? [failure] : [])]));
} else {
  ops.forEach((op, i) => console.log(`${String(i).padStart(3)}  ${opSource(op)}`));
  console.log(failure ? `\nFAILS at operation ${failure.index} (${failure.kind}): ${failure.message}` : '\npasses');
  process.exitCode = failure ? 1 : 0;
}

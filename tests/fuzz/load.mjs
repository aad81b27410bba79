// Loads the package under test: `ringroute` and `ringroute/full` as the tests resolve
// them, or, with FUZZ_PKG=/some/dir, the package in that directory (resolved by its own
// name from inside it, through its package.json "exports"), so a patched copy can be
// fuzzed without touching the real one.
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export function loadPackage(dir = process.env.FUZZ_PKG) {
  const req = dir ? createRequire(join(resolve(dir), 'package.json')) : createRequire(import.meta.url);
  return { main: req('ringroute'), full: req('ringroute/full'), from: dir ? resolve(dir) : 'ringroute' };
}

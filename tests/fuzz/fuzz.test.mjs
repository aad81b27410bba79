// Differential fuzzing of the package's JS API against the model of SPEC.md in
// tests/fuzz/model/. CI size by default; a long run with FUZZ_OPS (and FUZZ_SEED).
// FUZZ_PKG=dir fuzzes another copy of the package (a patched one, to see the fuzzer fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from './fuzz.mjs';

const CI_OPS = 40_000;
const CI_SEED = 20261203;
const total = Number(process.env.FUZZ_OPS ?? CI_OPS);
const seed = Number(process.env.FUZZ_SEED ?? CI_SEED) >>> 0;
const keepGoing = process.env.FUZZ_KEEP_GOING === '1';

test(`the package answers as the model on ${total} random operations (seed ${seed})`, { timeout: Math.max(600_000, total * 50) }, () => {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'ringroute-fuzz-'));
  const reports = [];
  const { count, failures, stats } = fuzz({
    seed,
    total,
    keepGoing,
    onFailure(r) {
      const file = join(dir, `repro-${reports.length}.mjs`);
      writeFileSync(file, r.source);
      const text = [
        `FAILURE ${reports.length}: ${r.failure.kind} (seed ${r.seed}, episode ${r.episode})`,
        `  ${String(r.shrunk.failure?.message ?? r.failure.message).slice(0, 1200)}`,
        `  shrunk to ${r.shrunk.ops.length} operation(s) (${r.shrunk.tries} tries):`,
        ...r.lines.map((l) => `    ${l.slice(0, 400)}`),
        `  replay: node tests/fuzz/replay.mjs ${file}`,
      ].join('\n');
      reports.push(text);
      console.log(text);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(`# operations answered/refused: ${Object.entries(stats).sort().map(([k, [a, r]]) => `${k} ${a}/${r}`).join(', ')}`);
  console.log(`# fuzz: ${count} operations in ${seconds.toFixed(1)} s, seed ${seed}, ${failures.length} distinct failure(s)`);
  assert.equal(failures.length, 0, `${failures.length} failure(s); rerun with FUZZ_SEED=${seed} FUZZ_OPS=${total}\n${reports.join('\n')}`);
});

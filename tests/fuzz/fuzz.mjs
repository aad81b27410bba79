// The fuzz loop: episodes of random operations from one seed, each run through the
// engine; a failure is shrunk to a short operation list and printed as a reproducer.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, opSource } from './engine.mjs';
import { generate } from './gen.mjs';
import { prng, ser } from './values.mjs';
import { loadPackage } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const EPISODE = 250;

/** The seed of episode `i` of a run seeded `seed`. */
export const episodeSeed = (seed, i) => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 0;

/** Generates and runs one episode; returns { ops, failure, count }. */
export function episode(pkg, seed, length = EPISODE, lenient = false) { // eslint-disable-line max-params
  const rnd = prng(seed);
  const engine = new Engine(pkg, { lenient });
  const ops = [];
  let failure = null;
  for (let i = 0; i < length && !failure; i++) {
    const op = generate(engine, rnd);
    ops.push(op);
    failure = engine.run([op], false);
    if (failure) failure.index = i;
  }
  if (!failure) {
    failure = engine.run([]); // the final checks
    if (failure) failure.index = ops.length - 1;
  }
  engine.dispose();
  // Soft failures (lenient runs): the list up to that point, for shrinking.
  const soft = engine.soft.map((f) => ({ ...f, index: ops.indexOf(f.op) })).filter((f) => f.index >= 0);
  return { ops, failure, soft, count: engine.count, stats: engine.stats };
}

/** One line per bug: kind, operation, and what came back (ids and numbers blanked). */
export function signature(f, ops) {
  const op = ops[Math.min(f.index, ops.length - 1)]?.t;
  const m = String(f.message);
  let tail = '';
  if (f.kind === 'wrong-error' || f.kind === 'refused') tail = m.slice(m.lastIndexOf(', got ') + 6);
  else if (f.kind === 'accepted') tail = m.slice(m.lastIndexOf(': expected ') + 11, m.lastIndexOf(', got a result'));
  else if (f.kind === 'state') tail = m.match(/: (ring|ketama|bounded|trans|plan) ([^:]*): expected/)?.slice(1).join(' ') ?? '';
  else if (f.kind === 'trap' || f.kind === 'poisoned' || f.kind === 'engine') tail = m.slice(0, 60);
  return `${f.kind} ${op} ${tail.replace(/"[^"]*"|\d+(\.\d+)?(e[+-]?\d+)?/g, '…').slice(0, 100)}`;
}

/**
 * Replays `ops` in-process on a fresh engine; returns every failure: the wrong-class
 * refusals a lenient run records, then the failure that stopped it.
 */
export function replay(pkg, ops, lenient = true) {
  const engine = new Engine(pkg, { lenient });
  const failure = engine.run(ops);
  engine.dispose();
  const soft = engine.soft.map((f) => ({ ...f, index: ops.indexOf(f.op) })).filter((f) => f.index >= 0);
  return [...soft, ...(failure ? [failure] : [])];
}

export const moduleSource = (ops) => `// A fuzz reproducer: node tests/fuzz/replay.mjs THIS_FILE\nexport const ops = [\n${ops.map((o) => `  ${ser(o)},`).join('\n')}\n];\n`;

let scratchDir;
/** Replays in a child process: a trap may poison the module for the rest of a process. */
function replayIsolated(ops) {
  scratchDir ??= mkdtempSync(join(tmpdir(), 'ringroute-fuzz-'));
  const file = join(scratchDir, 'candidate.mjs');
  writeFileSync(file, moduleSource(ops));
  const r = spawnSync(process.execPath, [join(here, 'replay.mjs'), '--json', file], { encoding: 'utf8', timeout: 60_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return [{ index: ops.length - 1, kind: 'crash', message: `replay exited ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(0, 300)}` }];
  }
}

/** Shrinks `ops` while the same kind of failure at the same kind of operation persists. */
export function shrink(pkg, ops, failure, { budget = 400, seconds = 90 } = {}) {
  const isolated = failure.kind === 'trap' || failure.kind === 'poisoned' || /RuntimeError|unreachable/.test(failure.message);
  const target = signature(failure, ops);
  // The first failure of the same signature, or null.
  const run = (list) => (isolated ? replayIsolated(list) : replay(pkg, list)).find((f) => signature(f, list) === target) ?? null;
  const deadline = Date.now() + seconds * 1000;
  let best = ops.slice(0, failure.index + 1);
  let tries = 0;
  let chunk = Math.max(1, best.length >> 1);
  while (chunk >= 1 && tries < budget && Date.now() < deadline) {
    let progressed = false;
    for (let start = 0; start < best.length && tries < budget && Date.now() < deadline;) {
      const candidate = [...best.slice(0, start), ...best.slice(start + chunk)];
      tries++;
      const f = candidate.length ? run(candidate) : null;
      if (f) {
        best = candidate.slice(0, f.index + 1);
        progressed = true;
      } else {
        start += chunk;
      }
    }
    if (!progressed) chunk >>= 1;
  }
  // Then shorten list arguments (getMany keys, document servers): halves while it fails.
  for (let i = 0; i < best.length && tries < budget && Date.now() < deadline; i++) {
    for (let a = 0; a < (best[i].a ?? []).length; a++) {
      for (;;) {
        const arg = best[i].a[a];
        const list = Array.isArray(arg) ? arg : Array.isArray(arg?.servers) ? arg.servers : null;
        if (!list || list.length < 2 || tries >= budget || Date.now() >= deadline) break;
        const half = list.length >> 1;
        let shorter = null;
        for (const part of [list.slice(0, half), list.slice(half)]) {
          const argNext = Array.isArray(arg) ? part : { ...arg, servers: part };
          const candidate = best.map((op, j) => (j === i ? { ...op, a: op.a.map((x, k) => (k === a ? argNext : x)) } : op));
          tries++;
          const f = run(candidate);
          if (f) { shorter = candidate.slice(0, f.index + 1); break; }
        }
        if (!shorter) break;
        best = shorter;
      }
    }
  }
  const final = run(best) ?? failure;
  return { ops: best, failure: final, tries };
}

/** Runs `total` operations from `seed`; stops at the first failure unless `keepGoing`. */
export function fuzz({ seed, total, pkg = loadPackage(), keepGoing = false, seen = new Set(), onFailure = () => {}, log = () => {} }) {
  let count = 0;
  const failures = [];
  const stats = {};
  for (let i = 0; count < total; i++) {
    const s = episodeSeed(seed, i);
    const { ops, failure, soft, count: n, stats: st } = episode(pkg, s, Math.min(EPISODE, total - count), keepGoing);
    count += n;
    for (const [k, [a, r]] of Object.entries(st)) { const t = (stats[k] ??= [0, 0]); t[0] += a; t[1] += r; }
    for (const f of [...soft, ...(failure ? [failure] : [])]) {
      const sig = signature(f, ops);
      if (seen.has(sig)) continue;
      seen.add(sig);
      const small = shrink(pkg, ops, f);
      const report = { seed, episode: i, episodeSeed: s, signature: sig, failure: f, shrunk: small, source: moduleSource(small.ops), lines: small.ops.map(opSource) };
      failures.push(report);
      onFailure(report);
    }
    if (failure) {
      // After a trap the module may stay poisoned for this process: later answers prove nothing.
      if (!keepGoing || failure.kind === 'trap' || failure.kind === 'poisoned') break;
    }
    if (i % 20 === 19) log(`${count} operations, ${failures.length} failures`);
  }
  return { count, failures, stats };
}

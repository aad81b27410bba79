// The checker itself: it must flag each kind of violation, and accept what the
// guarantee allows (unacknowledged writes may or may not take effect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from './checker.mjs';

const w = (key, value, start, end, ok = true) => ({ op: 'write', key, value, start, end, ok });
const r = (key, result, start, end, final = false) => ({ op: 'read', key, result, start, end, ok: true, final });

test('the checker flags stale reads, lost writes and resurrected deletes', () => {
  const log = [
    w('a', 'v1', 0, 10), r('a', 'v1', 11, 12),
    w('a', 'v2', 20, 30), r('a', 'v1', 31, 32), // stale: v2 was acknowledged before
    w('a', null, 40, 50), r('a', 'v2', 51, 52), // resurrected: the delete was acknowledged
    r('a', null, 53, 54),
    w('a', 'v3', 60, 70), r('a', null, 71, 72, true), // lost: the final read misses v3
  ];
  const { counts, ok } = check(log);
  assert.equal(ok, false);
  assert.deepEqual([counts.stale, counts.resurrected, counts.lost], [1, 1, 1]);
});

test('the checker accepts concurrent and unacknowledged writes either way', () => {
  const log = [
    w('b', 'x', 0, 5_000, false), r('b', 'x', 6_000, 6_001), r('b', null, 6_002, 6_003),
    w('c', 'c1', 0, 10), w('c', 'c2', 5, 20), r('c', 'c1', 21, 22), r('c', 'c2', 23, 24), // c1 and c2 overlap
    w('d', 'd1', 0, 10), r('d', 'd2', 11, 30), w('d', 'd2', 12, 25), // a read may see a write that ends after it began
  ];
  const { counts, ok, violations } = check(log);
  assert.ok(ok, JSON.stringify(violations));
  assert.equal(counts.readsOk, 5);
});

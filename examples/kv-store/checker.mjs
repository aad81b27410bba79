// Checks the store's guarantee from a log of operations, each with when it started and
// when its answer came back:
//   { op: 'write', key, value (string, or null for a delete), start, end, ok }
//   { op: 'read', key, result (string, or null for absent), start, end, ok }
// Every written value is unique, so a read names the write it saw.
//
// A read may return the value of write W only if W started before the read ended and no
// acknowledged write X certainly replaced W before the read began (X started after W
// ended and X was acknowledged before the read started). An unacknowledged write may
// still land a little after its caller gave up (requests in flight), so its end is
// extended by `slackMs`. The key starts absent, as if deleted before everything.
// Violations are classified:
//   resurrected  the read returned a value although an acknowledged delete came after it;
//   lost         a final read (`final: true`, after the faults ended and the membership
//                settled) did not return the newest acknowledged write or a concurrent one;
//   stale        any other read older than an acknowledged write.
export function check(log, { slackMs = 3_000 } = {}) {
  const byKey = new Map();
  for (const e of log) {
    if (e.op !== 'write' && e.op !== 'read') continue;
    if (!byKey.has(e.key)) byKey.set(e.key, { writes: [], reads: [] });
    byKey.get(e.key)[e.op === 'write' ? 'writes' : 'reads'].push(e);
  }
  const counts = { reads: 0, readsOk: 0, writes: 0, writesAcked: 0, deletes: 0, deletesAcked: 0, unknownValue: 0, stale: 0, lost: 0, resurrected: 0 };
  const violations = [];
  for (const [key, { writes, reads }] of byKey) {
    const initial = { key, value: null, start: -Infinity, end: -Infinity, ok: true, initial: true };
    const all = [initial, ...writes];
    const byValue = new Map();
    for (const w of writes) {
      if (w.value === null) counts.deletes += 1;
      else counts.writes += 1;
      if (w.ok) counts[w.value === null ? 'deletesAcked' : 'writesAcked'] += 1;
      if (w.value !== null) byValue.set(w.value, w);
    }
    const acked = all.filter((w) => w.ok);
    const effectiveEnd = (w) => (w.ok ? w.end : w.end + slackMs);
    /** The acknowledged write that certainly replaced `w` before `time`, if any. */
    const replacedBy = (w, time) => acked.find((x) => x !== w && x.start > effectiveEnd(w) && x.end < time);
    for (const r of reads) {
      counts.reads += 1;
      if (!r.ok) continue;
      counts.readsOk += 1;
      let candidates;
      if (r.result === null) candidates = all.filter((w) => w.value === null);
      else {
        const w = byValue.get(r.result);
        if (!w) {
          counts.unknownValue += 1;
          violations.push({ kind: 'unknown', key, read: r });
          continue;
        }
        candidates = [w];
      }
      const allowed = candidates.some((w) => w.start < r.end && !replacedBy(w, r.start));
      if (allowed) continue;
      // Classify by the newest acknowledged write finished before the read started.
      const newest = acked.filter((x) => x.end < r.start).sort((a, b) => a.end - b.end).at(-1);
      const kind = r.result !== null && newest.value === null ? 'resurrected' : r.final ? 'lost' : 'stale';
      counts[kind] += 1;
      violations.push({ kind, key, read: r, newestAcked: newest });
    }
  }
  return { ok: violations.length === 0, counts, violations, keys: byKey.size };
}

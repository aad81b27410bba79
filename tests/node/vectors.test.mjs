// Replays every golden vector through the npm package, exactly as a user would import
// it: the answers must be identical to Rust native (which replays the same files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HashRing, Transition } from 'ringroute';

const vectors = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const load = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);

const keyOf = (lookup) => ('key' in lookup ? lookup.key : Uint8Array.from(Buffer.from(lookup.key_hex, 'hex')));

function build(config, nodes) {
  const ring = new HashRing(config);
  for (const n of nodes) ring.add(n.id, { weight: n.weight, data: { id: n.id } });
  return ring;
}

const ringVectors = load(vectors);
assert.ok(ringVectors.length >= 7);

for (const [file, doc] of ringVectors) {
  test(`ring vector ${file}`, () => {
    for (const order of [doc.nodes, [...doc.nodes].reverse()]) {
      const ring = build(doc.config, order);
      assert.equal(ring.fingerprint, doc.expect.fingerprint);
      assert.equal(ring.pointCount, doc.expect.point_count);
      assert.deepEqual(ring.nodes(), Object.keys(doc.expect.owned).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      for (const { id, share } of ring.shares()) {
        assert.equal(share, doc.expect.owned[id] / 2 ** 32, `share of ${id}`);
      }
      const keys = doc.lookups.map(keyOf);
      const many = ring.getMany(keys);
      doc.lookups.forEach((lookup, i) => {
        const key = keys[i];
        assert.equal(ring.position(key), lookup.position, `position of ${JSON.stringify(lookup)}`);
        assert.equal(ring.get(key), lookup.owner ?? undefined, `owner of ${JSON.stringify(lookup)}`);
        assert.equal(many[i], lookup.owner ?? undefined);
        assert.deepEqual(ring.getN(key, doc.successors_n), lookup.successors);
        assert.deepEqual(ring.getN(key, 1), lookup.successors.slice(0, 1));
      });
      for (const { id } of doc.nodes) assert.deepEqual(ring.data(id), { id });
      ring.free();
    }
  });
}

for (const [file, doc] of load(join(vectors, 'migration'))) {
  test(`migration vector ${file}`, () => {
    const prev = build(doc.old.config, doc.old.nodes);
    const next = build(doc.new.config, doc.new.nodes);
    const plan = prev.diff(next);
    assert.deepEqual(
      plan.moves().map((m) => [m.first, m.last, m.from, m.to]),
      doc.expect.moves,
    );
    const t = new Transition(prev, next, doc.epoch);
    for (let step = 0; step <= doc.expect.steps; step++) {
      t.setStep(step, doc.expect.steps);
      assert.equal(t.cutOver().length, doc.expect.cut_counts[step], `step ${step}`);
      for (const lookup of doc.lookups) {
        const [owner, previous] = lookup.routes[step];
        const route = t.route(lookup.key);
        assert.equal(route.owner, owner, `${lookup.key} at step ${step}`);
        assert.equal(route.previous, previous ?? undefined, `${lookup.key} at step ${step}`);
      }
    }
    assert.deepEqual(t.cutOver().map((m) => m.first), doc.expect.cut_order);
    assert.equal(t.complete().fingerprint, next.fingerprint);
  });
}

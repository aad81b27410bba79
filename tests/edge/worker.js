// A Cloudflare-style worker that routes with ringroute: POST a golden vector, get back
// its answers computed inside workerd. POST /ketama routes with `ringroute/full`'s Ketama.
import { HashRing } from '../../pkg/dist/core/worker.js';
import { Ketama } from '../../pkg/dist/full/worker.js';

const hexBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

export default {
  async fetch(request) {
    const doc = await request.json();
    if (new URL(request.url).pathname === '/ketama') {
      const ring = new Ketama();
      for (const s of doc.servers) ring.add(s.host, s.port, { weight: s.weight });
      const owners = doc.keys.map((k) => ring.get(k));
      ring.free();
      return Response.json(owners);
    }
    const ring = new HashRing(doc.config);
    for (const n of doc.nodes) ring.add(n.id, { weight: n.weight });
    const keys = doc.lookups.map((l) => ('key' in l ? l.key : hexBytes(l.key_hex)));
    const answers = {
      fingerprint: ring.fingerprint,
      pointCount: ring.pointCount,
      positions: keys.map((k) => ring.position(k)),
      owners: keys.map((k) => ring.get(k) ?? null),
      many: ring.getMany(keys.filter((k) => typeof k === 'string')).map((o) => o ?? null),
      successors: keys.map((k) => ring.getN(k, doc.successors_n)),
    };
    ring.free();
    return Response.json(answers);
  },
};
